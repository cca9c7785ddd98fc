// `job.stats` through the engine host on real jobs: the figures agree with the job's own timings,
// chunk log and summary computed here independently; a running job is refused; a cancelled job
// gives the statistics of the tasks that ran; an ended job's answer is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statsOfJob } from '../../../src/main/engine/jobStats'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { JobStats, JobSummary } from '../../../src/shared/protocol'
import { busyWaitSpec } from '../../fixtures/specs'
import { workerFile } from '../../paths'

describe('job.stats on a real job', () => {
  let host: EngineHost
  let jobId: string
  let summary: JobSummary
  let stats: JobStats

  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const started = await host.call('job.start', { spec: busyWaitSpec(6, 4) })
    if (!started.ok) throw new Error(started.error.message)
    jobId = (started.result as { jobId: string }).jobId
    summary = await host.engine.job(jobId).done
    const outcome = await host.call('job.stats', { jobId })
    if (!outcome.ok) throw new Error(outcome.error.message)
    stats = outcome.result as JobStats
  })
  afterAll(() => host.dispose())

  it('counts every task, with the summary’s wall time, start-up and threads', () => {
    expect(summary.status).toBe('done')
    expect(stats).toMatchObject({
      jobId,
      status: 'done',
      taskCount: 6,
      tasksTimed: 6,
      threads: 2,
      wallMs: summary.wallMs,
      poolReused: summary.poolReused
    })
  })

  it('sums the task time each lane ran, from the job’s own timings', () => {
    const { timings } = host.engine.job(jobId)
    const perLane = [0, 0]
    for (let task = 0; task < 6; task++)
      perLane[timings.lane[task]] += timings.end[task] - timings.start[task]
    expect(stats.taskMsPerLane[0]).toBeCloseTo(perLane[0], 9)
    expect(stats.taskMsPerLane[1]).toBeCloseTo(perLane[1], 9)
    const total = perLane[0] + perLane[1]
    expect(stats.totalTaskMs).toBeCloseTo(total, 9)
    // busy_wait(4) six times: at least 24 ms of task time.
    expect(total).toBeGreaterThanOrEqual(24)
    expect(stats.utilization).toBeCloseTo(total / (2 * summary.wallMs), 9)
    expect(stats.speedup).toBeCloseTo(total / summary.wallMs, 9)
    expect(stats.loadImbalance).toBeCloseTo(Math.max(...perLane) / (total / 2), 9)
  })

  it('gives the queue-wait percentiles of start − the chunk’s send, by nearest rank', () => {
    const { timings, chunks } = host.engine.job(jobId)
    const waits: number[] = []
    for (let c = 0; c < chunks.length; c++)
      waits.push(timings.start[chunks.firstTask[c]] - chunks.times.sentAt[c])
    waits.sort((a, b) => a - b)
    // Six waits: p50 is the 3rd, p90 and p99 the 6th.
    expect(stats.queueWait).toMatchObject({
      method: 'nearest-rank',
      p50Ms: waits[2],
      p90Ms: waits[5],
      p99Ms: waits[5],
      maxMs: waits[5]
    })
    expect(waits[0]).toBeGreaterThanOrEqual(0)
  })

  it('splits the engine’s own cost: the summary’s bookkeeping, the chunks’ filing, the sends', () => {
    const job = host.engine.job(jobId)
    const bookkeepingMs = summary.laneTime.reduce((sum, lane) => sum + lane.bookkeepingMs, 0)
    expect(stats.engineCost.bookkeepingMs).toBeCloseTo(bookkeepingMs, 9)
    expect(stats.engineCost.bookkeepingNsPerTask).toBeCloseTo(summary.overheadNsPerTask!, 6)
    expect(stats.engineCost.filingMs).toBeCloseTo(job.filingMs, 6)
    expect(stats.engineCost.sendingMs).toBe(job.sendingMs)
    expect(job.sendingMs).toBeGreaterThan(0)
    const { bookkeepingNsPerTask, filingNsPerTask, sendingNsPerTask, totalNsPerTask } = stats.engineCost
    expect(totalNsPerTask).toBeCloseTo(bookkeepingNsPerTask! + filingNsPerTask! + sendingNsPerTask!, 6)
  })

  it('bins six durations of about 4 ms into a histogram holding them all', () => {
    const d = stats.durations!
    expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6)
    expect(d.minMs).toBeGreaterThanOrEqual(4)
    expect(d.slowest).toHaveLength(5)
    expect(d.slowest[0].ms).toBe(d.maxMs)
  })

  it('keeps an ended job’s answer', () => {
    const job = host.engine.job(jobId)
    expect(statsOfJob(job)).toBe(statsOfJob(job))
  })

  it('refuses a running job, and gives a cancelled job the statistics of the tasks that ran', async () => {
    const started = await host.call('job.start', { spec: busyWaitSpec(40, 20) })
    if (!started.ok) throw new Error(started.error.message)
    const id = (started.result as { jobId: string }).jobId
    const refused = await host.call('job.stats', { jobId: id })
    expect(refused).toMatchObject({ ok: false, error: { code: 'JOB_RUNNING' } })
    if (!refused.ok) expect(refused.error.message).toMatch(/still running.*once it has ended/)
    await new Promise((resolve) => setTimeout(resolve, 120))
    await host.call('job.cancel', { jobId: id })
    const outcome = await host.call('job.stats', { jobId: id })
    if (!outcome.ok) throw new Error(outcome.error.message)
    const cancelled = outcome.result as JobStats
    const ended = host.engine.job(id).summary()
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.tasksTimed).toBe(ended.tasksDone)
    expect(cancelled.tasksTimed).toBeLessThan(40)
    expect(cancelled.tasksTimed).toBeGreaterThan(0)
    expect(cancelled.stoppedTaskMs).toBeCloseTo(
      ended.laneTime.reduce((sum, lane) => sum + lane.stoppedMs, 0),
      9
    )
  })

  it('refuses an unknown job, as the other job commands do', async () => {
    expect(await host.call('job.stats', { jobId: 'job-nope' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_JOB' }
    })
  })
})
