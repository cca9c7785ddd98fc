// The Chrome trace export against the format's rules, on real jobs run through the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import { Slicer } from '../../../src/main/engine/slicer'
import { TRACE_ARGS_CHARS, TRACE_MAX_CHUNKS, traceSlices } from '../../../src/main/host/traceExport'
import type { JobSummary } from '../../../src/shared/protocol'
import { busyWaitSpec } from '../../fixtures/specs'
import { workerFile } from '../../paths'
import { checkTrace, ticks, type Trace } from './traceFormat'

let host: EngineHost
beforeAll(() => {
  host = new EngineHost({ workerFile })
})
afterAll(() => host.dispose())

/** Starts a job through the host and resolves with its summary once it has ended. */
async function run(spec: unknown, onStart?: (jobId: string) => void): Promise<JobSummary> {
  let jobId = ''
  const finished = new Promise<JobSummary>((resolve) => {
    const stop = host.onEvent((event) => {
      if (event.type === 'job.finished' && event.payload.jobId === jobId) {
        stop()
        resolve(event.payload)
      }
    })
  })
  const started = await host.call('job.start', { spec })
  if (!started.ok) throw new Error(started.error.message)
  jobId = (started.result as { jobId: string }).jobId
  onStart?.(jobId)
  return finished
}

async function traceOf(jobId: string): Promise<Trace> {
  let text = ''
  for await (const slice of host.trace(jobId)) text += slice
  return JSON.parse(text) as Trace
}

