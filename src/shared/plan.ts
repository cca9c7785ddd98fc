import { PoolScopeError, ErrorCodes } from './errors'
import { excerpt } from './excerpt'
import { callBytes, jobMemory, type JobMemory } from './memory'
import { type Element } from './elements'
import { bytesPerIndex } from './packing'
import { PythonRandom } from './pythonRandom'
import { JobSpecSchema, describeZodError, threadsProblem, type JobSpec, type Keep } from './spec'
import { findWorkload, planCount, type KernelPlan, type WorkloadDefinition } from './workloads'

/** The notebook's `lengths = (2, 3, 4)`. */
export const DEFAULT_N_CHOICES = [2, 3, 4] as const

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
  workload: WorkloadDefinition
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
 * `multiprocessing.Pool.map`'s chunk rule (about four chunks per worker), adjusted with what the
 * plan knows exactly, the tuples per task. Tiny tasks are grouped so a chunk carries at least
 * MIN_CHUNK_TUPLES of work (a round trip to a worker costs about as much as 10,000 tuples), as long
 * as every thread still gets a chunk; heavy tasks are split so no chunk carries more than
 * MAX_CHUNK_TUPLES, because chunks are also the unit of timing batches and result hand-over.
 */
export function autoChunkSize(taskCount: number, threads: number, totalTuples: bigint): number {
  const poolMapRule = Math.ceil(taskCount / (threads * 4))
  const averageTuples = Math.max(1, Number(totalTuples) / taskCount)
  const oneChunkPerThread = Math.ceil(taskCount / threads)
  const enoughWork = Math.min(oneChunkPerThread, Math.ceil(MIN_CHUNK_TUPLES / averageTuples))
  const tupleCap = Math.max(1, Math.floor(MAX_CHUNK_TUPLES / averageTuples))
  return Math.max(1, Math.min(Math.max(poolMapRule, enoughWork), tupleCap))
}

function invalid(message: string): never {
  throw new PoolScopeError(ErrorCodes.INVALID_SPEC, message)
}

/**
 * Validates a spec and resolves it for a machine with `hardwareThreads` threads. Throws a
 * `PoolScopeError` whose message says what was wrong and what is allowed; no work is started by
 * this, so the engine, the UI (to preview counts) and the CLI all call it first.
 */
export function planJob(input: unknown, hardwareThreads: number): JobPlan {
  const parsed = JobSpecSchema.safeParse(input)
  if (!parsed.success) invalid(describeZodError(parsed.error))
  const spec = parsed.data
  const workload = findWorkload(spec.workload)
  if (!workload) {
    throw new PoolScopeError(
      ErrorCodes.UNKNOWN_WORKLOAD,
      `unknown workload ${excerpt(spec.workload)}; available: combinations, combinations_n`
    )
  }
  const threads = spec.threads ?? hardwareThreads
  const tooMany = threadsProblem(threads, hardwareThreads)
  if (tooMany) invalid(tooMany)
  const rawArgs = spec.inputs.kind === 'recipe' ? recipeArgs(spec, workload, threads) : spec.inputs.args
  const resolvedSpec: JobSpec & { threads: number } = { ...spec, threads }
  if (spec.inputs.kind === 'recipe') {
    // The seed is recorded only when it drew something, so the resolved spec repeats the run.
    const drawsN = workload.params.includes('n') && (spec.inputs.n ?? DEFAULT_N_CHOICES).length > 1
    resolvedSpec.inputs = { ...spec.inputs, tasks: rawArgs.length }
    if (drawsN) resolvedSpec.inputs.seed = spec.inputs.seed ?? 0
  }

  const calls: PlannedCall[] = []
  const byKey = new Map<string, number>()
  // Recipes repeat one argument object across tasks: identity first, JSON text only for new objects.
  const byRef = new Map<unknown, number>()
  const callIndex = new Int32Array(rawArgs.length)
  let callsBytes = 0
  for (let task = 0; task < rawArgs.length; task++) {
    const raw = rawArgs[task]
    const known = byRef.get(raw)
    if (known !== undefined) {
      callIndex[task] = known
      continue
    }
    const key = JSON.stringify(raw)
    let index = byKey.get(key)
    if (index === undefined) {
      const args = unpack(raw, spec.style, workload, task)
      const result = workload.parseCall(args)
      if (!result.ok) invalid(`task ${task}: ${result.error}`)
      index = calls.length
      calls.push({ ...result.call, args, count: planCount(result.call.plan) })
      callsBytes += callBytes(key === undefined ? 0 : key.length)
      byKey.set(key, index)
    }
    callIndex[task] = index
    if (raw !== null && typeof raw === 'object') byRef.set(raw, index)
  }

  let totalTuples = 0n
  let keptTuples = 0n
  let keptBytes = 0n
  const perCallTasks = new Array<number>(calls.length).fill(0)
  for (let task = 0; task < callIndex.length; task++) perCallTasks[callIndex[task]]++
  calls.forEach((call, i) => {
    const tasks = BigInt(perCallTasks[i])
    const kept = keptOf(call.count, spec.keep)
    totalTuples += call.count * tasks
    keptTuples += kept * tasks
    keptBytes += kept * BigInt(call.plan.k * bytesPerIndex(call.plan.n)) * tasks
  })

  const chunkSize =
    spec.chunkSize === 'auto' ? autoChunkSize(rawArgs.length, threads, totalTuples) : spec.chunkSize
  return {
    spec: resolvedSpec,
    workload,
    threads,
    chunkSize,
    taskCount: rawArgs.length,
    calls,
    callIndex,
    totalTuples,
    keptTuples,
    keptBytes,
    memory: jobMemory(rawArgs.length, callsBytes, keptBytes)
  }
}

/** The notebook's `data`, built from a recipe: `(elements,)` or `(elements, n)` per task, n drawn with a seed. */
function recipeArgs(spec: JobSpec, workload: WorkloadDefinition, threads: number): unknown[] {
  if (spec.inputs.kind !== 'recipe') return []
  const { elements, n, seed } = spec.inputs
  const tasks = spec.inputs.tasks ?? threads * 2
  const takesN = workload.params.includes('n')
  if (spec.style === 'map' && workload.params.length > 1) {
    invalid(
      `${workload.name} takes ${workload.params.length} arguments (${workload.params.join(', ')}), ` +
        'but map passes one argument per task; use the starmap call style'
    )
  }
  if (!takesN) {
    const args = spec.style === 'map' ? elements : [elements]
    return new Array<unknown>(tasks).fill(args)
  }
  const choices = n ?? [...DEFAULT_N_CHOICES]
  const random = choices.length > 1 ? new PythonRandom(seed ?? 0) : null
  // One argument list per distinct n, shared by the tasks that draw it (planJob keys calls by identity).
  const argsOf = new Map(choices.map((choice) => [choice, [elements, choice]]))
  return Array.from({ length: tasks }, () => argsOf.get(random ? random.choice(choices) : choices[0]))
}

function unpack(
  raw: unknown,
  style: JobSpec['style'],
  workload: WorkloadDefinition,
  task: number
): unknown[] {
  if (style === 'map') return [raw]
  if (!Array.isArray(raw)) {
    invalid(
      `task ${task}: starmap needs each task's arguments as a list such as [elements, n] ` +
        `for ${workload.name}(${workload.params.join(', ')}), got ${excerpt(raw)}`
    )
  }
  return raw
}
