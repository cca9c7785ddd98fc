import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { JobSpecInput } from '../../../src/shared/spec'
import type { ProgressEvent } from '../../../src/shared/protocol'
import { faultyWorkerFile, workerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/**
 * How far a chunk's own ends may lie from its tasks' ends: the set-up before its first task and the
 * reply after its last (both well under a millisecond on an idle machine; generous for a busy one).
 */
const CHUNK_SLACK_MS = 25

function mapCell(threads: number): JobSpecInput {
  return { workload: 'combinations', style: 'map', threads, inputs: { kind: 'recipe', elements: range(6) } }
}

describe('Engine', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('runs the notebook’s map cell: 2 × threads results of the 15 pairs of range(6)', async () => {
    const job = await engine.start(mapCell(2))
    const summary = await job.done
    expect(summary.status).toBe('done')
    expect(summary.taskCount).toBe(4)
    expect(summary.tuplesProduced).toBe(60)
    expect(job.progress()).toMatchObject({ tasksDone: 4, tasksTotal: 4, tuplesDone: 60 })
    for (let task = 0; task < 4; task++) {
      expect(job.results.taskText(task)).toBe(
        '((0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5))'
      )
    }
  })

  it('reuses the warm pool for the next job of the same size only, and reports start-up apart', async () => {
    // A fresh engine, so its first job must start a pool.
    const fresh = new Engine({ workerFile, hardwareThreads: 2 })
    try {
      const run = async (threads: number) => {
        const { poolReused, poolStartupMs } = await (await fresh.start(mapCell(threads))).done
        return { poolReused, poolStartupMs }
      }
      const first = await run(2)
      expect(first.poolReused).toBe(false)
      expect(first.poolStartupMs).toBeGreaterThan(0)
      // Same thread count: the warm pool, no start-up.
      expect(await run(2)).toEqual({ poolReused: true, poolStartupMs: 0 })
      // Another thread count needs a pool of its own, which is then warm in turn.
      const oneThread = await run(1)
      expect(oneThread.poolReused).toBe(false)
      expect(oneThread.poolStartupMs).toBeGreaterThan(0)
      expect(await run(1)).toEqual({ poolReused: true, poolStartupMs: 0 })
      // And back to two threads: the one-thread pool is not reused for it.
      const twoAgain = await run(2)
      expect(twoAgain.poolReused).toBe(false)
      expect(twoAgain.poolStartupMs).toBeGreaterThan(0)
    } finally {
      await fresh.dispose()
    }
  })

  it('unpacks starmap arguments and keeps results in task order when tasks finish out of order', async () => {
    // A long task first and short ones after: with two threads the short ones finish first.
    const args = [
      [range(24), 6],
      [range(6), 2],
      [range(6), 3],
      [range(5), 5],
      [['a', 'b', 'a'], 2],
      [range(3), 4]
    ]
    const job = await engine.start({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      chunkSize: 1,
      inputs: { kind: 'args', args }
    })
    const summary = await job.done
    expect(summary.status).toBe('done')
    expect(Array.from(job.results.produced)).toEqual([134596, 15, 20, 1, 3, 0])
    expect(job.results.taskText(3)).toBe('((0, 1, 2, 3, 4),)')
    // Duplicates combine by position, as in Python.
    expect(job.results.taskText(4)).toBe("(('a', 'b'), ('a', 'a'), ('b', 'a'))")
    expect(job.results.taskText(5)).toBe('()')
    expect(job.timings.end[1]).toBeLessThan(job.timings.end[0])
  })

  it('digests results exactly as Python’s json.dumps with compact separators', async () => {
    const job = await engine.start({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      inputs: {
        kind: 'args',
        args: [
          [['x', 'y', 'z'], 2],
          [[0, 1, 2], 0]
        ]
      }
    })
    await job.done
    expect(Buffer.concat([...job.results.jsonChunks()]).toString('latin1')).toBe(
      '[[["x","y"],["x","z"],["y","z"]],[[]]]'
    )
    // python3 -c 'import json,hashlib;print(hashlib.sha256(json.dumps([[["x","y"],["x","z"],["y","z"]],[[]]],separators=(",",":")).encode()).hexdigest())'
    const tiny = Buffer.concat([...job.results.jsonChunks(8)]).toString('latin1')
    expect(tiny).toBe('[[["x","y"],["x","z"],["y","z"]],[[]]]')
    expect(createHash('sha256').update(tiny).digest('hex')).toBe(
      '8cef934c1c42f173a32e5d52952843302c6f10e56612402f1436c9897e5394d4'
    )
  })

  it('times every task on one clock: start ≤ end, lanes within the pool, no overlap within a lane', async () => {
    const job = await engine.start({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      chunkSize: 3,
      inputs: { kind: 'recipe', elements: range(16), n: [3, 4, 5], seed: 7, tasks: 60 }
    })
    await job.done
    const byLane = new Map<number, Array<[number, number]>>()
    for (let task = 0; task < 60; task++) {
      const start = job.timings.start[task]
      const end = job.timings.end[task]
      const lane = job.timings.lane[task]
      expect(start).toBeLessThanOrEqual(end)
      expect(lane).toBeGreaterThanOrEqual(0)
      expect(lane).toBeLessThan(2)
      byLane.set(lane, [...(byLane.get(lane) ?? []), [start, end]])
    }
    for (const spans of byLane.values()) {
      spans.sort((a, b) => a[0] - b[0])
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1])
    }
    if (process.platform === 'linux') expect(job.timings.tid[0]).toBeGreaterThan(0)
    // Each lane's time, checked against the tasks' own timings as paged from the store (laneTime
    // never sees them: it works from chunk spans and the workers' busy totals).
    const summary = job.summary()
    const paged = job.timings.page(0, 60)
    expect(paged.task.length).toBe(60)
    expect(summary.laneTime).toHaveLength(2)
    summary.laneTime.forEach((parts, lane) => {
      const mine = Array.from(paged.task.keys()).filter((i) => paged.lane[i] === lane)
      expect(mine.length).toBeGreaterThan(0)
      const busy = mine.reduce((sum, i) => sum + (paged.end[i] - paged.start[i]), 0)
      const firstStart = Math.min(...mine.map((i) => paged.start[i]))
      const lastEnd = Math.max(...mine.map((i) => paged.end[i]))
      expect(Math.min(...Object.values(parts))).toBeGreaterThanOrEqual(0)
      expect(parts.tasksMs).toBeCloseTo(busy, 6)
      expect(parts.stoppedMs).toBe(0)
      // Idle at the end runs from the lane's last reply, a moment after its last task ended, to the job's end.
      expect(parts.idleAtEndMs).toBeLessThanOrEqual(summary.wallMs - lastEnd)
      expect(parts.idleAtEndMs).toBeGreaterThanOrEqual(summary.wallMs - lastEnd - CHUNK_SLACK_MS)
      // It waited for its first chunk until a moment before its first task, and waited only in the gaps
      // between tasks (their total, first one included, is lastEnd - busy).
      expect(parts.awaitingWorkMs).toBeGreaterThanOrEqual(firstStart - CHUNK_SLACK_MS)
      expect(parts.awaitingWorkMs).toBeLessThanOrEqual(lastEnd - busy + 1e-6)
      expect(parts.bookkeepingMs).toBeLessThanOrEqual(lastEnd - busy + CHUNK_SLACK_MS)
    })
  })

  it('keeps the timing of every task of a many-chunk job for paging, in task order', async () => {
    const job = await engine.start({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 100_000 }
    })
    const summary = await job.done
    expect(summary.tasksDone).toBe(100_000)
    const page = job.timings.page(0, 100_000)
    expect(page.task.length).toBe(100_000)
    expect(page.task.every((task, i) => task === i)).toBe(true)
    expect(page.end.every((end, i) => end >= page.start[i])).toBe(true)
  })

  it('refuses, before any work, a job whose kept results exceed the budget', async () => {
    const small = new Engine({ workerFile, hardwareThreads: 2, budgetBytes: 1000 })
    await expect(
      small.start({
        workload: 'combinations_n',
        style: 'starmap',
        inputs: { kind: 'args', args: [[range(30), 5]] }
      })
    ).rejects.toMatchObject({ code: 'OVER_BUDGET', message: expect.stringMatching(/keep count only/) })
    expect(small.listJobs()).toHaveLength(0)
    await small.dispose()
  })

  it('is free for the next job as soon as a job reports that it finished', async () => {
    const next = new Promise<unknown>((resolve, reject) => {
      void engine.start(mapCell(2), {
        finished: () => {
          engine.start(mapCell(2)).then(
            (job) => resolve(job.done),
            (err: unknown) => reject(err)
          )
        }
      })
    })
    await expect(next).resolves.toMatchObject({ status: 'done', tuplesProduced: 60 })
  })

  it('refuses a second job while one runs, and the first goes on', async () => {
    const job = await engine.start({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      keep: 'count',
      inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 8 }
    })
    await expect(engine.start(mapCell(2))).rejects.toMatchObject({ code: 'JOB_RUNNING' })
    expect((await job.done).status).toBe('done')
    // Progress counts every tuple, those reported at checkpoints inside tasks and the rest.
    expect(job.progress().tuplesDone).toBe(8 * 2_035_800)
  })

  it('cancels within a few hundred milliseconds and keeps what was computed, marked partial', async () => {
    const progress: ProgressEvent[] = []
    let someDone: () => void = () => undefined
    const tasksDone = new Promise<void>((resolve) => (someDone = resolve))
    const job = await engine.start(
      {
        workload: 'combinations_n',
        style: 'starmap',
        threads: 2,
        chunkSize: 1,
        keep: 5,
        inputs: { kind: 'recipe', elements: range(28), n: [7], tasks: 200 }
      },
      {
        progress: (event) => {
          progress.push(event)
          if (event.tasksDone > 0) someDone()
        }
      }
    )
    // Cancel once a progress event says some tasks are done, instead of after a fixed sleep.
    await tasksDone
    const asked = performance.now()
    expect(job.cancel()).toBe(true)
    const summary = await job.done
    expect(performance.now() - asked).toBeLessThan(300)
    expect(summary.status).toBe('cancelled')
    expect(summary.partial).toBe(true)
    expect(summary.tasksDone).toBeGreaterThan(0)
    expect(summary.tasksDone).toBeLessThan(200)
    const firstDone = Array.from(job.results.status).indexOf(1)
    expect(job.results.row(firstDone).preview).toEqual([
      '(0, 1, 2, 3, 4, 5, 6)',
      '(0, 1, 2, 3, 4, 5, 7)',
      '(0, 1, 2, 3, 4, 5, 8)',
      '(0, 1, 2, 3, 4, 5, 9)',
      '(0, 1, 2, 3, 4, 5, 10)'
    ])
    expect(progress.length).toBeGreaterThan(0)
    // Only tasks that ran to their end are timed and keep tuples; a task stopped midway is not.
    for (let task = 0; task < 200; task++) {
      const ran = job.results.status[task] === 1
      expect(job.timings.ran(task)).toBe(ran)
      expect(job.results.kept[task]).toBe(ran ? 5 : 0)
    }
    expect(job.timings.page(0, 200).task.length).toBe(summary.tasksDone)
    // The pool keeps working after a cancel.
    expect((await (await engine.start(mapCell(2))).done).status).toBe('done')
  })
})

