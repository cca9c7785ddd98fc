import { threadId } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import type { JsonPlan, KernelPlan, PositionsPlan, ValuesPlan } from '../../shared/workloads/entry'
import { positionsCountSafe } from '../../shared/workloads/positionsCount'
import { bytesPerIndex } from '../../shared/packing'
import { redactPaths } from '../../shared/redactPaths'
import {
  COLUMN_BYTES_PER_TASK,
  CONTROL,
  COUNTERS,
  HEARTBEAT,
  KEEP_ALL,
  newHeartbeat,
  TASK_STATUS,
  type ChunkMessage,
  type ChunkReply,
  type StoppedTask,
  type WarmupMessage,
  type WarmupReply
} from './chunkProtocol'
import { CHECK_EVERY, type Checkpoint } from './kernels/combinations'
import { standardKernels, type KernelTable, type PositionsKernel } from './kernels'
import type { ValuesCheckpoint, ValuesKernel } from './kernels/valuesKernel'
import { currentCpu, osThreadId } from './threadInfo'
import { compileCustom, packJson, runCustom } from './customCode'
import { ResultError } from '../../shared/customResult'

export { standardKernels, type KernelTable }

/**
 * Reading /proc costs microseconds, so the CPU is re-read at most once a millisecond per thread,
 * across chunks: a task shorter than that reports the core its thread was on within the last ms.
 */
const CPU_SAMPLE_INTERVAL_MS = 1
let lastCpuAt = -Infinity
let lastCpu = -1

/**
 * Results a task keeps of a plan. The exact count fits a number whenever it is kept (the budget was
 * checked before the job); when only a count or the first N are kept it may be astronomically
 * large, and then only its minimum with N matters. A values plan has one result.
 */
function keptOf(plan: KernelPlan, keep: number): number {
  // A custom task's size is known once it has run: its buffer is laid out after (see packJson).
  if (plan.layout === 'json') return 0
  const count = plan.layout === 'values' ? 1 : (positionsCountSafe(plan) ?? Number.POSITIVE_INFINITY)
  return keep === KEEP_ALL ? count : Math.min(keep, count)
}

/** Bytes of one packed position (1, 2 or 4) or, for a values plan, of its Float64 (8). */
function widthOf(plan: KernelPlan): number {
  // A custom task's JSON text is aligned to 4 bytes, where its length is.
  if (plan.layout === 'json') return 4
  return plan.layout === 'values' ? 8 : bytesPerIndex(plan.n)
}

/**
 * Bytes a task's kept results take, padded to 4 bytes so the next task's positions of any width are
 * aligned. Values are 8 bytes each, and a chunk's plans all come from one workload, so values stay
 * 8-byte aligned.
 */
function keptBytes(plan: KernelPlan, kept: number, width: number): number {
  if (plan.layout === 'json') return 0
  return plan.layout === 'values' ? kept * width : Math.ceil((kept * plan.k * width) / 4) * 4
}

/** How one of a chunk's plans runs: its kernel, already matched to the plan's layout. */
type PlanRun =
  | {
      kind: 'positions'
      kernel: PositionsKernel
      plan: PositionsPlan
      /** The chunk's data buffer viewed at this plan's width (offsets are aligned to it). */
      out: Uint8Array | Uint16Array | Uint32Array
    }
  | { kind: 'values'; kernel: ValuesKernel; plan: ValuesPlan; out: Float64Array }
  /** A call of the job's own code; `fn` is null when the chunk came without code. */
  | { kind: 'json'; fn: ((...args: unknown[]) => unknown) | null; plan: JsonPlan }
  | { kind: 'missing' | 'mismatch' }

/**
 * How each of a chunk's distinct plans runs, worked out once per chunk. A plan's names arrive as
 * new strings with every message, so looking its kernel up by name per task cost V8 a string-table
 * search and generic property loads every task (about 3% of a tiny task's time in the worker, in
 * `perf` profiles). Views of the data buffer are made once per width: a view per task would cost
 * about as much as a tiny task itself. Built with push rather than `map`, whose result's element
 * kind (part of V8's map of the array) can differ between V8's tiers: an optimized loop that meets
 * a different map is thrown away (deoptimized) and compiled again.
 */
