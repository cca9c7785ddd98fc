import type { KernelPlan } from '../../shared/workloads'

/**
 * Messages between the job runner and the Piscina worker. One Piscina task carries a chunk of
 * consecutive task indices; everything that is large travels as typed arrays and is transferred,
 * never copied.
 */

/**
 * Int32 slots per 64-byte cache line. Slots that different threads write sit a line apart (and a
 * line from the buffer's ends, whose neighbours in memory are other buffers): a write then never
 * evicts the line another thread reads in its per-task loop.
 */
const LINE = 16

/** Slots of the job's shared control array (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Set to 1 to ask every worker to stop at the next check; every task reads it. */
  cancel: LINE,
  /** Tasks done, bumped by workers as they go: live progress between chunks. */
  tasksDone: 2 * LINE,
  /** Tasks failed, bumped apart from those done, so neither count includes the other. */
  tasksFailed: 3 * LINE,
  length: 5 * LINE
} as const

/** Slots of a job's BigInt64 counters. */
export const COUNTERS = {
  /** Tuples produced (positions workloads) or values produced. */
  tuples: 0,
  /** Work units values tasks report through their checkpoints. */
  work: 1,
  length: 2
} as const

/** Keep modes as one integer: -1 keeps all, 0 keeps none (count only), N > 0 keeps the first N per task. */
export const KEEP_ALL = -1
export const KEEP_NONE = 0

export const TASK_STATUS = { pending: 0, done: 1, failed: 2, cancelled: 3 } as const

export interface WarmupMessage {
  kind: 'warmup'
  /** Int32Array[1] over a SharedArrayBuffer: arrivals; each warm-up task waits until all threads arrived. */
  barrier: SharedArrayBuffer
  threads: number
}

export interface WarmupReply {
  threadId: number
}

export interface ChunkMessage {
  kind: 'chunk'
  firstTask: number
  /** The distinct plans used by this chunk. */
  plans: KernelPlan[]
  /** Per task of the chunk, an index into `plans`. */
  planIndex: Int32Array
  keep: number
  /** A custom job's function source, compiled once per worker (see ChunkWork.code). */
  code?: string
  /** A custom chunk's tasks' arguments as JSON text (see ChunkWork.argsJson). */
  argsJson?: string
  /** Int32Array over a SharedArrayBuffer, slots as in CONTROL. */
  control: SharedArrayBuffer
  /**
   * BigInt64Array over a SharedArrayBuffer, slots as in COUNTERS: tuples produced and work units
   * reported so far, for live progress.
   */
  tuples: SharedArrayBuffer
  /** Epoch milliseconds of the job clock's zero (performance.timeOrigin + performance.now() in main). */
  jobOrigin: number
  /**
   * A buffer for the reply's per-task columns (COLUMN_BYTES_PER_TASK a task), handed back from an
   * earlier reply and transferred with this message; the worker makes a fresh one when it is
   * absent or too small. See ChunkReply.produced.
   */
  columns?: ArrayBuffer
  /**
   * Float64Array over a SharedArrayBuffer, slots as in HEARTBEAT: which task of the chunk is
   * running and since when, so the main thread can stop a task that overruns its timeout (and name
   * the task whose worker died).
   */
  heartbeat: SharedArrayBuffer
}

/**
 * Slots of a chunk's heartbeat array (Float64). The worker writes both on every task, so they sit
 * in the middle of a 192-byte buffer, on a cache line of their own: heartbeats are allocated one
 * after another, and two lanes' heartbeats on one line would bounce it between cores every task.
 */
export const HEARTBEAT = {
  /** Index within the chunk of the task running now, -1 between tasks. */
  task: 8,
  /** When it started, ms since the job clock's zero. */
  since: 9,
  /** When the worker took the chunk, ms on the job clock; NaN until then. */
  received: 10,
  /** Tuples or work units the running task has reported at its checkpoints (long tasks only). */
  progress: 11,
  /** The worker thread's id (its lane, to the threads back end), written with `received`. */
  thread: 12,
  length: 24
} as const

/**
 * The task a heartbeat says is running (index within its chunk, since when, how far it got), or
 * null between tasks. The worker writes `since` then `task`: a `since` that moved while this read
 * them belongs to a new task.
 */
export function beatTask(beat: Float64Array): { index: number; since: number; progress: number } | null {
  const since = beat[HEARTBEAT.since]
  const index = beat[HEARTBEAT.task]
  const progress = beat[HEARTBEAT.progress]
  if (index < 0 || beat[HEARTBEAT.since] !== since) return null
  return { index, since, progress }
}

/** A heartbeat buffer for one chunk, with no task running. */
export function newHeartbeat(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(8 * HEARTBEAT.length)
  const beat = new Float64Array(buffer)
  beat[HEARTBEAT.task] = -1
  beat[HEARTBEAT.received] = NaN
  return buffer
}

/**
 * Bytes of per-task columns in a reply: produced, kept, offset, start and end (Float64), cpu
 * (Int16), status and width (Uint8). They share one buffer, so a reply transfers two buffers
 * (columns and data) however many columns there are.
 */
export const COLUMN_BYTES_PER_TASK = 44

export interface ChunkReply {
  firstTask: number
  threadId: number
  /** OS thread id of the worker (Linux), -1 elsewhere. */
  tid: number
  /** TASK_STATUS per task. */
  status: Uint8Array
  /**
   * Tuples each task produced. Its buffer holds every per-task column (`produced.buffer`); once
   * the engine has filed the reply, a back end may hand that buffer to a later chunk (`columns`).
   */
  produced: Float64Array
  /** Tuples each task kept (stored in `data`). */
  kept: Float64Array
  /** Byte offset of each task's kept tuples in `data`. */
  offset: Float64Array
  /** Bytes per position of each task's tuples (1, 2 or 4). */
  width: Uint8Array
  /** Start of each task, ms since jobOrigin; NaN for a task that did not run. */
  start: Float64Array
  /** End of each task, ms since jobOrigin; NaN for a task that did not run. */
  end: Float64Array
  /** CPU each task last ran on, -1 where unknown. */
  cpu: Int16Array
  /** When the worker began and finished the chunk, ms since jobOrigin. */
  receivedAt: number
  repliedAt: number
  /** All kept tuples of the chunk, packed positions. */
  data: ArrayBuffer
  /** Failed tasks: [task index within chunk, message]. */
  errors: Array<[number, string]>
  /** The task a cancel stopped midway, if any: its status is cancelled and it keeps nothing. */
  stopped: StoppedTask | null
  /** Sums over the chunk's columns, made by the worker so the main thread never walks them. */
  totals: ChunkTotals
}

/**
 * A chunk's totals, summed in task order by the worker as it runs the tasks. The main thread files
 * dozens of chunks a second while the workers keep both cores busy: per-task loops there would
 * take CPU from the workers.
 */
export interface ChunkTotals {
  /** Tasks done and failed (those failed inside the chunk, which ran and have timings). */
  done: number
  failed: number
  /** Tuples produced and kept by the tasks done. */
  produced: number
  kept: number
  /** Sum of end − start over the tasks that ran, ms. */
  busyMs: number
}

/**
 * A task stopped midway by a cancel. It is not a task timing (it did not run to its end), but its
 * time and the tuples it computed are work the job did, so the job reports them apart.
 */
export interface StoppedTask {
  /** Index within the chunk. */
  index: number
  /** When it started and stopped, ms since jobOrigin. */
  start: number
  end: number
  /** Tuples it produced before it stopped (all reported to the shared counter). */
  produced: number
}
