import type { LaneLabel } from '../../../shared/payloads'
import type { BackendKind } from '../../../shared/spec'
import type { KernelPlan } from '../../../shared/workloads'
import type { ChunkReply } from '../chunkProtocol'

/**
 * The seam between the engine and whatever runs its chunks. A back end owns its workers (threads,
 * processes, later hosts) and everything that touches them: shared memory, Atomics, Piscina, child
 * processes, /proc. The engine sees chunks go in and replies come back, with every timestamp on the
 * job clock.
 */

/** Who a lane is: one worker of a back end, by the host, process and thread it runs on (a payload type). */
export type { LaneLabel }

/** A chunk of work as the engine hands it over: plain data, no shared memory and no handles. */
export interface ChunkWork {
  firstTask: number
  /** The distinct kernel plans the chunk's tasks use. */
  plans: KernelPlan[]
  /** Per task of the chunk, an index into `plans`. */
  planIndex: Int32Array
  /** Keep mode as one integer (see KEEP_ALL, KEEP_NONE in chunkProtocol). */
  keep: number
  /**
   * A custom job's function source (its plans have the `json` layout). Sent with every chunk: a
   * structured clone copies a string of at most 64 KB in microseconds, and each worker compiles a
   * given source once and keeps it (see chunkWorker's compiled-code cache).
   */
  code?: string
  /**
   * A custom chunk's tasks' arguments as one JSON array text (one entry per task), when the job has
   * too many distinct calls to send their plans: `plans` then holds one plan whose args are unused.
   */
  argsJson?: string
}

/** The task of a chunk running now, and since when on the job clock. */
export interface RunningTask {
  /** Index within the chunk. */
  index: number
  since: number
  /** Tuples or work units it has reported so far (0 for a task too short to report). */
  progress: number
}

/** A chunk a worker has taken: its lane, since when (job clock), and its task running now. */
export interface ChunkActivity {
  lane: number
  receivedAt: number
  task: RunningTask | null
}

/** One chunk on its way through a back end. */
export interface ChunkRun {
  /**
   * The worker's reply with its lane, and `retried` when it comes from a second run of the chunk
   * (its first worker went silent); rejects when the chunk's worker died or was stopped.
   */
  readonly reply: Promise<ChunkReply & { lane: number; retried?: boolean }>
  /** The task of the chunk that is running now, or null between tasks and once it has ended. */
  running(): RunningTask | null
  /** Where the chunk is running, once a worker has taken it; null while it waits and once it has ended. */
  activity(): ChunkActivity | null
  /**
   * Stops the chunk's worker: the only way to stop a task that does not return. The worker is
   * replaced and `reply` rejects with `reason`.
   */
  stop(reason: Error): void
}

/** Live counters workers bump as they go, between chunk replies. */
export interface LiveCounts {
  tasksDone: number
  tasksFailed: number
  tuples: number
  /** Work units values tasks reported (see `WorkloadEntry.workUnits`). */
  work: number
}

/** The counts of several workers (children, agents) added up. */
export function sumLiveCounts(parts: Iterable<LiveCounts>): LiveCounts {
  const live: LiveCounts = { tasksDone: 0, tasksFailed: 0, tuples: 0, work: 0 }
  for (const counts of parts) {
    live.tasksDone += counts.tasksDone
    live.tasksFailed += counts.tasksFailed
    live.tuples += counts.tuples
    live.work += counts.work
  }
  return live
}

/** One job's channel to a back end's workers. */
export interface BackendJob {
  runChunk(work: ChunkWork): ChunkRun
  /**
   * The engine has filed this reply and no longer reads its per-task columns: a back end may
   * reuse their buffer for a later chunk of the job instead of its worker making a new one.
   */
  release?(reply: ChunkReply): void
  /** Asks every worker to stop at its next check; tasks under way keep what they computed. */
  cancel(): void
  live(): LiveCounts
}

/** A started, warm set of workers. */
export interface Backend {
  readonly kind: BackendKind
  /** Workers, one lane each: 0..lanes-1. */
  readonly lanes: number
  /** Milliseconds from creation until every worker had loaded its code and answered. */
  readonly startupMs: number
  /** Largest JS heap of one worker, MB. */
  readonly heapLimitMb: number
  /** Whether the pool was made for custom code (see BackendOptions.isolateCode). */
  readonly forCode: boolean
  readonly isDisposed: boolean
  laneLabels(): LaneLabel[]
  /**
   * Why chunks under way are not moving, when they wait for something outside PoolScope (the
   * cluster's agents); null when they are not waiting.
   */
  waiting?(): string | null
  /** Opens a job whose clock's zero is `origin`, epoch milliseconds on the engine's clock. */
  openJob(origin: number): BackendJob
  dispose(): Promise<void>
}

export interface BackendOptions {
  /** Absolute path of the bundled worker (a CommonJS file with a default export). */
  workerFile: string
  lanes: number
  heapLimitMb?: number
  /**
   * The pool runs custom code: a back end that can isolate its workers does (the processes back end
   * starts its children under Node's permission model where this Node has one).
   */
  isolateCode?: boolean
  /** The Redis URL of the `cluster` back end (the spec's `redis`); unused by the others. */
  redis?: string
  /** Errors the back end sees outside any chunk, so none goes unheard. */
  onError?: (error: Error) => void
}

export type BackendFactory = (options: BackendOptions) => Promise<Backend>
