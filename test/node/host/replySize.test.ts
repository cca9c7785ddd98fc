import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_EXPORT_BYTES } from '../../../src/main/host/exportJob'
import { EngineHost } from '../../../src/main/host/engineHost'
import { MAX_TUPLES_PAGE_CHARS } from '../../../src/main/engine/resultsStore'
import type {
  CommandOutcome,
  JobSummary,
  ResultsPage,
  TaskArgs,
  TuplesPage
} from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

function result<T>(outcome: CommandOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result as T
}

/** 400 elements of 199 characters: about 80 KB of arguments text, repeated by every task. */
const longElements = Array.from({ length: 400 }, (_, i) => `${i}`.padStart(199, 'x'))

describe('replies stay small whatever the job', () => {
  let host: EngineHost
  let jobId: string
  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const started = result<{ jobId: string }>(
      await host.call('job.start', {
        spec: {
          workload: 'combinations',
          style: 'map',
          threads: 2,
          keep: 5000,
          inputs: { kind: 'recipe', elements: longElements, tasks: 40 }
        }
      })
    )
    jobId = started.jobId
    const done = await new Promise<JobSummary>((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.type === 'job.finished' && event.payload.jobId === jobId) {
          stop()
          resolve(event.payload)
        }
      })
    })
    expect(done.status).toBe('done')
  })
  afterAll(() => host.dispose())

  it('cuts long arguments and preview tuples in a page of rows, and gives the whole text on request', async () => {
    const page = result<ResultsPage>(await host.call('job.results', { jobId, offset: 0, limit: 1000 }))
    expect(page.rows).toHaveLength(40)
    const row = page.rows[7]
    expect(row.args).toHaveLength(200)
    expect(row.args.endsWith('…')).toBe(true)
    expect(row.preview).toHaveLength(8)
    expect(row.preview.every((tuple) => tuple.length <= 120)).toBe(true)
    // 40 rows of ~80 KB arguments were 3.3 MB of reply; now each row is about a kilobyte.
    expect(JSON.stringify(page).length).toBeLessThan(40 * 1600)

    const whole = result<TaskArgs>(await host.call('job.args', { jobId, task: 7 }))
    expect(whole.args).toHaveLength(row.argsLength)
    expect(whole.args.startsWith(`('${longElements[0]}', '${longElements[1]}'`)).toBe(true)
    expect(whole.args.slice(0, 199)).toBe(row.args.slice(0, 199))
  })

  it('ends a page of long tuples once it holds about a megabyte', async () => {
    const page = result<TuplesPage>(
      await host.call('job.tuples', { jobId, task: 3, offset: 0, limit: 10_000 })
    )
    const tupleChars = 2 * (199 + 2) + 4
    expect(page.total).toBe(5000)
    expect(page.tuples.length).toBe(Math.ceil(MAX_TUPLES_PAGE_CHARS / tupleChars))
    expect(page.tuples[0]).toBe(`('${longElements[0]}', '${longElements[1]}')`)
    const next = result<TuplesPage>(
      await host.call('job.tuples', { jobId, task: 3, offset: page.tuples.length, limit: 10_000 })
    )
    // Continues exactly where the short page ended: the next pair in itertools order.
    const pairs: string[] = []
    for (let a = 0; a < 400 && pairs.length <= page.tuples.length; a++)
      for (let b = a + 1; b < 400; b++) pairs.push(`('${longElements[a]}', '${longElements[b]}')`)
    expect(next.tuples[0]).toBe(pairs[page.tuples.length])
  })

  it('refuses an export that could exceed what a front door carries, before building it', async () => {
    const outcome = await host.call('job.export', { jobId, format: 'csv' })
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: expect.stringMatching(/^a CSV export of this job can reach .* MiB/)
      }
    })
    expect(MAX_EXPORT_BYTES).toBe(24 * 1024 * 1024)
  })

  it('refuses the task arguments of a task that does not exist', async () => {
    const outcome = await host.call('job.args', { jobId, task: 40 })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } })
  })
})

describe('a host planning a huge job keeps answering', () => {
  let host: EngineHost
  beforeAll(() => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => host.dispose())

  it('answers engine.info while ten million tasks are planned', async () => {
    const spec = {
      workload: 'combinations_n',
      style: 'starmap',
      keep: 'count',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 10_000_000 }
    }
    const planned = host.call('job.plan', { spec })
    // Let the planner take the thread first, then ask as another client would.
    await new Promise((resolve) => setImmediate(resolve))
    const asked = performance.now()
    const info = await host.call('engine.info', {})
    const waited = performance.now() - asked
    const plan = await planned
    const planMs = performance.now() - asked
    expect(info.ok).toBe(true)
    expect(plan).toMatchObject({ ok: true, result: { taskCount: 10_000_000 } })
    // Planning takes about a second; the answer waits for one 20 ms slice, not for all of it.
    expect(planMs).toBeGreaterThan(200)
    expect(waited).toBeLessThan(planMs / 3)
  })
})
