import { z } from 'zod'
import type { WorkloadEntry } from './entry'
import { wholeField } from './fields'
import { MAX_STREAM_MB, streamLength } from './streamSize'
import { wholeProblem, wholeSchema } from './wholeNumbers'

export { MAX_STREAM_MB }
/** Most passes a task makes: 1000 passes over 256 MB move about 360 GB, some 40 s on one core here. */
export const MAX_PASSES = 1000
/** One element written (a fill or a triad step), ns on one core: 64 MB × 10 passes took 0.11 s. */
const NS_PER_ELEMENT = 3.6
const MB_WHY = ` MiB (each pool thread holds its arrays while the job runs; the memory budget does not count them)`

/**
 * A memory-bound loop in the manner of the STREAM triad (see kernels/stream.ts): little arithmetic
 * per byte, so threads on other cores compete for the same memory bandwidth.
 */
export const stream: WorkloadEntry = {
  name: 'stream',
  title: 'Memory stream: triad over large arrays (stream)',
  description:
    'Repeats a = b + 3·c over three Float64Arrays of mb megabytes in all, passes times, and returns a checksum: a few additions per 24 bytes moved, so memory bandwidth sets its speed, not the core.',
  lookFor:
    'The memory wall: where a few cores can fill the memory bus, the same tasks take longer as threads are added and the speedup flattens below the thread count, while a sweep of monte_carlo_pi keeps rising. Arrays well beyond the CPU caches show it best.',
  params: ['mb', 'passes'],
  layout: 'values',
  valueFormat: 'float',
  fields: [
    wholeField({
      key: 'mb',
      label: 'Megabytes',
      help: `MiB of arrays each task streams through, 1 to ${MAX_STREAM_MB}; beyond the CPU caches (tens of MB) it is memory-bound`,
      defaultText: '64',
      example: '64'
    }),
    wholeField({
      key: 'passes',
      label: 'Passes',
      help: `times each task runs the triad over its arrays, 1 to ${MAX_PASSES}`,
      defaultText: '10',
      example: '10'
    })
  ],
  recipeSchema: z.object({
    mb: wholeSchema('mb', 1, MAX_STREAM_MB, MB_WHY),
    passes: wholeSchema('passes', 1, MAX_PASSES)
  }),
  recipeTasks: (recipe) => ({ kind: 'draw', choices: [[recipe.mb, recipe.passes]] }),
  parseCall(args) {
    if (args.length !== 2) {
      return {
        ok: false,
        error: `stream takes 2 arguments (mb, passes), got ${args.length}; use the starmap call style`
      }
    }
    const [mb, passes] = args
    const badMb = wholeProblem('mb', mb, 1, MAX_STREAM_MB, MB_WHY)
    if (badMb) return { ok: false, error: badMb, arg: 0 }
    const badPasses = wholeProblem('passes', passes, 1, MAX_PASSES)
    if (badPasses) return { ok: false, error: badPasses, arg: 1 }
    return {
      ok: true,
      call: { elements: [], plan: { kernel: 'stream', layout: 'values', args: [mb, passes] as number[] } }
    }
  },
  // The kernel reports the elements it has written: the fill, then each pass.
  workUnits: (call) =>
    call.plan.layout === 'values' ? streamLength(call.plan.args[0]) * (call.plan.args[1] + 1) : 0,
  costNs: (call) =>
    call.plan.layout === 'values'
      ? NS_PER_ELEMENT * streamLength(call.plan.args[0]) * (call.plan.args[1] + 1)
      : 0
}
