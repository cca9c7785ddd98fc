import type { z } from 'zod'
import { PoolScopeError, ErrorCodes, type ErrorPath } from './errors'
import { excerpt } from './excerpt'
import { callBytes, jobMemory, type JobMemory } from './memory'
import { type Element } from './elements'
import { bytesPerIndex } from './packing'
import { PythonRandom } from './pythonRandom'
import {
  JobSpecSchema,
  describeZodError,
  firstIssuePath,
  threadsProblem,
  type BackendKind,
  type JobSpec,
  type Keep
} from './spec'
import { minClusterChunkMs } from './dispatchCost'
import { CUSTOM_MAX_CHUNK_TASKS } from './workloads/custom'
import { WORKLOADS, findWorkload, planCount, type KernelPlan, type WorkloadEntry } from './workloads'
import { checkCustomCode, customFunctionSource } from './workloads/customCode'

export { DEFAULT_N_CHOICES } from './workloads'

// Lives in a zod-free module so the worker can import it without loading zod in every thread.
export { bytesPerIndex }

/** A distinct call shared by one or more tasks: its elements, kernel plan and exact size. */
export interface PlannedCall {
  elements: Element[]
  plan: KernelPlan
  /** The task's arguments as the user gave them (after unpacking), for display. */
  args: unknown[]
  count: bigint
}

/** A spec resolved against a machine: every default filled in, every task sized exactly. */
export interface JobPlan {
  spec: JobSpec & { threads: number }
  workload: WorkloadEntry
  threads: number
  chunkSize: number
  taskCount: number
  /** Distinct calls; most jobs repeat a handful of calls across many tasks. */
  calls: PlannedCall[]
  /** For each task, the index of its call in `calls`. */
  callIndex: Int32Array
  totalTuples: bigint
  keptTuples: bigint
  /** Bytes the kept tuples need once packed (positions only; elements are stored once per call). */
  keptBytes: bigint
  /** Every byte the host will hold for this job: tables, arguments and packed results. */
  memory: JobMemory
  /** A rough wall time on `threads` threads, ms, from the workload's cost estimate. */
  estimatedMs: number
  /** Work units the tasks report as they run (see `WorkloadEntry.workUnits`); 0 when they report tuples. */
  totalWork: number
  /**
   * A custom job's function as workers compile it (the source of the one function its code is,
   * see `customFunctionSource`); null for every other workload.
   */
  functionSource: string | null
}

/** A value of a values layout is stored as a Float64. */
const VALUE_BYTES = 8
/**
 * What a custom task's result is assumed to take before it has run (its JSON text and length):
 * only an estimate for the budget, since the function decides. Each task is capped at about 1 MB
 * (MAX_RESULT_JSON_CHARS).
 */
const ASSUMED_JSON_RESULT_BYTES = 64

/** Bytes one kept result of a plan takes once packed: a tuple of positions, a Float64 value, or JSON. */
function resultBytes(plan: KernelPlan): number {
  if (plan.layout === 'json') return ASSUMED_JSON_RESULT_BYTES
  return plan.layout === 'positions' ? plan.k * bytesPerIndex(plan.n) : VALUE_BYTES
}

/**
 * A custom job's task timeout when its spec sets none: code that never returns must not hold a
 * worker for ever. Ten seconds; a spec may set any other (up to a day).
 */
export const DEFAULT_CUSTOM_TIMEOUT_MS = 10_000

/**
 * Checks a spec's code against its workload: required (and syntactically a function) for a
 * workload that runs code, refused for one that does not. The message of bad code says where, as
 * `line L, column C`; the path is always `['code']`.
 */
function checkCode(spec: JobSpec, workload: WorkloadEntry): void {
  const runsCode = workload.layout === 'json'
  if (!runsCode) {
    if (spec.code !== undefined) {
      invalid(`code is only for the custom workload; ${workload.name} runs its own kernel`, ['code'])
    }
    return
  }
  if (spec.code === undefined) {
    invalid(`the ${workload.name} workload needs code: the JavaScript function each task runs`, ['code'])
  }
  const check = checkCustomCode(spec.code)
  if (!check.ok) invalid(`code: ${check.message} (line ${check.line}, column ${check.column})`, ['code'])
}