function planRuns(
  plans: readonly KernelPlan[],
  kernels: KernelTable,
  data: ArrayBuffer,
  code: ((...args: unknown[]) => unknown) | null
): PlanRun[] {
  let u8: Uint8Array | undefined
  let u16: Uint16Array | undefined
  let u32: Uint32Array | undefined
  let f64: Float64Array | undefined
  const runs: PlanRun[] = []
  for (const plan of plans) {
    if (plan.layout === 'json') {
      runs.push({ kind: 'json', fn: code, plan })
      continue
    }
    const kernel = kernels[plan.kernel]
    if (!kernel) {
      runs.push({ kind: 'missing' })
    } else if (kernel.layout === 'positions' && plan.layout === 'positions') {
      const width = bytesPerIndex(plan.n)
      const out =
        width === 1
          ? (u8 ??= new Uint8Array(data))
          : width === 2
            ? (u16 ??= new Uint16Array(data))
            : (u32 ??= new Uint32Array(data))
      runs.push({ kind: 'positions', kernel, plan, out })
    } else if (kernel.layout === 'values' && plan.layout === 'values') {
      runs.push({ kind: 'values', kernel, plan, out: (f64 ??= new Float64Array(data)) })
    } else {
      runs.push({ kind: 'mismatch' })
    }
  }
  return runs
}

const scratch = new Uint32Array(1 << 16)

/**
 * The running chunk's live counters, which its loop and the kernels' checkpoints share. A worker
 * runs one chunk at a time, so they live here, and publish and the checkpoints are functions of
 * this module. They were closures made anew for each chunk: to V8 a new closure is a new call
 * target, so a loop compiled around one chunk's closures could be deoptimized in a later chunk
 * ("wrong call target") and compiled again on a background thread, 20-100 ms of CPU on the same
 * cores as the workers (--trace-deopt: runChunk was still deoptimized about once every three jobs
 * of 1,000,000 tiny tasks after warm-up; now not after the first job). Fields of one object of a
 * fixed shape, and kernels call the same two functions in every chunk.
 */
class LiveCounters {
  control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.length))
  tuples = new BigInt64Array(new SharedArrayBuffer(8 * COUNTERS.length))
  doneUnpublished = 0
  failedUnpublished = 0
  tuplesUnpublished = 0
  /** Tuples the running task reported at its checkpoints. */
  reportedThisTask = 0
  /** Work units the running values task reported. */
  workThisTask = 0
  /** The running chunk's heartbeat, where a long task's checkpoints show how far it got. */
  beat: Float64Array<ArrayBufferLike> = new Float64Array(HEARTBEAT.length)
}
const progress = new LiveCounters()

/**
 * Publishes the running chunk's counts to the job's shared counters. Called at most once a
 * millisecond (and at the end of a chunk): an atomic update per task would cost about as much as a
 * tiny task.
 */
function publish(): void {
  const live = progress
  if (live.doneUnpublished > 0) Atomics.add(live.control, CONTROL.tasksDone, live.doneUnpublished)
  if (live.failedUnpublished > 0) Atomics.add(live.control, CONTROL.tasksFailed, live.failedUnpublished)
  if (live.tuplesUnpublished > 0) Atomics.add(live.tuples, COUNTERS.tuples, BigInt(live.tuplesUnpublished))
  live.doneUnpublished = 0
  live.failedUnpublished = 0
  live.tuplesUnpublished = 0
}

/** The checkpoint positions kernels call (see kernels/combinations.ts). */
const checkpoint: Checkpoint = (since) => {
  const live = progress
  live.reportedThisTask += since
  live.tuplesUnpublished += since
  // A task's last, partial block is published with the task, at most once a millisecond, and asks
  // nothing: the task has finished, and kernels do not read the answer. (Atomics.load is a call
  // into V8, not inlined: two a task, with the loop's own check, took 2-4% of a tiny task's time in
  // the worker; the loop's check alone stops a chunk as promptly.)
  if (since < CHECK_EVERY) return true
  // A full block means a long task is under way: publish now so progress moves within it.
  publish()
  live.beat[HEARTBEAT.progress] = live.reportedThisTask
  return Atomics.load(live.control, CONTROL.cancel) === 0
}