describe('Chrome trace export', () => {
  it('gives every task that ran one X event at its timing, named lanes and the job zero', async () => {
    const summary = await run({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      chunkSize: 3,
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], n: [2, 3], tasks: 40, seed: 1 }
    })
    const trace = await traceOf(summary.jobId)
    const tasks = checkTrace(trace)
    expect([...tasks.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    const job = host.engine.job(summary.jobId)
    const zeroUs = trace.otherData.jobZeroUs as number
    // The zero lies at the pool's start-up, or the CPU baseline reading when that came first.
    const baselineMs = -(job.cpuSamples().from ?? 0)
    const shiftMs = Math.max(summary.poolReused ? 0 : summary.poolStartupMs, baselineMs)
    expect(Math.abs(zeroUs - shiftMs * 1000)).toBeLessThanOrEqual(0.05)
    for (const [task, event] of tasks) {
      // On a grid of 0.1 µs: each end within half a step of its timing.
      const start = (job.timings.start[task] + shiftMs) * 1000
      const end = (job.timings.end[task] + shiftMs) * 1000
      expect(Math.abs((event.ts ?? 0) - start)).toBeLessThanOrEqual(0.05 + 1e-6)
      expect(Math.abs((event.ts ?? 0) + (event.dur ?? 0) - end)).toBeLessThanOrEqual(0.05 + 1e-6)
      expect(event.name).toBe(`#${task}`)
      expect(event.cat).toBeUndefined()
      expect(event.pid).toBe(1)
      expect(event.tid).toBe(job.timings.lane[task] + 2)
      expect(event.args?.cpu).toBe(job.timings.cpu[task])
      expect(event.args?.tuples).toBe(job.results.produced[task])
      // Chunks of 3 mixing n=2 and n=3 carry arguments per task; uniform ones on the chunk.
      const chunk = trace.traceEvents.find(
        (e) =>
          e.cat === 'engine' &&
          (e.args?.firstTask as number) <= task &&
          task < (e.args?.firstTask as number) + (e.args?.count as number)
      )
      expect(event.args?.arguments ?? chunk?.args?.arguments).toBe(job.results.argsText(task))
    }
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name')
    expect(names.map((e) => e.args?.name)).toEqual([
      'main thread',
      expect.stringMatching(/^worker 0 · tid \d+$/),
      expect.stringMatching(/^worker 1 · tid \d+$/)
    ])
    const processName = trace.traceEvents.find((e) => e.name === 'process_name')
    expect(processName?.args?.name).toBe(`PoolScope job ${summary.jobId}: combinations_n on 2 threads`)
    const filing = trace.traceEvents.filter((e) => e.cat === 'dispatch' && e.ph === 'X')
    const sends = trace.traceEvents.filter((e) => e.cat === 'dispatch' && e.ph === 'i')
    expect(filing).toHaveLength(job.chunks.length)
    expect(sends).toHaveLength(job.chunks.length)
    expect(trace.otherData.tasksWithArgsCut).toBe(0)
  })

  it('says in its metadata how many tasks had their arguments cut', async () => {
    const elements = Array.from({ length: 60 }, (_, i) => i)
    const summary = await run({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 1,
      inputs: { kind: 'recipe', elements, n: [1], tasks: 3 }
    })
    const trace = await traceOf(summary.jobId)
    checkTrace(trace)
    expect(trace.otherData.tasksWithArgsCut).toBe(3)
    const labels = trace.traceEvents.find((e) => e.name === 'process_labels')
    expect(labels?.args?.labels).toBe(`arguments of 3 tasks cut to ${TRACE_ARGS_CHARS} characters`)
    const chunk = trace.traceEvents.find((e) => e.cat === 'engine' && e.args?.firstTask !== undefined)
    expect((chunk?.args?.arguments as string).length).toBe(TRACE_ARGS_CHARS)
  })

  it('writes the own events of the first chunks only, past its chunk cap, and says so', async () => {
    expect(TRACE_MAX_CHUNKS).toBe(10_000)
    const summary = await run({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      chunkSize: 1,
      keep: 'count',
      inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 50 }
    })
    let text = ''
    const report = { leftOut: [] as string[] }
    for await (const slice of traceSlices(host.engine.job(summary.jobId), new Slicer(), report, 30))
      text += slice
    const trace = JSON.parse(text) as Trace
    // Every task still has its one X event.
    expect(checkTrace(trace).size).toBe(50)
    const sends = trace.traceEvents.filter((e) => e.ph === 'i' && e.tid === 1)
    const chunkSlices = trace.traceEvents.filter((e) => e.cat === 'engine' && e.args?.firstTask !== undefined)
    expect([sends.length, chunkSlices.length]).toEqual([30, 30])
    const left =
      'the sends, reply waits, filing and chunk slices of 20 chunks after the first 30 (their tasks are all there)'
    expect(report.leftOut).toContain(left)
    expect(trace.otherData.leftOut).toContain(left)
    expect(trace.traceEvents.find((e) => e.name === 'process_labels')?.args?.labels).toContain(left)
    // A task whose chunk has no slice carries its own arguments; one inside a written chunk does not.
    const withArgs = trace.traceEvents.filter((e) => e.args?.arguments === '(0, 1, 2)' && e.cat !== 'engine')
    expect(withArgs).toHaveLength(20)
  })

  it('holds only the tasks that ran when the job was cancelled', async () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i)
    let cancelled: Promise<unknown> = Promise.resolve()
    const stop = host.onEvent((event) => {
      if (event.type === 'job.progress' && event.payload.tasksDone > 0)
        cancelled = host.call('job.cancel', { jobId: event.payload.jobId })
    })
    const summary = await run({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      chunkSize: 1,
      keep: 'count',
      inputs: { kind: 'recipe', elements: range(26), n: [6], tasks: 400 }
    })
    stop()
    await cancelled
    expect(summary.status).toBe('cancelled')
    const job = host.engine.job(summary.jobId)
    const ran = range(400).filter((task) => job.timings.ran(task))
    expect(ran.length).toBeLessThan(400)
    const trace = await traceOf(summary.jobId)
    const tasks = checkTrace(trace)
    expect([...tasks.keys()].sort((a, b) => a - b)).toEqual(ran)
    expect(trace.otherData.tasksRan).toBe(ran.length)
  })

  it('is refused while the job runs', async () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i)
    let refusal: unknown = null
    const summary = await run(
      {
        workload: 'combinations_n',
        style: 'starmap',
        threads: 1,
        keep: 'count',
        inputs: { kind: 'recipe', elements: range(26), n: [6], tasks: 8 }
      },
      (jobId) => {
        void traceOf(jobId).catch((err: unknown) => {
          refusal = err
          void host.call('job.cancel', { jobId })
        })
      }
    )
    expect(summary.status).toBe('cancelled')
    expect(String(refusal)).toMatch(/is still running; its trace can be written once it has ended/)
  })

  it('has a counter track per CPU with its sampled utilization, and the mean of lanes in a task', async () => {
    const summary = await run(busyWaitSpec(8, 60))
    const job = host.engine.job(summary.jobId)
    const trace = await traceOf(summary.jobId)
    const cpu = job.cpuSamples()
    // The trace waited for the sampler's reading after the job's end: ~240 ms of job, 3+ intervals.
    expect(cpu.at.length).toBeGreaterThanOrEqual(3)
    checkTrace(trace)
    const zeroUs = trace.otherData.jobZeroUs as number
    const bounds = [cpu.from as number, ...cpu.at]
    // Each point [ts, args]; ts on the 0.1 µs grid, so compared to a step.
    const pointsOf = (name: string) => trace.traceEvents.filter((e) => e.ph === 'C' && e.name === name)
    const expectPoints = (name: string, args: (i: number) => Record<string, number>) => {
      const points = pointsOf(name)
      expect(points).toHaveLength(bounds.length)
      points.forEach((point, i) => {
        expect(Math.abs((point.ts ?? 0) - (bounds[i] * 1000 + zeroUs))).toBeLessThanOrEqual(0.1)
        // The last point closes the span with the last interval's value.
        expect(point.args).toEqual(args(Math.min(i, cpu.at.length - 1)))
      })
    }
    expect(trace.otherData.cores).toBe(cpu.cores)
    for (let core = 0; core < cpu.cores; core++) {
      expectPoints(`CPU ${core}`, (i) => ({
        'busy %': Math.round(cpu.busy[core * cpu.at.length + i] * 1000) / 10
      }))
    }
    // Lanes in a task over each interval, summed task by task here.
    const mean = Array.from(cpu.at, (to, i) => {
      const from = bounds[i]
      let busyMs = 0
      for (let task = 0; task < 8; task++) {
        const overlap = Math.min(to, job.timings.end[task]) - Math.max(from, job.timings.start[task])
        if (overlap > 0) busyMs += overlap
      }
      return Math.round((busyMs / (to - from)) * 1000) / 1000
    })
    expectPoints('active workers (of 2)', (i) => ({ mean: mean[i] }))
    // Two lanes spinning: about two lanes busy through the job's middle.
    expect(Math.max(...mean)).toBeGreaterThan(1.5)
  })

  it('writes times in microseconds to 0.1 µs', async () => {
    const summary = await run({
      workload: 'combinations',
      style: 'map',
      threads: 1,
      inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 2 }
    })
    const trace = await traceOf(summary.jobId)
    for (const event of trace.traceEvents) {
      if (event.ts !== undefined) expect(ticks(event.ts) / 10).toBe(event.ts)
      if (event.dur !== undefined) expect(ticks(event.dur) / 10).toBe(event.dur)
    }
  })
})

