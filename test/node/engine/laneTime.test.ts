import { describe, expect, it } from 'vitest'
import { laneTime } from '../../../src/main/engine/laneTime'

describe('laneTime', () => {
  it('splits a lane’s wall time into tasks, bookkeeping, waiting for work and idling at the end', () => {
    // Chunks at 2–10 and 12–20 ms on a 25 ms job; 14 ms of it inside tasks.
    expect(
      laneTime(
        [
          [12, 20],
          [2, 10]
        ],
        14,
        0,
        25
      )
    ).toEqual({ tasksMs: 14, stoppedMs: 0, bookkeepingMs: 2, awaitingWorkMs: 4, idleAtEndMs: 5 })
  })

  it('counts a lane that never got a chunk as idle for the whole job', () => {
    expect(laneTime([], 0, 0, 7)).toEqual({
      tasksMs: 0,
      stoppedMs: 0,
      bookkeepingMs: 0,
      awaitingWorkMs: 0,
      idleAtEndMs: 7
    })
  })

  it('counts a task a cancel stopped midway as stopped time, not as bookkeeping', () => {
    // One chunk at 1–30 ms: 4 ms of finished tasks, then a task stopped after 24 ms.
    expect(laneTime([[1, 30]], 4, 24, 31)).toEqual({
      tasksMs: 4,
      stoppedMs: 24,
      bookkeepingMs: 1,
      awaitingWorkMs: 1,
      idleAtEndMs: 1
    })
  })

  it('clips chunks whose clocks jitter past the job’s ends to the job', () => {
    // The first chunk seems to start before the job, the second to end after it and to overlap the first.
    expect(
      laneTime(
        [
          [-0.01, 6],
          [5.99, 10.02]
        ],
        9,
        0,
        10
      )
    ).toEqual({ tasksMs: 9, stoppedMs: 0, bookkeepingMs: 1, awaitingWorkMs: 0, idleAtEndMs: 0 })
  })
})
