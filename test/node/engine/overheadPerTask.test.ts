// The tool's own cost per task, reported apart from the workload's: what the summary says the
// engine spent per task, and that the totals the workers send stand in for the tasks they ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { perTaskLines } from '../../../src/main/cli/output'
import { workerFile } from '../../paths'

describe('the cost per task the summary reports', () => {
  let engine: Engine
  beforeAll(() => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
  })
  afterAll(() => engine.dispose())

  const tinyTasks = {
    workload: 'combinations',
    style: 'map',
    threads: 2,
    chunkSize: 'auto',
    keep: 'count',
    inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 50_000 }
  }

  it('is the lanes’ bookkeeping time per task that ran, in nanoseconds', async () => {
    const job = await engine.start(tinyTasks)
    const summary = await job.done
    const bookkeepingMs = summary.laneTime.reduce((sum, lane) => sum + lane.bookkeepingMs, 0)
    expect(summary.tasksDone).toBe(50_000)
    expect(summary.overheadNsPerTask).toBeGreaterThan(0)
    expect(summary.overheadNsPerTask).toBeCloseTo((bookkeepingMs * 1e6) / 50_000, 6)
  })

  it('files every task of every chunk from the workers’ totals: counts, tuples and busy time', async () => {
    const job = await engine.start(tinyTasks)
    const summary = await job.done
    expect(summary.tuplesProduced).toBe(50_000 * 15)
    let busyMs = 0
    let ran = 0
    for (let task = 0; task < 50_000; task++) {
      if (!job.timings.ran(task)) continue
      ran++
      busyMs += job.timings.end[task] - job.timings.start[task]
    }
    expect(ran).toBe(50_000)
    const summed = summary.busyMsPerLane.reduce((sum, ms) => sum + ms, 0)
    expect(summed).toBeCloseTo(busyMs, 6)
  })

  it('is shown in the CLI summary beside the time in tasks', async () => {
    const job = await engine.start(tinyTasks)
    const summary = await job.done
    const busyMs = summary.busyMsPerLane.reduce((sum, ms) => sum + ms, 0)
    const taskNs = ((busyMs * 1e6) / 50_000).toFixed(0)
    const toolNs = (summary.overheadNsPerTask ?? NaN).toFixed(0)
    expect(perTaskLines(summary)).toEqual([
      `Per task: ${taskNs} ns in the task, ${toolNs} ns of PoolScope's own bookkeeping`
    ])
  })
})