describe('the trace as one file for the app (job.export, format trace)', () => {
  const mapJob = (tasks: number) => ({
    workload: 'combinations',
    style: 'map',
    threads: 2,
    keep: 'count',
    inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks }
  })

  it('is the streamed trace, whole, named after the job', async () => {
    const summary = await run(mapJob(1000))
    const reply = await host.call('job.export', { jobId: summary.jobId, format: 'trace' })
    if (!reply.ok) throw new Error(reply.error.message)
    const file = reply.result as { filename: string; mime: string; text: string }
    expect(file.filename).toBe(`${summary.jobId}-trace.json`)
    expect(file.mime).toBe('application/json')
    const streamed = await traceOf(summary.jobId)
    expect(JSON.parse(file.text)).toEqual(streamed)
    const tasks = checkTrace(streamed)
    expect(tasks.size).toBe(1000)
  })

  it('is refused past 24 MiB, pointing to the CLI, and the host goes on', async () => {
    const summary = await run(mapJob(300_000))
    const reply = await host.call('job.export', { jobId: summary.jobId, format: 'trace' })
    expect(reply.ok).toBe(false)
    const { message } = (reply as { error: { message: string } }).error
    expect(message).toBe(
      'the trace of this job (300,000 tasks) is over 24.0 MiB, more than an export from the app holds; ' +
        'write it with the CLI (poolscope run … --trace FILE), which streams it to a file'
    )
    expect((await host.call('engine.info', {})).ok).toBe(true)
  })
})
