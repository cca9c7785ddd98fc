// The timings CSV against the job's own timing and chunk tables, on real jobs run through the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

let host: EngineHost
beforeAll(() => {
  host = new EngineHost({ workerFile })
})
afterAll(() => host.dispose())

async function run(spec: unknown, onProgress?: (jobId: string, done: number) => void): Promise<JobSummary> {
  let jobId = ''
  const finished = new Promise<JobSummary>((resolve) => {
    const stop = host.onEvent((event) => {
      if (event.type === 'job.progress' && event.payload.jobId === jobId)
        onProgress?.(jobId, event.payload.tasksDone)
      if (event.type === 'job.finished' && event.payload.jobId === jobId) {
        stop()
        resolve(event.payload)
      }
    })
  })
  const started = await host.call('job.start', { spec })
  if (!started.ok) throw new Error(started.error.message)
  jobId = (started.result as { jobId: string }).jobId
  return finished
}

async function csvOf(jobId: string): Promise<string[][]> {
  let text = ''
  for await (const slice of host.timingsCsv(jobId)) text += slice
  expect(text.endsWith('\n')).toBe(true)
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => line.split(','))
}

/** The chunk log's send time of the chunk holding a task, found by scanning it (not by chunk number). */
function sentAtOf(jobId: string, task: number): number {
  const { chunks } = host.engine.job(jobId)
  for (let i = 0; i < chunks.length; i++) {
    if (chunks.firstTask[i] <= task && task < chunks.firstTask[i] + chunks.count[i])
      return chunks.times.sentAt[i]
  }
  throw new Error(`no chunk holds task ${task}`)
}

describe('timings CSV', () => {
  it('has one line per task with its lane, thread, CPU, times, queue wait and tuples', async () => {
    const summary = await run({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      chunkSize: 4,
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], n: [2, 3], tasks: 30, seed: 3 }
    })
    const job = host.engine.job(summary.jobId)
    const [header, ...rows] = await csvOf(summary.jobId)
    expect(header).toEqual(['task', 'lane', 'thread', 'cpu', 'start_ms', 'end_ms', 'queue_wait_ms', 'tuples'])
    expect(rows.map((row) => Number(row[0]))).toEqual(Array.from({ length: 30 }, (_, i) => i))
    for (const row of rows) {
      const task = Number(row[0])
      const [lane, thread, cpu, start, end, wait, tuples] = row.slice(1).map(Number)
      expect(lane).toBe(job.timings.lane[task])
      expect(thread).toBe(job.timings.tid[task])
      expect(cpu).toBe(job.timings.cpu[task])
      expect(Math.abs(start - job.timings.start[task])).toBeLessThanOrEqual(5e-7)
      expect(Math.abs(end - job.timings.end[task])).toBeLessThanOrEqual(5e-7)
      expect(end).toBeGreaterThanOrEqual(start)
      const expectedWait = job.timings.start[task] - sentAtOf(summary.jobId, task)
      expect(Math.abs(wait - expectedWait)).toBeLessThanOrEqual(5e-7)
      expect(wait).toBeGreaterThan(0)
      // C(6, 2) = 15 pairs or C(6, 3) = 20 triples, as the task's n says.
      const n = Number(/, (\d)\)$/.exec(job.results.argsText(task))?.[1])
      expect(tuples).toBe(n === 2 ? 15 : 20)
      expect(tuples).toBe(job.results.produced[task])
    }
    const exported = await host.call('job.export', { jobId: summary.jobId, format: 'timings' })
    if (!exported.ok) throw new Error(exported.error.message)
    let text = ''
    for await (const slice of host.timingsCsv(summary.jobId)) text += slice
    expect(exported.result).toEqual({ filename: `${summary.jobId}-timings.csv`, mime: 'text/csv', text })
  })

  it('gives a values workload its value, and later tasks wait longer in the queue on one lane', async () => {
    const summary = await run({
      workload: 'sleep',
      style: 'map',
      threads: 1,
      chunkSize: 3,
      inputs: { kind: 'recipe', ms: [5], tasks: 3 }
    })
    const [header, ...rows] = await csvOf(summary.jobId)
    expect(header[7]).toBe('value')
    const job = host.engine.job(summary.jobId)
    for (const row of rows) {
      const task = Number(row[0])
      // sleep returns the milliseconds it measured: at least the 5 it was asked for.
      expect(Number(row[7])).toBeGreaterThanOrEqual(5)
      expect(row[7]).toBe(job.results.tupleText(task, 0))
    }
    // One chunk of three 5 ms sleeps: each task waits for those before it.
    const waits = rows.map((row) => Number(row[6]))
    expect(waits[1] - waits[0]).toBeGreaterThanOrEqual(5)
    expect(waits[2] - waits[1]).toBeGreaterThanOrEqual(5)
  })

  it('holds only the tasks that ran when the job was cancelled', async () => {
    let cancelled: Promise<unknown> = Promise.resolve()
    const summary = await run(
      {
        workload: 'sleep',
        style: 'map',
        threads: 2,
        chunkSize: 1,
        inputs: { kind: 'recipe', ms: [20], tasks: 40 }
      },
      (jobId, done) => {
        if (done > 0) cancelled = host.call('job.cancel', { jobId })
      }
    )
    await cancelled
    expect(summary.status).toBe('cancelled')
    const job = host.engine.job(summary.jobId)
    const ran = Array.from({ length: 40 }, (_, task) => task).filter((task) => job.timings.ran(task))
    expect(ran.length).toBeLessThan(40)
    const [, ...rows] = await csvOf(summary.jobId)
    expect(rows.map((row) => Number(row[0]))).toEqual(ran)
  })

  it('is refused past 24 MiB in the app, pointing to the CLI', async () => {
    const summary = await run({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      keep: 'count',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 600_000 }
    })
    const reply = await host.call('job.export', { jobId: summary.jobId, format: 'timings' })
    expect(reply.ok).toBe(false)
    expect((reply as { error: { message: string } }).error.message).toBe(
      'the timings of this job (600,000 tasks) are over 24.0 MiB of CSV, more than an export from the app holds; ' +
        'write them with the CLI (poolscope run … --timings FILE), which streams them to a file'
    )
  }, 60_000)
})
