import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type {
  CommandOutcome,
  EngineEvent,
  JobBusyBins,
  JobSummary,
  TimingBatch
} from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const mapCell = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}

/**
 * Busy-time bins computed the slow, obvious way, apart from BusyTimeBins: for every bin of every
 * lane, the sum over that lane's tasks of the overlap of the task with the bin, the tasks touching it
 * (overlapping it, or starting in it if of no length) and those touching it and the next bin too.
 */
function naiveBins(tasks: TimingBatch, lanes: number, maxBins: number, width: number) {
  const busy = new Float64Array(lanes * maxBins)
  const touched = new Uint32Array(lanes * maxBins)
  const cross = new Uint32Array(lanes * maxBins)
  const touches = (start: number, end: number, b: number) => {
    const from = b * width
    const to = (b + 1) * width
    return end > start ? start < to && end > from : start >= from && start < to
  }
  for (let i = 0; i < tasks.task.length; i++) {
    const start = tasks.start[i]
    const end = tasks.end[i]
    const row = tasks.lane[i] * maxBins
    for (let b = 0; b < maxBins; b++) {
      busy[row + b] += Math.max(0, Math.min(end, (b + 1) * width) - Math.max(start, b * width))
      if (!touches(start, end, b)) continue
      touched[row + b]++
      if (b + 1 < maxBins && touches(start, end, b + 1)) cross[row + b]++
    }
  }
  return { busy, touched, cross }
}

function result<T>(outcome: CommandOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result as T
}

