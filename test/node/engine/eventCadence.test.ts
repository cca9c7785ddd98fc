// How often a running job talks to its listener: progress once per event period, never in bursts
// and never with long silences, so a renderer or a WebSocket client gets at most about 10 messages
// a second however fast tasks finish. Timings are never pushed: clients ask for them.
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { EVENT_PERIOD_MS } from '../../../src/main/engine/job'
import { workerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/**
 * 80 tasks of all 8-combinations of range(24) (735,471 tuples each), counted only, one task per
 * chunk: a few seconds on two threads, with tasks finishing all along, so progress moves in most
 * periods.
 */
const steadyJob = {
  workload: 'combinations_n',
  style: 'starmap',
  threads: 2,
  chunkSize: 1,
  keep: 'count',
  inputs: { kind: 'recipe', elements: range(24), n: [8], tasks: 80 }
}

/** What the messages per second may not exceed: progress once per period. */
const MAX_EVENTS_PER_SECOND = 1000 / EVENT_PERIOD_MS
/** A timer may fire late when the machine is busy; it may not fire a fifth of a period early. */
const EARLY_MS = EVENT_PERIOD_MS / 5
/** The longest silence allowed while the job runs: a few missed periods, not a stalled timer. */
const MAX_SILENCE_MS = 4 * EVENT_PERIOD_MS

interface Arrival {
  kind: 'progress' | 'finished'
  at: number
}

const gapsOf = (times: number[]) => times.slice(1).map((at, i) => at - times[i])

describe('event cadence of a running job', () => {
  let engine: Engine
  beforeAll(async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    // Start the pool now, so the measured job runs from its first millisecond.
    const warmUp = await engine.start({ ...steadyJob, inputs: { ...steadyJob.inputs, tasks: 2 } })
    await warmUp.done
  })
  afterAll(() => engine.dispose())

  it(`sends progress once every ${EVENT_PERIOD_MS} ms or so: no bursts, no long silences`, async () => {
    const arrivals: Arrival[] = []
    const note = (kind: Arrival['kind']) => () => arrivals.push({ kind, at: performance.now() })
    const startedAt = performance.now()
    const job = await engine.start(steadyJob, {
      progress: note('progress'),
      finished: note('finished')
    })
    const summary = await job.done
    expect(summary.status).toBe('done')
    expect(summary.wallMs).toBeGreaterThanOrEqual(1000)

    const progress = arrivals.filter((a) => a.kind === 'progress').map((a) => a.at)
    const finishedAt = arrivals.find((a) => a.kind === 'finished')?.at ?? NaN
    // Progress all along, then one finished, last.
    expect(arrivals.map((a) => a.kind)).toEqual([...progress.map(() => 'progress'), 'finished'])

    // No bursts: consecutive progress events are a period apart. The last may come early: the job
    // reports once more when it ends, whenever that is.
    expect(Math.min(...gapsOf(progress.slice(0, -1)))).toBeGreaterThanOrEqual(EVENT_PERIOD_MS - EARLY_MS)

    // No long silences: from the start, through every progress event, to the end.
    const silences = gapsOf([startedAt, ...progress, finishedAt])
    expect(Math.max(...silences)).toBeLessThanOrEqual(MAX_SILENCE_MS)

    // At most 10 messages a second over the job's time, the final progress and finished aside.
    expect(progress.length - 1).toBeLessThanOrEqual((MAX_EVENTS_PER_SECOND * summary.wallMs) / 1000)
    // And not far fewer either: the timer kept firing the whole time.
    expect(progress.length).toBeGreaterThanOrEqual(summary.wallMs / MAX_SILENCE_MS)
  })
})
