import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import type { ProgressEvent } from '../../../src/shared/protocol'
import type { JobSpecInput } from '../../../src/shared/spec'
import { fibonacciCalls } from '../../../src/shared/workloads/fibonacciCalls'
import { streamLength } from '../../../src/shared/workloads/streamSize'
import { workerFile } from '../../paths'

function resultsJson(job: Job): string {
  return Buffer.concat([...job.results.jsonChunks()]).toString('latin1')
}

/** F(n) by a loop, apart from the kernel's recursion. */
function fibLoop(n: number): number {
  let [a, b] = [0, 1]
  for (let i = 0; i < n; i++) [a, b] = [b, a + b]
  return a
}

/** Each row's escape-count total of a width × height picture of [-2,1] × [-1.5,1.5], written here. */
function rowTotals(width: number, height: number, limit: number): number[] {
  const totals: number[] = []
  for (let row = 0; row < height; row++) {
    const ci = -1.5 + (3 * (row + 0.5)) / height
    let total = 0
    for (let col = 0; col < width; col++) {
      const cr = -2 + (3 * (col + 0.5)) / width
      let [x, y, steps] = [0, 0, 0]
      while (steps < limit && x * x + y * y <= 4) {
        ;[x, y] = [x * x - y * y + cr, 2 * x * y + ci]
        steps++
      }
      total += steps
    }
    totals.push(total)
  }
  return totals
}

describe('the teaching workloads, end to end on the engine', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  async function run(spec: JobSpecInput, progress?: (event: ProgressEvent) => void) {
    const job = await engine.start(spec, progress ? { progress } : undefined)
    const summary = await job.done
    return { job, summary }
  }

  it('monte_carlo_pi: 4 seeded tasks, each near π, the same again with the same seeds', async () => {
    const spec: JobSpecInput = {
      workload: 'monte_carlo_pi',
      style: 'starmap',
      threads: 2,
      inputs: { kind: 'recipe', samples: 400_000, first_seed: 11, tasks: 4 }
    }
    const first = await run(spec)
    expect(first.summary.status).toBe('done')
    const estimates = JSON.parse(resultsJson(first.job)) as number[]
    const sigma = 4 * Math.sqrt(((Math.PI / 4) * (1 - Math.PI / 4)) / 400_000)
    expect(estimates).toHaveLength(4)
    for (const estimate of estimates) expect(Math.abs(estimate - Math.PI)).toBeLessThan(5 * sigma)
    expect(new Set(estimates).size).toBe(4)
    expect(first.job.results.row(1)).toMatchObject({ args: '(400000, 12)', count: 1, kept: 1 })
    const again = await run(spec)
    expect(JSON.parse(resultsJson(again.job))).toEqual(estimates)
    expect(again.job.progress().workDone).toBe(1_600_000)
  })

  it('mandelbrot_rows: 6 bands of a 120 × 90 picture, each the sum of its rows as computed here', async () => {
    const { job, summary } = await run({
      workload: 'mandelbrot_rows',
      style: 'starmap',
      inputs: { kind: 'recipe', width: 120, height: 90, max_iter: 200, tasks: 6 }
    })
    expect(summary.status).toBe('done')
    const rows = rowTotals(120, 90, 200)
    const bands = [0, 1, 2, 3, 4, 5].map((b) => rows.slice(b * 15, (b + 1) * 15).reduce((a, c) => a + c, 0))
    expect(JSON.parse(resultsJson(job))).toEqual(bands)
    expect(job.results.taskText(2)).toBe(String(bands[2]))
    expect(job.progress().workDone).toBe(120 * 90)
  })

  it('fibonacci: drawn n values, each task the value the loop gives', async () => {
    const { job, summary } = await run({
      workload: 'fibonacci',
      style: 'map',
      inputs: { kind: 'recipe', n: [10, 20, 27], tasks: 8, seed: 3 }
    })
    expect(summary.status).toBe('done')
    const values = JSON.parse(resultsJson(job)) as number[]
    const ns = job.plan.calls.map((call) => (call.plan.layout === 'values' ? call.plan.args[0] : NaN))
    const drawn = Array.from(job.plan.callIndex, (call) => ns[call])
    expect(values).toEqual(drawn.map(fibLoop))
    expect(job.progress().workDone).toBe(drawn.reduce((total, n) => total + fibonacciCalls(n), 0))
  })

  it('stream: the same checksum from every task, on 2 threads at once', async () => {
    const { job, summary } = await run({
      workload: 'stream',
      style: 'starmap',
      threads: 2,
      inputs: { kind: 'recipe', mb: 3, passes: 2, tasks: 4 }
    })
    expect(summary.status).toBe('done')
    // After 2 passes b[i] = 1 + (i mod 256) + 6 · (i mod 8) / 4: summed by a plain loop.
    let expected = 0
    for (let i = 0; i < streamLength(3); i++) expected += 1 + (i % 256) + (6 * (i % 8)) / 4
    expect(JSON.parse(resultsJson(job))).toEqual([expected, expected, expected, expected])
    expect(job.progress().workDone).toBe(4 * 3 * streamLength(3))
  })

  it('cancels a long fibonacci task midway, after its progress has moved', async () => {
    let job: Job | null = null
    const events: ProgressEvent[] = []
    const moved = new Promise<void>((resolve) => {
      void engine
        .start(
          { workload: 'fibonacci', style: 'map', threads: 2, inputs: { kind: 'args', args: [44, 44] } },
          {
            progress: (event) => {
              events.push(event)
              if ((event.workDone ?? 0) > 0) resolve()
            }
          }
        )
        .then((started) => (job = started))
    })
    await moved
    const asked = performance.now()
    ;(job as unknown as Job).cancel()
    const summary = await (job as unknown as Job).done
    expect(summary.status).toBe('cancelled')
    expect(summary.tasksStopped).toBe(2)
    expect(performance.now() - asked).toBeLessThan(500)
    // The work total is both tasks' calls; only part of it was done.
    const last = events[events.length - 1]
    expect(last.workTotal).toBe(2 * fibonacciCalls(44))
    expect(last.workDone ?? 0).toBeLessThan(last.workTotal ?? 0)
  })
})
