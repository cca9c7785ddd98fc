// Whether the timings are right: busy_wait's durations as the engine measured them, where its
// tasks sit on the job clock, and how far each lane's clock is from the main thread's after the
// engine's correction (judged from the chunks' round trips, not from the offset it measured).
// Bounds are loose (a shared 2-core machine); bench/fidelity.js measures against the real bar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { laneClockBounds, leastSkewMs } from '../../../src/main/engine/clockBounds'
import { busyWaitSpec } from '../../fixtures/specs'
import { fixturesDir, workerFile } from '../../paths'

const BACKENDS = ['threads', 'processes'] as const
type BackendKind = (typeof BACKENDS)[number]

/** The loose bar: within 10% + 1 ms of the requested duration. */
const withinLooseBar = (ms: number, requested: number) => Math.abs(ms - requested) <= requested * 0.1 + 1

async function run(engine: Engine, spec: object): Promise<Job> {
  const job = await engine.start(spec)
  const summary = await job.done
  expect(summary.status).toBe('done')
  return job
}

/** busy_wait(0) a task a chunk: many round trips between the main thread and every lane. */
const probeSpec = (backend: BackendKind) => ({ ...busyWaitSpec(300, 0), backend })

describe.each(BACKENDS)('timing fidelity on %s', (backend) => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  // A busy_wait spins until `ms` have passed on its own clock, then returns the spin it measured.
  // A task can take longer than asked: the OS may take the core away just before the deadline (a
  // shared machine does, by milliseconds), and then the task really did take longer; now and then
  // it also loses milliseconds inside the call but outside the kernel's own clock reads. So tasks
  // are held to what their kernels measured (the median one, within 10% + 1 ms), and the quickest
  // to what was asked, within 50% + 1 ms: on a loaded 2-core machine even the quickest of ten
  // 10 ms spins was seen at 13.5 ms (bench/fidelity.js measures against the 2% + 50 µs bar).
  it('times busy_wait(10 ms) as long as its kernel spun, and the quickest close to 10 ms', async () => {
    const tasks = 10
    const job = await run(engine, { ...busyWaitSpec(tasks, 10), backend })
    const measured: number[] = []
    const added: number[] = []
    for (let task = 0; task < tasks; task++) {
      expect(job.timings.ran(task)).toBe(true)
      const ms = job.timings.end[task] - job.timings.start[task]
      // What the kernel measured of its own spin, on its own thread's clock.
      const spun = job.results.positions(task)[0]
      expect(spun).toBeGreaterThanOrEqual(10)
      // The engine's span encloses the kernel's: its stamps are taken outside the call.
      expect(ms).toBeGreaterThanOrEqual(spun - 1e-6)
      measured.push(ms)
      added.push(ms - spun)
    }
    const median = added.sort((a, b) => a - b)[tasks >> 1]
    expect(withinLooseBar(10 + median, 10), `the engine added ${median} ms to the median task`).toBe(true)
    const quickest = Math.min(...measured)
    expect(quickest, 'the quickest task').toBeLessThanOrEqual(10 * 1.5 + 1)
  })

  it('puts every task inside the job, and never two at once on a lane', async () => {
    const job = await run(engine, { ...busyWaitSpec(12, 2), backend })
    const { wallMs } = await job.done
    const byLane = new Map<number, Array<[number, number]>>()
    for (let task = 0; task < 12; task++) {
      const start = job.timings.start[task]
      const end = job.timings.end[task]
      expect(start).toBeGreaterThanOrEqual(0)
      expect(end).toBeLessThanOrEqual(wallMs)
      const lane = job.timings.lane[task]
      byLane.set(lane, [...(byLane.get(lane) ?? []), [start, end]])
    }
    expect(byLane.size).toBe(2)
    for (const spans of byLane.values()) {
      spans.sort((a, b) => a[0] - b[0])
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1])
    }
  })

  it('keeps every lane’s clock within 1 ms of the main thread’s', async () => {
    const job = await run(engine, probeSpec(backend))
    const bounds = laneClockBounds(job.chunks)
    expect(bounds.map((lane) => lane.lane)).toEqual([0, 1])
    for (const lane of bounds) {
      // Conclusive: the round trips pin the skew down to a few ms at worst…
      expect(lane.aheadAtMostMs - lane.aheadAtLeastMs).toBeLessThan(5)
      // …and what they allow includes a skew under 1 ms.
      expect(leastSkewMs(lane), JSON.stringify(lane)).toBeLessThan(1)
    }
  })
})

describe('a child process whose clock is 250 ms ahead of the parent’s', () => {
  const AHEAD_MS = 250
  let engine: Engine
  const saved = { options: process.env.NODE_OPTIONS, ahead: process.env.CLOCK_AHEAD_MS }
  beforeAll(async () => {
    // Children inherit this environment: each preloads the fixture and reads its clock ahead.
    process.env.NODE_OPTIONS = `--require ${join(fixturesDir, 'clockAhead.cjs')}`
    process.env.CLOCK_AHEAD_MS = String(AHEAD_MS)
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    try {
      // The pool starts with the first job; its children keep the environment they started with.
      await run(engine, { ...busyWaitSpec(2, 0), backend: 'processes' })
    } finally {
      process.env.NODE_OPTIONS = saved.options
      process.env.CLOCK_AHEAD_MS = saved.ahead
      if (saved.options === undefined) delete process.env.NODE_OPTIONS
      if (saved.ahead === undefined) delete process.env.CLOCK_AHEAD_MS
    }
  })
  afterAll(() => engine.dispose())

  it('is measured at start-up and corrected: its tasks sit on the main thread’s clock', async () => {
    const job = await run(engine, probeSpec('processes'))
    const { lanes } = await job.done
    for (const label of lanes) expect(Math.abs(label.clockOffsetMs - AHEAD_MS)).toBeLessThan(1)
    for (const lane of laneClockBounds(job.chunks)) {
      expect(lane.aheadAtMostMs - lane.aheadAtLeastMs).toBeLessThan(5)
      expect(leastSkewMs(lane), JSON.stringify(lane)).toBeLessThan(1)
    }
  })
})
