import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { CommandOutcome, EngineEvent, SweepProgress, SweepResult } from '../../../src/shared/protocol'
import { checkPayload } from '../../../src/shared/payloads'
import type { Job } from '../../../src/main/engine/job'
import { workerFile } from '../../paths'

const BUSY_WAIT = {
  workload: 'busy_wait',
  style: 'map',
  inputs: { kind: 'recipe', ms: [5], tasks: 8 }
}

function resultOf<T>(outcome: CommandOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result as T
}

function errorOf(outcome: CommandOutcome): { code: string; message: string } {
  if (outcome.ok) throw new Error('expected a refusal')
  return outcome.error
}

describe('sweeps through the host', () => {
  let host: EngineHost
  const events: EngineEvent[] = []
  beforeAll(() => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    host.onEvent((event) => events.push(event))
  })
  afterAll(() => host.dispose())

  function finished(sweepId: string): Promise<SweepResult> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = events.find((e) => e.type === 'sweep.finished' && e.payload.sweepId === sweepId)
        if (found) resolve(found.payload as SweepResult)
        return found !== undefined
      }
      if (check()) return
      const stop = host.onEvent(() => {
        if (check()) stop()
      })
    })
  }

  it('runs a small busy_wait sweep: every point measured, count-only, start-up apart, analysed', async () => {
    // The sweep's jobs, as the engine started them (the engine forgets each once it is measured).
    const started = new Map<string, Job>()
    const start = host.engine.start.bind(host.engine)
    host.engine.start = async (...args) => {
      const job = await start(...args)
      started.set(job.id, job)
      return job
    }
    const jobsBefore = resultOf<unknown[]>(await host.call('job.list', {})).length
    const { sweepId } = resultOf<{ sweepId: string }>(
      await host.call('sweep.start', { spec: BUSY_WAIT, threads: [1, 2], repeat: 2, maxSeconds: 1 })
    )
    expect(sweepId).toMatch(/^sweep-[0-9a-f]{8}$/)
    // Refused while the sweep runs, with why.
    const refused = errorOf(await host.call('job.start', { spec: BUSY_WAIT }))
    expect(refused.code).toBe('JOB_RUNNING')
    expect(refused.message).toBe(
      `job.start refused: the engine is busy with sweep ${sweepId}; cancel it (sweep.cancel) or wait for it to finish`
    )
    const again = errorOf(await host.call('sweep.start', { spec: BUSY_WAIT }))
    expect(again.message).toMatch(/^sweep\.start refused: the engine is busy with sweep /)

    const result = await finished(sweepId)
    // The event's payload has the contract's shape, as the page checks it.
    expect(() => checkPayload('event', 'sweep.finished', result)).not.toThrow()
    expect(result.status).toBe('done')
    expect(result.spec.keep).toBe('count')
    expect(result.machine.hardwareThreads).toBe(2)
    expect(result.machine.cpuModel.length).toBeGreaterThan(0)
    expect(result.points.map((p) => p.threads)).toEqual([1, 2])
    for (const point of result.points) {
      expect(point.taskCount).toBe(8)
      expect(point.samples.length).toBeGreaterThanOrEqual(2)
      // 8 tasks of 5 ms: at least 40 ms on one thread, 20 ms on two.
      expect(Math.min(...point.samples)).toBeGreaterThanOrEqual(point.threads === 1 ? 39 : 19)
      expect(point.warmups.length).toBeGreaterThanOrEqual(1)
      expect(point.warmups[0].poolStartupMs).toBeGreaterThan(0)
      // Short (8 × 5 ms) unless this shared machine slowed them past 100 ms.
      expect(point.summary!.tooShort).toBe(point.summary!.median < 100)
      for (const run of point.runs) {
        expect(run.short).toBe(run.wallMs < 100)
        expect(run.outsideCores === null || run.outsideCores >= 0).toBe(true)
        if (process.platform === 'linux') expect(run.loadAverage1m).toBeGreaterThanOrEqual(0)
        // Each sample is its job's wall time, as the engine reported it.
        const job = started.get(run.jobId)!.summary()
        expect(job.wallMs).toBe(run.wallMs)
        // The engine let go of it once measured: a sweep's runs never fill the retained jobs.
        expect(errorOf(await host.call('job.summary', { jobId: run.jobId })).code).toBe('UNKNOWN_JOB')
        // The measured run always found its pool warm: start-up never in a sample.
        expect(job.poolReused).toBe(true)
      }
    }
    const analysis = result.analysis[0]
    expect(analysis.error).toBeNull()
    expect(analysis.result!.points[1].speedup).toBeGreaterThan(1)
    if (result.points.every((p) => p.summary!.tooShort))
      expect(result.warnings[0]).toMatch(/^Runs under 100 ms at 1, 2 threads/)
    const progress = events.filter((e) => e.type === 'sweep.progress').map((e) => e.payload as SweepProgress)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({
      sweepId,
      runsDone: result.runsDone,
      pointsDone: 2,
      current: null
    })
    // Sweep runs are not reported as job events, nor kept: warm-ups included, none is listed.
    expect(events.some((e) => e.type === 'job.finished')).toBe(false)
    // Every job the sweep started is a measured run or a pool's warm-up (one per pool start: a point
    // left alone for its extra rounds keeps its warm pool).
    const warmups = result.points.reduce((n, p) => n + p.warmups.length, 0)
    const measured = result.points.reduce((n, p) => n + p.runs.length, 0)
    expect(started.size).toBe(measured + warmups)
    expect(warmups).toBeGreaterThanOrEqual(2)
    expect(resultOf<unknown[]>(await host.call('job.list', {}))).toHaveLength(jobsBefore)
    host.engine.start = start
    // sweep.get gives the same result; a job starts again once the sweep has ended.
    expect(resultOf<SweepResult>(await host.call('sweep.get', { sweepId })).runsDone).toBe(result.runsDone)
    resultOf(await host.call('job.start', { spec: { ...BUSY_WAIT, threads: 1 } }))
    await new Promise((r) => setTimeout(r, 100))
  })

  it('cancel stops the run in progress, keeps the finished points and leaves the engine usable', async () => {
    // 4 tasks of 100 ms: each run takes 200–400 ms.
    const spec = { ...BUSY_WAIT, inputs: { kind: 'recipe', ms: [100], tasks: 4 } }
    const { sweepId } = resultOf<{ sweepId: string }>(
      await host.call('sweep.start', { spec, threads: [1, 2], repeat: 3 })
    )
    // Wait until two measured runs are in, then cancel during the next.
    await new Promise<void>((resolve) => {
      const stop = host.onEvent((e) => {
        if (e.type === 'sweep.progress' && e.payload.sweepId === sweepId && e.payload.runsDone >= 2) {
          stop()
          resolve()
        }
      })
    })
    const started = performance.now()
    expect(resultOf(await host.call('sweep.cancel', { sweepId }))).toEqual({ cancelled: true })
    // The reply came once the sweep had ended, without waiting for its remaining runs.
    expect(performance.now() - started).toBeLessThan(2000)
    const result = resultOf<SweepResult>(await host.call('sweep.get', { sweepId }))
    expect(result.status).toBe('cancelled')
    expect(result.runsDone).toBeGreaterThanOrEqual(2)
    expect(result.runsDone).toBeLessThan(6)
    expect(result.points.every((p) => p.stopReason === 'cancelled')).toBe(true)
    const samples = result.points.flatMap((p) => p.samples)
    expect(samples).toHaveLength(result.runsDone)
    // Every kept sample is a whole run (at least two 100 ms tasks per lane's share): none cut short.
    for (const p of result.points)
      for (const s of p.samples) expect(s).toBeGreaterThanOrEqual(p.threads === 1 ? 399 : 199)
    expect(resultOf(await host.call('sweep.cancel', { sweepId }))).toEqual({ cancelled: false })
    // The engine is free and works.
    const job = resultOf<{ jobId: string }>(
      await host.call('job.start', { spec: { ...BUSY_WAIT, threads: 2 } })
    )
    expect(job.jobId).toMatch(/^job-/)
    await new Promise((r) => setTimeout(r, 100))
  })

  it('refuses bad options before anything runs, saying what is allowed', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ threads: [] }, 'sweep.start: threads: threads needs at least one thread count'],
      [{ threads: [1, 2, 2] }, 'sweep.start: threads: threads lists a thread count twice; list each once'],
      [
        { threads: [2, 4] },
        'sweep.start: threads: threads must include 1: speedup is measured against one thread'
      ],
      [{ threads: [1, 0.5] }, 'sweep.start: threads.1: each thread count must be a whole number'],
      [{ threads: [1, 300] }, 'sweep.start: threads.1: each thread count must be at most 256'],
      [{ repeat: 0 }, 'sweep.start: repeat: repeat must be at least 1'],
      [{ repeat: 101 }, 'sweep.start: repeat: repeat must be at most 100'],
      [{ maxSeconds: 0 }, 'sweep.start: maxSeconds: maxSeconds must be more than 0'],
      [{ backends: ['gpu'] }, 'sweep.start: backends.0: each back end must be threads, processes or cluster'],
      [{ seed: -1 }, 'sweep.start: seed: seed must be at least 0'],
      [{ repeats: 3 }, 'sweep.start: Unrecognized key: "repeats"']
    ]
    for (const [options, message] of cases) {
      const error = errorOf(await host.call('sweep.start', { spec: BUSY_WAIT, ...options }))
      expect(error.code).toBe('INVALID_COMMAND')
      expect(error.message).toBe(message)
    }
    // Checks that need the machine or the plan.
    const tooMany = errorOf(await host.call('sweep.start', { spec: BUSY_WAIT, threads: [1, 200] }))
    expect(tooMany.message).toBe(
      'sweep: threads: 200 is more than this machine allows (at most 8 threads for its 2 hardware threads)'
    )
    const repeats = errorOf(await host.call('sweep.start', { spec: BUSY_WAIT, repeat: 10, maxRepeat: 5 }))
    expect(repeats.message).toBe('sweep: maxRepeat (5) must be at least repeat (10)')
    const badSpec = errorOf(await host.call('sweep.start', { spec: { ...BUSY_WAIT, workload: 'nope' } }))
    expect(badSpec.code).not.toBe('INVALID_COMMAND')
    // Nothing ran.
    expect(host.sweeps.runningSweep).toBeNull()
    const unknown = errorOf(await host.call('sweep.get', { sweepId: 'sweep-nope' }))
    expect(unknown.message).toMatch(/^no sweep "sweep-nope": it never ran here/)
  })

  it('refuses a sweep while a job runs', async () => {
    const spec = { ...BUSY_WAIT, threads: 1, inputs: { kind: 'recipe', ms: [50], tasks: 4 } }
    const { jobId } = resultOf<{ jobId: string }>(await host.call('job.start', { spec }))
    const error = errorOf(await host.call('sweep.start', { spec: BUSY_WAIT }))
    expect(error.message).toBe(
      `sweep.start refused: job ${jobId} is still running; cancel it or wait for it to finish`
    )
    await host.call('job.cancel', { jobId })
  })

  it('cancels a sweep whose window or client went away while its points were still being planned', async () => {
    const spec = { ...BUSY_WAIT, inputs: { kind: 'recipe', ms: [100], tasks: 4 } }
    const starting = host.call('sweep.start', { spec, threads: [1, 2], repeat: 3 })
    // The start has not answered yet: the sweep is being planned, so there is nothing running.
    expect(host.engine.runningJob).toBeNull()
    expect(host.sweeps.runningSweep).toBeNull()
    const cancelled = host.cancelRunning('the window was closed')
    const { sweepId } = resultOf<{ sweepId: string }>(await starting)
    expect(await cancelled).toBe(true)
    const result = resultOf<SweepResult>(await host.call('sweep.get', { sweepId }))
    expect(result.status).toBe('cancelled')
    expect(result.message).toBe('the window was closed')
    expect(host.sweeps.runningSweep).toBeNull()
  })

  it('engine disposal cancels a running sweep', async () => {
    const other = new EngineHost({ workerFile, hardwareThreads: 2 })
    const spec = { ...BUSY_WAIT, inputs: { kind: 'recipe', ms: [100], tasks: 4 } }
    const { sweepId } = resultOf<{ sweepId: string }>(
      await other.call('sweep.start', { spec, threads: [1, 2], repeat: 3 })
    )
    const sweep = other.sweeps.runningSweep!
    expect(sweep.id).toBe(sweepId)
    await new Promise((r) => setTimeout(r, 300))
    await other.dispose()
    const result = await sweep.done
    expect(result.status).toBe('cancelled')
    expect(result.message).toBe('the engine is shutting down')
  })
})
