import type { LaneTime } from '../../shared/protocol'

/** When a worker began and finished one chunk, ms on the job clock. */
export type ChunkSpan = readonly [receivedAt: number, repliedAt: number]

/**
 * Splits one lane's share of a job's wall time into tasks, tasks a cancel stopped midway,
 * bookkeeping inside chunks, waiting for the next chunk, and idling after the last one. The parts
 * add up to `wallMs`: nothing is estimated, every part is a difference of timestamps (`busyMs` and
 * `stoppedMs` are sums of task durations, which lie inside the lane's chunks). A lane that never
 * got a chunk idled.
 */
export function laneTime(
  spans: readonly ChunkSpan[],
  busyMs: number,
  stoppedMs: number,
  wallMs: number
): LaneTime {
  if (spans.length === 0)
    return { tasksMs: 0, stoppedMs: 0, bookkeepingMs: 0, awaitingWorkMs: 0, idleAtEndMs: wallMs }
  const sorted = [...spans].sort((a, b) => a[0] - b[0])
  const clamp = (t: number) => Math.min(wallMs, Math.max(0, t))
  let inChunks = 0
  let awaiting = 0
  let previousEnd = 0
  for (const [received, replied] of sorted) {
    const start = clamp(Math.max(received, previousEnd))
    const end = clamp(Math.max(replied, start))
    awaiting += start - previousEnd
    inChunks += end - start
    previousEnd = end
  }
  const tasksMs = Math.min(busyMs, inChunks)
  const stopped = Math.min(stoppedMs, inChunks - tasksMs)
  return {
    tasksMs,
    stoppedMs: stopped,
    bookkeepingMs: inChunks - tasksMs - stopped,
    awaitingWorkMs: awaiting,
    idleAtEndMs: wallMs - previousEnd
  }
}
