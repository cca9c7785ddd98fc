import { readFileSync } from 'node:fs'
import type { Piscina } from 'piscina'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { JobSpecInput } from '../../../src/shared/spec'
import { faultyWorkerFile } from '../../paths'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** Tasks whose element counts pick faults in the fault-injecting worker (test/fixtures/faultyWorker.ts). */
function tasksOf(sizes: number[], extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    workload: 'combinations',
    style: 'map',
    threads: 2,
    chunkSize: 1,
    inputs: { kind: 'args', args: sizes.map(range) },
    ...extra
  }
}

/** Threads of this process (Linux): pool threads that were stopped must not linger. */
function osThreads(): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1])
}

describe('faults in workers', () => {
  let engine: Engine
  afterEach(() => engine.dispose())

  it('fails a task that overruns the task timeout at about the timeout, and replaces its worker', async () => {
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
    const job = await engine.start(tasksOf([6, 29, 7], { taskTimeoutMs: 300 }))
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.tasksDone).toBe(2)
    expect(summary.failures).toEqual([
      {
        task: 1,
        message: 'ran longer than the 300 ms task timeout; it was stopped and its worker thread replaced'
      }
    ])
    const timedOut = job.timings
    expect(timedOut.ran(1)).toBe(false)
    // Stopped a little after the timeout: the watchdog looks every 75 ms.
    expect(summary.wallMs).toBeGreaterThan(300)
    expect(summary.wallMs).toBeLessThan(1500)
    const next = await (await engine.start(tasksOf([6, 6, 6, 6]))).done
    expect(next).toMatchObject({ status: 'done', tuplesProduced: 60 })
  })

  it('names the lost neighbours of a timed-out task in the same chunk', async () => {
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
    const job = await engine.start(tasksOf([6, 29, 7, 8], { taskTimeoutMs: 200, chunkSize: 2, threads: 1 }))
    await job.done
    expect(job.results.errorOf(0)).toBe('lost with tasks 0–1: the worker stopped while running task 1')
    expect(job.results.errorOf(1)).toMatch(/^ran longer than the 200 ms task timeout/)
    expect(job.results.row(2)).toMatchObject({ status: 'done', count: 21 })
  })

  it('fails a task that fills its heap past the limit with a clear message, and the next job runs', async () => {
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2, workerHeapLimitMb: 64 })
    const job = await engine.start(tasksOf([6, 23, 7]))
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.failures).toEqual([
      {
        task: 1,
        message: "ran out of memory: it reached the worker's 64 MB heap limit; its worker thread was replaced"
      }
    ])
    expect(job.results.row(2)).toMatchObject({ status: 'done', count: 21 })
    const next = await (await engine.start(tasksOf([6, 6]))).done
    expect(next.status).toBe('done')
  })

  it('hears an error raised by an idle worker, replaces the worker and runs the next job', async () => {
    const heard: Error[] = []
    engine = new Engine({
      workerFile: faultyWorkerFile,
      hardwareThreads: 2,
      onPoolError: (error) => heard.push(error)
    })
    await (
      await engine.start(tasksOf([6, 6]))
    ).done
    // An idle Piscina worker waits in Atomics.wait, so its own timers cannot fire: an error reaches
    // the pool as the Worker's 'error' event, which is what Node emits for an uncaught exception.
    const piscina = (engine as unknown as { pool: { piscina: Piscina } }).pool.piscina
    const idle = piscina.threads[0]
    idle.emit('error', new Error('stray error in an idle worker'))
    expect(heard.map((error) => error.message)).toEqual(['stray error in an idle worker'])
    await expect.poll(() => piscina.threads.length, { timeout: 5000 }).toBe(2)
    expect(piscina.threads).not.toContain(idle)
    const next = await (await engine.start(tasksOf([6, 6, 6, 6]))).done
    expect(next).toMatchObject({ status: 'done', tuplesProduced: 60 })
  })

  it.runIf(process.platform === 'linux')(
    'leaves no extra threads behind after stopping a worker',
    async () => {
      engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
      await (
        await engine.start(tasksOf([6, 6]))
      ).done
      const before = osThreads()
      await (
        await engine.start(tasksOf([29, 6], { taskTimeoutMs: 100 }))
      ).done
      await (
        await engine.start(tasksOf([6, 6]))
      ).done
      await expect.poll(osThreads, { timeout: 5000 }).toBe(before)
    }
  )
})
