import { afterEach, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { ResultsStore } from '../../../src/main/engine/resultsStore'
import { TimingStore } from '../../../src/main/engine/timingStore'
import { PoolScopeError } from '../../../src/shared/errors'
import { HOST_BYTES_PER_TASK, POOL_BYTES_PER_THREAD } from '../../../src/shared/memory'
import { planJob } from '../../../src/shared/plan'
import type { JobSpecInput } from '../../../src/shared/spec'
import { workerFile } from '../../paths'

/** `tasks` tasks of all pairs of range(6), counted only: nearly all its memory is per-task tables. */
function countOnly(tasks: number): JobSpecInput {
  return {
    workload: 'combinations',
    style: 'map',
    threads: 2,
    keep: 'count',
    inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks }
  }
}

describe('memory budget', () => {
  let engine: Engine | undefined
  afterEach(async () => {
    await engine?.dispose()
    engine = undefined
  })

  it('budgets exactly the per-task tables the engine allocates', () => {
    const plan = planJob(countOnly(1000), 2)
    const timings = new TimingStore('job', 1000, 2)
    const tables = new ResultsStore(plan, timings).tableBytes + timings.tableBytes + plan.callIndex.byteLength
    expect(tables).toBe(1000 * HOST_BYTES_PER_TASK)
    expect(plan.memory.tablesBytes).toBe(tables)
  })

  it('refuses, before any work, a count-only job whose tables alone exceed the budget', async () => {
    const pool = 2 * POOL_BYTES_PER_THREAD
    engine = new Engine({ workerFile, hardwareThreads: 2, budgetBytes: pool + 100_000 * HOST_BYTES_PER_TASK })
    const started = engine.start(countOnly(200_000))
    await expect(started).rejects.toThrow(PoolScopeError)
    await expect(started).rejects.toMatchObject({
      code: 'OVER_BUDGET',
      message: expect.stringMatching(
        /^this job would hold .*11.3 MiB of timings and per-task tables for 200,000 tasks/
      )
    })
    expect(engine.listJobs()).toHaveLength(0)
    expect(engine.memory().poolBytes).toBe(0)
  })

  it('releases the oldest jobs so retained jobs and the pool stay within the budget', async () => {
    const pool = 2 * POOL_BYTES_PER_THREAD
    const perJob = 150_000 * HOST_BYTES_PER_TASK
    // Room for two such jobs and the pool, not three.
    const budgetBytes = pool + 2.5 * perJob + 100_000
    engine = new Engine({ workerFile, hardwareThreads: 2, budgetBytes })
    const ids: string[] = []
    for (let run = 0; run < 5; run++) {
      const job = await engine.start(countOnly(150_000))
      ids.push(job.id)
      expect((await job.done).status).toBe('done')
      const memory = engine.memory()
      expect(memory.usedBytes).toBeLessThanOrEqual(budgetBytes)
      expect(memory.poolBytes).toBe(pool)
    }
    expect(engine.listJobs().map((job) => job.id)).toEqual(ids.slice(3))
    expect(engine.memory()).toMatchObject({ jobsRetained: 2, budgetBytes })
    expect(() => engine!.job(ids[0])).toThrow(/released to make room/)
  })

  it('keeps at most 20 jobs, the newest included', async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    const ids: string[] = []
    for (let run = 0; run < 22; run++) {
      const job = await engine.start(countOnly(2))
      ids.push(job.id)
      await job.done
    }
    expect(engine.listJobs().map((job) => job.id)).toEqual(ids.slice(2))
    expect(engine.memory().jobsRetained).toBe(20)
  })

  it('counts what a finished job really holds (its CPU samples too), not what it might have kept', async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    const job = await engine.start({ ...countOnly(10), keep: 'all' })
    await job.done
    // The CPU sampler takes its last reading an interval after the end; then its arrays are final.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const { memory } = job.plan
    // Samples are held in arrays of at least 64: 8 bytes of time and 4 per core each.
    const samples = job.cpuSamples()
    expect(samples.at.length).toBeGreaterThan(0)
    const cpuBytes = 64 * (8 + 4 * samples.cores)
    // 10 tasks × 15 pairs × 2 one-byte positions, each task's tuples 4-byte aligned (30 → 32 bytes).
    expect(job.retainedBytes()).toBe(BigInt(memory.tablesBytes + memory.callsBytes + 10 * 32 + cpuBytes))
    expect(engine.memory().jobsBytes).toBe(Number(job.retainedBytes()))
  })
})
