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
        25
      )
    ).toEqual({ tasksMs: 14, bookkeepingMs: 2, awaitingWorkMs: 4, idleAtEndMs: 5 })
  })

  it('counts a lane that never got a chunk as idle for the whole job', () => {
    expect(laneTime([], 0, 7)).toEqual({ tasksMs: 0, bookkeepingMs: 0, awaitingWorkMs: 0, idleAtEndMs: 7 })
  })

  it('keeps the parts adding up to the wall time when clocks jitter past the job’s ends', () => {
    const parts = laneTime(
      [
        [-0.01, 6],
        [5.99, 10.02]
      ],
      9,
      10
    )
    expect(parts.tasksMs + parts.bookkeepingMs + parts.awaitingWorkMs + parts.idleAtEndMs).toBeCloseTo(10, 9)
    expect(Object.values(parts).every((ms) => ms >= 0)).toBe(true)
  })
})
