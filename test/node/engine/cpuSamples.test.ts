// A real job's per-core samples on this machine, through the host's `job.cpu`: two threads busy
// for about half a second show as busy cores, and the samples cover the job from its start to a
// moment after its end. The machine is shared, so the bound on utilization is loose.
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { CpuSamples, JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const twoBusyThreads = {
  workload: 'busy_wait',
  style: 'map',
  threads: 2,
  chunkSize: 1,
  inputs: { kind: 'recipe', ms: [250], tasks: 4 }
}

describe('job.cpu on a real job', () => {
  let host: EngineHost
  let summary: JobSummary
  let samples: CpuSamples

  async function cpuOf(jobId: string): Promise<CpuSamples> {
    const outcome = await host.call('job.cpu', { jobId })
    if (!outcome.ok) throw new Error(outcome.error.message)
    return outcome.result as CpuSamples
  }

  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const started = await host.call('job.start', { spec: twoBusyThreads })
    if (!started.ok) throw new Error(started.error.message)
    const { jobId } = started.result as { jobId: string }
    summary = await host.engine.job(jobId).done
    // The last reading comes on the sampler's timer, an interval or so after `done`.
    await vi.waitFor(
      async () => {
        samples = await cpuOf(jobId)
        expect(samples.at.at(-1)).toBeGreaterThanOrEqual(summary.wallMs + 100)
      },
      { timeout: 2_000, interval: 50 }
    )
  })
  afterAll(() => host.dispose())

  it('samples every logical CPU from the OS’s own per-CPU times', () => {
    expect(summary.status).toBe('done')
    expect(samples.source).toBe(process.platform === 'linux' ? 'proc-stat' : 'os-cpus')
    expect(samples.cores).toBe(os.cpus().length)
    expect(samples.intervalMs).toBe(100)
    expect(samples.busy).toHaveLength(samples.cores * samples.at.length)
  })

  it('covers the job from a baseline at its start to a reading after its end, in time order', () => {
    expect(samples.from).not.toBeNull()
    // The baseline is read on the main thread just before the job clock starts.
    expect(samples.from!).toBeLessThanOrEqual(0)
    expect(samples.from!).toBeGreaterThan(-5)
    const times = [samples.from!, ...samples.at]
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1])
    expect(samples.at.filter((at) => at < summary.wallMs).length).toBeGreaterThanOrEqual(3)
    expect(samples.at.at(-1)).toBeGreaterThanOrEqual(summary.wallMs + 100)
  })

  it('shows the two busy threads: summed over cores, at least 1.2 busy during the job', () => {
    const { at, busy, cores } = samples
    let sum = 0
    let intervals = 0
    for (let s = 0; s < at.length; s++) {
      const start = s === 0 ? samples.from! : at[s - 1]
      if (at[s] > summary.wallMs) continue
      expect(start).toBeGreaterThanOrEqual(samples.from!)
      for (let core = 0; core < cores; core++) sum += busy[core * at.length + s]
      intervals++
    }
    expect(intervals).toBeGreaterThanOrEqual(3)
    expect(sum / intervals).toBeGreaterThanOrEqual(1.2)
  })

  it('puts the workers on the cores they ran on (Linux), and their time on some core either way', () => {
    const { at, workers, laneCore, unplaced, cores, lanes } = samples
    expect(lanes).toBe(2)
    expect(workers).toHaveLength(cores * at.length)
    expect(laneCore).toHaveLength(lanes * at.length)
    const linux = process.platform === 'linux'
    // The intervals wholly inside the job: both workers ran tasks throughout (tasks are 250 ms).
    let inside = 0
    for (let s = 1; s < at.length; s++) {
      if (at[s] > summary.wallMs - 5) continue
      inside++
      let placed = 0
      for (let core = 0; core < cores; core++) placed += workers[core * at.length + s]
      // Each worker's time counted once: placed on its core (Linux) or unplaced elsewhere. Not quite
      // 2 on a busy machine, where the hand-over between a worker's two tasks can take tens of ms.
      expect(placed + unplaced[s]).toBeGreaterThan(1.5)
      expect(placed + unplaced[s]).toBeLessThan(2.2)
      for (let lane = 0; lane < lanes; lane++) {
        const core = laneCore[lane * at.length + s]
        if (linux) expect(core).toBeGreaterThanOrEqual(0)
        else expect(core).toBe(-1)
      }
      if (linux) expect(unplaced[s]).toBe(0)
    }
    expect(inside).toBeGreaterThanOrEqual(2)
    // In an interval that starts after the job's end, nobody.
    const after = at.length - 1
    if (at[after - 1] >= summary.wallMs)
      expect([laneCore[after], laneCore[at.length + after]]).toEqual([-1, -1])
  })

  it('works out a running job’s answer at most once a second, sharing it meanwhile', async () => {
    const started = await host.call('job.start', {
      spec: { ...twoBusyThreads, inputs: { ...twoBusyThreads.inputs, ms: [700] } }
    })
    if (!started.ok) throw new Error(started.error.message)
    const { jobId } = started.result as { jobId: string }
    const job = host.engine.job(jobId)
    await new Promise((resolve) => setTimeout(resolve, 150))
    const [first, together] = await Promise.all([cpuOf(jobId), cpuOf(jobId)])
    expect(together.at).toEqual(first.at)
    // Readings come every 100 ms, but the answer stays the one worked out until a second has passed.
    await new Promise((resolve) => setTimeout(resolve, 350))
    expect(job.isRunning).toBe(true)
    expect((await cpuOf(jobId)).at).toEqual(first.at)
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect((await cpuOf(jobId)).at.length).toBeGreaterThan(first.at.length)
    await job.done
  })

  it('refuses an unknown job, as the other job commands do', async () => {
    const outcome = await host.call('job.cpu', { jobId: 'job-nope' })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } })
  })
})
