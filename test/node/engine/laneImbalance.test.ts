// A job whose load is deliberately uneven, and the lane time the summary reports for it, checked
// against the tasks' own timings (which laneTime never sees: it works from chunk spans and the
// workers' busy totals). The lane that ran the one long task idles hardly at all at the end; the
// other, done with its short tasks early, idles for most of the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { workerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** A chunk's set-up before its first task and its reply after its last: well under this. */
const CHUNK_SLACK_MS = 25

/** The 5-combinations of range(22): 26,334 tuples, a few milliseconds. */
const shortTask = [range(22), 5]

/**
 * Task 0 is all 7-combinations of range(36), 8,347,680 tuples: 317 times a short task, and 26 times
 * the twelve short tasks after it together. One task per chunk, so the long task holds one lane
 * while the other lane takes every short one.
 */
function unevenJob(longTask: unknown[] = [range(36), 7]) {
  return {
    workload: 'combinations_n',
    style: 'starmap',
    threads: 2,
    chunkSize: 1,
    keep: 'count',
    inputs: { kind: 'args', args: [longTask, ...new Array(12).fill(shortTask)] }
  }
}

describe('lane time of an unevenly loaded job', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('shows the imbalance as idle time at the end of the lane without the long task', async () => {
    // Warm the pool and the kernel first, so the short tasks are short from the start.
    const warmUp = await engine.start(unevenJob(shortTask))
    await warmUp.done
    const job = await engine.start(unevenJob())
    const summary = await job.done
    expect(summary.status).toBe('done')
    const paged = job.timings.page(0, 13)
    expect(Array.from(paged.task)).toEqual(range(13))
    const duration = (i: number) => paged.end[i] - paged.start[i]

    const longLane = paged.lane[0]
    const otherLane = 1 - longLane
    const shortOnes = range(13).slice(1)
    // The load really was uneven: every short task ran on the other lane, and all of them together
    // took well under the long one.
    expect(shortOnes.map((i) => paged.lane[i])).toEqual(new Array(12).fill(otherLane))
    const shortBusy = shortOnes.reduce((sum, i) => sum + duration(i), 0)
    expect(shortBusy).toBeLessThan(duration(0) / 4)
    const otherLastEnd = Math.max(...shortOnes.map((i) => paged.end[i]))

    const long = summary.laneTime[longLane]
    const other = summary.laneTime[otherLane]
    for (const parts of [long, other]) {
      expect(Math.min(...Object.values(parts))).toBeGreaterThanOrEqual(0)
      expect(parts.stoppedMs).toBe(0)
    }
    // Time in tasks is each lane's own tasks' durations.
    expect(long.tasksMs).toBeCloseTo(duration(0), 6)
    expect(other.tasksMs).toBeCloseTo(shortBusy, 6)
    // The long task's lane ends with the job; the other idles from its last short task to the end,
    // most of the job.
    expect(long.idleAtEndMs).toBeLessThanOrEqual(summary.wallMs - paged.end[0])
    expect(other.idleAtEndMs).toBeLessThanOrEqual(summary.wallMs - otherLastEnd)
    expect(other.idleAtEndMs).toBeGreaterThanOrEqual(summary.wallMs - otherLastEnd - CHUNK_SLACK_MS)
    expect(other.idleAtEndMs).toBeGreaterThan(summary.wallMs / 2)
    expect(long.idleAtEndMs).toBeLessThan(other.idleAtEndMs / 10)
    // The long task's lane waited for work only before its one chunk, so before its one task; the
    // other only in the gaps between its tasks.
    expect(long.awaitingWorkMs).toBeLessThanOrEqual(paged.start[0])
    expect(other.awaitingWorkMs).toBeLessThanOrEqual(otherLastEnd - shortBusy)
  })
})
