// The rows of `job.results` say which worker ran each task, for how long, and what sets the task
// apart from the others, read from real runs on the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import { checkPayload, type ResultRow, type TimingBatch } from '../../../src/shared/payloads'
import type { CommandOutcome } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const THREADS = 2
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

function result(outcome: CommandOutcome): unknown {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result
}

describe('result rows', () => {
  let host: EngineHost
  beforeAll(() => {
    host = new EngineHost({ workerFile, hardwareThreads: THREADS })
  })
  afterAll(() => host.dispose())

  /** Runs a job to its end and returns every row and every timing, as a page receives them. */
  async function run(spec: unknown): Promise<{ rows: ResultRow[]; timings: TimingBatch }> {
    const { jobId } = checkPayload('result', 'job.start', result(await host.call('job.start', { spec })))
    await host.engine.job(jobId).done
    const page = checkPayload(
      'result',
      'job.results',
      result(await host.call('job.results', { jobId, offset: 0, limit: 1000 }))
    )
    const timings = checkPayload(
      'result',
      'job.timings',
      result(await host.call('job.timings', { jobId, offset: 0, limit: 1000 }))
    )
    return { rows: page.rows, timings }
  }

  it('name the worker that ran each task and its duration, as the task’s timing has them', async () => {
    const { rows, timings } = await run({
      workload: 'busy_wait',
      style: 'map',
      threads: THREADS,
      chunkSize: 1,
      inputs: { kind: 'recipe', ms: [1, 5], tasks: 6, seed: 3 }
    })
    expect(rows).toHaveLength(6)
    expect(Array.from(timings.task)).toEqual(range(6))
    rows.forEach((row, i) => {
      expect(row.lane).toBe(timings.lane[i])
      expect(row.lane).toBeGreaterThanOrEqual(0)
      expect(row.lane).toBeLessThan(THREADS)
      expect(row.durationMs).toBe(timings.end[i] - timings.start[i])
      // A task spins for at least its ms; the whole of it is inside its timing.
      const ms = Number(row.args)
      expect(row.varying).toBe(`ms=${ms}`)
      expect(row.durationMs).toBeGreaterThanOrEqual(ms)
    })
    // Both values were drawn, so ms varies.
    expect(new Set(rows.map((row) => row.varying))).toEqual(new Set(['ms=1', 'ms=5']))
  })

  it('show n for the notebook’s starmap cell, the one argument that varies', async () => {
    const { rows } = await run({
      workload: 'combinations_n',
      style: 'starmap',
      threads: THREADS,
      inputs: { kind: 'recipe', elements: range(6), n: [2, 3, 4], tasks: 4, seed: 42 }
    })
    // Python: random.seed(42); [random.choice((2, 3, 4)) for _ in range(4)] == [4, 2, 2, 4]
    expect(rows.map((row) => [row.varying, row.args, row.count])).toEqual([
      ['n=4', '((0, 1, 2, 3, 4, 5), 4)', 15],
      ['n=2', '((0, 1, 2, 3, 4, 5), 2)', 15],
      ['n=2', '((0, 1, 2, 3, 4, 5), 2)', 15],
      ['n=4', '((0, 1, 2, 3, 4, 5), 4)', 15]
    ])
    for (const row of rows) expect(row.lane === 0 || row.lane === 1).toBe(true)
  })

  it('show both bounds of count_primes, whose every task has its own span', async () => {
    const { rows } = await run({
      workload: 'count_primes',
      style: 'starmap',
      threads: THREADS,
      inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
    })
    expect(rows.slice(0, 2).map((row) => row.varying)).toEqual(['lo=0, hi=125000', 'lo=125000, hi=250000'])
    expect(rows[7]).toMatchObject({ varying: 'lo=875000, hi=1000000', args: '(875000, 1000000)' })
  })

  it('show nothing for the map cell, whose tasks all have the same arguments', async () => {
    const { rows } = await run({
      workload: 'combinations',
      style: 'map',
      threads: THREADS,
      inputs: { kind: 'recipe', elements: range(6), tasks: 4 }
    })
    expect(rows.map((row) => row.varying)).toEqual(['', '', '', ''])
    expect(rows[0].args).toBe('(0, 1, 2, 3, 4, 5)')
  })

  it('show the elements of get_combinations when they are what differs between its tasks', async () => {
    const { rows } = await run({
      workload: 'combinations',
      style: 'map',
      threads: THREADS,
      inputs: {
        kind: 'args',
        args: [
          [0, 1, 2],
          ['a', 'b'],
          [0, 1, 2]
        ]
      }
    })
    expect(rows.map((row) => row.varying)).toEqual([
      'elements=(0, 1, 2)',
      "elements=('a', 'b')",
      'elements=(0, 1, 2)'
    ])
  })

  it('cut a long varying value, ending in an ellipsis', async () => {
    const { rows } = await run({
      workload: 'combinations',
      style: 'map',
      threads: THREADS,
      keep: 'count',
      inputs: { kind: 'args', args: [range(1000), range(999)] }
    })
    expect(rows[0].varying).toHaveLength(120)
    expect(rows[0].varying).toMatch(/^elements=\(0, 1, 2, 3, .*…$/)
    expect(rows[0].args).toHaveLength(200)
  })

  it('have no worker and no duration for tasks that never ran', async () => {
    const started = checkPayload(
      'result',
      'job.start',
      result(
        await host.call('job.start', {
          spec: {
            workload: 'sleep',
            style: 'map',
            threads: THREADS,
            chunkSize: 1,
            inputs: { kind: 'recipe', ms: [50], tasks: 12 }
          }
        })
      )
    )
    // Cancelled as soon as a task has ended: most of the twelve never start.
    const stop = host.onEvent((event) => {
      if (event.type === 'job.progress' && event.payload.tasksDone > 0) {
        stop()
        void host.call('job.cancel', { jobId: started.jobId })
      }
    })
    await host.engine.job(started.jobId).done
    const page = checkPayload(
      'result',
      'job.results',
      result(await host.call('job.results', { jobId: started.jobId, offset: 0, limit: 12 }))
    )
    const done = page.rows.filter((row) => row.status === 'done')
    const notRun = page.rows.filter((row) => row.status === 'cancelled')
    expect(done.length).toBeGreaterThan(0)
    expect(notRun.length).toBeGreaterThan(0)
    for (const row of done) {
      expect(row.lane).not.toBeNull()
      expect(row.durationMs).toBeGreaterThanOrEqual(50)
    }
    for (const row of notRun) expect(row).toMatchObject({ lane: null, durationMs: null, varying: '' })
  })
})
