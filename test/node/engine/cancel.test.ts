// Cancelling through EngineHost: prompt, final, harmless when repeated or late, and leaving the
// pool as it found it.
import { readdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { CommandOutcome, EngineEvent, JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** 400 tasks of all 7-combinations of range(30), counted only: 814 million tuples, many seconds on 2 threads. */
const longJob = {
  workload: 'combinations_n',
  style: 'starmap',
  threads: 2,
  inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 400 },
  keep: 'count'
}

/** 8 such tasks: a few hundred milliseconds, longer than the 100 ms event period. */
const mediumJob = { ...longJob, inputs: { ...longJob.inputs, tasks: 8 } }

/** The notebook's map cell: 4 tasks of the 15 pairs of range(6). */
const notebookJob = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: range(6), tasks: 4 }
}

const CANCEL_DEADLINE_MS = 200
const CYCLES = 50

interface LoggedEvent {
  event: EngineEvent
  at: number
}

/** Every event the host emits, with its arrival time, and promises for a job's milestones. */
class EventLog {
  readonly events: LoggedEvent[] = []
  private readonly waiters: Array<{ test: (event: EngineEvent) => boolean; resolve: (at: number) => void }> =
    []

  constructor(host: EngineHost) {
    host.onEvent((event) => {
      const at = performance.now()
      this.events.push({ event, at })
      for (const waiter of [...this.waiters]) {
        if (waiter.test(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          waiter.resolve(at)
        }
      }
    })
  }

  /** Resolves with the arrival time of the first event (past or future) that passes `test`. */
  private when(test: (event: EngineEvent) => boolean): Promise<number> {
    const seen = this.events.find(({ event }) => test(event))
    if (seen) return Promise.resolve(seen.at)
    return new Promise((resolve) => this.waiters.push({ test, resolve }))
  }

  finishedAt(jobId: string): Promise<number> {
    return this.when((e) => e.type === 'job.finished' && e.payload.jobId === jobId)
  }

  async finished(jobId: string): Promise<JobSummary> {
    await this.finishedAt(jobId)
    return this.of(jobId).find((e) => e.type === 'job.finished')?.payload as JobSummary
  }

  /** Resolves once the job has reported tuples done: it is really running, not only queued. */
  running(jobId: string): Promise<number> {
    return this.when(
      (e) => e.type === 'job.progress' && e.payload.jobId === jobId && e.payload.tuplesDone > 0
    )
  }

  of(jobId: string): EngineEvent[] {
    return this.events
      .map(({ event }) => event)
      .filter((event) => 'jobId' in event.payload && event.payload.jobId === jobId)
  }
}

function resultOf<T>(outcome: CommandOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result as T
}

/** OS threads of this process (main, V8 and libuv helpers, and every pool thread). */
function osThreads(): number {
  return readdirSync('/proc/self/task').length
}

describe('cancelling a job through EngineHost', () => {
  let host: EngineHost
  let log: EventLog

  async function start(spec: unknown): Promise<string> {
    return resultOf<{ jobId: string }>(await host.call('job.start', { spec })).jobId
  }

  async function cancel(jobId: string): Promise<CommandOutcome> {
    return host.call('job.cancel', { jobId })
  }

  /**
   * Resolves once the job has ended and the engine is idle again. (Its `job.finished` event comes a
   * moment before the engine lets go of it, so tests that start the next job wait on this instead.)
   */
  async function ended(jobId: string): Promise<void> {
    await host.engine.job(jobId).done
  }

  async function runToEnd(spec: unknown): Promise<JobSummary> {
    const jobId = await start(spec)
    const summary = await log.finished(jobId)
    await ended(jobId)
    return summary
  }

  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    log = new EventLog(host)
    // Warm the 2-thread pool (and every lazily started helper thread) before anything is measured.
    await runToEnd(notebookJob)
  })
  afterAll(() => host?.dispose())

