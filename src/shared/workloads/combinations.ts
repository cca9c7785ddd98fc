import { z } from 'zod'
import { MAX_ELEMENTS, elementProblem, type Element } from '../elements'
import { excerpt } from '../excerpt'
import type { WorkloadCall, WorkloadEntry } from './entry'
import { choicesField, elementsField } from './fields'
import { positionsCount } from './positionsCount'

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

function positionsCall(kernel: string, elements: Element[], k: number): WorkloadCall {
  return { elements, plan: { kernel, layout: 'positions', n: elements.length, k } }
}

/**
 * About 3 ns a tuple plus 3 ns a position and 300 ns a task on one core: the 8.1 M-tuple job of
 * 7-tuples takes about 105 ms on 2 threads (BENCHMARKS.md), 26 ns a tuple on one core.
 */
function tuplesCost(call: WorkloadCall): number {
  const plan = call.plan
  if (plan.layout !== 'positions') return 0
  return 300 + (3 + 3 * plan.k) * Number(positionsCount(plan))
}

/** The tuple length field every `(elements, n)` workload shares (`--n` in the CLI). */
function lengthField(): ReturnType<typeof choicesField> {
  return choicesField({
    key: 'n',
    label: 'n',
    help: `tuple length 0 to ${MAX_K}, or a set such as 2,3,4 that each task draws one of`,
    defaultText: DEFAULT_N_CHOICES.join(','),
    example: '2,3,4',
    whole: true
  })
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
    return { ok: true, call: positionsCall('combinations', parsed.elements, 2) }
  },
  costNs: tuplesCost
}

/**
 * A workload of all `n`-tuples of one kind (combinations, permutations, product) of the elements:
 * the notebook's `get_combinations_n` and its siblings share their fields, checks and cost, and
 * differ in their kernel, which also decides how many tuples a call makes (positionsCount.ts).
 */
function tuplesOfLength(options: {
  name: string
  kernel: string
  title: string
  description: string
  lookFor: string
}): WorkloadEntry {
  const { name, kernel } = options
  return {
    name,
    title: options.title,
    description: options.description,
    lookFor: options.lookFor,
    params: ['elements', 'n'],
    layout: 'positions',
    fields: [elementsField(), lengthField()],
    recipeSchema: z.object({ elements: elementsSchema, n: nSchema.default([...DEFAULT_N_CHOICES]) }),
    recipeTasks: (recipe) => ({
      kind: 'draw',
      choices: (recipe.n as number[]).map((n) => [recipe.elements, n])
    }),
    parseCall(args) {
      if (args.length !== 2) {
        return {
          ok: false,
          error: `${name} takes 2 arguments (elements, n), got ${args.length}; use the starmap call style`
        }
      }
      const parsed = parseElementsArg(args[0])
      if (!parsed.ok) return { ...parsed, arg: 0 }
      const k = parseK(args[1])
      if (!k.ok) return { ...k, arg: 1 }
      return { ok: true, call: positionsCall(kernel, parsed.elements, k.k) }
    },
    costNs: tuplesCost
  }
}

export const combinationsN = tuplesOfLength({
  name: 'combinations_n',
  kernel: 'combinations',
  title: 'All n-combinations (get_combinations_n)',
  description: "All n-combinations of the elements, in itertools order — the notebook's get_combinations_n.",
  lookFor:
    'Tasks of a few sizes drawn at random: C(len, n) tuples each, so the timeline shows short and long bars mixed; with small tasks, overhead and result copying dominate, with long ones the writing of tuples to memory.'
})

export const permutations = tuplesOfLength({
  name: 'permutations',
  kernel: 'permutations',
  title: 'All n-permutations (itertools.permutations)',
  description:
    'Every ordering of n distinct elements, in the order itertools.permutations(elements, n) gives: n!/(len − n)! tuples, far more than combinations.',
  lookFor:
    'The same shape as combinations but n! times the tuples: tasks are heavy and equal, so the threads stay busy to the end and speedup is close to the thread count until the writing of tuples to memory, not the CPU, sets the pace.'
})

export const product = tuplesOfLength({
  name: 'product',
  kernel: 'product',
  title: 'Cartesian power (itertools.product)',
  description:
    'Every n-tuple of the elements, repeats allowed, in the order itertools.product(elements, repeat=n) gives: len^n tuples.',
  lookFor:
    'Growth: each step of n multiplies a task by len, so a 2,3,4 draw makes tasks that differ a hundredfold; the timeline shows the long ones finishing last while the other threads sit idle.'
})

/** At most this many elements in a power set: 2^64 subsets is already beyond any count. */
export const MAX_POWERSET_ELEMENTS = MAX_K

/**
 * Every subset of the elements, shortest first and each length in combinations order: the
 * itertools documentation's `powerset` recipe. Its tuples have every length from 0 to len, so its
 * plan is ragged (see PositionsPlan).
 */
export const powerset: WorkloadEntry = {
  name: 'powerset',
  title: 'All subsets (powerset recipe)',
  description:
    "Every subset of the elements, shortest first, in the order the itertools documentation's powerset recipe gives: 2^len tuples.",
  lookFor:
    'Doubling: one more element doubles a task, and the tuples are of every length, so each takes as many places as the longest; compare its tuples per second with combinations at the same count to see what writing more memory costs.',
  params: ['elements'],
  layout: 'positions',
  fields: [elementsField()],
  recipeSchema: z.object({
    elements: elementsSchema.max(
      MAX_POWERSET_ELEMENTS,
      `powerset takes at most ${MAX_POWERSET_ELEMENTS} elements (2^${MAX_POWERSET_ELEMENTS} subsets)`
    )
  }),
  recipeTasks: (recipe) => ({ kind: 'draw', choices: [[recipe.elements]] }),
  parseCall(args) {
    if (args.length !== 1) {
      return { ok: false, error: `powerset takes 1 argument (elements), got ${args.length}` }
    }
    const parsed = parseElementsArg(args[0])
    if (!parsed.ok) return { ...parsed, arg: 0 }
    const n = parsed.elements.length
    if (n > MAX_POWERSET_ELEMENTS) {
      return {
        ok: false,
        error: `powerset takes at most ${MAX_POWERSET_ELEMENTS} elements (2^${MAX_POWERSET_ELEMENTS} subsets), got ${n}`,
        arg: 0
      }
    }
    return {
      ok: true,
      call: {
        elements: parsed.elements,
        plan: { kernel: 'powerset', layout: 'positions', n, k: n, ragged: true }
      }
    }
  },
  costNs: tuplesCost
}
