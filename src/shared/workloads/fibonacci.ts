import { z } from 'zod'
import { excerpt } from '../excerpt'
import type { WorkloadEntry } from './entry'
import { choicesField } from './fields'
import { MAX_FIB_N, fibonacciCalls } from './fibonacciCalls'
import { wholeProblem } from './wholeNumbers'

export { MAX_FIB_N }
/** At most this many values of n to draw from. */
const MAX_N_CHOICES = 64
/** One call of the recursion, ns on one core (fib(38), 126 M calls: 0.5 s). */
const NS_PER_CALL = 4
const N_WHY = ` (a task of n = ${MAX_FIB_N} takes about half a minute; each n more, 1.6 times as long)`

const nAllowed = (issue: { input?: unknown }): string =>
  `n must be a whole number from 0 to ${MAX_FIB_N}${N_WHY} (got ${excerpt(issue.input)})`
const nSchema = z
  .array(
    z
      .number({ error: nAllowed })
      .int({ error: nAllowed })
      .min(0, { error: nAllowed })
      .max(MAX_FIB_N, { error: nAllowed })
  )
  .min(1, 'n needs at least one value')
  .max(MAX_N_CHOICES, `n may list at most ${MAX_N_CHOICES} values`)

/**
 * Fibonacci numbers by the naive recursion (see kernels/fibonacci.ts): the cost grows 1.6× with
 * each n, so tasks drawing n from a few values are a few big tasks among many small ones.
 */
export const fibonacci: WorkloadEntry = {
  name: 'fibonacci',
  title: 'Recursive Fibonacci (fibonacci)',
  description:
    'fib(n) by the naive recursion fib(n-1) + fib(n-2): about 1.6^n calls, so each n more costs 1.6 times as much. Each task draws n from the values given.',
  lookFor:
    'A few big tasks among small ones: the lanes that drew the largest n run long after the others have emptied the queue, so the end of the timeline is one or two lanes alone. Smaller chunks (1) let the big tasks start early.',
  params: ['n'],
  layout: 'values',
  valueFormat: 'int',
  fields: [
    choicesField({
      key: 'n',
      label: 'n',
      help: `0 to ${MAX_FIB_N}, or a set such as 20,25,30 that each task draws one of (fib(30) takes about 10 ms)`,
      defaultText: '20,25,30',
      example: '20,25,30',
      whole: true
    })
  ],
  recipeSchema: z.object({ n: nSchema }),
  recipeTasks: (recipe) => ({ kind: 'draw', choices: (recipe.n as number[]).map((n) => [n]) }),
  parseCall(args) {
    if (args.length !== 1) return { ok: false, error: `fibonacci takes 1 argument (n), got ${args.length}` }
    const bad = wholeProblem('n', args[0], 0, MAX_FIB_N, N_WHY)
    if (bad) return { ok: false, error: bad, arg: 0 }
    return {
      ok: true,
      call: { elements: [], plan: { kernel: 'fibonacci', layout: 'values', args: [args[0] as number] } }
    }
  },
  // The kernel reports the calls it has made.
  workUnits: (call) => (call.plan.layout === 'values' ? fibonacciCalls(call.plan.args[0]) : 0),
  costNs: (call) => (call.plan.layout === 'values' ? NS_PER_CALL * fibonacciCalls(call.plan.args[0]) : 0)
}