  it(`ends a running job within ${CANCEL_DEADLINE_MS} ms of its cancel, as cancelled with the work done so far`, async () => {
    const jobId = await start(longJob)
    await log.running(jobId)
    const cancelledAt = performance.now()
    const reply = await cancel(jobId)
    // `job.finished` comes only after every chunk in flight has returned, so the workers have stopped too.
    const finishedAt = await log.finishedAt(jobId)
    expect(reply).toEqual({ ok: true, result: { cancelled: true } })
    expect(finishedAt - cancelledAt).toBeLessThan(CANCEL_DEADLINE_MS)
    const summary = await log.finished(jobId)
    expect(summary).toMatchObject({ jobId, status: 'cancelled', partial: true, taskCount: 400 })
    expect(summary.tasksDone).toBeLessThan(400)
    // Tuples of tasks stopped midway count as computed (none of them kept).
    expect(summary.tuplesProduced).toBe(summary.tasksDone * 2_035_800 + summary.tuplesOfStoppedTasks)
    expect(summary.tuplesOfStoppedTasks).toBeLessThan(summary.tasksStopped * 2_035_800 + 1)
    await ended(jobId)
  })

  it('sends no event for a cancelled job after its finished event', async () => {
    const jobId = await start(longJob)
    await log.running(jobId)
    await cancel(jobId)
    await ended(jobId)
    // Listen on while a later job runs for several event periods, instead of sleeping.
    const later = await runToEnd(mediumJob)
    expect(later.status).toBe('done')
    const types = log.of(jobId).map((event) => event.type)
    expect(types.filter((type) => type === 'job.finished')).toHaveLength(1)
    expect(types.at(-1)).toBe('job.finished')
  })

  it.skipIf(process.platform !== 'linux')(
    'leaves as many OS threads as before the cancelled job, and after the next job (Linux only: counts /proc/self/task)',
    async () => {
      const before = osThreads()
      const jobId = await start(longJob)
      await log.running(jobId)
      const during = osThreads()
      await cancel(jobId)
      await ended(jobId)
      const afterCancel = osThreads()
      await runToEnd(notebookJob)
      const afterNext = osThreads()
      expect({ during, afterCancel, afterNext }).toEqual({
        during: before,
        afterCancel: before,
        afterNext: before
      })
    }
  )

  it('answers a second cancel of the same job with cancelled: false, and the next job still runs', async () => {
    const jobId = await start(longJob)
    await log.running(jobId)
    const [first, second] = await Promise.all([cancel(jobId), cancel(jobId)])
    expect(first).toEqual({ ok: true, result: { cancelled: true } })
    expect(second).toEqual({ ok: true, result: { cancelled: false } })
    expect((await log.finished(jobId)).status).toBe('cancelled')
    await ended(jobId)
    expect(await runToEnd(notebookJob)).toMatchObject({ status: 'done', tuplesProduced: 60 })
  })

  it('answers a cancel after the job has finished with cancelled: false and leaves it done', async () => {
    const summary = await runToEnd(notebookJob)
    expect(await cancel(summary.jobId)).toEqual({ ok: true, result: { cancelled: false } })
    const after = resultOf<JobSummary>(await host.call('job.summary', { jobId: summary.jobId }))
    expect(after).toMatchObject({ status: 'done', partial: false, tasksDone: 4 })
  })

  it('shows the reason a cancel gives in the job status, and refuses a reason that is not short printable text', async () => {
    const jobId = await start(longJob)
    await log.running(jobId)
    const refused = await host.call('job.cancel', { jobId, reason: 'x'.repeat(121) })
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: expect.stringMatching(/reason must be 1 to 120 printable ASCII/)
      }
    })
    const outcome = await host.call('job.cancel', { jobId, reason: 'cancelled: the teacher moved on' })
    expect(outcome).toEqual({ ok: true, result: { cancelled: true } })
    const summary = await log.finished(jobId)
    expect(summary.message).toMatch(/^cancelled: the teacher moved on: \d+ of 400 tasks completed and kept/)
    await ended(jobId)
  })

  it('refuses to cancel a job id it never issued with UNKNOWN_JOB', async () => {
    const outcome = await cancel('job-ffffffff')
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } })
  })

  it(`accepts a start sent right after a cancel's reply, in ${CYCLES} start/cancel/start cycles`, async () => {
    const refused: string[] = []
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const first = await start(longJob)
      expect(resultOf(await cancel(first))).toEqual({ cancelled: true })
      const second = await host.call('job.start', { spec: longJob })
      if (!second.ok) {
        refused.push(`cycle ${cycle}: ${second.error.code}`)
        await ended(first)
        continue
      }
      const secondId = (second.result as { jobId: string }).jobId
      await cancel(secondId)
      await ended(secondId)
    }
    expect(refused).toEqual([])
  }, 60_000)
})
