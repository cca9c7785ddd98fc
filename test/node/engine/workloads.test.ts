import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { progressFraction } from '../../../src/shared/progress'
import type { ProgressEvent } from '../../../src/shared/protocol'
import type { JobSpecInput } from '../../../src/shared/spec'
import { workerFile } from '../../paths'

/** Primes below `limit` by a sieve written here, apart from the kernel's trial division. */
function sievePrimes(limit: number): Uint8Array {
  const composite = new Uint8Array(limit)
  composite[0] = 1
  if (limit > 1) composite[1] = 1
  for (let p = 2; p * p < limit; p++) {
    if (composite[p]) continue
    for (let m = p * p; m < limit; m += p) composite[m] = 1
  }
  return composite
}

function primesIn(composite: Uint8Array, lo: number, hi: number): number {
  let count = 0
  for (let x = lo; x < hi; x++) if (!composite[x]) count++
  return count
}

function resultsJson(job: Job): string {
  return Buffer.concat([...job.results.jsonChunks()]).toString('latin1')
}

describe('the workloads beside combinations, end to end on the engine', () => {
  let engine: Engine
  const composite = sievePrimes(1_000_000)
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('count_primes over 0:1000000 in 8 equal pieces: counts that sum to 78,498, each as the sieve says', async () => {
    const spec: JobSpecInput = {
      workload: 'count_primes',
      style: 'starmap',
      threads: 2,
      inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
    }
    const job = await engine.start(spec)
    const summary = await job.done
    expect(summary.status).toBe('done')
    const counts = JSON.parse(resultsJson(job)) as number[]
    expect(counts).toHaveLength(8)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(78_498)
    counts.forEach((count, i) => expect(count).toBe(primesIn(composite, i * 125_000, (i + 1) * 125_000)))
    // Python's print(r) of an int, and the arguments each task had.
    expect(job.results.taskText(0)).toBe('11734')
    expect(job.results.row(7)).toMatchObject({
      args: '(875000, 1000000)',
      count: 1,
      kept: 1,
      preview: ['9050']
    })
    expect(summary.spec.inputs).toEqual({ kind: 'recipe', span: [0, 1_000_000], tasks: 8 })
  })

  it('count_primes: the top piece takes longer than the bottom one (load imbalance by construction)', async () => {
    // Each piece's quickest of three runs: the first piece of a first run also pays for compiling
    // the kernel, and a piece slowed by other programs on a shared machine must not hide the
    // imbalance (about 2.1× between the top and bottom pieces here).
    const quickest = [Infinity, Infinity, Infinity, Infinity]
    for (let run = 0; run < 3; run++) {
      const job = await engine.start({
        workload: 'count_primes',
        style: 'starmap',
        threads: 1,
        inputs: { kind: 'recipe', span: [0, 4_000_000], tasks: 4 }
      })
      await job.done
      const timings = job.timings.page(0, 4)
      timings.task.forEach((task, i) => {
        quickest[task] = Math.min(quickest[task], timings.end[i] - timings.start[i])
      })
    }
    // Each piece costs more than the one below it: larger numbers need more trial divisions.
    expect(quickest[3]).toBeGreaterThan(1.4 * quickest[0])
    expect(quickest[3]).toBeGreaterThan(quickest[1])
  })

  it('count_primes from explicit [lo, hi] pairs with starmap, as an args file gives them', async () => {
    const job = await engine.start({
      workload: 'count_primes',
      style: 'starmap',
      inputs: {
        kind: 'args',
        args: [
          [0, 10],
          [10, 100],
          [999_000, 1_000_000],
          [5, 5]
        ]
      }
    })
    await job.done
    expect(resultsJson(job)).toBe(`[4,21,${primesIn(composite, 999_000, 1_000_000)},0]`)
  })

  it('busy_wait measures its own durations, and they agree with the task timings', async () => {
    const job = await engine.start({
      workload: 'busy_wait',
      style: 'map',
      threads: 2,
      inputs: { kind: 'recipe', ms: [2, 10], tasks: 8, seed: 7 }
    })
    const summary = await job.done
    expect(summary.status).toBe('done')
    const timings = job.timings.page(0, 8)
    const asked = job.plan.calls.map((call) => (call.plan.layout === 'values' ? call.plan.args[0] : NaN))
    const gaps: number[] = []
    for (let task = 0; task < 8; task++) {
      const measured = Number(job.results.taskText(task))
      const ask = asked[job.plan.callIndex[task]]
      const timed = timings.end[task] - timings.start[task]
      expect(measured).toBeGreaterThanOrEqual(ask)
      // The engine's timing of the task holds the kernel's own measurement.
      expect(timed).toBeGreaterThanOrEqual(measured - 0.001)
      gaps.push(timed - measured)
    }
    // With little around it: a lane's first call of a kernel also compiles it, and a loaded
    // machine may take the thread off its core in between, so the typical gap is what is checked.
    gaps.sort((a, b) => a - b)
    expect(gaps[4]).toBeLessThan(1)
    // The seed drew both durations, and the resolved spec records it.
    expect(new Set(asked).size).toBe(2)
    expect(summary.spec.inputs).toMatchObject({ ms: [2, 10], seed: 7 })
  })

  it('sleep overlaps on more threads than cores: 8 tasks of 50 ms on 8 threads take about 50 ms, not 200', async () => {
    const job = await engine.start({
      workload: 'sleep',
      style: 'map',
      threads: 8,
      inputs: { kind: 'recipe', ms: [50], tasks: 8 }
    })
    const summary = await job.done
    expect(summary.status).toBe('done')
    // Each measured at least its 50 ms; together far less than one after another on 2 cores (200).
    for (let task = 0; task < 8; task++) expect(Number(job.results.taskText(task))).toBeGreaterThanOrEqual(50)
    expect(summary.wallMs).toBeLessThan(150)
  })

  it('keeps values as Python floats in every text: repr, json.dumps, and a digest of that text', async () => {
    const job = await engine.start({
      workload: 'sleep',
      style: 'starmap',
      inputs: { kind: 'args', args: [[0], [1]] }
    })
    await job.done
    const text = resultsJson(job)
    expect(text).toMatch(/^\[\d+\.\d+(e-\d\d)?,\d+\.\d+\]$/)
    const digest = createHash('sha256').update(text).digest('hex')
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(job.results.tuplesPage(1, 0, 10).tuples).toHaveLength(1)
  })

  it('keep count keeps no values but still counts them', async () => {
    const job = await engine.start({
      workload: 'count_primes',
      style: 'starmap',
      keep: 'count',
      inputs: { kind: 'args', args: [[0, 100]] }
    })
    const summary = await job.done
    expect(summary).toMatchObject({ tuplesProduced: 1, tuplesKept: 0 })
    expect(job.results.row(0)).toMatchObject({ count: 1, kept: 0, preview: [] })
    expect(resultsJson(job)).toBe('[null]')
  })

  it('cancels a long busy_wait promptly, keeping the tasks that finished', async () => {
    let job: Job | null = null
    const started = new Promise<void>((resolve) => {
      void engine
        .start(
          {
            workload: 'busy_wait',
            style: 'map',
            threads: 2,
            inputs: { kind: 'recipe', ms: [5000], tasks: 4 }
          },
          { progress: () => resolve() }
        )
        .then((started) => (job = started))
    })
    await started
    const asked = performance.now()
    ;(job as unknown as Job).cancel()
    const summary = await (job as unknown as Job).done
    expect(summary.status).toBe('cancelled')
    expect(summary.tasksStopped).toBe(2)
    expect(summary.message).toBe(
      'cancelled by the user: 0 of 4 tasks completed and kept; 2 stopped midway (not kept), the rest did not run'
    )
    expect(performance.now() - asked).toBeLessThan(500)
  })

  it('reports progress within long values tasks: work units move before any task ends', async () => {
    const events: ProgressEvent[] = []
    const job = await engine.start(
      { workload: 'busy_wait', style: 'map', threads: 2, inputs: { kind: 'recipe', ms: [400], tasks: 2 } },
      { progress: (event) => events.push(event) }
    )
    await job.done
    const midway = events.filter((event) => event.tasksDone === 0 && (event.workDone ?? 0) > 0)
    expect(midway.length).toBeGreaterThan(0)
    // Whole microseconds spun by both tasks, out of 2 × 400,000.
    expect(midway.every((event) => event.workTotal === 800_000)).toBe(true)
    const fractions = midway.map(progressFraction)
    expect(fractions.some((f) => f > 0.2 && f < 1)).toBe(true)
    expect(job.progress().workDone).toBe(800_000)
  })
})
