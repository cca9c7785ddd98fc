import { threadId } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import type { KernelPlan } from '../../shared/workloads/entry'
import { binomialSafe } from '../../shared/binomial'
import { bytesPerIndex } from '../../shared/packing'
import { redactPaths } from '../../shared/redactPaths'
import {
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
import { standardKernels, type KernelTable } from './kernels'
import type { ValuesCheckpoint } from './kernels/valuesKernel'
import { currentCpu, osThreadId } from './threadInfo'

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
  const count = plan.layout === 'values' ? 1 : (binomialSafe(plan.n, plan.k) ?? Number.POSITIVE_INFINITY)
  return keep === KEEP_ALL ? count : Math.min(keep, count)
}

/** Bytes of one packed position (1, 2 or 4) or, for a values plan, of its Float64 (8). */
function widthOf(plan: KernelPlan): number {
  return plan.layout === 'values' ? 8 : bytesPerIndex(plan.n)
}

/**
 * Bytes a task's kept results take, padded to 4 bytes so the next task's positions of any width are
 * aligned. Values are 8 bytes each, and a chunk's plans all come from one workload, so values stay
 * 8-byte aligned.
 */
function keptBytes(plan: KernelPlan, kept: number, width: number): number {
  return plan.layout === 'values' ? kept * width : Math.ceil((kept * plan.k * width) / 4) * 4
}

/**
 * One view of the chunk's buffer per width, made once per chunk: a view per task would cost about
 * as much as a tiny task itself. Offsets are aligned to their tasks' width (see keptBytes).
 */
function bufferViews(buffer: ArrayBuffer) {
  let u8: Uint8Array | undefined
  let u16: Uint16Array | undefined
  let u32: Uint32Array | undefined
  let f64: Float64Array | undefined
  return {
    positions: (width: number): Uint8Array | Uint16Array | Uint32Array =>
      width === 1
        ? (u8 ??= new Uint8Array(buffer))
        : width === 2
          ? (u16 ??= new Uint16Array(buffer))
          : (u32 ??= new Uint32Array(buffer)),
    values: (): Float64Array => (f64 ??= new Float64Array(buffer))
  }
}

