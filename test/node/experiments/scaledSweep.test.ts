import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { Job } from '../../../src/main/engine/job'
import { scaledTaskCount, tasksPerThread } from '../../../src/shared/experiments/sweepOptions'
import { decodeSweepRecord, sweepRecordFacts, sweepRecordName } from '../../../src/main/history/sweepRecord'
import { checkPayload, SweepResultSchema } from '../../../src/shared/payloads'
import { planJob } from '../../../src/shared/plan'
import type { CommandOutcome, EngineEvent, PlanSummary, SweepResult } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

/** A scaled sweep (Gustafson): the tasks grow with the threads; planned up front, analysed as scaled. */

function resultOf<T>(outcome: CommandOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result as T
}

function errorOf(outcome: CommandOutcome): { code: string; message: string } {
  if (outcome.ok) throw new Error('expected a refusal')
  return outcome.error
}

describe('the scaled task rule', () => {
  it('keeps the tasks per thread at the spec tasks over the smallest thread count, rounded up, at least 1', () => {
    expect(tasksPerThread(3, 1)).toBe(3)
    expect(tasksPerThread(5, 2)).toBe(3)
    expect(tasksPerThread(1, 4)).toBe(1)
    expect([1, 2, 4].map((n) => scaledTaskCount(3, 1, n))).toEqual([3, 6, 12])
    expect([2, 3].map((n) => scaledTaskCount(5, 2, n))).toEqual([6, 9])
  })
})

