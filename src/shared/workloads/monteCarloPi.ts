import { z } from 'zod'
import type { WorkloadEntry } from './entry'
import { wholeField } from './fields'
import { wholeProblem, wholeSchema } from './wholeNumbers'

/** At most this many samples a task: about 40 s at the 8 ns a sample measured on one core here. */
export const MAX_SAMPLES = 5_000_000_000
/** Seeds are 32-bit: the generator is seeded from one 32-bit word. */
export const SEED_LIMIT = 2 ** 32
/** One sample (two draws, two squares and a compare), ns on one core (1e8 samples: 0.8 s). */
const NS_PER_SAMPLE = 8
const SAMPLES_WHY = ' (a task stays under a minute)'

/**
 * Estimates π by throwing `samples` random points at the unit square (see kernels/monteCarloPi.ts).
 * Every task does the same work on its own seed, with no shared state: perfectly parallel.
 */
export const monteCarloPi: WorkloadEntry = {
  name: 'monte_carlo_pi',
  title: 'Estimate π from random points (monte_carlo_pi)',
  description:
    'Estimates π from the share of random points in the unit square that land inside the quarter circle; task i uses seed first_seed + i.',
  lookFor:
    'Equal, independent tasks: the timeline shows every lane busy to the end, and the speedup follows the thread count up to the cores. The estimates scatter around π by about 1.6/√samples.',
  params: ['samples', 'seed'],
  layout: 'values',
  valueFormat: 'float',
  fields: [
    wholeField({
      key: 'samples',
      label: 'Samples',
      help: `points each task throws, 1 to ${MAX_SAMPLES.toLocaleString('en-US')}; about 8 ns each`,
      defaultText: '10000000',
      example: '10000000'
    }),
    wholeField({
      key: 'first_seed',
      label: 'First seed',
      help: 'task i seeds its generator with first_seed + i: the same seeds, the same estimates',
      defaultText: '0',
      example: '42'
    })
  ],
  recipeSchema: z.object({
    samples: wholeSchema('samples', 1, MAX_SAMPLES, SAMPLES_WHY),
    first_seed: wholeSchema('first_seed', 0, SEED_LIMIT - 1)
  }),
  recipeTasks(recipe) {
    const samples = recipe.samples as number
    const first = recipe.first_seed as number
    return { kind: 'each', argsOf: (task) => [samples, (first + task) % SEED_LIMIT] }
  },
  parseCall(args) {
    if (args.length !== 2) {
      return {
        ok: false,
        error: `monte_carlo_pi takes 2 arguments (samples, seed), got ${args.length}; use the starmap call style`
      }
    }
    const [samples, seed] = args
    const badSamples = wholeProblem('samples', samples, 1, MAX_SAMPLES, SAMPLES_WHY)
    if (badSamples) return { ok: false, error: badSamples, arg: 0 }
    const badSeed = wholeProblem('seed', seed, 0, SEED_LIMIT - 1)
    if (badSeed) return { ok: false, error: badSeed, arg: 1 }
    return {
      ok: true,
      call: {
        elements: [],
        plan: { kernel: 'monte_carlo_pi', layout: 'values', args: [samples, seed] as number[] }
      }
    }
  },
  // The kernel reports the samples it has drawn.
  workUnits: (call) => (call.plan.layout === 'values' ? call.plan.args[0] : 0),
  costNs: (call) => (call.plan.layout === 'values' ? NS_PER_SAMPLE * call.plan.args[0] : 0)
}