/**
 * The checkpoint values kernels call: they report work units, not results; each report is
 * published at once (they come at most once a millisecond or so), and the kernel asks whether to
 * go on.
 */
const keepGoing: ValuesCheckpoint = (work) => {
  const live = progress
  if (work > 0) {
    live.workThisTask += work
    live.beat[HEARTBEAT.progress] = live.workThisTask
    Atomics.add(live.tuples, COUNTERS.work, BigInt(work))
  }
  return Atomics.load(live.control, CONTROL.cancel) === 0
}

function warmup(message: WarmupMessage, kernels: KernelTable): WarmupReply {
  // Run an empty chunk once, so the first job does not pay for compiling the chunk path or opening
  // /proc. Its tasks produce nothing (k > n): feeding the kernel's loops a warm-up shape was
  // measured to make V8 compile them worse for the real job (25% slower on 7-combinations).
  runChunk(
    {
      kind: 'chunk',
      firstTask: 0,
      plans: [{ kernel: 'combinations', layout: 'positions', n: 1, k: 2 }],
      planIndex: new Int32Array(4),
      keep: KEEP_ALL,
      control: new SharedArrayBuffer(4 * CONTROL.length),
      tuples: new SharedArrayBuffer(8 * COUNTERS.length),
      jobOrigin: performance.timeOrigin,
      heartbeat: newHeartbeat()
    },
    kernels
  )
  // Call each values kernel once with no work, so a lane's first task does not pay for compiling
  // it inside its own timing (a first busy_wait task measured up to 16 ms more than its kernel).
  for (const kernel of Object.values(kernels)) {
    if (kernel.layout === 'values') kernel.run([0, 0], () => true)
  }
  // Every warm-up task waits until all threads hold one, so each thread loads this module and
  // reports its thread id (its lane) before the job clock starts.
  const arrivals = new Int32Array(message.barrier)
  Atomics.add(arrivals, 0, 1)
  Atomics.notify(arrivals, 0)
  const deadline = Date.now() + 5000
  for (;;) {
    const seen = Atomics.load(arrivals, 0)
    if (seen >= message.threads || Date.now() > deadline) break
    Atomics.wait(arrivals, 0, seen, 50)
  }
  return { threadId }
}

