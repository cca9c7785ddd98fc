// A job's dispatch cost per chunk, read from its chunk log: pick-up counted from when the lane
// was free (not from when the chunk was sent while another ran), reply to arrival, medians.
import { describe, expect, it } from 'vitest'
import { ChunkLog, type ChunkTrip } from '../../../src/main/engine/chunkLog'
import { dispatchTimes } from '../../../src/main/engine/chunkDispatch'

function trip(
  lane: number,
  firstTask: number,
  sentAt: number,
  receivedAt: number,
  repliedAt: number,
  arrivedAt: number
): ChunkTrip {
  return {
    lane,
    firstTask,
    count: 1,
    tid: -1,
    sentAt,
    receivedAt,
    repliedAt,
    arrivedAt,
    filedAt: arrivedAt,
    stoppedFrom: Number.NaN,
    stoppedTo: Number.NaN
  }
}

describe('dispatchTimes', () => {
  it('counts pick-up from when the lane was free, and takes medians', () => {
    const log = new ChunkLog(2)
    // Lane 0: the second chunk was sent while the first ran; it waited 2 ms after the lane freed.
    log.add(trip(0, 0, 0, 1, 11, 12))
    log.add(trip(0, 1, 0.5, 13, 23, 25))
    // Lane 1: 3 ms to pick up, 3 ms back.
    log.add(trip(1, 2, 0, 3, 10, 13))
    expect(dispatchTimes(log)).toEqual({ chunks: 3, pickupMs: 2, returnMs: 2, dispatchMs: 4 })
  })

  it('is null for a job that filed no chunk', () => {
    expect(dispatchTimes(new ChunkLog(2))).toBeNull()
  })
})