describe('scaled sweeps through the host', () => {
  let host: EngineHost
  const events: EngineEvent[] = []
  /** The jobs the sweep started (warm-ups too), to check what each point really ran. */
  const started: Job[] = []
  beforeAll(() => {
    // Four hardware threads as far as the analysis knows, so 1, 2 and 4 are all fitted (the laws
    // are checked in fits.test.ts; here the point is that Gustafson is the one that applies).
    host = new EngineHost({ workerFile, hardwareThreads: 4 })
    host.onEvent((event) => events.push(event))
    const start = host.engine.start.bind(host.engine)
    host.engine.start = async (...args) => {
      const job = await start(...args)
      started.push(job)
      return job
    }
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

  async function plannedWork(spec: unknown): Promise<PlanSummary> {
    return resultOf<PlanSummary>(await host.call('job.plan', { spec }))
  }

  it('grows the tasks with the threads, keeps a drawn recipe’s seed, and fits Gustafson', async () => {
    const spec = {
      workload: 'busy_wait',
      style: 'map',
      inputs: { kind: 'recipe', ms: [2, 3], tasks: 3, seed: 11 }
    }
    started.length = 0
    const { sweepId } = resultOf<{ sweepId: string }>(
      await host.call('sweep.start', { spec, threads: [1, 2, 4], repeat: 2, maxSeconds: 1, scaled: true })
    )
    const result = await finished(sweepId)
    expect(() => checkPayload('event', 'sweep.finished', result)).not.toThrow()
    expect(result.status).toBe('done')
    expect(result.options.scaled).toBe(true)
    // The spec as the smallest thread count ran it: the person's 3 tasks and seed.
    expect(result.spec.inputs).toMatchObject({ kind: 'recipe', ms: [2, 3], tasks: 3, seed: 11 })
    expect(result.points.map((p) => [p.threads, p.taskCount])).toEqual([
      [1, 3],
      [2, 6],
      [4, 12]
    ])
    for (const point of result.points) {
      // Every run at this point (warm-ups included) ran its scaled task count, with the seed.
      const jobs = started.filter((job) => job.summary().threads === point.threads)
      expect(jobs.length).toBeGreaterThanOrEqual(point.runs.length + point.warmups.length)
      for (const job of jobs) {
        expect(job.summary().taskCount).toBe(point.taskCount)
        expect(job.summary().spec.inputs).toMatchObject({ tasks: point.taskCount, seed: 11 })
      }
      // The work is the plan's exact total: the microseconds the drawn durations add up to.
      const plan = planJob({ ...spec, inputs: { ...spec.inputs, tasks: point.taskCount } }, 4)
      expect(point.work).toBe(plan.totalWork)
      expect(point.work).toBeGreaterThanOrEqual(point.taskCount * 2000)
      expect(point.work).toBeLessThanOrEqual(point.taskCount * 3000)
    }
    const analysis = result.analysis[0].result!
    expect(analysis.mode).toBe('scaled')
    expect(analysis.baseline.work).toBe(result.points[0].work)
    // Speedup is a throughput ratio: (work / time) at N over (work / time) at 1.
    const [one, , four] = result.points
    expect(analysis.points[2].speedup).toBeCloseTo(
      four.work! / four.summary!.median / (one.work! / one.summary!.median),
      10
    )
    expect(analysis.fits.gustafson.applies).toBe(true)
    expect(analysis.fits.amdahl.applies).toBe(false)
    expect(analysis.fits.gustafson.status).toBe('fitted')
    const f = analysis.fits.gustafson.params[0]
    expect(f.value).toBeGreaterThanOrEqual(0)
    expect(f.value).toBeLessThanOrEqual(1)
    // The history lists it as a scaled sweep with Gustafson's serial fraction.
    expect(sweepRecordName(result)).toBe('busy_wait map scaled sweep, 1, 2, 4 on threads')
    expect(sweepRecordFacts(result).serialFraction).toBe(f.value)
  })

  it('measures the work of a combinations sweep in tuples', async () => {
    const spec = {
      workload: 'combinations_n',
      style: 'starmap',
      inputs: {
        kind: 'recipe',
        elements: Array.from({ length: 12 }, (_, i) => i),
        n: [3, 4],
        tasks: 2,
        seed: 3
      }
    }
    const { sweepId } = resultOf<{ sweepId: string }>(
      await host.call('sweep.start', { spec, threads: [1, 2], repeat: 1, maxSeconds: 1, scaled: true })
    )
    const result = await finished(sweepId)
    expect(result.status).toBe('done')
    for (const point of result.points) {
      const plan = await plannedWork({ ...spec, inputs: { ...spec.inputs, tasks: point.taskCount } })
      expect(point.work).toBe(Number(plan.totalTuples))
    }
    expect(result.points.map((p) => p.taskCount)).toEqual([2, 4])
    expect(result.analysis[0].result!.mode).toBe('scaled')
  })

  it('repeats an argument list to grow it', async () => {
    started.length = 0
    const spec = { workload: 'busy_wait', style: 'map', inputs: { kind: 'args', args: [2, 3] } }
    const { sweepId } = resultOf<{ sweepId: string }>(
      await host.call('sweep.start', { spec, threads: [1, 2], repeat: 1, maxSeconds: 1, scaled: true })
    )
    const result = await finished(sweepId)
    expect(result.status).toBe('done')
    expect(result.spec.inputs).toEqual({ kind: 'args', args: [2, 3] })
    expect(result.points.map((p) => [p.taskCount, p.work])).toEqual([
      [2, 5000],
      [4, 10000]
    ])
    const twoThreads = started.find((job) => job.summary().threads === 2)!
    expect(twoThreads.summary().spec.inputs).toEqual({ kind: 'args', args: [2, 3, 2, 3] })
  })

  it('refuses a bad option and a workload whose tasks split one range, before anything runs', async () => {
    const bad = errorOf(
      await host.call('sweep.start', { spec: { workload: 'busy_wait', style: 'map' }, scaled: 'yes' })
    )
    expect(bad.code).toBe('INVALID_COMMAND')
    expect(bad.message).toContain(
      'scaled must be true or false (true: the tasks grow with the threads; false: every point runs the same tasks)'
    )

    started.length = 0
    const primes = errorOf(
      await host.call('sweep.start', {
        spec: {
          workload: 'count_primes',
          style: 'starmap',
          inputs: { kind: 'recipe', span: [0, 1000], tasks: 4 }
        },
        threads: [1, 2],
        scaled: true
      })
    )
    expect(primes.message).toBe(
      "sweep: scaled: count_primes's tasks split one range between them, so more tasks do not add work; a " +
        'scaled sweep needs tasks that each carry their own (busy_wait, sleep, the combinations workloads), ' +
        'or run this one as a fixed-size sweep'
    )
    expect(started).toHaveLength(0)
  })

  it('refuses a point whose scaled job is over the memory budget, before any run', async () => {
    const spec = (tasks: number) => ({
      workload: 'busy_wait',
      style: 'map',
      threads: 2,
      keep: 'count',
      inputs: { kind: 'recipe', ms: [0], tasks }
    })
    const small = await plannedWork(spec(20_000))
    const doubled = await plannedWork(spec(40_000))
    // A budget that the 2-thread point of a fixed sweep fits and its scaled one (twice the tasks) does not.
    const budgetBytes = Math.floor((Number(small.memoryBytes) + Number(doubled.memoryBytes)) / 2)
    const tight = new EngineHost({ workerFile, hardwareThreads: 4, budgetBytes })
    try {
      let starts = 0
      const start = tight.engine.start.bind(tight.engine)
      tight.engine.start = (...args) => {
        starts++
        return start(...args)
      }
      const refused = errorOf(
        await tight.call('sweep.start', { spec: spec(20_000), threads: [1, 2], repeat: 1, scaled: true })
      )
      expect(refused.code).toBe('OVER_BUDGET')
      expect(refused.message).toMatch(/^sweep at 2 threads \(scaled to 40000 tasks\): /)
      expect(starts).toBe(0)
    } finally {
      await tight.dispose()
    }
  })

  it('opens a sweep saved before scaled sweeps existed as a fixed-size one', () => {
    const saved = JSON.parse(
      JSON.stringify(events.find((e) => e.type === 'sweep.finished')!.payload)
    ) as Record<string, unknown>
    const options = saved.options as Record<string, unknown>
    delete options.scaled
    for (const point of saved.points as Record<string, unknown>[]) delete point.work
    const parsed = SweepResultSchema.parse(saved)
    expect(parsed.version).toBe(1)
    expect(parsed.options.scaled).toBe(false)
    // And the history reads such a record back.
    expect(decodeSweepRecord(saved).options.scaled).toBe(false)
  })
})
