import type { JobSpecInput } from './spec'

/**
 * Lessons: jobs set up to show one thing a pool does, each with a sentence on what to see. Choosing
 * one fills the job form (it runs nothing); the spec holds only what the lesson depends on, and the
 * form keeps its defaults (all hardware threads, 2 × threads tasks, auto chunks) for the rest.
 */
export interface Lesson {
  id: string
  /** A short title for the Lessons menu. */
  title: string
  /** One sentence: what the lesson shows and where to look. */
  shows: string
  spec: JobSpecInput
}

export const LESSONS: readonly Lesson[] = [
  {
    id: 'notebook-map',
    title: 'Notebook: map cell',
    shows:
      'The notebook’s p.map(get_combinations, data): tiny equal tasks, where the pool’s own overhead is most of the time.',
    spec: {
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
    }
  },
  {
    id: 'notebook-starmap',
    title: 'Notebook: starmap cell',
    shows:
      'The notebook’s p.starmap(get_combinations_n, data) with n drawn from 2, 3, 4 (seed 2023): tasks of a few sizes.',
    spec: {
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], n: [2, 3, 4], seed: 2023 }
    }
  },
  {
    id: 'imbalance-primes',
    title: 'Imbalance: equal-width prime ranges',
    shows:
      'Four equal-width ranges on 2 threads, one task per chunk: the higher ranges take longer, so one lane ends well after the other.',
    spec: {
      workload: 'count_primes',
      style: 'starmap',
      threads: 2,
      chunkSize: 1,
      inputs: { kind: 'recipe', span: [0, 8_000_000], tasks: 4 }
    }
  },
  {
    id: 'sizes-product',
    title: 'Sizes that multiply: product',
    shows:
      'Tasks of product(range(10), repeat=n), n from 3 to 6: each step of n is ten times the work, so two tasks are most of the job and one lane ends alone.',
    spec: {
      workload: 'product',
      style: 'starmap',
      threads: 2,
      chunkSize: 1,
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], n: [3, 4, 5, 6], tasks: 8, seed: 3 }
    }
  },
  {
    id: 'imbalance-mandelbrot',
    title: 'Imbalance by row: Mandelbrot',
    shows:
      'Three bands of rows on 2 threads: the middle band crosses the set and runs long after the two outer bands are done.',
    spec: {
      workload: 'mandelbrot_rows',
      style: 'starmap',
      threads: 2,
      chunkSize: 1,
      inputs: { kind: 'recipe', width: 800, height: 600, max_iter: 1000, tasks: 3 }
    }
  },
  {
    id: 'few-big-fibonacci',
    title: 'Few big tasks: recursive Fibonacci',
    shows:
      'Sixteen tasks drawing n from 20, 25, 30, 35 on 2 threads: three fib(35) tasks are most of the work, and as the last task is one of them, one lane works on alone at the end.',
    spec: {
      workload: 'fibonacci',
      style: 'map',
      threads: 2,
      chunkSize: 1,
      // The seed draws fib(35) for tasks 1, 12 and 15: the last one runs with nothing left to share.
      inputs: { kind: 'recipe', n: [20, 25, 30, 35], tasks: 16, seed: 2038 }
    }
  },
  {
    id: 'parallel-pi',
    title: 'Perfectly parallel: Monte Carlo π',
    shows:
      'Eight equal, independent tasks on all threads: every lane stays busy to the end; sweep the threads to see the speedup follow the cores.',
    spec: {
      workload: 'monte_carlo_pi',
      style: 'starmap',
      inputs: { kind: 'recipe', samples: 10_000_000, first_seed: 0, tasks: 8 }
    }
  },
  {
    id: 'memory-wall',
    title: 'Memory wall: stream',
    shows:
      'Eight equal tasks streaming 64 MB each: where a few cores fill the memory bus, each task takes longer on more threads and a sweep’s speedup flattens below the thread count, unlike the π lesson’s.',
    spec: {
      workload: 'stream',
      style: 'starmap',
      inputs: { kind: 'recipe', mb: 64, passes: 10, tasks: 8 }
    }
  },
  {
    id: 'sleep-oversubscribed',
    title: 'More threads than cores: sleep',
    shows:
      'Sixteen 100 ms waits on 8 threads: waiting needs no core, so they overlap and the job takes about 200 ms on any machine, not 16 × 100 ms / cores.',
    spec: {
      workload: 'sleep',
      style: 'map',
      threads: 8,
      inputs: { kind: 'recipe', ms: [100], tasks: 16 }
    }
  }
]

/** A lesson by id; ids come from the menu, so `__proto__` and friends are simply unknown. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id)
}
