import type { z } from 'zod'
import type { Element } from '../elements'

/**
 * What a workload is, in one place: its parameters as the form and the CLI show them, how a recipe
 * turns them into tasks, how one task's arguments are checked and sized, and which kernel the
 * worker runs. The engine, the results store, the protocol and the components only ever see these
 * shapes, so adding a workload adds an entry and a kernel and touches none of them.
 */

/**
 * What a worker computes for one task. Workers never see the user's values: a positions plan names
 * an index space and a tuple length, a values plan its numeric arguments.
 */
export type KernelPlan = PositionsPlan | ValuesPlan | JsonPlan

/** What a task yields: tuples of positions, one number, or a custom function's JSON-like value. */
export type ResultLayout = 'positions' | 'values' | 'json'

/**
 * Tuples of positions 0..n-1, `k` at a time, packed as integers of the narrowest width. How many a
 * plan produces depends on its kernel (see positionsCount.ts).
 */
export interface PositionsPlan {
  kernel: string
  layout: 'positions'
  /** Size of the index space (the number of elements). */
  n: number
  /** Tuple length, or the longest tuple's when `ragged`. */
  k: number
  /**
   * Tuples of different lengths (the power set's): each still takes `k` places, and a shorter one
   * ends at its first place that holds `n`, which is no position.
   */
  ragged?: true
}

/** One number per task (a count, a duration), stored as a Float64. */
export interface ValuesPlan {
  kernel: string
  layout: 'values'
  args: number[]
  /**
   * The work units the task reports (see `WorkloadEntry.workUnits`), set by the planner: the worker
   * reports what the kernel's checkpoints left out when the task ends, so finished tasks count whole.
   */
  work?: number
}

/**
 * A call of the job's custom code (the `custom` workload): its arguments as JSON-like values. The
 * code itself is the job's (`JobSpec.code`) and travels with each chunk, not with each plan; the
 * task's value comes back as canonical JSON (see shared/customResult.ts).
 */
export interface JsonPlan {
  kernel: string
  layout: 'json'
  args: unknown[]
}

/** A task's arguments once checked: the elements its positions refer to (none for values) and its plan. */
export interface WorkloadCall {
  elements: Element[]
  plan: KernelPlan
}

export type CallCheck = { ok: true; call: WorkloadCall } | { ok: false; error: string; arg?: number }

export type FieldParse = { ok: true; value: unknown } | { ok: false; error: string }

/**
 * One input of a workload's recipe, as a text field in the form and a `--key` flag in the CLI. Both
 * read the typed text with `parse`; the value's limits live in the recipe's zod schema.
 */
export interface RecipeField {
  /** Key in the spec's `inputs`, the CLI's flag (`--key`) and the form field's name. */
  key: string
  label: string
  /** One line on what to type: the form's hint and the CLI's help. */
  help: string
  /** The text the form starts with and the CLI assumes when the flag is absent. */
  defaultText: string
  /** An example for the CLI's help line. */
  example: string
  parse(text: string): FieldParse
}

/**
 * How a recipe's tasks get their arguments: each task draws one of a few argument lists (with
 * Python's `random.choice` and the seed when there are several), or each task has its own.
 */
export type RecipeTasks =
  { kind: 'draw'; choices: unknown[][] } | { kind: 'each'; argsOf(task: number, tasks: number): unknown[] }

/** How a value of a values layout prints: an int, or a float as Python's repr writes it. */
export type ValueFormat = 'int' | 'float'

export interface WorkloadEntry {
  name: string
  title: string
  description: string
  /**
   * What the workload demonstrates on a pool and what to look for in the timeline and statistics:
   * one or two sentences, shown under the workload picker.
   */
  lookFor: string
  /** Parameter names in call order, as the Python function declares them. */
  params: readonly string[]
  layout: ResultLayout
  /** How values print (values layout only). */
  valueFormat?: ValueFormat
  /** Recipe fields besides `tasks` and `seed`, in the order the form shows them. */
  fields: readonly RecipeField[]
  /** The schema of the recipe's own fields (keys as in `fields`): the only place their limits live. */
  recipeSchema: z.ZodObject
  /** The arguments of a recipe's tasks, from its checked fields. */
  recipeTasks(recipe: Record<string, unknown>): RecipeTasks
  /** Checks one task's unpacked arguments; `arg` names the argument at fault when one is. */
  parseCall(args: readonly unknown[]): CallCheck
  /** A rough cost of one call in nanoseconds on one core, for warnings before long jobs. */
  costNs(call: WorkloadCall): number
  /**
   * The work units a values task reports through its checkpoints as it runs (numbers examined,
   * microseconds waited), so a job of a few long tasks shows progress within them. Positions
   * workloads report their tuples instead and leave this out.
   */
  workUnits?(call: WorkloadCall): number
}

/** The public description of a workload, for menus and `engine.info`. */
export interface WorkloadInfo {
  name: string
  title: string
  description: string
  lookFor: string
  params: readonly string[]
  layout: ResultLayout
  fields: Array<Pick<RecipeField, 'key' | 'label' | 'help' | 'defaultText'>>
}
