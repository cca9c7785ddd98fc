import { z } from 'zod'
import { excerpt } from '../excerpt'
import type { WorkloadEntry } from './entry'
import { spanField } from './fields'

const bound = z
  .number()
  .int('span bounds must be whole numbers')
  .min(0, 'span bounds must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'span bounds must be safe integers')

/** `[lo, hi)` split into `tasks` pieces of equal width (the last ones a number wider when it does not divide). */
function piece(lo: number, hi: number, task: number, tasks: number): [number, number] {
  const width = hi - lo
  return [lo + Math.floor((width * task) / tasks), lo + Math.floor((width * (task + 1)) / tasks)]
}

function isBound(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Counts the primes in `[lo, hi)` by trial division, so a number costs about its square root: equal
 * spans near the top take longer, and a pool shows load imbalance by construction.
 */
export const countPrimes: WorkloadEntry = {
  name: 'count_primes',
  title: 'Count primes in [lo, hi) (count_primes)',
  description:
    'Counts the primes in [lo, hi) by trial division. Equal-width pieces of a span cost more near its top: load imbalance by construction.',
  lookFor:
    'Imbalance: the tasks of the top of the span take longest, so the lanes that get them finish last while the others idle; the statistics show the spread of task times and the lanes’ idle share. More tasks than threads even it out.',
  params: ['lo', 'hi'],
  layout: 'values',
  valueFormat: 'int',
  fields: [
    spanField({
      key: 'span',
      label: 'Span',
      help: 'lo:hi, the half-open range the tasks split into equal-width pieces, such as 0:1000000',
      defaultText: '0:1000000',
      example: '0:1000000'
    })
  ],
  recipeSchema: z.object({
    span: z
      .tuple([bound, bound], { error: 'span must be [lo, hi], two whole numbers' })
      .refine(([lo, hi]) => lo <= hi, 'span must have lo ≤ hi')
  }),
  recipeTasks(recipe) {
    const [lo, hi] = recipe.span as [number, number]
    return { kind: 'each', argsOf: (task, tasks) => piece(lo, hi, task, tasks) }
  },
  parseCall(args) {
    if (args.length !== 2) {
      return {
        ok: false,
        error: `count_primes takes 2 arguments (lo, hi), got ${args.length}; use the starmap call style`
      }
    }
    const [lo, hi] = args
    if (!isBound(lo)) return { ok: false, error: `lo must be a whole number ≥ 0, got ${excerpt(lo)}`, arg: 0 }
    if (!isBound(hi)) return { ok: false, error: `hi must be a whole number ≥ 0, got ${excerpt(hi)}`, arg: 1 }
    if (lo > hi) return { ok: false, error: `lo must not exceed hi (got ${lo} and ${hi})`, arg: 0 }
    return {
      ok: true,
      call: { elements: [], plan: { kernel: 'count_primes', layout: 'values', args: [lo, hi] } }
    }
  },
  // The kernel reports the numbers it has examined.
  workUnits: (call) => (call.plan.layout === 'values' ? call.plan.args[1] - call.plan.args[0] : 0),
  costNs(call) {
    if (call.plan.layout !== 'values') return 0
    const [lo, hi] = call.plan.args
    // A prime costs √x/3 divisions (2, 3, then 6k ± 1) and about 1 in ln x numbers is prime; the
    // composites stop early. Summed: ∫ √x / (3 ln x) dx, at about 3 ns a division (measured:
    // [0, 10^6) took 66 ms on one core).
    const mid = Math.max(3, (lo + hi) / 2)
    return 3 * (((2 / 3) * (hi ** 1.5 - lo ** 1.5)) / (3 * Math.log(mid))) + 5 * (hi - lo)
  }
}
