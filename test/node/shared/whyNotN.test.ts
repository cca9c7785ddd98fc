import { describe, expect, it } from 'vitest'
import type { LaneTime } from '../../../src/shared/protocol'
import { whyNotN, type WhyNotNInput } from '../../../src/shared/whyNotN'

/** One lane's wall time; the parts given add up to the job's wall time in every case below. */
function lane(
  tasksMs: number,
  bookkeepingMs: number,
  awaitingWorkMs: number,
  idleAtEndMs: number,
  stoppedMs = 0
): LaneTime {
  return { tasksMs, stoppedMs, bookkeepingMs, awaitingWorkMs, idleAtEndMs }
}

/** A finished job on a warm pool, unless the case says otherwise. */
function job(wallMs: number, laneTime: LaneTime[], overrides: Partial<WhyNotNInput> = {}): WhyNotNInput {
  return {
    status: 'done',
    wallMs,
    threads: laneTime.length,
    laneTime,
    poolStartupMs: 0,
    poolReused: true,
    ...overrides
  }
}

describe('whyNotN', () => {
  it('names bookkeeping when a million tiny tasks on 2 threads spend their time in the engine', () => {
    const result = whyNotN(job(1000, [lane(450, 380, 150, 20), lane(450, 380, 150, 20)]))
    expect(result).toEqual({
      speedup: 0.9,
      utilization: 0.45,
      threads: 2,
      largestLoss: { kind: 'bookkeeping', ms: 760, shareOfThreadTime: 0.38 },
      sentence:
        'Speedup 0.9× on 2 threads (utilization 45%): most lost time is bookkeeping (38% of thread time) — ' +
        "tasks are so short that the engine's per-task cost rivals them; larger tasks or fewer, bigger " +
        'chunks would help.'
    })
  })

  it('names waiting for work when the workers wait for the main thread to hand over chunks', () => {
    const result = whyNotN(
      job(
        200,
        Array.from({ length: 4 }, () => lane(100, 10, 80, 10))
      )
    )
    expect(result?.speedup).toBe(2)
    expect(result?.utilization).toBe(0.5)
    expect(result?.largestLoss).toEqual({ kind: 'waiting', ms: 320, shareOfThreadTime: 0.4 })
    expect(result?.sentence).toBe(
      'Speedup 2.0× on 4 threads (utilization 50%): most lost time is waiting for work (40% of thread ' +
        'time) — the main thread is not handing out chunks fast enough, as it also files every reply (on ' +
        'a core the workers may share); fewer, bigger chunks need fewer hand-overs.'
    )
  })

  it('on a cluster, puts waiting for work down to chunks crossing the network, not the main thread', () => {
    const lanes = Array.from({ length: 4 }, () => lane(100, 10, 80, 10))
    const result = whyNotN(job(200, lanes, { spec: { backend: 'cluster' } }))
    expect(result?.largestLoss).toEqual({ kind: 'waiting', ms: 320, shareOfThreadTime: 0.4 })
    expect(result?.sentence).toBe(
      'Speedup 2.0× on 4 threads (utilization 50%): most lost time is waiting for work (40% of thread ' +
        'time) — every chunk goes through Redis to an agent and its reply comes back the same way, a ' +
        'network round trip each; fewer, bigger chunks need fewer trips.'
    )
  })

  it('names imbalance when workers that finished early idle while the slowest is still busy', () => {
    const result = whyNotN(
      job(100, [lane(95, 3, 2, 0), lane(60, 2, 2, 36), lane(30, 1, 1, 68), lane(11, 1, 1, 87)])
    )
    expect(result?.speedup).toBeCloseTo(1.96, 12)
    expect(result?.utilization).toBeCloseTo(0.49, 12)
    expect(result?.largestLoss).toEqual({ kind: 'imbalance', ms: 191, shareOfThreadTime: 0.4775 })
    expect(result?.sentence).toBe(
      'Speedup 2.0× on 4 threads (utilization 49%): most lost time is idle at the end (48% of thread ' +
        'time) — some workers ran out of work while others were still busy: uneven task costs, or too few ' +
        'tasks or chunks for the threads.'
    )
  })

  it('explains idling at the end on 1 thread as the main thread finishing, with no other worker to wait for', () => {
    const result = whyNotN(job(100, [lane(50, 5, 5, 40)]))
    expect(result?.largestLoss).toEqual({ kind: 'imbalance', ms: 40, shareOfThreadTime: 0.4 })
    expect(result?.sentence).toBe(
      'Speedup 0.5× on 1 thread (utilization 50%): most lost time is idle at the end (40% of thread ' +
        'time) — the worker had finished its last chunk while the main thread was still filing the last ' +
        'results.'
    )
  })

  it('names a pool started for a short job as lost thread time, even when the job itself used it well', () => {
    const result = whyNotN(
      job(40, [lane(36, 2, 1, 1), lane(36, 2, 1, 1)], { poolStartupMs: 120, poolReused: false })
    )
    expect(result?.utilization).toBe(0.9)
    expect(result?.largestLoss).toEqual({ kind: 'startup', ms: 240, shareOfThreadTime: 3 })
    expect(result?.sentence).toBe(
      'Speedup 1.8× on 2 threads (utilization 90%): most lost time is pool start-up (120.0 ms before the ' +
        'job began) — starting the pool took longer than the job itself; the next run on the same threads ' +
        'and back end reuses the warm pool.'
    )
  })

  it('gives a start-up shorter than the job as its share of the wall time', () => {
    const result = whyNotN(job(100, [lane(70, 10, 10, 10)], { poolStartupMs: 30, poolReused: false }))
    expect(result?.largestLoss).toEqual({ kind: 'startup', ms: 30, shareOfThreadTime: 0.3 })
    expect(result?.sentence).toContain(
      "most lost time is pool start-up (30.0 ms before the job began) — starting the pool took 30% of the job's wall time;"
    )
  })

  it('counts no start-up for a reused warm pool', () => {
    const result = whyNotN(job(100, [lane(70, 10, 10, 10)], { poolStartupMs: 30, poolReused: true }))
    expect(result?.largestLoss.kind).toBe('bookkeeping')
  })

  it('says the pool was used well at 90% utilization or more, and that the thread count limits the speedup', () => {
    const result = whyNotN(job(40, [lane(36, 2, 1, 1), lane(36, 2, 1, 1)]))
    expect(result?.largestLoss).toEqual({ kind: 'bookkeeping', ms: 4, shareOfThreadTime: 0.05 })
    expect(result?.sentence).toBe(
      'Speedup 1.8× on 2 threads (utilization 90%): the pool was used well; the speedup is limited by the ' +
        'thread count (at most 2×) and by the cores free to run them.'
    )
  })

  it('says a well-used single thread cannot exceed 1×, in the singular', () => {
    const result = whyNotN(job(100, [lane(96, 2, 1, 1)]))
    expect(result?.sentence).toBe(
      'Speedup 1.0× on 1 thread (utilization 96%): the pool was used well; on 1 thread the speedup cannot exceed 1×.'
    )
  })

  it('keeps a very small speedup from reading as 0.0×', () => {
    const result = whyNotN(job(1000, [lane(40, 960, 0, 0)]))
    expect(result?.sentence).toMatch(
      /^Speedup 0\.04× on 1 thread \(utilization 4%\): most lost time is bookkeeping \(96% /
    )
  })

  it('counts the time of tasks a cancel stopped as task time, and says so', () => {
    const result = whyNotN(
      job(200, [lane(20, 2, 6, 2, 170), lane(30, 4, 4, 2, 160)], { status: 'cancelled' })
    )
    expect(result?.speedup).toBe(1.9)
    expect(result?.utilization).toBe(0.95)
    expect(result?.sentence).toBe(
      'Speedup 1.9× on 2 threads (utilization 95%, counting tasks a cancel stopped midway): the pool was ' +
        'used well; the speedup is limited by the thread count (at most 2×) and by the cores free to run them.'
    )
  })

  it('explains a cancelled job whose only work was stopped midway', () => {
    const result = whyNotN(job(100, [lane(0, 1, 1, 58, 40)], { status: 'cancelled' }))
    expect(result?.utilization).toBe(0.4)
    expect(result?.largestLoss.kind).toBe('imbalance')
  })

  it('picks the first loss in order when two are equal', () => {
    expect(whyNotN(job(100, [lane(40, 30, 30, 0)]))?.largestLoss.kind).toBe('bookkeeping')
  })

  it('has nothing to say while the job runs', () => {
    expect(whyNotN(job(100, [lane(50, 10, 10, 30)], { status: 'running' }))).toBeNull()
  })

  it('has nothing to say when no wall time passed', () => {
    expect(whyNotN(job(0, [lane(0, 0, 0, 0)]))).toBeNull()
  })

  it('has nothing to say when no task ran', () => {
    expect(whyNotN(job(5, [lane(0, 0, 5, 0), lane(0, 0, 0, 5)], { status: 'cancelled' }))).toBeNull()
  })

  it('has nothing to say without threads', () => {
    expect(whyNotN(job(10, [], { threads: 0 }))).toBeNull()
  })
})
