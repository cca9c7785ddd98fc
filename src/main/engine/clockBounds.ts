import type { ChunkLog } from './chunkLog'

/**
 * How far one lane's clock can be from the main thread's, after the engine's correction, judged
 * from causality alone: nothing here trusts the offset the engine measured at start-up.
 *
 * Every chunk is a round trip on two clocks. The main thread stamps `sentAt` before it hands the
 * chunk over and `arrivedAt` once it has the reply; the worker stamps `receivedAt` when it takes
 * the chunk and `repliedAt` before it answers. A worker cannot take a chunk before it was sent nor
 * answer after the answer arrived, so if the lane's clock reads `skew` ms ahead of the main
 * thread's, `repliedAt - arrivedAt ≤ skew ≤ receivedAt - sentAt`. The tightest trip of many (one
 * sent while the worker was idle, answered while the main thread was free) pins the skew down, as
 * NTP keeps its shortest round trip.
 */
export interface LaneClockBounds {
  lane: number
  /** The lane's clock is at least this many ms ahead of the main thread's (negative: behind). */
  aheadAtLeastMs: number
  /** …and at most this many. */
  aheadAtMostMs: number
  /** Chunk round trips the bounds come from. */
  trips: number
}

/** The bounds each lane's chunks in `log` give, merged into `into` (bounds of earlier jobs on the same pool). */
export function laneClockBounds(log: ChunkLog, into: LaneClockBounds[] = []): LaneClockBounds[] {
  const { sentAt, receivedAt, repliedAt, arrivedAt } = log.times
  for (let i = 0; i < log.length; i++) {
    const lane = log.lane[i]
    const upper = receivedAt[i] - sentAt[i]
    const lower = repliedAt[i] - arrivedAt[i]
    // A chunk that failed or was never answered has no trip to learn from.
    if (!Number.isFinite(upper) || !Number.isFinite(lower)) continue
    const bounds = (into[lane] ??= {
      lane,
      aheadAtLeastMs: -Infinity,
      aheadAtMostMs: Infinity,
      trips: 0
    })
    bounds.aheadAtLeastMs = Math.max(bounds.aheadAtLeastMs, lower)
    bounds.aheadAtMostMs = Math.min(bounds.aheadAtMostMs, upper)
    bounds.trips++
  }
  return into
}

/**
 * The skew the bounds allow at the least, in ms: 0 when they include 0 (no skew is shown), else the
 * distance from 0 to the nearer bound. Bounds that cross (lower above upper) cannot come from one
 * constant skew; the larger of the two is then the least skew consistent with either.
 */
export function leastSkewMs(bounds: LaneClockBounds): number {
  const { aheadAtLeastMs: lower, aheadAtMostMs: upper } = bounds
  if (lower <= 0 && upper >= 0) return 0
  return lower > 0 && upper < 0 ? Math.max(lower, -upper) : lower > 0 ? lower : -upper
}
