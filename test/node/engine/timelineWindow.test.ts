// The timeline window a job reports (job.timeline): every lane's time split into the breakdown's
// categories, which must agree with the summary's lane time; the dispatcher lane; detail against
// bins; zooming into a window; the running job's live chunk and task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { timelineWindow } from '../../../src/main/engine/timelineWindow'
import type { TimelineWindow } from '../../../src/shared/protocol'
import { SEGMENT } from '../../../src/shared/timeline'
import { busyWaitSpec } from '../../fixtures/specs'
import { workerFile } from '../../paths'

/** Milliseconds of each segment kind per lane of a detailed window. */
function segmentTotals(window: TimelineWindow): Map<string, number> {
  const totals = new Map<string, number>()
  const s = window.segments
  if (!s) throw new Error('expected a detailed window')
  for (let i = 0; i < s.lane.length; i++) {
    const key = `${s.lane[i]}:${s.kind[i]}`
    const from = Math.max(s.from[i], window.from)
    const to = Math.min(s.to[i], window.to)
    totals.set(key, (totals.get(key) ?? 0) + Math.max(0, to - from))
  }
  return totals
}

/** Milliseconds of one kind on one lane of a binned window. */
function binTotal(window: TimelineWindow, lane: number, kind: number): number {
  const bins = window.bins
  if (!bins) throw new Error('expected a binned window')
  const row = (lane * bins.kinds + kind) * bins.count
  let sum = 0
  for (let b = 0; b < bins.count; b++) sum += bins.ms[row + b]
  return sum
}

