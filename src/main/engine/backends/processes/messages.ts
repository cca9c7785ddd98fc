import type { ChunkReply } from '../../chunkProtocol'
import type { ChunkWork } from '../backend'

/**
 * Messages between the `processes` back end (parent) and one child process, sent over Node's IPC
 * channel with `serialization: 'advanced'` (structured clone): typed arrays and ArrayBuffers cross
 * the boundary, copied. Nothing here is shared memory: the child keeps the chunk's control,
 * counter and heartbeat buffers on its side and relays what the parent needs to know.
 */

/** Parent → child. */
export type ToChild =
  /** First message: load the worker on one thread of a Piscina pool of one, and warm it. */
  | { kind: 'init'; workerFile: string; heapLimitMb: number }
  /** Clock probe: the child answers with its clock at once. */
  | { kind: 'ping'; seq: number }
  | {
      kind: 'chunk'
      /** The back end's id for the chunk. */
      id: number
      /** The job's id within this back end; a new id opens new counters and a new cancel flag. */
      job: number
      /** The job clock's zero on the child's own clock (the parent's origin plus the clock offset). */
      jobOrigin: number
      /** The job was cancelled before this chunk was sent (a replacement child must not run it). */
      cancelled: boolean
      work: ChunkWork
    }
  /** Stop the job's tasks at their next check, as the threads' shared cancel flag does. */
  | { kind: 'cancel'; job: number }
  /** Give back a chunk that has not started yet, so an idle child can take it. */
  | { kind: 'withdraw'; id: number }
  /** Shut the worker down and exit. */
  | { kind: 'exit' }

/** A chunk's worker, as a child relays its heartbeat: the task running now and since when (job clock). */
export interface RelayedBeat {
  /** Index within the chunk, -1 between tasks. */
  task: number
  since: number
  /** Tuples or work units the running task has reported (see HEARTBEAT.progress). */
  progress: number
  /** When the worker took the chunk (job clock), -1 before (JSON has no NaN). */
  received: number
}

/** Live counters of one job on one child (totals since the job's first chunk there). */
export interface ChildCounts {
  job: number
  tasksDone: number
  tasksFailed: number
  tuples: number
  work: number
}

/** An error as it crosses the boundary: enough to tell an out-of-memory worker from others. */
export interface ErrorData {
  name: string
  message: string
  code?: string
}

/** Child → parent. */
export type FromChild =
  | { kind: 'ready'; threadId: number }
  | { kind: 'pong'; seq: number; now: number }
  /** The chunk went to the worker thread. */
  | { kind: 'started'; id: number }
  /** Every ~20 ms while a chunk runs: the counters and the heartbeat. */
  | { kind: 'live'; id: number; beat: RelayedBeat; counts: ChildCounts }
  | {
      kind: 'reply'
      id: number
      reply: ChunkReply
      counts: ChildCounts
      /** When the child handed the reply to the IPC channel, on the job clock. */
      sentAt: number
    }
  /** The chunk's worker thread died (its pool replaced it); `beat` is its last heartbeat. */
  | { kind: 'failed'; id: number; error: ErrorData; beat: RelayedBeat; counts: ChildCounts }
  | { kind: 'withdrawn'; id: number; ok: boolean }
  /** An error outside any chunk (the pool's `error` event). */
  | { kind: 'error'; error: ErrorData }
