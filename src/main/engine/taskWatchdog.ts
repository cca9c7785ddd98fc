import type { ChunkRun } from './backends/backend'

/** A chunk in flight, as the watchdog sees it. */
export interface WatchedChunk {
  readonly firstTask: number
  readonly run: ChunkRun
  /** The task that overran the timeout, once one did. */
  timedOutTask: number | null
}

/**
 * Stops tasks that run longer than a job's task timeout. A worker running JavaScript cannot be
 * interrupted from outside, so an overrunning task is stopped the only way there is: its chunk's
 * worker is stopped, and its back end replaces it. Checks a few times per timeout.
 */
export class TaskWatchdog {
  private readonly chunks = new Set<WatchedChunk>()
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly timeoutMs: number,
    /** Now, on the job clock. */
    private readonly now: () => number
  ) {
    const period = Math.min(250, Math.max(5, timeoutMs / 4))
    this.timer = setInterval(() => this.check(), period)
    this.timer.unref()
  }

  watch(firstTask: number, run: ChunkRun): WatchedChunk {
    const chunk: WatchedChunk = { firstTask, run, timedOutTask: null }
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
      if (chunk.timedOutTask !== null) continue
      const running = chunk.run.running()
      if (running && now - running.since > this.timeoutMs) {
        chunk.timedOutTask = chunk.firstTask + running.index
        chunk.run.stop(new Error(`task ${chunk.timedOutTask} exceeded the task timeout`))
      }
    }
  }
}