/** A Redis URL is the cluster back end's, and only its: required there, refused elsewhere. */
function checkRedis(spec: JobSpec): void {
  if (spec.backend === 'cluster' && spec.redis === undefined) {
    invalid(
      'the cluster back end needs redis: the URL of the Redis server its agents use, such as redis://127.0.0.1:6379',
      ['redis']
    )
  }
  if (spec.backend !== 'cluster' && spec.redis !== undefined) {
    invalid(`redis is only for the cluster back end; ${spec.backend} runs on this machine`, ['redis'])
  }
}

/** Tuples a task keeps of `count` under a keep mode. */
export function keptOf(count: bigint, keep: Keep): bigint {
  if (keep === 'all') return count
  if (keep === 'count') return 0n
  const limit = BigInt(keep)
  return count < limit ? count : limit
}

/** A chunk should carry at least this many tuples of work when the job allows it. */
const MIN_CHUNK_TUPLES = 10_000
/** …and at most this many, so it finishes within tens of milliseconds. */
const MAX_CHUNK_TUPLES = 2_000_000
/**
 * …and at most this many tasks: the main thread files a returned chunk in one go (about 0.3 µs a
 * task), and must never hold the event loop for long while doing it.
 */
export const MAX_CHUNK_TASKS = 32_768

/** About what one tuple of a combinations task costs on one core, ns (see combinationsCost). */
export const NS_PER_TUPLE = 25

/**
 * `multiprocessing.Pool.map`'s chunk rule (about four chunks per worker), adjusted with what the
 * plan knows exactly, the tuples per task. Tiny tasks are grouped so a chunk carries at least
 * `minChunkTuples(backend)` of work (a round trip to a local worker costs about as much as 10,000
 * tuples; one through Redis much more, see minClusterChunkMs), as long as every thread still
 * gets a chunk; heavy tasks are split so no chunk carries more than `maxChunkTuples(backend)`,
 * because chunks are also the unit of timings and result hand-over, nor more than
 * MAX_CHUNK_TASKS tasks.
 */
export function autoChunkSize(
  taskCount: number,
  threads: number,
  totalTuples: bigint,
  backend: BackendKind = 'threads'
): number {
  const poolMapRule = Math.ceil(taskCount / (threads * 4))
  const averageTuples = Math.max(1, Number(totalTuples) / taskCount)
  const oneChunkPerThread = Math.ceil(taskCount / threads)
  const enoughWork = Math.min(oneChunkPerThread, Math.ceil(minChunkTuples(backend, threads) / averageTuples))
  const tupleCap = Math.max(1, Math.floor(maxChunkTuples(backend, threads) / averageTuples))
  return Math.max(1, Math.min(Math.max(poolMapRule, enoughWork), tupleCap, MAX_CHUNK_TASKS))
}

/**
 * The least work a chunk should carry on a back end of `lanes` lanes, in tuples. Local back ends:
 * MIN_CHUNK_TUPLES. The cluster back end: `minClusterChunkMs` — its queue operations under 5% of
 * the chunk's work (20 × 4 ms = 80 ms, 3,200,000 tuples) and, past 16 lanes, 5 ms a lane so the
 * lanes together keep under 10% of one Redis's capacity.
 */
export function minChunkTuples(backend: BackendKind, lanes: number): number {
  if (backend !== 'cluster') return MIN_CHUNK_TUPLES
  return Math.ceil((minClusterChunkMs(lanes) * 1e6) / NS_PER_TUPLE)
}

/** The most work a chunk should carry: MAX_CHUNK_TUPLES, or twice the cluster's least. */
export function maxChunkTuples(backend: BackendKind, lanes: number): number {
  return Math.max(MAX_CHUNK_TUPLES, 2 * minChunkTuples(backend, lanes))
}

/**
 * A job's work for the chunk rule, in tuples: its tuples, or for a values or custom workload (one
 * result a task, however long it takes) its estimated cost as that many tuples' worth. Eight count_primes
 * tasks of 7 ms each then get a chunk each, as they should, instead of sharing two chunks of four.
 */