describe('EngineHost', () => {
  let host: EngineHost
  beforeAll(() => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => host.dispose())

  it.each(['toString', '__proto__', 'constructor', 'job.nope', 42])(
    'refuses %s as a command name',
    async (name) => {
      const outcome = await host.call(name, {})
      expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } })
    }
  )

  it('refuses malformed parameters with the field that is wrong', async () => {
    const outcome = await host.call('job.results', { jobId: 'x', offset: -1, limit: 5 })
    expect(outcome.ok).toBe(false)
    expect(!outcome.ok && outcome.error).toMatchObject({
      code: 'INVALID_COMMAND',
      message: expect.stringMatching(/offset/)
    })
  })

  it('reports a bad spec as a clear error with its field path and no stack', async () => {
    const outcome = await host.call('job.start', { spec: { ...mapCell, threads: 0 } })
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'INVALID_SPEC', message: 'threads: threads must be at least 1', path: ['threads'] }
    })
  })

  it('plans without running and says when a job is over budget', async () => {
    const plan = result<{ totalTuples: string; overBudget: string | null }>(
      await host.call('job.plan', {
        spec: {
          workload: 'combinations_n',
          style: 'starmap',
          inputs: { kind: 'recipe', elements: Array.from({ length: 60 }, (_, i) => i), n: [30], tasks: 2 }
        }
      })
    )
    expect(plan.totalTuples).toBe(String(2n * 118264581564861424n))
    expect(plan.overBudget).toMatch(
      /^this job would hold 6.15 EiB \(6.15 EiB of kept tuples, .*over the 2.00 GiB memory budget; keep count only/
    )
  })

  it('runs a job, streams throttled events and serves results, tuples and timings in pages', async () => {
    const events: EngineEvent[] = []
    const unsubscribe = host.onEvent((event) => events.push(event))
    const started = result<{ jobId: string; taskCount: number }>(
      await host.call('job.start', { spec: mapCell })
    )
    expect(started.taskCount).toBe(4)
    const finished = await new Promise<JobSummary>((resolve) => {
      const check = host.onEvent((event) => {
        if (event.type === 'job.finished') {
          check()
          resolve(event.payload)
        }
      })
    })
    unsubscribe()
    expect(finished.status).toBe('done')
    expect(events.some((e) => e.type === 'job.progress')).toBe(true)
    const page = result<{ total: number; rows: Array<{ args: string; count: number; preview: string[] }> }>(
      await host.call('job.results', { jobId: started.jobId, offset: 2, limit: 10 })
    )
    expect(page.total).toBe(4)
    expect(page.rows).toHaveLength(2)
    expect(page.rows[0]).toMatchObject({ args: '(0, 1, 2, 3, 4, 5)', count: 15 })
    const tuples = result<{ tuples: string[] }>(
      await host.call('job.tuples', { jobId: started.jobId, task: 0, offset: 13, limit: 5 })
    )
    expect(tuples.tuples).toEqual(['(3, 5)', '(4, 5)'])
    const timings = result<{ task: Int32Array }>(
      await host.call('job.timings', { jobId: started.jobId, offset: 0, limit: 100 })
    )
    expect(Array.from(timings.task)).toEqual([0, 1, 2, 3])
    const csv = result<{ text: string }>(
      await host.call('job.export', { jobId: started.jobId, format: 'csv' })
    )
    expect(csv.text.split('\n').slice(0, 3)).toEqual([
      'task,status,index,tuple',
      '0,done,0,"(0, 1)"',
      '0,done,1,"(0, 2)"'
    ])
  })

  /** Starts a job and resolves with its summary when it has finished. */
  async function runToEnd(spec: unknown): Promise<JobSummary> {
    const done = new Promise<JobSummary>((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.type === 'job.finished') {
          stop()
          resolve(event.payload)
        }
      })
    })
    result<{ jobId: string }>(await host.call('job.start', { spec }))
    return done
  }

  it('bins a finished job on the host as a naive per-bin sum over its paged timings says', async () => {
    const summary = await runToEnd({ ...mapCell, inputs: { ...mapCell.inputs, tasks: 5000 } })
    expect(summary).toMatchObject({ status: 'done', tasksDone: 5000, threads: 2 })
    const timings = result<TimingBatch>(
      await host.call('job.timings', { jobId: summary.jobId, offset: 0, limit: 5000 })
    )
    expect(timings.task.length).toBe(5000)

    const bins = result<JobBusyBins>(await host.call('job.busyBins', { jobId: summary.jobId }))
    expect(bins).toMatchObject({ jobId: summary.jobId, laneCount: 2, maxBins: 512, tasks: 5000 })
    expect(bins.busy).toBeInstanceOf(Float64Array)
    expect([bins.busy.length, bins.touched.length, bins.cross.length]).toEqual([1024, 1024, 1024])
    // The width: a power of two, the least with every task ending inside the 512 bins.
    const maxEnd = Math.max(...timings.end)
    expect(bins.maxEnd).toBe(maxEnd)
    expect(Number.isInteger(Math.log2(bins.binMs))).toBe(true)
    expect(bins.binMs * 512).toBeGreaterThan(maxEnd)
    expect((bins.binMs / 2) * 512).toBeLessThanOrEqual(maxEnd)

    const expected = naiveBins(timings, 2, 512, bins.binMs)
    // Every task ran on a lane and touched at least one bin; busy time adds up to the lane's.
    expect(expected.touched.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(5000)
    for (let lane = 0; lane < 2; lane++) {
      const row = expected.busy.subarray(lane * 512, (lane + 1) * 512)
      expect(row.reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(summary.busyMsPerLane[lane], 6)
    }
    expect(Array.from(bins.touched)).toEqual(Array.from(expected.touched))
    expect(Array.from(bins.cross)).toEqual(Array.from(expected.cross))
    const off = Array.from(bins.busy).flatMap((ms, i) =>
      Math.abs(ms - expected.busy[i]) > 1e-9 ? [{ bin: i, host: ms, naive: expected.busy[i] }] : []
    )
    expect(off).toEqual([])
  })

  it('bins only the tasks that ran and answers the same bins when asked again', async () => {
    const summary = await runToEnd({ ...mapCell, inputs: { ...mapCell.inputs, tasks: 3 } })
    const first = result<JobBusyBins>(await host.call('job.busyBins', { jobId: summary.jobId }))
    const again = result<JobBusyBins>(await host.call('job.busyBins', { jobId: summary.jobId }))
    expect(first.tasks).toBe(3)
    expect(first.touched.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(3)
    expect(again).toEqual(first)
    // Each answer is a copy: changing one does not change the host's bins.
    first.busy.fill(-1)
    const third = result<JobBusyBins>(await host.call('job.busyBins', { jobId: summary.jobId }))
    expect(third.busy).toEqual(again.busy)
  })

  it('refuses busy bins of an unknown job, and parameters other than the job id', async () => {
    expect(await host.call('job.busyBins', { jobId: 'job-missing' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_JOB' }
    })
    expect(await host.call('job.busyBins', { jobId: 'job-missing', offset: 0 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND', message: expect.stringMatching(/^job\.busyBins: /) }
    })
  })

  it('answers an unknown job id with a message, not a crash', async () => {
    const outcome = await host.call('job.summary', { jobId: 'job-missing' })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } })
  })
})