describe('job.timeline', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('splits each lane of a finished job as its summary does, in detail and in bins alike', async () => {
    const job = await engine.start(busyWaitSpec(6, 8))
    const summary = await job.done
    expect(summary.status).toBe('done')
    const detail = timelineWindow(job, { from: 0, to: summary.wallMs })
    expect(detail.detail).toBe('tasks')
    expect(detail.now).toBe(summary.wallMs)
    expect(detail.tasksInWindow).toBe(6)
    const totals = segmentTotals(detail)
    for (let lane = 0; lane < 2; lane++) {
      const time = summary.laneTime[lane]
      const get = (kind: number) => totals.get(`${lane}:${kind}`) ?? 0
      // A chunk is one bookkeeping segment with its tasks drawn over it.
      expect(get(SEGMENT.bookkeeping)).toBeCloseTo(time.tasksMs + time.bookkeepingMs, 6)
      expect(get(SEGMENT.waiting)).toBeCloseTo(time.awaitingWorkMs, 6)
      expect(get(SEGMENT.idle)).toBeCloseTo(time.idleAtEndMs, 6)
      const whole = get(SEGMENT.bookkeeping) + get(SEGMENT.waiting) + get(SEGMENT.idle)
      expect(whole).toBeCloseTo(summary.wallMs, 6)
    }
    // Every task is there once, with its own timing, on its lane.
    const tasks = detail.tasks!
    expect(Array.from(tasks.task).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    const page = job.timings.page(0, 6)
    for (let i = 0; i < 6; i++) {
      const task = tasks.task[i]
      expect(tasks.start[i]).toBe(page.start[task])
      expect(tasks.end[i]).toBe(page.end[task])
      expect(tasks.lane[i]).toBe(page.lane[task])
      expect(tasks.running[i]).toBe(0)
      expect(tasks.readyAt[i]).toBeLessThanOrEqual(tasks.start[i])
      // busy_wait returns the milliseconds it spun.
      expect(tasks.output[i]).toBeGreaterThanOrEqual(8)
      expect(detail.calls[tasks.call[i]]).toBe('8')
    }
    // The dispatcher lane: a send per chunk, and each reply filed.
    expect(detail.sends.length).toBe(6)
    expect(totals.get(`2:${SEGMENT.filing}`) ?? 0).toBeGreaterThan(0)

    const binned = timelineWindow(job, { from: 0, to: summary.wallMs, maxTasks: 0, bins: 64 })
    expect(binned.detail).toBe('bins')
    expect(binned.bins!.count).toBe(64)
    for (let lane = 0; lane < 2; lane++) {
      const time = summary.laneTime[lane]
      expect(binTotal(binned, lane, SEGMENT.task)).toBeCloseTo(time.tasksMs, 6)
      expect(binTotal(binned, lane, SEGMENT.bookkeeping)).toBeCloseTo(time.bookkeepingMs, 6)
      expect(binTotal(binned, lane, SEGMENT.waiting)).toBeCloseTo(time.awaitingWorkMs, 6)
      expect(binTotal(binned, lane, SEGMENT.idle)).toBeCloseTo(time.idleAtEndMs, 6)
    }
  })

  it('shows the pool start-up before zero when the pool was started for the job', async () => {
    const fresh = new Engine({ workerFile, hardwareThreads: 2 })
    try {
      const job = await fresh.start(busyWaitSpec(2, 2))
      const summary = await job.done
      expect(summary.poolReused).toBe(false)
      const window = timelineWindow(job)
      expect(window.startupMs).toBe(summary.poolStartupMs)
      expect(window.from).toBe(-summary.poolStartupMs)
      expect(window.to).toBe(summary.wallMs)
      const totals = segmentTotals(window)
      expect(totals.get(`0:${SEGMENT.startup}`)).toBeCloseTo(summary.poolStartupMs, 6)
      // A second job reuses the pool: nothing before zero.
      const again = await fresh.start(busyWaitSpec(2, 2))
      await again.done
      expect(timelineWindow(again).startupMs).toBe(0)
      expect(timelineWindow(again).from).toBe(0)
    } finally {
      await fresh.dispose()
    }
  })

  it('zooms into a window of a many-task job down to single tasks', async () => {
    const job = await engine.start({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      keep: 'count',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 200_000 }
    })
    const summary = await job.done
    const whole = timelineWindow(job, { bins: 400 })
    expect(whole.detail).toBe('bins')
    expect(whole.tasksInWindow).toBe(200_000)
    const allTasks = [0, 1].reduce((sum, lane) => sum + binTotal(whole, lane, SEGMENT.task), 0)
    expect(allTasks).toBeCloseTo(summary.laneTime[0].tasksMs + summary.laneTime[1].tasksMs, 4)
    // Bin by bin, the same task time and task count as binning each task on its own.
    const bins = whole.bins!
    const timings = job.timings.page(0, 200_000)
    const naive = new Float64Array(2 * bins.count)
    const touched = new Uint32Array(2 * bins.count)
    for (let i = 0; i < timings.task.length; i++) {
      const lane = timings.lane[i]
      const first = Math.floor((timings.start[i] - whole.from) / bins.binMs)
      const last = Math.min(bins.count - 1, Math.floor((timings.end[i] - whole.from) / bins.binMs))
      for (let b = first; b <= last; b++) {
        const lo = Math.max(timings.start[i], whole.from + b * bins.binMs)
        const hi = Math.min(timings.end[i], whole.from + (b + 1) * bins.binMs)
        naive[lane * bins.count + b] += Math.max(0, hi - lo)
        touched[lane * bins.count + b]++
      }
    }
    for (let lane = 0; lane < 2; lane++)
      for (let b = 0; b < bins.count; b++) {
        expect(bins.ms[(lane * bins.kinds + SEGMENT.task) * bins.count + b]).toBeCloseTo(
          naive[lane * bins.count + b],
          9
        )
        expect(bins.tasks[lane * bins.count + b]).toBe(touched[lane * bins.count + b])
      }
    // Around task 100,000's start, a window a few tasks wide is shown in detail.
    const page = job.timings.page(100_000, 1)
    const at = page.start[0]
    const zoomed = timelineWindow(job, { from: at - 0.001, to: at + 0.002 })
    expect(zoomed.detail).toBe('tasks')
    expect(zoomed.tasksInWindow).toBeGreaterThan(0)
    expect(zoomed.tasksInWindow).toBeLessThan(200)
    expect(Array.from(zoomed.tasks!.task)).toContain(100_000)
    for (let i = 0; i < zoomed.tasks!.task.length; i++) {
      expect(zoomed.tasks!.end[i]).toBeGreaterThanOrEqual(zoomed.from)
      expect(zoomed.tasks!.start[i]).toBeLessThanOrEqual(zoomed.to)
    }
  })

  it('shows the running chunk and its running task while the job runs', async () => {
    const job: Job = await engine.start(busyWaitSpec(2, 400))
    await new Promise((resolve) => setTimeout(resolve, 150))
    const window = timelineWindow(job)
    expect(window.running).toBe(true)
    expect(window.detail).toBe('tasks')
    const tasks = window.tasks!
    const running = Array.from(tasks.running).filter((flag) => flag === 1).length
    expect(running).toBe(2)
    for (let i = 0; i < tasks.task.length; i++) {
      expect(tasks.end[i]).toBe(window.now)
      // busy_wait reports the microseconds it has spun.
      expect(tasks.progress[i]).toBeGreaterThan(0)
    }
    await job.done
  })

  it('answers through the host and refuses a window that ends before it starts', async () => {
    const { EngineHost } = await import('../../../src/main/host/engineHost')
    const host = new EngineHost({ workerFile, hardwareThreads: 2 })
    try {
      const started = await host.call('job.start', { spec: busyWaitSpec(2, 1) })
      expect(started.ok).toBe(true)
      const jobId = (started as { result: { jobId: string } }).result.jobId
      await host.call('job.cancel', { jobId })
      const window = await host.call('job.timeline', { jobId, from: 0, to: 50, bins: 10 })
      expect(window.ok).toBe(true)
      const bad = await host.call('job.timeline', { jobId, from: 5, to: 1 })
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } })
      expect((bad as { error: { message: string } }).error.message).toMatch(/from must be before to/)
      const tooMany = await host.call('job.timeline', { jobId, bins: 1e6 })
      expect(tooMany.ok).toBe(false)
    } finally {
      await host.dispose()
    }
  })
})

describe('job.timeline at the edges', () => {
  let engine: Engine
  let job: Job
  beforeAll(async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    job = await engine.start(busyWaitSpec(4, 1))
    await job.done
  })
  afterAll(() => engine.dispose())

  it('measures windows far outside the job, vanishingly narrow or astronomically wide, without a hang or NaN', () => {
    const windows = [
      timelineWindow(job, { from: 0, to: 5e-324, bins: 2000 }),
      timelineWindow(job, { from: -1e300, to: 1e300, bins: 2000 }),
      timelineWindow(job, { from: 1e9, to: 1e9 + 1 }),
      timelineWindow(job, { from: -1e9, to: -1e9 + 1, maxTasks: 0 })
    ]
    for (const window of windows) {
      expect(window.to - window.from).toBeGreaterThanOrEqual(1e-6)
      for (const value of window.bins?.ms ?? []) expect(Number.isFinite(value)).toBe(true)
      for (const value of window.segments?.from ?? []) expect(Number.isFinite(value)).toBe(true)
    }
    // Nothing of the job lies a second before it began or a million seconds after it.
    expect(windows[2].tasksInWindow).toBe(0)
    expect(windows[3].tasksInWindow).toBe(0)
  })
})
