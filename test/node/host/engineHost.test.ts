import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import {
  MAX_TIMINGS_PAGE,
  type CommandOutcome,
  type EngineEvent,
  type JobSummary,
  type TimingBatch
} from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const mapCell = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
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
    // Progress and the end only: timings are asked for, never pushed.
    expect([...new Set(events.map((e) => e.type))]).toEqual(['job.progress', 'job.finished'])
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

  it('pages a finished job’s timings by task index: every task once, in order, adding up to each lane’s busy time', async () => {
    const summary = await runToEnd({ ...mapCell, inputs: { ...mapCell.inputs, tasks: 5000 } })
    expect(summary).toMatchObject({ status: 'done', tasksDone: 5000, threads: 2 })
    const busyMsPerLane = [0, 0]
    let next = 0
    for (const offset of [0, 2000, 4000]) {
      const page = result<TimingBatch>(
        await host.call('job.timings', { jobId: summary.jobId, offset, limit: 2000 })
      )
      expect(page.jobId).toBe(summary.jobId)
      for (let i = 0; i < page.task.length; i++) {
        expect(page.task[i]).toBe(next++)
        expect(page.end[i]).toBeGreaterThanOrEqual(page.start[i])
        busyMsPerLane[page.lane[i]] += page.end[i] - page.start[i]
      }
    }
    expect(next).toBe(5000)
    busyMsPerLane.forEach((ms, lane) => expect(ms).toBeCloseTo(summary.busyMsPerLane[lane], 6))
  })

  it('refuses timings of an unknown job, and a page larger than the limit', async () => {
    expect(await host.call('job.timings', { jobId: 'job-missing', offset: 0, limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_JOB' }
    })
    expect(
      await host.call('job.timings', { jobId: 'job-missing', offset: 0, limit: MAX_TIMINGS_PAGE + 1 })
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND', message: expect.stringMatching(/^job\.timings: /) }
    })
  })

  it('answers an unknown job id with a message, not a crash', async () => {
    const outcome = await host.call('job.summary', { jobId: 'job-missing' })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } })
  })
})
