// Counts and states a job reports about itself, as a user reads them: done and failed apart,
// the work of tasks a cancel stopped midway, progress that moves when tasks are few, and events
// no more often than the event period.
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { EVENT_PERIOD_MS, type Job } from '../../../src/main/engine/job'
import type { ProgressEvent } from '../../../src/shared/protocol'
import { faultyWorkerFile, workerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** C(34, 8) = 18,156,204 tuples per task, counted only: hundreds of milliseconds per task. */
const BIG_TASK_TUPLES = 18_156_204
function bigTasks(tasks: number) {
  return {
    workload: 'combinations_n',
    style: 'starmap',
    threads: 2,
    chunkSize: 1,
    keep: 'count',
    inputs: { kind: 'recipe', elements: range(34), n: [8], tasks }
  }
}

/** Starts a job, keeping its progress events, and resolves once one passes `test`. */
async function startWatching(
  engine: Engine,
  spec: unknown,
  test: (event: ProgressEvent) => boolean = () => false
): Promise<{ job: Job; events: Array<{ event: ProgressEvent; at: number }>; seen: Promise<void> }> {
  const events: Array<{ event: ProgressEvent; at: number }> = []
  let resolveSeen: () => void = () => undefined
  const seen = new Promise<void>((resolve) => (resolveSeen = resolve))
  const job = await engine.start(spec, {
    progress: (event) => {
      events.push({ event, at: performance.now() })
      if (test(event)) resolveSeen()
    }
  })
  return { job, events, seen }
}

describe('counts of done and failed tasks', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  // 150 tasks that throw (13 elements) among 200; the other 50 give the 15 pairs of range(6).
  const failingJob = {
    workload: 'combinations',
    style: 'map',
    threads: 2,
    chunkSize: 10,
    inputs: {
      kind: 'args',
      args: Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? range(6) : range(13)))
    }
  }

  it('never reports more finished tasks than the job has, in any progress event', async () => {
    const { job, events } = await startWatching(engine, failingJob)
    await job.done
    const over = events.filter(({ event }) => event.tasksDone + event.tasksFailed > event.tasksTotal)
    expect(over.map(({ event }) => [event.tasksDone, event.tasksFailed])).toEqual([])
  })

  it('ends with 50 done and 150 failed, uncapped, in the last progress event and the summary', async () => {
    const { job, events } = await startWatching(engine, failingJob)
    const summary = await job.done
    expect(events.at(-1)?.event).toMatchObject({ tasksDone: 50, tasksFailed: 150, tasksTotal: 200 })
    expect(summary).toMatchObject({ status: 'failed', tasksDone: 50, tasksFailed: 150 })
    // Only the list of messages is capped.
    expect(summary.failures).toHaveLength(100)
  })
})

describe('a cancelled job', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  /** Eight big tasks, cancelled as soon as tuples are counted: both threads are inside a task. */
  async function cancelMidway() {
    const { job, events, seen } = await startWatching(engine, bigTasks(8), (event) => event.tuplesDone > 0)
    await seen
    job.cancel()
    const summary = await job.done
    return { job, summary, last: events.at(-1)?.event }
  }

  it('reports the tuples its stopped tasks computed, as the live counter saw them, and keeps none', async () => {
    const { summary, last } = await cancelMidway()
    expect(summary.status).toBe('cancelled')
    expect(summary.tasksStopped).toBeGreaterThan(0)
    expect(summary.tuplesOfStoppedTasks).toBeGreaterThan(0)
    expect(summary.tuplesProduced).toBe(summary.tasksDone * BIG_TASK_TUPLES + summary.tuplesOfStoppedTasks)
    expect(summary.tuplesProduced).toBe(last?.tuplesDone)
    expect(summary.tuplesKept).toBe(0)
  })

  it('counts the time of its stopped tasks as stopped tasks, not as bookkeeping', async () => {
    const { summary } = await cancelMidway()
    const stopped = summary.laneTime.reduce((sum, lane) => sum + lane.stoppedMs, 0)
    const bookkeeping = summary.laneTime.reduce((sum, lane) => sum + lane.bookkeepingMs, 0)
    // The stopped tasks ran for about one event period; a chunk's own set-up is well under a ms.
    expect(stopped).toBeGreaterThan(EVENT_PERIOD_MS / 2)
    expect(bookkeeping).toBeLessThan(stopped / 10)
  })

  it('keeps no timings and no tuples for its stopped tasks: only tasks that ran to their end', async () => {
    const { job, summary } = await cancelMidway()
    expect(job.timings.page(0, 8).task.length).toBe(summary.tasksDone)
    expect(Array.from(job.results.kept)).toEqual(new Array(8).fill(0))
  })
})

describe('progress events', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('carry the total tuples of the plan, so few long tasks can show progress', async () => {
    const { job, events, seen } = await startWatching(engine, bigTasks(2), (event) => event.tuplesDone > 0)
    await seen
    const first = events.find(({ event }) => event.tuplesDone > 0)?.event
    job.cancel()
    await job.done
    expect(first).toMatchObject({ tasksDone: 0, tuplesTotal: 2 * BIG_TASK_TUPLES })
  })

  it(`arrive at most about every ${EVENT_PERIOD_MS} ms, the last one excepted`, async () => {
    const { job, events } = await startWatching(engine, bigTasks(2))
    const summary = await job.done
    const times = events.slice(0, -1).map(({ at }) => at)
    const gaps = times.slice(1).map((at, i) => at - times[i])
    expect(gaps.length).toBeGreaterThan(2)
    // A Node timer may fire a millisecond early, never a period early.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(EVENT_PERIOD_MS - 2)
    expect(events.length).toBeLessThanOrEqual(Math.floor(summary.wallMs / EVENT_PERIOD_MS) + 2)
  })
})
