import { describe, expect, it } from 'vitest'
import { planJob } from '../../../src/shared/plan'
import { PythonRandom } from '../../../src/shared/pythonRandom'
import { fibonacciCalls } from '../../../src/shared/workloads/fibonacciCalls'
import { mandelbrotIterations } from '../../../src/shared/workloads/mandelbrot'
import { streamLength } from '../../../src/shared/workloads/streamSize'
import { planError } from './planError'

function argsOf(spec: unknown): unknown[] {
  const plan = planJob(spec, 2)
  return Array.from(plan.callIndex, (call) => plan.calls[call].args)
}

describe('recipes of the teaching workloads', () => {
  it('monte_carlo_pi: every task the same samples, task i seeded first_seed + i (wrapping at 2^32)', () => {
    const spec = {
      workload: 'monte_carlo_pi',
      style: 'starmap',
      inputs: { kind: 'recipe', samples: 1000, first_seed: 2 ** 32 - 2, tasks: 4 }
    }
    expect(argsOf(spec)).toEqual([
      [1000, 2 ** 32 - 2],
      [1000, 2 ** 32 - 1],
      [1000, 0],
      [1000, 1]
    ])
    const plan = planJob(spec, 2)
    expect(plan.totalWork).toBe(4000)
    expect(plan.spec.inputs).toEqual({ kind: 'recipe', samples: 1000, first_seed: 2 ** 32 - 2, tasks: 4 })
  })

  it('mandelbrot_rows: equal bands of rows that cover the picture exactly', () => {
    const spec = {
      workload: 'mandelbrot_rows',
      style: 'starmap',
      inputs: { kind: 'recipe', width: 80, height: 10, max_iter: 50, tasks: 4 }
    }
    expect(argsOf(spec)).toEqual([
      [0, 2, 80, 10, 50],
      [2, 5, 80, 10, 50],
      [5, 7, 80, 10, 50],
      [7, 10, 80, 10, 50]
    ])
    // Work is pixels: the whole picture.
    expect(planJob(spec, 2).totalWork).toBe(800)
  })

  it('mandelbrot_rows: the cost estimate sees the middle bands as the heavy ones, near the real count', () => {
    const bands = [0, 1, 2, 3, 4, 5, 6, 7].map((b) =>
      mandelbrotIterations(b * 75, (b + 1) * 75, 800, 600, 1000)
    )
    expect(Math.min(bands[3], bands[4])).toBeGreaterThan(20 * Math.max(bands[0], bands[7]))
    // The kernel counted 82,846,639 iterations for the whole picture (teachingKernels.test.ts checks
    // the kernel against an independent implementation); the estimate is within 25% of it.
    const whole = bands.reduce((a, b) => a + b, 0)
    expect(Math.abs(whole / 82_846_639 - 1)).toBeLessThan(0.25)
  })

  it('fibonacci draws each task’s n with random.choice and the seed; work is the calls', () => {
    const spec = {
      workload: 'fibonacci',
      style: 'map',
      inputs: { kind: 'recipe', n: [20, 25, 30], tasks: 9, seed: 5 }
    }
    const random = new PythonRandom(5)
    const expected = Array.from({ length: 9 }, () => [20, 25, 30][random.randbelow(3)])
    expect(argsOf(spec)).toEqual(expected.map((n) => [n]))
    const plan = planJob(spec, 2)
    expect(plan.totalWork).toBe(expected.reduce((total, n) => total + fibonacciCalls(n), 0))
  })

  it('stream: every task the same arrays and passes; work is the elements written', () => {
    const spec = {
      workload: 'stream',
      style: 'starmap',
      inputs: { kind: 'recipe', mb: 64, passes: 10, tasks: 3 }
    }
    expect(argsOf(spec)).toEqual([
      [64, 10],
      [64, 10],
      [64, 10]
    ])
    expect(planJob(spec, 2).totalWork).toBe(3 * 11 * streamLength(64))
  })

  it('estimates a job’s time from its tasks', () => {
    const time = (spec: unknown) => planJob(spec, 2).estimatedMs
    // 8 × 10^7 samples at about 8 ns, on 2 threads: about 320 ms.
    const pi = time({
      workload: 'monte_carlo_pi',
      style: 'starmap',
      threads: 2,
      inputs: { kind: 'recipe', samples: 1e7, first_seed: 0, tasks: 8 }
    })
    expect(pi).toBeGreaterThan(200)
    expect(pi).toBeLessThan(500)
    // One fib(40) task: the longest task bounds the job, whatever the threads.
    const fib = time({
      workload: 'fibonacci',
      style: 'map',
      threads: 2,
      inputs: { kind: 'args', args: [40, 10, 10] }
    })
    expect(fib).toBeGreaterThan(1000)
  })

  it.each([
    [
      { workload: 'monte_carlo_pi', style: 'starmap', inputs: { kind: 'recipe', samples: 0, first_seed: 0 } },
      ['inputs', 'samples'],
      /samples must be a whole number from 1 to 5,000,000,000 \(a task stays under a minute\) \(got 0\)/
    ],
    [
      {
        workload: 'monte_carlo_pi',
        style: 'starmap',
        inputs: { kind: 'recipe', samples: 10, first_seed: -1 }
      },
      ['inputs', 'first_seed'],
      /first_seed must be a whole number from 0 to 4,294,967,295 \(got -1\)/
    ],
    [
      { workload: 'monte_carlo_pi', style: 'map', inputs: { kind: 'recipe', samples: 10, first_seed: 0 } },
      ['style'],
      /use the starmap call style/
    ],
    [
      { workload: 'monte_carlo_pi', style: 'starmap', inputs: { kind: 'args', args: [[10, 1.5]] } },
      ['inputs', 'args', 0],
      /task 0: seed must be a whole number from 0 to 4,294,967,295, got 1\.5/
    ],
    [
      {
        workload: 'mandelbrot_rows',
        style: 'starmap',
        inputs: { kind: 'recipe', width: 0, height: 10, max_iter: 5 }
      },
      ['inputs', 'width'],
      /width must be a whole number from 1 to 10,000 pixels \(got 0\)/
    ],
    [
      {
        workload: 'mandelbrot_rows',
        style: 'starmap',
        inputs: { kind: 'recipe', width: 8, height: 10_001, max_iter: 5 }
      },
      ['inputs', 'height'],
      /height must be a whole number from 1 to 10,000 pixels/
    ],
    [
      {
        workload: 'mandelbrot_rows',
        style: 'starmap',
        inputs: { kind: 'recipe', width: 8, height: 8, max_iter: 100_001 }
      },
      ['inputs', 'max_iter'],
      /max_iter must be a whole number from 1 to 100,000 \(got 100001\)/
    ],
    [
      { workload: 'mandelbrot_rows', style: 'starmap', inputs: { kind: 'args', args: [[5, 3, 8, 8, 10]] } },
      ['inputs', 'args', 0],
      /task 0: row_hi must be a whole number from 5 to 8 \(from row_lo to the picture's 8 rows\), got 3/
    ],
    [
      { workload: 'mandelbrot_rows', style: 'starmap', inputs: { kind: 'args', args: [[0, 9, 8, 8, 10]] } },
      ['inputs', 'args', 0],
      /row_hi must be a whole number from 0 to 8/
    ],
    [
      { workload: 'mandelbrot_rows', style: 'starmap', inputs: { kind: 'args', args: [[0, 8, 8, 8]] } },
      ['inputs', 'args', 0],
      /mandelbrot_rows takes 5 arguments \(row_lo, row_hi, width, height, max_iter\), got 4/
    ],
    [
      { workload: 'fibonacci', style: 'map', inputs: { kind: 'recipe', n: [30, 47] } },
      ['inputs', 'n', 1],
      /n must be a whole number from 0 to 46 \(a task of n = 46 takes about half a minute; each n more, 1\.6 times as long\) \(got 47\)/
    ],
    [
      { workload: 'fibonacci', style: 'map', inputs: { kind: 'args', args: [10, -1] } },
      ['inputs', 'args', 1],
      /task 1: n must be a whole number from 0 to 46 .*, got -1/
    ],
    [
      { workload: 'fibonacci', style: 'map', inputs: { kind: 'args', args: ['30'] } },
      ['inputs', 'args', 0],
      /n must be a whole number .*, got "30"/
    ],
    [
      { workload: 'stream', style: 'starmap', inputs: { kind: 'recipe', mb: 257, passes: 1 } },
      ['inputs', 'mb'],
      /mb must be a whole number from 1 to 256 MiB \(each pool thread holds its arrays while the job runs; the memory budget does not count them\) \(got 257\)/
    ],
    [
      { workload: 'stream', style: 'starmap', inputs: { kind: 'recipe', mb: 8, passes: 0 } },
      ['inputs', 'passes'],
      /passes must be a whole number from 1 to 1,000 \(got 0\)/
    ],
    [
      { workload: 'stream', style: 'starmap', inputs: { kind: 'args', args: [[8]] } },
      ['inputs', 'args', 0],
      /stream takes 2 arguments \(mb, passes\), got 1/
    ]
  ])('refuses %j at %j', (spec, path, message) => {
    const error = planError(spec)
    expect(error.path).toEqual(path)
    expect(error.message).toMatch(message)
  })
})
