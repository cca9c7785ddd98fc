import { redactPaths } from '../../shared/redactPaths'

/** What is known when a chunk never came back: its worker thread died or was stopped. */
export interface LostChunk {
  firstTask: number
  count: number
  /** The task that was running when the worker stopped, when one was. */
  running: number | null
  /** The task that overran the job's task timeout, when that is why the worker was stopped. */
  timedOutTask: number | null
  timeoutMs: number | undefined
  heapLimitMb: number
  /** What the pool rejected the chunk with. */
  error: unknown
}

function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
}

/**
 * The failure message of each task of a chunk whose worker stopped: the task that was running gets
 * the cause (overran its timeout, ran out of heap, or the worker's own error); the others of the
 * chunk say they were lost with it, since their results went down with the thread.
 */
export function chunkFailures(lost: LostChunk): { messageOf(task: number): string } {
  const last = lost.firstTask + lost.count - 1
  const reason = redactPaths(
    (lost.error instanceof Error ? lost.error.message : String(lost.error)).split('\n', 1)[0]
  )
  const culprit = lost.timedOutTask ?? lost.running
  let cause: string
  if (lost.timedOutTask !== null) {
    cause = `ran longer than the ${lost.timeoutMs} ms task timeout; it was stopped and its worker thread replaced`
  } else if (isOutOfMemory(lost.error)) {
    // A cluster agent's threads have a heap limit of their own, which its error carries.
    const limit = (lost.error as { heapLimitMb?: unknown }).heapLimitMb
    const heapLimitMb = typeof limit === 'number' ? limit : lost.heapLimitMb
    cause = `ran out of memory: it reached the worker's ${heapLimitMb} MB heap limit; its worker thread was replaced`
  } else {
    cause = `the worker stopped while running this task: ${reason}`
  }
  const others =
    culprit === null
      ? `worker stopped while running tasks ${lost.firstTask}–${last}: ${reason}`
      : `lost with tasks ${lost.firstTask}–${last}: the worker stopped while running task ${culprit}`
  return { messageOf: (task) => (task === culprit ? cause : others) }
}