/** Runs one chunk of tasks, timing each on the clock shared by all threads. */
export function runChunk(message: ChunkMessage, kernels: KernelTable): ChunkReply {
  const clockBase = performance.timeOrigin - message.jobOrigin
  const receivedAt = clockBase + performance.now()
  const plans = message.plans
  const planIndex = message.planIndex
  const tasks = planIndex.length
  const control = new Int32Array(message.control)
  const beat = new Float64Array(message.heartbeat)
  const keep = message.keep
  // Every per-task column lives in one buffer: each transferred buffer costs the reply time. A
  // buffer handed back from an earlier chunk (see ThreadsJob.release) is reused: every fresh one,
  // 1.4 MB for a chunk of 32,768 tasks, is external memory the main thread's V8 must account for
  // and collect once the chunk is filed. Reusing them cut the CPU of V8's helper threads (garbage
  // collection) from about 155 to 90 ns a task in a 1,000,000-task job, and the main thread's by
  // about 15 ns (interleaved A/B, bench/scaling.js); clearing a reused one costs about 1 ns a task.
  const needed = tasks * COLUMN_BYTES_PER_TASK
  const spare = message.columns
  const reused = spare !== undefined && spare.byteLength >= needed
  const meta = reused ? spare : new ArrayBuffer(needed)
  const produced = new Float64Array(meta, 0, tasks)
  const kept = new Float64Array(meta, tasks * 8, tasks)
  const offset = new Float64Array(meta, tasks * 16, tasks)
  const startAt = new Float64Array(meta, tasks * 24, tasks).fill(NaN)
  const endAt = new Float64Array(meta, tasks * 32, tasks).fill(NaN)
  const cpu = new Int16Array(meta, tasks * 40, tasks).fill(-1)
  const status = new Uint8Array(meta, tasks * 42, tasks)
  const width = new Uint8Array(meta, tasks * 43, tasks)
  // A reused buffer starts as a fresh one would where it is not written below: no task produced
  // anything and every task is pending (offset, width and kept are written for every task).
  if (reused) {
    produced.fill(0)
    status.fill(TASK_STATUS.pending)
  }
  const errors: Array<[number, string]> = []

  // Lay out one buffer for the whole chunk: each task's kept results, aligned to 8 bytes. Sizes are
  // worked out once per distinct plan, not per task.
  const planKept: number[] = []
  const planWidth: number[] = []
  const planBytes: number[] = []
  for (const plan of plans) {
    const keptOfPlan = keptOf(plan, keep)
    const widthOfPlan = widthOf(plan)
    planKept.push(keptOfPlan)
    planWidth.push(widthOfPlan)
    planBytes.push(keptBytes(plan, keptOfPlan, widthOfPlan))
  }
  let bytes = 0
  for (let t = 0; t < tasks; t++) {
    const p = planIndex[t]
    offset[t] = bytes
    width[t] = planWidth[p]
    kept[t] = planKept[p]
    bytes += planBytes[p]
  }
  let data = new ArrayBuffer(bytes)
  // A custom job's code is compiled before the clock of its first task starts; when it cannot be,
  // every task of the chunk fails with the reason.
  let code: ((...args: unknown[]) => unknown) | null = null
  let codeError: unknown = null
  let customArgs: unknown[][] | null = null
  if (message.code !== undefined) {
    try {
      code = compileCustom(message.code)
      if (message.argsJson !== undefined) customArgs = JSON.parse(message.argsJson) as unknown[][]
    } catch (err) {
      codeError = err
      code = null
    }
  }
  const runsOf = planRuns(plans, kernels, data, code)
  /** Each custom task's kept JSON, laid out in `data` once the chunk has run (see packJson). */
  const jsonTexts: Array<Uint8Array | null> | null =
    message.code !== undefined ? new Array(tasks).fill(null) : null

  const live = progress
  live.control = control
  live.tuples = new BigInt64Array(message.tuples)
  live.beat = beat
  beat[HEARTBEAT.thread] = threadId
  beat[HEARTBEAT.received] = receivedAt
  live.doneUnpublished = 0
  live.failedUnpublished = 0
  live.tuplesUnpublished = 0
  let publishedAt = performance.now()
  // The chunk's totals (see ChunkTotals), in task order.
  let doneCount = 0
  let failedCount = 0
  let producedSum = 0
  let keptSum = 0
  let busyMs = 0
  let cancelled = false
  let stopped: StoppedTask | null = null

  for (let t = 0; t < tasks; t++) {
    if (Atomics.load(control, CONTROL.cancel) !== 0) {
      cancelled = true
      break
    }
    const plan = plans[planIndex[t]]
    const runs = runsOf[planIndex[t]]
    live.reportedThisTask = 0
    const start = performance.now()
    beat[HEARTBEAT.progress] = 0
    beat[HEARTBEAT.since] = clockBase + start
    beat[HEARTBEAT.task] = t
    try {
      let count: number
      if (runs.kind === 'positions') {
        count = runs.kernel.run(runs.plan, keep, runs.out, offset[t] / width[t], scratch, checkpoint)
      } else if (runs.kind === 'values') {
        live.workThisTask = 0
        const value = runs.kernel.run(runs.plan.args, keepGoing)
        count = value === null ? -1 : 1
        if (value !== null && kept[t] > 0) runs.out[offset[t] / 8] = value
        // A finished task counts whole: what its checkpoints did not report (the last slice).
        const rest = value === null ? 0 : (runs.plan.work ?? 0) - live.workThisTask
        if (rest > 0) Atomics.add(live.tuples, COUNTERS.work, BigInt(rest))
      } else if (runs.kind === 'json') {
        if (!runs.fn) throw codeError ?? new Error('this chunk came without its code')
        const outcome = runCustom(runs.fn, customArgs ? customArgs[t] : runs.plan.args, keep)
        count = outcome.tuples
        kept[t] = outcome.kept
        if (jsonTexts) jsonTexts[t] = outcome.json
      } else if (runs.kind === 'missing') {
        throw new Error(`this worker has no kernel ${plan.kernel}`)
      } else {
        throw new Error(`kernel ${plan.kernel} does not produce ${plan.layout}`)
      }
      if (count > 0) live.tuplesUnpublished += count - live.reportedThisTask
      if (count < 0) {
        cancelled = true
        status[t] = TASK_STATUS.cancelled
        kept[t] = 0
      } else {
        status[t] = TASK_STATUS.done
        produced[t] = count
        live.doneUnpublished++
        doneCount++
        producedSum += count
        keptSum += kept[t]
      }
    } catch (err) {
      status[t] = TASK_STATUS.failed
      kept[t] = 0
      errors.push([t, taskErrorMessage(err)])
      live.failedUnpublished++
      failedCount++
    }
    if (cancelled) {
      // A task stopped midway did not run to its end, so it gets no task timing; its time and the
      // tuples it reported at its checkpoints are still work done, reported apart.
      stopped = {
        index: t,
        start: clockBase + start,
        end: clockBase + performance.now(),
        produced: live.reportedThisTask
      }
      break
    }
    const end = performance.now()
    const began = clockBase + start
    const ended = clockBase + end
    startAt[t] = began
    endAt[t] = ended
    busyMs += ended - began
    if (end - lastCpuAt >= CPU_SAMPLE_INTERVAL_MS) {
      lastCpu = currentCpu()
      lastCpuAt = end
    }
    cpu[t] = lastCpu
    if (end - publishedAt >= 1) {
      publish()
      publishedAt = end
    }
  }
  beat[HEARTBEAT.task] = -1
  publish()
  if (jsonTexts) data = packJson(jsonTexts, offset)
  // Tasks after a cancellation never started.
  for (let t = 0; t < tasks; t++) {
    if (status[t] === TASK_STATUS.pending) {
      status[t] = TASK_STATUS.cancelled
      kept[t] = 0
    }
  }

  return {
    firstTask: message.firstTask,
    threadId,
    tid: osThreadId(),
    status,
    produced,
    kept,
    offset,
    width,
    start: startAt,
    end: endAt,
    receivedAt,
    repliedAt: clockBase + performance.now(),
    cpu,
    data,
    errors,
    stopped,
    totals: { done: doneCount, failed: failedCount, produced: producedSum, kept: keptSum, busyMs }
  }
}

