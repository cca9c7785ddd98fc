import { combinations, combinationsN, permutations, powerset, product } from './combinations'
import { countPrimes } from './countPrimes'
import { custom } from './custom'
import { positionsCount } from './positionsCount'
import type { KernelPlan, WorkloadEntry, WorkloadInfo } from './entry'
import { fibonacci } from './fibonacci'
import { mandelbrotRows } from './mandelbrot'
import { monteCarloPi } from './monteCarloPi'
import { stream } from './stream'
import { busyWait, sleep } from './timed'

export type {
  KernelPlan,
  JsonPlan,
  ResultLayout,
  PositionsPlan,
  ValuesPlan,
  WorkloadCall,
  WorkloadEntry,
  WorkloadInfo,
  RecipeField
} from './entry'
export { MAX_K, MAX_N_CHOICES, DEFAULT_N_CHOICES } from './combinations'

/** Every workload PoolScope knows, in menu order. */
const ENTRIES: readonly WorkloadEntry[] = [
  combinations,
  combinationsN,
  permutations,
  product,
  powerset,
  busyWait,
  sleep,
  countPrimes,
  monteCarloPi,
  mandelbrotRows,
  fibonacci,
  stream,
  custom
]

/** The workloads by name. A Map, so user-supplied names only ever match own entries. */
export const WORKLOADS: ReadonlyMap<string, WorkloadEntry> = new Map(ENTRIES.map((w) => [w.name, w]))

/** Looks a workload up by a name that came from outside; `__proto__` and friends are simply unknown. */
export function findWorkload(name: unknown): WorkloadEntry | undefined {
  return typeof name === 'string' ? WORKLOADS.get(name) : undefined
}

/** Exact number of results a plan produces: its tuples (`C(n, k)` for combinations), or one value. */
export function planCount(plan: KernelPlan): bigint {
  // A custom call's count is known only once it has run; 1 stands for it before (as for a value).
  return plan.layout === 'positions' ? positionsCount(plan) : 1n
}

/**
 * Whether a recipe's tasks draw their arguments from several (so its seed matters): what the form
 * asks to show its Seed field and the CLI to pick and print a seed.
 */
export function recipeDraws(workload: WorkloadEntry | undefined, values: Record<string, unknown>): boolean {
  if (!workload) return false
  const parsed = workload.recipeSchema.safeParse(values)
  if (!parsed.success) return false
  const tasks = workload.recipeTasks(parsed.data as Record<string, unknown>)
  return tasks.kind === 'draw' && tasks.choices.length > 1
}

export function workloadInfos(): WorkloadInfo[] {
  return ENTRIES.map(({ name, title, description, lookFor, params, layout, fields }) => ({
    name,
    title,
    description,
    lookFor,
    params,
    layout,
    fields: fields.map(({ key, label, help, defaultText }) => ({ key, label, help, defaultText }))
  }))
}
