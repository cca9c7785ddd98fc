import { excerpt } from './excerpt'
import { binomial } from './binomial'
import { elementProblem, type Element } from './elements'

/**
 * What a worker must compute for one task. Workers only ever see positions: a plan names a kernel
 * and its integer parameters, never the user's elements.
 */
export interface KernelPlan {
  kernel: 'combinations'
  /** Size of the index space (the number of elements). */
  n: number
  /** Tuple length. */
  k: number
}

/** A workload's arguments once checked: the elements and the tuple length it asks for. */
export interface WorkloadCall {
  elements: Element[]
  plan: KernelPlan
}

/** One entry of the workload registry: enough to validate, size and describe a task before any work. */
export interface WorkloadDefinition {
  name: string
  title: string
  description: string
  /** Parameter names in call order, as the Python function declares them. */
  params: readonly string[]
  /**
   * Checks one task's unpacked arguments; returns the call or a message saying what is wrong, with
   * the index of the argument at fault when one argument is (absent when their number is wrong).
   */
  parseCall(
    args: readonly unknown[]
  ): { ok: true; call: WorkloadCall } | { ok: false; error: string; arg?: number }
}

/** Exact number of tuples a plan produces (`C(n, k)` for combinations, 0 when k > n, as in Python). */
export function planCount(plan: KernelPlan): bigint {
  return binomial(plan.n, plan.k)
}

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

/** Largest tuple length accepted: beyond this no result fits any memory anyway. */
export const MAX_K = 64

function parseK(value: unknown): { ok: true; k: number } | { ok: false; error: string } {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return { ok: false, error: `n must be a whole number from 0 to ${MAX_K}, got ${excerpt(value)}` }
  }
  if (value < 0) return { ok: false, error: `n must not be negative (got ${value}); allowed: 0 to ${MAX_K}` }
  if (value > MAX_K) return { ok: false, error: `n must be at most ${MAX_K} (got ${value})` }
  return { ok: true, k: value }
}

const combinations: WorkloadDefinition = {
  name: 'combinations',
  title: 'All pairs (get_combinations)',
  description: "All 2-combinations of the elements, in itertools order — the notebook's get_combinations.",
  params: ['elements'],
  parseCall(args) {
    if (args.length !== 1) {
      return { ok: false, error: `combinations takes 1 argument (elements), got ${args.length}` }
    }
    const parsed = parseElementsArg(args[0])
    if (!parsed.ok) return { ...parsed, arg: 0 }
    return {
      ok: true,
      call: { elements: parsed.elements, plan: { kernel: 'combinations', n: parsed.elements.length, k: 2 } }
    }
  }
}

const combinationsN: WorkloadDefinition = {
  name: 'combinations_n',
  title: 'All n-combinations (get_combinations_n)',
  description: "All n-combinations of the elements, in itertools order — the notebook's get_combinations_n.",
  params: ['elements', 'n'],
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
    return {
      ok: true,
      call: { elements: parsed.elements, plan: { kernel: 'combinations', n: parsed.elements.length, k: k.k } }
    }
  }
}

/** The workloads PoolScope knows, by name. A Map, so user-supplied names only ever match own entries. */
export const WORKLOADS: ReadonlyMap<string, WorkloadDefinition> = new Map(
  [combinations, combinationsN].map((w) => [w.name, w])
)

/** Looks a workload up by a name that came from outside; `__proto__` and friends are simply unknown. */
export function findWorkload(name: unknown): WorkloadDefinition | undefined {
  return typeof name === 'string' ? WORKLOADS.get(name) : undefined
}

/** The public description of a workload, for menus and `engine.info`. */
export interface WorkloadInfo {
  name: string
  title: string
  description: string
  params: readonly string[]
}

export function workloadInfos(): WorkloadInfo[] {
  return [...WORKLOADS.values()].map(({ name, title, description, params }) => ({
    name,
    title,
    description,
    params
  }))
}
