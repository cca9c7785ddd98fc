// The skew bounds a job's chunk round trips give, on hand-made trips.
import { describe, expect, it } from 'vitest'
import { ChunkLog } from '../../../src/main/engine/chunkLog'
import { laneClockBounds, leastSkewMs } from '../../../src/main/engine/clockBounds'

function trip(lane: number, sentAt: number, receivedAt: number, repliedAt: number, arrivedAt: number) {
  return {
    lane,
    firstTask: 0,
    count: 1,
    tid: -1,
    sentAt,
    receivedAt,
    repliedAt,
    arrivedAt,
    filedAt: arrivedAt,
    stoppedFrom: NaN,
    stoppedTo: NaN
  }
}

describe('laneClockBounds', () => {
  it('keeps, per lane, the tightest bound each side of the skew', () => {
    const log = new ChunkLog(2)
    // Lane 0, 0.3 ms ahead: trips of 1 ms and 0.2 ms each way (worker stamps include the 0.3).
    log.add(trip(0, 10, 11.3, 12.3, 12))
    log.add(trip(0, 20, 20.5, 21.5, 21.4))
    // Lane 1, on time, one trip.
    log.add(trip(1, 5, 5.1, 6, 6.2))
    const [lane0, lane1] = laneClockBounds(log)
    expect(lane0).toEqual({
      lane: 0,
      aheadAtLeastMs: expect.closeTo(0.3, 9),
      aheadAtMostMs: expect.closeTo(0.5, 9),
      trips: 2
    })
    expect(lane1).toEqual({
      lane: 1,
      aheadAtLeastMs: expect.closeTo(-0.2, 9),
      aheadAtMostMs: expect.closeTo(0.1, 9),
      trips: 1
    })
    expect(leastSkewMs(lane0)).toBeCloseTo(0.3, 9)
    expect(leastSkewMs(lane1)).toBe(0)
  })

  it('merges the trips of later jobs on the same pool and skips chunks that were never answered', () => {
    const first = new ChunkLog(1)
    first.add(trip(0, 0, 1, 2, 3))
    const second = new ChunkLog(1)
    second.add(trip(0, 0, 0.5, 1, 1.2))
    second.add(trip(0, 0, NaN, NaN, 4))
    const merged = laneClockBounds(second, laneClockBounds(first))
    expect(merged).toEqual([
      { lane: 0, aheadAtLeastMs: expect.closeTo(-0.2, 9), aheadAtMostMs: 0.5, trips: 2 }
    ])
  })

  it('says how far from 0 a lane behind the main thread must be', () => {
    expect(leastSkewMs({ lane: 0, aheadAtLeastMs: -3, aheadAtMostMs: -2, trips: 1 })).toBe(2)
    // Crossed bounds: no single skew fits, the larger distance is the least it must be.
    expect(leastSkewMs({ lane: 0, aheadAtLeastMs: 0.4, aheadAtMostMs: -0.1, trips: 2 })).toBe(0.4)
  })
})
