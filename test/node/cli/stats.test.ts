// The job's statistics in the CLI: all of `job.stats` in `--json` (checked against the report's own
// timing figures), and the short block in the normal output, whose wording is checked exactly on
// made-up statistics.
import { describe, expect, it } from 'vitest'
import { statsLines } from '../../../src/main/cli/output'
import type { JobStats } from '../../../src/shared/protocol'
import { parseReport, runCli } from './cliHarness'

describe('--json carries the statistics', () => {
  it('has every figure of job.stats, agreeing with the timing summary', async () => {
    const result = await runCli([
      'run',
      '--workload',
      'busy_wait',
      '--ms',
      '2',
      '--tasks',
      '6',
      '--threads',
      '2',
      '--chunksize',
      '1',
      '--json'
    ])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    const { stats, timing } = report
    expect(stats).toMatchObject({ status: 'done', taskCount: 6, tasksTimed: 6, threads: 2 })
    expect(stats.wallMs).toBe(timing.wallMs)
    const busy = timing.busyMsPerLane.reduce((a, b) => a + b, 0)
    expect(stats.totalTaskMs).toBeCloseTo(busy, 6)
    expect(stats.utilization).toBeCloseTo(busy / (2 * timing.wallMs), 6)
    expect(stats.speedup).toBeCloseTo(busy / timing.wallMs, 6)
    expect(stats.loadImbalance).toBeGreaterThanOrEqual(1)
    expect(stats.engineCost.bookkeepingNsPerTask).toBeCloseTo(timing.overheadNsPerTask!, 3)
    const d = stats.durations!
    expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6)
    expect(d.histogram.edges).toHaveLength(d.histogram.counts.length + 1)
    expect(d.minMs).toBeGreaterThanOrEqual(2)
    expect(d.outliers.rule).toMatch(/Tukey/)
    expect(stats.queueWait).toMatchObject({ method: 'nearest-rank' })
    const w = stats.queueWait!
    expect(w.p50Ms).toBeLessThanOrEqual(w.p90Ms)
    expect(w.p90Ms).toBeLessThanOrEqual(w.p99Ms)
    expect(w.p99Ms).toBeLessThanOrEqual(w.maxMs)
  })
})

/** Statistics of a cancelled job: 3 of 10 tasks ran, one a slow outlier. */
const cancelled: JobStats = {
  jobId: 'job-1',
  status: 'cancelled',
  taskCount: 10,
  tasksTimed: 3,
  threads: 2,
  wallMs: 100,
  poolStartupMs: 0,
  poolReused: true,
  totalTaskMs: 60,
  stoppedTaskMs: 12.5,
  taskMsPerLane: [50, 10],
  utilization: 0.3,
  loadImbalance: 50 / 30,
  speedup: 0.6,
  durations: {
    minMs: 0.5,
    q1Ms: 0.5,
    medianMs: 9.5,
    q3Ms: 50,
    p90Ms: 50,
    meanMs: 20,
    maxMs: 50,
    histogram: { scale: 'log', edges: [0.5, 5, 50], counts: [1, 2], outlierCounts: [0, 1], zeroCount: 0 },
    outliers: { rule: 'r', scale: 'log', lowFenceMs: 0.25, highFenceMs: 40, slowCount: 1, fastCount: 0 },
    slowest: [
      { task: 7, ms: 50, lane: 0, outlier: true },
      { task: 2, ms: 9.5, lane: 1, outlier: false }
    ]
  },
  queueWait: { method: 'nearest-rank', p50Ms: 0.012, p90Ms: 1.5, p99Ms: 1.5, maxMs: 1.5, meanMs: 0.6 },
  engineCost: {
    bookkeepingMs: 0.0021,
    filingMs: 0.0009,
    sendingMs: 0.0003,
    bookkeepingNsPerTask: 700,
    filingNsPerTask: 300,
    sendingNsPerTask: 100,
    totalNsPerTask: 1100
  }
}

describe('the statistics block', () => {
  it('says which tasks it counts, and names the slow outliers by task', () => {
    expect(statsLines(cancelled)).toEqual([
      'Statistics of the 3 of 10 tasks that ran:',
      '  Task time 60.0 ms; utilization 30% of 2 threads × wall time; speedup 0.6× over the serial sum; ' +
        'load imbalance 1.67 (busiest thread ÷ mean)',
      '  Task durations: min 500.0 µs, median 9.50 ms, mean 20.0 ms, max 50.0 ms; ' +
        'outliers: 1 slower than 40.0 ms (task 7 50.0 ms)',
      '  Queue wait (chunk sent → task start, nearest rank): p50 12.0 µs, p90 1.50 ms, p99 1.50 ms, max 1.50 ms',
      "  PoolScope's own cost per task: 1100 ns (bookkeeping 700 ns on the workers, filing 300 ns and " +
        'sending 100 ns on the main thread)',
      '  Not counted: 12.5 ms in tasks a cancel stopped midway'
    ])
  })

  it('never shows a nearly idle pool as 0% or 0.0×', () => {
    const idle = { ...cancelled, utilization: 0.00312, speedup: 0.00624 }
    expect(statsLines(idle)[1]).toMatch(/utilization 0\.31% .* speedup 0\.006× over/)
  })

  it('says so when no task ran', () => {
    const none = { ...cancelled, tasksTimed: 0, durations: null, queueWait: null }
    expect(statsLines(none)).toEqual([
      'Statistics of the 0 of 10 tasks that ran:',
      '  none ran, so there is nothing to measure'
    ])
  })
})
