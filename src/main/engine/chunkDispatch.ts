import type { ChunkLog } from './chunkLog'

/**
 * What handing chunks over cost a finished job, read from its chunk log (every time on the job
 * clock; the cluster back end puts its agents' stamps on it too). Medians over the filed chunks:
 *
 * - `pickupMs`: from when the chunk could have started (sent, and its lane free: the lane's previous
 *   chunk replied) to when a worker took it — the queue's hand-over (for cluster: BullMQ's add and
 *   move-to-active, and the agent's hop to its worker thread);
 * - `returnMs`: from the worker's reply to the coordinator having it (for cluster: SET + PUBLISH,
 *   the subscriber, GET + DEL);
 * - `dispatchMs`: their sum, one chunk's queue work — what `chunkAdvice` weighs against the work.
 *
 * Null when no chunk was filed.
 */
export interface DispatchTimes {
  chunks: number
  pickupMs: number
  returnMs: number
  dispatchMs: number
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort()
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function dispatchTimes(log: ChunkLog): DispatchTimes | null {
  const { sentAt, receivedAt, repliedAt, arrivedAt } = log.times
  const pickup: number[] = []
  const back: number[] = []
  const both: number[] = []
  for (let lane = 0; lane < log.lanes; lane++) {
    let laneFreeAt = -Infinity
    for (const i of log.ofLane(lane)) {
      const ready = Math.max(sentAt[i], laneFreeAt)
      const up = Math.max(0, receivedAt[i] - ready)
      const down = Math.max(0, arrivedAt[i] - repliedAt[i])
      if (Number.isFinite(up) && Number.isFinite(down)) {
        pickup.push(up)
        back.push(down)
        both.push(up + down)
      }
      laneFreeAt = repliedAt[i]
    }
  }
  if (both.length === 0) return null
  return {
    chunks: both.length,
    pickupMs: median(Float64Array.from(pickup)),
    returnMs: median(Float64Array.from(back)),
    dispatchMs: median(Float64Array.from(both))
  }
}
