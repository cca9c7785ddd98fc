import { z } from 'zod'
import { binomial } from '../binomial'
import { MAX_ELEMENTS, elementProblem, type Element } from '../elements'
import { excerpt } from '../excerpt'
import type { WorkloadCall, WorkloadEntry } from './entry'
import { choicesField, elementsField } from './fields'

import { MAX_K } from './limits'

export { MAX_K }
/** At most this many values of n to draw from. */
export const MAX_N_CHOICES = 64
/** The notebook's `lengths = (2, 3, 4)`. */
export const DEFAULT_N_CHOICES = [2, 3, 4] as const

const element = z.union([z.number(), z.string()], {
  error: 'each element must be an integer or a printable ASCII string'
})
const elementsSchema = z.array(element).min(1, 'elements must not be empty').max(MAX_ELEMENTS)
const nAllowed = (issue: { input?: unknown }): string =>
  `n must be a whole number from 0 to ${MAX_K} (got ${excerpt(issue.input)})`
const nSchema = z
  .array(
    z
      .number({ error: nAllowed })
      .int({ error: nAllowed })
      .min(0, { error: nAllowed })
      .max(MAX_K, { error: nAllowed })
  )
  .min(1, 'n needs at least one value')
  .max(MAX_N_CHOICES, `n may list at most ${MAX_N_CHOICES} values`)

function parseElementsArg(value: unknown): { ok: true; elements: Element[] } | { ok: false; error: string } {
  if (!Array.isArray(value)) {
    return { ok: false, error: 'elements must be a list of integers or strings' }
  }
  if (value.length === 0) return { ok: false, error: 'elements must not be empty' }
  for (const item of value) {
    const problem = elementProblem(item)
    if (problem)
      return { ok: false, error: `element ${problem}; elements are integers or printable ASCII strings` }
  }
  return { ok: true, elements: value as Element[] }
}

function parseK(value: unknown): { ok: true; k: number } | { ok: false; error: string } {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return { ok: false, error: `n must be a whole number from 0 to ${MAX_K}, got ${excerpt(value)}` }
  }
  if (value < 0) return { ok: false, error: `n must not be negative (got ${value}); allowed: 0 to ${MAX_K}` }
  if (value > MAX_K) return { ok: false, error: `n must be at most ${MAX_K} (got ${value})` }
  return { ok: true, k: value }
}

function positionsCall(elements: Element[], k: number): WorkloadCall {
  return { elements, plan: { kernel: 'combinations', layout: 'positions', n: elements.length, k } }
}

/**
 * About 3 ns a tuple plus 3 ns a position and 300 ns a task on one core: the 8.1 M-tuple job of
 * 7-tuples takes about 105 ms on 2 threads (BENCHMARKS.md), 26 ns a tuple on one core.
 */
function combinationsCost(call: WorkloadCall): number {
  const plan = call.plan
  if (plan.layout !== 'positions') return 0
  return 300 + (3 + 3 * plan.k) * Number(binomial(plan.n, plan.k))
}

export const combinations: WorkloadEntry = {
  name: 'combinations',
  title: 'All pairs (get_combinations)',
  description: "All 2-combinations of the elements, in itertools order — the notebook's get_combinations.",
  lookFor:
    'Tiny, equal tasks: each takes microseconds, so the pool’s own overhead (sending chunks, filing results) is most of the time; the statistics’ overhead per task and the chunk size matter more than the thread count.',
  params: ['elements'],
  layout: 'positions',
  fields: [elementsField()],
  recipeSchema: z.object({ elements: elementsSchema }),
  recipeTasks: (recipe) => ({ kind: 'draw', choices: [[recipe.elements]] }),
  parseCall(args) {
    if (args.length !== 1) {
      return { ok: false, error: `combinations takes 1 argument (elements), got ${args.length}` }
    }
    const parsed = parseElementsArg(args[0])
    if (!parsed.ok) return { ...parsed, arg: 0 }
    return { ok: true, call: positionsCall(parsed.elements, 2) }
  },
  costNs: combinationsCost
}

export const combinationsN: WorkloadEntry = {
  name: 'combinations_n',
  title: 'All n-combinations (get_combinations_n)',
  description: "All n-combinations of the elements, in itertools order — the notebook's get_combinations_n.",
  lookFor:
    'Tasks of a few sizes drawn at random: C(len, n) tuples each, so the timeline shows short and long bars mixed; with small tasks, overhead and result copying dominate, with long ones the writing of tuples to memory.',
  params: ['elements', 'n'],
  layout: 'positions',
  fields: [
    elementsField(),
    choicesField({
      key: 'n',
      label: 'n',
      help: `tuple length 0 to ${MAX_K}, or a set such as 2,3,4 that each task draws one of`,
      defaultText: DEFAULT_N_CHOICES.join(','),
      example: '2,3,4',
      whole: true
    })
  ],
  recipeSchema: z.object({ elements: elementsSchema, n: nSchema.default([...DEFAULT_N_CHOICES]) }),
  recipeTasks: (recipe) => ({
    kind: 'draw',
    choices: (recipe.n as number[]).map((n) => [recipe.elements, n])
  }),
  parseCall(args) {
    if (args.length !== 2) {
      return {
        ok: false,
        error: `combinations_n takes 2 arguments (elements, n), got ${args.length}; use the starmap call style`
      }
    }
    const parsed = parseElementsArg(args[0])
    if (!parsed.ok) return { ...parsed, arg: 0 }
    const k = parseK(args[1])
    if (!k.ok) return { ...k, arg: 1 }
    return { ok: true, call: positionsCall(parsed.elements, k.k) }
  },
  costNs: combinationsCost
}
