import { z } from 'zod'
import { BACKEND_KINDS, LIMITS, type BackendKind } from '../spec'

/**
 * What a sweep runs besides its job: the thread counts, the back ends, how many repeats and for how
 * long. One schema for the host's `sweep.start` and the runner, so every front door gets the same
 * bounds and the same messages.
 */

/** At most this many thread counts: a sweep runs every one at least `repeat` times. */
export const MAX_SWEEP_POINTS = 32
export const MAX_REPEAT = 100
/** Above this many samples a point's interval hardly narrows; the bootstrap also costs more. */
export const MAX_SAMPLES_LIMIT = 1000
/**
 * The longest time limit: a day. It bounds the extra rounds only; the minimum repeats always finish
 * (up to 32 points × 100 repeats, each after a warm-up run), and Cancel stops any sweep.
 */
export const MAX_SWEEP_SECONDS = 24 * 60 * 60
export const DEFAULT_REPEAT = 5
/** Extra rounds (beyond the minimum repeats) stop after this long, precise or not. */
export const DEFAULT_MAX_SECONDS = 60
/** Samples per point at most, unless `repeat` asks for more (as in `shouldStopSampling`). */
export const DEFAULT_MAX_SAMPLES = 30
export const DEFAULT_SWEEP_SEED = 0x5eed

const threadCount = z
  .number({ error: 'each thread count must be a number' })
  .int('each thread count must be a whole number')
  .min(1, 'each thread count must be at least 1')
  .max(LIMITS.maxThreads, `each thread count must be at most ${LIMITS.maxThreads}`)

/**
 * Back ends a sweep can compare: every one; a cluster point is a cluster job with that many lanes,
 * on the agents registered at the spec's Redis.
 */
const backendKind = z.enum(BACKEND_KINDS, { error: 'each back end must be threads, processes or cluster' })

export const SweepOptionsSchema = z.object({
  /** The thread counts to measure; default 1, 2, 4 … up to twice the hardware threads. Must include 1. */
  threads: z
    .array(threadCount, { error: 'threads must be a list of thread counts, e.g. [1, 2, 4]' })
    .min(1, 'threads needs at least one thread count')
    .max(MAX_SWEEP_POINTS, `threads may list at most ${MAX_SWEEP_POINTS} thread counts`)
    .refine(
      (list) => new Set(list).size === list.length,
      'threads lists a thread count twice; list each once'
    )
    .refine(
      (list) => list.length === 0 || list.includes(1),
      'threads must include 1: speedup is measured against one thread'
    )
    .optional(),
  /** The back ends to sweep; default the spec's. Cluster needs the spec's redis. */
  backends: z
    .array(backendKind, { error: 'backends must be a list of threads, processes and/or cluster' })
    .min(1, 'backends needs at least one back end')
    .refine((list) => new Set(list).size === list.length, 'backends lists a back end twice; list each once')
    .optional(),
  /** Measured runs per point at least (the floor no time limit overrides). */
  repeat: z
    .number({ error: 'repeat must be a number' })
    .int('repeat must be a whole number')
    .min(1, 'repeat must be at least 1')
    .max(MAX_REPEAT, `repeat must be at most ${MAX_REPEAT}`)
    .optional(),
  /** Measured runs per point at most (adaptive stopping); default max(30, repeat). */
  maxRepeat: z
    .number({ error: 'maxRepeat must be a number' })
    .int('maxRepeat must be a whole number')
    .min(1, 'maxRepeat must be at least 1')
    .max(MAX_SAMPLES_LIMIT, `maxRepeat must be at most ${MAX_SAMPLES_LIMIT}`)
    .optional(),
  /** Seconds after which no further round starts once every point has its minimum repeats. */
  maxSeconds: z
    .number({ error: 'maxSeconds must be a number of seconds' })
    .positive('maxSeconds must be more than 0')
    .max(MAX_SWEEP_SECONDS, `maxSeconds must be at most ${MAX_SWEEP_SECONDS} (a day)`)
    .optional(),
  /** Seeds the shuffled run order (and nothing else): the same seed gives the same order. */
  seed: z
    .number({ error: 'seed must be a number' })
    .int('seed must be a whole number')
    .min(0, 'seed must be at least 0')
    .max(2 ** 32 - 1, `seed must be at most ${2 ** 32 - 1}`)
    .optional(),
  /**
   * Keep the spec's results as it says. By default a sweep counts results and keeps none: what is
   * measured is the work, not the copying of results, and a sweep's dozens of runs would otherwise
   * fill the engine's memory budget.
   */
  keepResults: z.boolean({ error: 'keepResults must be true or false' }).optional(),
  /**
   * A scaled sweep (Gustafson): the tasks grow with the threads, so each thread keeps the same share
   * of work; see `scaledTaskCount`. By default a sweep is fixed-size: every point runs the same tasks.
   */
  scaled: z
    .boolean({
      error:
        'scaled must be true or false (true: the tasks grow with the threads; false: every point runs the same tasks)'
    })
    .optional()
})

export type SweepOptionsInput = z.input<typeof SweepOptionsSchema>

/** The options with every default filled in. */
export interface SweepOptions {
  threads: number[]
  backends: BackendKind[]
  repeat: number
  maxRepeat: number
  maxSeconds: number
  seed: number
  keepResults: boolean
  scaled: boolean
}

/**
 * The tasks a scaled sweep runs at `threads`: the spec's tasks are what the smallest thread count
 * runs, so each thread's share is `ceil(specTasks / smallestThreads)` (at least 1), and every
 * point runs that many per thread. Sweeps include 1 thread, so the share is the spec's tasks.
 */
export function scaledTaskCount(specTasks: number, smallestThreads: number, threads: number): number {
  return tasksPerThread(specTasks, smallestThreads) * threads
}

/** The tasks each thread gets in a scaled sweep whose smallest thread count runs `specTasks`. */
export function tasksPerThread(specTasks: number, smallestThreads: number): number {
  return Math.max(1, Math.ceil(specTasks / smallestThreads))
}