function chunkWork(workload: WorkloadEntry, totalTuples: bigint, costNs: number): bigint {
  return workload.layout === 'positions' ? totalTuples : BigInt(Math.round(costNs / NS_PER_TUPLE))
}

/** Refuses a spec; `path` names the field at fault, so front doors can point at it. */
function invalid(message: string, path: ErrorPath): never {
  throw new PoolScopeError(ErrorCodes.INVALID_SPEC, message, path)
}

/** The planner yields after this many tasks, so a caller can hand the thread back (`planJobAsync`). */
export const PLAN_STEP_TASKS = 1 << 16

/**
 * Validates a spec and resolves it for a machine with `hardwareThreads` threads. Throws a
 * `PoolScopeError` whose message says what was wrong and what is allowed; no work is started by
 * this, so the engine, the UI (to preview counts) and the CLI all call it first.
 */
export function planJob(input: unknown, hardwareThreads: number): JobPlan {
  const steps = planSteps(input, hardwareThreads)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * `planJob` in steps: the generator yields every PLAN_STEP_TASKS tasks and returns the plan, so a
 * host can plan ten million tasks without holding its event loop for more than one step.
 */
export function* planSteps(input: unknown, hardwareThreads: number): Generator<void, JobPlan, void> {
  const parsed = JobSpecSchema.safeParse(input)
  if (!parsed.success) invalid(describeZodError(parsed.error), firstIssuePath(parsed.error))
  const spec = parsed.data
  const workload = findWorkload(spec.workload)
  if (!workload) {
    throw new PoolScopeError(
      ErrorCodes.UNKNOWN_WORKLOAD,
      `unknown workload ${excerpt(spec.workload)}; available: ${[...WORKLOADS.keys()].join(', ')}`,
      ['workload']
    )
  }
  checkCode(spec, workload)
  checkRedis(spec)
  const threads = spec.threads ?? hardwareThreads
  // A cluster's lanes are the agents' threads on their own machines: this machine's cap is not theirs.
  const tooMany = spec.backend === 'cluster' ? null : threadsProblem(threads, hardwareThreads)
  if (tooMany) invalid(tooMany, ['threads'])
  const tasks = spec.inputs.kind === 'recipe' ? yield* recipeTasks(spec, workload, threads) : spec.inputs.args
  const taskCount = tasks instanceof RecipeTasks ? tasks.slots.length : tasks.length
  const resolvedSpec: JobSpec & { threads: number } = { ...spec, threads }
  // Custom code always runs under a timeout; the resolved spec says which.
  if (workload.layout === 'json' && resolvedSpec.taskTimeoutMs === undefined) {
    resolvedSpec.taskTimeoutMs = DEFAULT_CUSTOM_TIMEOUT_MS
  }
  if (tasks instanceof RecipeTasks) {
    // The seed is recorded only when it drew something, so the resolved spec repeats the run.
    resolvedSpec.inputs = { kind: 'recipe', ...tasks.fields, tasks: taskCount }
    if (tasks.draws) resolvedSpec.inputs.seed = spec.inputs.kind === 'recipe' ? (spec.inputs.seed ?? 0) : 0
  }

  const calls: PlannedCall[] = []
  const byKey = new Map<string, number>()
  let callsBytes = 0
  /**
   * Where a task's bad arguments came from: its entry in an args list, or for a recipe the field
   * that supplied the argument at fault (the field named after the parameter, or the only one).
   */
  const pathOfTask = (task: number, arg: number | undefined): ErrorPath => {
    if (spec.inputs.kind === 'args') return ['inputs', 'args', task]
    const param = arg === undefined ? undefined : workload.params[arg]
    const { fields } = workload
    const field = fields.find((f) => f.key === param) ?? (fields.length === 1 ? fields[0] : undefined)
    return field === undefined ? ['inputs'] : ['inputs', field.key]
  }
  /** The call of a task's raw arguments: an existing one with the same JSON text, or a new one. */
  const callOf = (raw: unknown, task: number): number => {
    const key = jsonKey(raw, task)
    let index = byKey.get(key)
    if (index === undefined) {
      const args = unpack(raw, spec.style, workload, task)
      const result = workload.parseCall(args)
      if (!result.ok) invalid(`task ${task}: ${result.error}`, pathOfTask(task, result.arg))
      const { plan } = result.call
      if (plan.layout === 'values' && workload.workUnits) plan.work = workload.workUnits(result.call)
      index = calls.length
      calls.push({ ...result.call, args, count: planCount(result.call.plan) })
      callsBytes += callBytes(key === undefined ? 0 : key.length)
      byKey.set(key, index)
    }
    return index
  }

  const callIndex = new Int32Array(taskCount)
  /** Tasks per call, counted as tasks are assigned (a separate pass over ten million would not yield). */
  const perCallTasks: number[] = []
  const assign = (task: number, call: number): void => {
    callIndex[task] = call
    perCallTasks[call] = (perCallTasks[call] ?? 0) + 1
  }
  if (tasks instanceof RecipeTasks) {
    // A recipe has a handful of distinct arguments: each is planned once, when a task first draws it.
    const callOfSlot = new Int32Array(tasks.distinct.length).fill(-1)
    for (let task = 0; task < taskCount; task++) {
      const slot = tasks.slots[task]
      if (callOfSlot[slot] < 0) callOfSlot[slot] = callOf(tasks.distinct[slot], task)
      assign(task, callOfSlot[slot])
      if (task % PLAN_STEP_TASKS === PLAN_STEP_TASKS - 1) yield
    }
  } else {
    // Explicit arguments: identity first (a caller may repeat one object), JSON text for new objects.
    const byRef = new Map<unknown, number>()
    for (let task = 0; task < taskCount; task++) {
      const raw = tasks[task]
      let index = byRef.get(raw)
      if (index === undefined) {
        index = callOf(raw, task)
        if (raw !== null && typeof raw === 'object') byRef.set(raw, index)
      }
      assign(task, index)
      if (task % PLAN_STEP_TASKS === PLAN_STEP_TASKS - 1) yield
    }
  }

  let totalTuples = 0n
  let keptTuples = 0n
  let keptBytes = 0n
  let costNs = 0
  let longestNs = 0
  let totalWork = 0
  calls.forEach((call, i) => {
    totalWork += (workload.workUnits?.(call) ?? 0) * perCallTasks[i]
    const callNs = workload.costNs(call)
    costNs += callNs * perCallTasks[i]
    longestNs = Math.max(longestNs, callNs)
    const count = BigInt(perCallTasks[i])
    const kept = keptOf(call.count, spec.keep)
    totalTuples += call.count * count
    keptTuples += kept * count
    keptBytes += kept * BigInt(resultBytes(call.plan)) * count
  })

  const chunkSize =
    spec.chunkSize !== 'auto'
      ? spec.chunkSize
      : workload.layout === 'json'
        ? Math.min(Math.ceil(taskCount / (threads * 4)), CUSTOM_MAX_CHUNK_TASKS)
        : autoChunkSize(taskCount, threads, chunkWork(workload, totalTuples, costNs), spec.backend)
  return {
    spec: resolvedSpec,
    workload,
    threads,
    chunkSize,
    taskCount,
    calls,
    callIndex,
    totalTuples,
    keptTuples,
    keptBytes,
    memory: jobMemory(taskCount, callsBytes, keptBytes),
    estimatedMs: Math.max(costNs / threads, longestNs) / 1e6,
    totalWork,
    functionSource:
      workload.layout === 'json' && spec.code !== undefined ? customFunctionSource(spec.code) : null
  }
}

/**
 * A recipe's tasks: the distinct argument lists (raw, as the call style passes them) and which one
 * each task has, with the recipe's checked fields for the resolved spec.
 */
class RecipeTasks {
  constructor(
    readonly distinct: unknown[],
    readonly slots: Uint32Array | Uint8Array,
    readonly fields: Record<string, unknown>,
    /** Whether tasks drew from several values with the seed. */
    readonly draws: boolean
  ) {}
}

/**
 * Each workload's recipe schema, refusing unknown keys, made once: zod compiles a schema on its
 * first parse, which cost about a millisecond per job when the strict copy was made per plan.
 */
const strictSchemas = new WeakMap<WorkloadEntry, z.ZodObject>()
function strictRecipeSchema(workload: WorkloadEntry): z.ZodObject {
  let schema = strictSchemas.get(workload)
  if (!schema) {
    schema = workload.recipeSchema.strict()
    strictSchemas.set(workload, schema)
  }
  return schema
}

/**
 * The notebook's `data`, built from a recipe: the workload's recipe fields are checked against its
 * schema, then each task draws one argument list (with a seed, exactly as `random.choice` draws it)
 * or gets its own. Tasks with equal arguments share one list.
 */
function* recipeTasks(
  spec: JobSpec,
  workload: WorkloadEntry,
  threads: number
): Generator<void, RecipeTasks, void> {
  if (spec.inputs.kind !== 'recipe') throw new Error('recipeTasks needs a recipe')
  const { kind: _kind, tasks: taskField, seed, ...own } = spec.inputs
  const parsed = strictRecipeSchema(workload).safeParse(own)
  if (!parsed.success) {
    invalid(describeZodError(parsed.error, ['inputs']), ['inputs', ...firstIssuePath(parsed.error)])
  }
  const fields = parsed.data as Record<string, unknown>
  const tasks = taskField ?? threads * 2
  if (spec.style === 'map' && workload.params.length > 1) {
    invalid(
      `${workload.name} takes ${workload.params.length} arguments (${workload.params.join(', ')}), ` +
        'but map passes one argument per task; use the starmap call style',
      ['style']
    )
  }
  const raw = (args: unknown[]): unknown => (spec.style === 'map' ? args[0] : args)
  const recipe = workload.recipeTasks(fields)
  if (recipe.kind === 'each') {
    const distinct: unknown[] = new Array(tasks)
    const slots = new Uint32Array(tasks)
    for (let task = 0; task < tasks; task++) {
      distinct[task] = raw(recipe.argsOf(task, tasks))
      slots[task] = task
      if (task % PLAN_STEP_TASKS === PLAN_STEP_TASKS - 1) yield
    }
    return new RecipeTasks(distinct, slots, fields, false)
  }
  // Equal choices share a slot, as equal values of n share one argument list.
  const { choices } = recipe
  const keys = choices.map((args) => JSON.stringify(args))
  const distinctKeys = [...new Set(keys)]
  const slotOfChoice = keys.map((key) => distinctKeys.indexOf(key))
  const distinct = distinctKeys.map((key) => raw(choices[keys.indexOf(key)]))
  const slots = new Uint8Array(tasks)
  if (choices.length === 1) return new RecipeTasks(distinct, slots, fields, false)
  const random = new PythonRandom(seed ?? 0)
  for (let task = 0; task < tasks; task++) {
    slots[task] = slotOfChoice[random.randbelow(choices.length)]
    if (task % PLAN_STEP_TASKS === PLAN_STEP_TASKS - 1) yield
  }
  return new RecipeTasks(distinct, slots, fields, true)
}

/** A task's arguments as JSON text (the key that finds equal calls); refuses what JSON cannot hold. */
function jsonKey(raw: unknown, task: number): string {
  try {
    return JSON.stringify(raw)
  } catch {
    // BigInts and cycles (possible over Electron IPC), or nesting deeper than the stack.
    return invalid(
      `task ${task}: arguments must be JSON values (numbers, strings and lists, not nested thousands deep)`,
      ['inputs', 'args', task]
    )
  }
}

function unpack(raw: unknown, style: JobSpec['style'], workload: WorkloadEntry, task: number): unknown[] {
  if (style === 'map') return [raw]
  if (!Array.isArray(raw)) {
    invalid(
      `task ${task}: starmap needs each task's arguments as a list such as [elements, n] ` +
        `for ${workload.name}(${workload.params.join(', ')}), got ${excerpt(raw)}`,
      ['inputs', 'args', task]
    )
  }
  return raw
}