const scratch = new Uint32Array(1 << 16)

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
  const tasks = message.planIndex.length
  const control = new Int32Array(message.control)
  const tuples = new BigInt64Array(message.tuples)
  const beat = new Float64Array(message.heartbeat)
  const keep = message.keep
  // Every per-task column lives in one buffer: each transferred buffer costs the reply time.
  const meta = new ArrayBuffer(tasks * 44)
  const produced = new Float64Array(meta, 0, tasks)
  const kept = new Float64Array(meta, tasks * 8, tasks)
  const offset = new Float64Array(meta, tasks * 16, tasks)
  const startAt = new Float64Array(meta, tasks * 24, tasks).fill(NaN)
  const endAt = new Float64Array(meta, tasks * 32, tasks).fill(NaN)
  const cpu = new Int16Array(meta, tasks * 40, tasks).fill(-1)
  const status = new Uint8Array(meta, tasks * 42, tasks)
  const width = new Uint8Array(meta, tasks * 43, tasks)
  const errors: Array<[number, string]> = []

  // Lay out one buffer for the whole chunk: each task's kept results, aligned to 8 bytes. Sizes are
  // worked out once per distinct plan, not per task.
  const planKept = message.plans.map((plan) => keptOf(plan, keep))
  const planWidth = message.plans.map(widthOf)
  const planBytes = message.plans.map((plan, p) => keptBytes(plan, planKept[p], planWidth[p]))
  let bytes = 0
  for (let t = 0; t < tasks; t++) {
    const p = message.planIndex[t]
    offset[t] = bytes
    width[t] = planWidth[p]
    kept[t] = planKept[p]
    bytes += planBytes[p]
  }
  const data = new ArrayBuffer(bytes)
  const views = bufferViews(data)

  // Progress is published to the shared counters at most once a millisecond (and at the end):
  // an atomic update per task would cost about as much as a tiny task.
  let doneUnpublished = 0
  let failedUnpublished = 0
  let tuplesUnpublished = 0
  let publishedAt = performance.now()
  const publish = () => {
    if (doneUnpublished > 0) Atomics.add(control, CONTROL.tasksDone, doneUnpublished)
    if (failedUnpublished > 0) Atomics.add(control, CONTROL.tasksFailed, failedUnpublished)
    if (tuplesUnpublished > 0) Atomics.add(tuples, COUNTERS.tuples, BigInt(tuplesUnpublished))
    doneUnpublished = 0
    failedUnpublished = 0
    tuplesUnpublished = 0
  }
  // The chunk's totals (see ChunkTotals), in task order.
  let doneCount = 0
  let failedCount = 0
  let producedSum = 0
  let keptSum = 0
  let busyMs = 0
  let cancelled = false
  let stopped: StoppedTask | null = null
  let reportedThisTask = 0
  const checkpoint: Checkpoint = (since) => {
    reportedThisTask += since
    tuplesUnpublished += since
    // A full block means a long task is under way: publish now so progress moves within it. A
    // task's last, partial block is published with the task, at most once a millisecond.
    if (since >= CHECK_EVERY) publish()
    return Atomics.load(control, CONTROL.cancel) === 0
  }
  // Values kernels report work units, not results: each report is published at once (they come
  // at most once a millisecond or so), and the kernel asks whether to go on.
  let workThisTask = 0
  const keepGoing: ValuesCheckpoint = (work) => {
    if (work > 0) {
      workThisTask += work
      Atomics.add(tuples, COUNTERS.work, BigInt(work))
    }
    return Atomics.load(control, CONTROL.cancel) === 0
  }

  for (let t = 0; t < tasks; t++) {
    if (Atomics.load(control, CONTROL.cancel) !== 0) {
      cancelled = true
      break
    }
    const plan = message.plans[message.planIndex[t]]
    const kernel = kernels[plan.kernel]
    const w = width[t]
    reportedThisTask = 0
    const start = performance.now()
    beat[HEARTBEAT.since] = clockBase + start
    beat[HEARTBEAT.task] = t
    try {
      let count: number
      if (!kernel) throw new Error(`this worker has no kernel ${plan.kernel}`)
      if (kernel.layout === 'positions' && plan.layout === 'positions') {
        count = kernel.run(plan, keep, views.positions(w), offset[t] / w, scratch, checkpoint)
      } else if (kernel.layout === 'values' && plan.layout === 'values') {
        workThisTask = 0
        const value = kernel.run(plan.args, keepGoing)
        count = value === null ? -1 : 1
        if (value !== null && kept[t] > 0) views.values()[offset[t] / 8] = value
        // A finished task counts whole: what its checkpoints did not report (the last slice).
        const rest = value === null ? 0 : (plan.work ?? 0) - workThisTask
        if (rest > 0) Atomics.add(tuples, COUNTERS.work, BigInt(rest))
      } else {
        throw new Error(`kernel ${plan.kernel} does not produce ${plan.layout}`)
      }
      if (count > 0) tuplesUnpublished += count - reportedThisTask
      if (count < 0) {
        cancelled = true
        status[t] = TASK_STATUS.cancelled
        kept[t] = 0
      } else {
        status[t] = TASK_STATUS.done
        produced[t] = count
        doneUnpublished++
        doneCount++
        producedSum += count
        keptSum += kept[t]
      }
    } catch (err) {
      status[t] = TASK_STATUS.failed
      kept[t] = 0
      errors.push([t, taskErrorMessage(err)])
      failedUnpublished++
      failedCount++
    }
    if (cancelled) {
      // A task stopped midway did not run to its end, so it gets no task timing; its time and the
      // tuples it reported at its checkpoints are still work done, reported apart.
      stopped = {
        index: t,
        start: clockBase + start,
        end: clockBase + performance.now(),
        produced: reportedThisTask
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
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return redactPaths(text.split('\n', 1)[0]).slice(0, 500)
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