function taskErrorMessage(err: unknown): string {
  let text: string
  try {
    // A value the task may not return is PoolScope's own message; the code's errors keep their name.
    if (err instanceof ResultError) text = err.message
    else if ((err as { code?: unknown } | null)?.code === 'ERR_ACCESS_DENIED')
      text = accessDenied(err as Error)
    else text = err instanceof Error ? `${err.name}: ${err.message}` : `threw ${String(err)}`
  } catch {
    // Custom code may throw anything, even a value whose text cannot be made.
    text = 'threw a value that cannot be shown as text'
  }
  return redactPaths(String(text).split('\n', 1)[0]).slice(0, 500)
}

/**
 * A refusal of Node's permission model (custom code on an isolated processes pool), said plainly:
 * what was refused, and what such code may not do.
 */
function accessDenied(err: Error & { permission?: unknown; resource?: unknown }): string {
  const what = typeof err.permission === 'string' && err.permission !== '' ? err.permission : 'refused'
  const resource = typeof err.resource === 'string' && err.resource !== '' ? ` of ${err.resource}` : ''
  return (
    `${err.name}: ${err.message} (${what}${resource}): custom code runs here under Node's permission model, ` +
    'which lets it read no files but PoolScope’s own code and packages, write none, start no processes and load no add-ons'
  )
}

/** Marks every buffer of a reply for transfer, so nothing large is copied between threads. */
function transferable(reply: ChunkReply): unknown {
  // The column views share one buffer; structured cloning keeps them views of the moved buffer.
  const buffers = [reply.produced.buffer, reply.data]
  // Piscina transfers what the transferable symbol lists (an array is concatenated into the
  // transfer list) and replies with what the value symbol holds.
  return move({
    get [transferableSymbol]() {
      return buffers
    },
    get [valueSymbol]() {
      return reply
    }
  } as never)
}

/** Builds the worker's entry function over a kernel table (tests add faulty kernels this way). */
export function createWorkerHandler(kernels: KernelTable) {
  return function handle(message: WarmupMessage | ChunkMessage): unknown {
    if (message.kind === 'warmup') return warmup(message, kernels)
    return transferable(runChunk(message, kernels))
  }
}
