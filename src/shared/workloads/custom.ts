import { z } from 'zod'
import type { WorkloadEntry } from './entry'

/** The kernel name of custom code's calls: the worker runs the job's own code for them. */
export const CUSTOM_KERNEL = 'custom'

/** A rough cost of one call of code nobody has measured, for the warnings before long jobs: 20 µs. */
const ASSUMED_CALL_NS = 20_000

/**
 * The most calls an automatic chunk of custom code holds. Its cost is unknown, so chunks follow
 * `Pool.map`'s rule alone (about four per thread), up to this: a call that times out takes its
 * chunk's other calls with it (the worker is replaced). Chunks held to 50 calls, as a 1 ms guess
 * made them, ran a trivial function 5× slower than need be (100,000 calls of `(i) => i` on 2
 * threads: 784 ms against 236 ms in chunks of 1,000; PoolScope's cost 4.9 against 1.8 µs a call).
 */
export const CUSTOM_MAX_CHUNK_TASKS = 1000

/**
 * The person's own function (`JobSpec.code`), run in workers only. A recipe gives task i the single
 * argument `i`, as `pool.map(f, range(tasks))` does; explicit arguments may be any JSON values and
 * are unpacked by starmap. What the function returns is checked in the worker (see
 * shared/customResult.ts) and kept as JSON.
 */
export const custom: WorkloadEntry = {
  name: 'custom',
  title: 'Your own function (custom)',
  description:
    'Runs a JavaScript function you write on each task’s arguments, in the workers: return a number, a string, or an array of tuples.',
  lookFor:
    'Your own work on the pool: each task’s bar in the timeline is one call of your function, and the statistics show whether its tasks are balanced, how much of the time is PoolScope’s own overhead, and what the pool start-up cost.',
  params: ['i'],
  layout: 'json',
  fields: [],
  recipeSchema: z.object({}),
  recipeTasks: () => ({ kind: 'each', argsOf: (task) => [task] }),
  // The planner has made sure the arguments are JSON values; the function decides what it accepts.
  parseCall: (args) => ({
    ok: true,
    call: { elements: [], plan: { kernel: CUSTOM_KERNEL, layout: 'json', args: [...args] } }
  }),
  costNs: () => ASSUMED_CALL_NS
}
