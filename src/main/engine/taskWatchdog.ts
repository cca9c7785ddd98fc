import { HEARTBEAT } from './chunkProtocol'

/** A chunk in flight, as the watchdog sees it. */
export interface WatchedChunk {
  readonly firstTask: number
  /** The chunk's heartbeat (see HEARTBEAT): its running task and since when. */
  readonly heartbeat: Float64Array
  /** Aborting it makes Piscina stop the chunk's worker thread and start a new one. */
  readonly controller: AbortController
  /** The task that overran the timeout, once one did. */
  timedOutTask: number | null
}

/**
 * Stops tasks that run longer than a job's task timeout. A worker thread running JavaScript cannot
 * be interrupted from outside, so an overrunning task is stopped the only way there is: its chunk
 * is aborted, and Piscina terminates the thread and replaces it. Checks a few times per timeout.
 */
export class TaskWatchdog {
  private readonly chunks = new Set<WatchedChunk>()
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly timeoutMs: number,
    /** Now, on the job clock (the heartbeat's clock). */
    private readonly now: () => number
  ) {
    const period = Math.min(250, Math.max(5, timeoutMs / 4))
    this.timer = setInterval(() => this.check(), period)
    this.timer.unref()
  }

  watch(firstTask: number, heartbeat: SharedArrayBuffer): WatchedChunk {
    const chunk: WatchedChunk = {
      firstTask,
      heartbeat: new Float64Array(heartbeat),
      controller: new AbortController(),
      timedOutTask: null
    }
    this.chunks.add(chunk)
    return chunk
  }

  release(chunk: WatchedChunk): void {
    this.chunks.delete(chunk)
  }

  stop(): void {
    clearInterval(this.timer)
    this.chunks.clear()
  }

  private check(): void {
    const now = this.now()
    for (const chunk of this.chunks) {
      const { heartbeat } = chunk
      const since = heartbeat[HEARTBEAT.since]
      const task = heartbeat[HEARTBEAT.task]
      // The worker writes `since` then `task`: a `since` that moved meanwhile belongs to a new task.
      if (task < 0 || heartbeat[HEARTBEAT.since] !== since || chunk.timedOutTask !== null) continue
      if (now - since > this.timeoutMs) {
        chunk.timedOutTask = chunk.firstTask + task
        chunk.controller.abort(new Error(`task ${chunk.timedOutTask} exceeded the task timeout`))
      }
    }
  }
}