describe('Engine start-up faults', () => {
  it('reports a pool that cannot start as POOL_FAILED and leaves no job claiming the engine', async () => {
    const broken = new Engine({ workerFile: '/nonexistent/worker.cjs', hardwareThreads: 2 })
    await expect(broken.start(mapCell(2))).rejects.toMatchObject({
      code: 'POOL_FAILED',
      message: expect.stringMatching(/^could not start a pool of 2 threads: /)
    })
    await expect(broken.start(mapCell(2))).rejects.toMatchObject({
      message: expect.not.stringContaining('/nonexistent')
    })
    expect(broken.runningJob).toBeNull()
    await broken.dispose()
  })
})

describe('Engine faults', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  it('fails a throwing task alone and keeps its message', async () => {
    const job = await engine.start({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      chunkSize: 4,
      inputs: { kind: 'args', args: [range(6), range(13), range(7), range(4)] }
    })
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.tasksDone).toBe(3)
    expect(summary.failures).toEqual([{ task: 1, message: 'Error: boom on purpose' }])
    expect(job.results.row(2).count).toBe(21)
    expect(summary.message).toMatch(/1 of 4 tasks failed/)
  })

  it('fails only the chunk of a worker that exits, and the pool recovers for the next job', async () => {
    const job = await engine.start({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      chunkSize: 2,
      inputs: { kind: 'args', args: [range(6), range(6), range(17), range(6), range(8), range(8)] }
    })
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.tasksFailed).toBe(2)
    expect(Array.from(job.results.status)).toEqual([1, 1, 2, 2, 1, 1])
    expect(job.results.errorOf(2)).toMatch(/^the worker stopped while running this task: /)
    expect(job.results.errorOf(3)).toBe('lost with tasks 2–3: the worker stopped while running task 2')
    const next = await (await engine.start(mapCell(2))).done
    expect(next.status).toBe('done')
    expect(next.tuplesProduced).toBe(60)
  })
})
