import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type { JobSummary } from '../../shared/payloads'
import type { Engine } from '../engine/engine'
import type { Job } from '../engine/job'
import { MachineProbe, cpuFrequencyMhz, loadAverage1m, outsideCores } from './machineProbe'
import { specOn } from './pointSpec'
import type { MeasuredRun, PointJob, PointKey, SweepRunner } from './sweep'

/**
 * Runs a sweep's job on the engine, one run at a time: a point's spec is its thread count's job with the
 * point's thread count and back end, so the engine restarts the pool whenever the point changes
 * (start-up measured apart, never in a sample) and reuses it for the measured run after a warm-up.
 */
export class EngineRunner implements SweepRunner {
  private current: Job | null = null
  private cancelled: string | null = null
  private readonly probe = new MachineProbe()

  constructor(
    private readonly engine: Engine,
    /** Each thread count's job, as the sweep planned it. */
    private readonly jobs: ReadonlyMap<number, PointJob>
  ) {}

  now(): number {
    return performance.now()
  }

  cancel(reason = 'the sweep was cancelled'): void {
    this.cancelled = reason
    this.current?.cancel(reason)
  }

  /** Lets go of the CPU counters' file. */
  close(): void {
    this.probe.close()
  }

  async warmUp(point: PointKey): Promise<{ wallMs: number; poolStartupMs: number } | null> {
    const { summary } = await this.runOnce(point, () => undefined)
    return summary === null ? null : { wallMs: summary.wallMs, poolStartupMs: summary.poolStartupMs }
  }

  async measure(point: PointKey): Promise<MeasuredRun | null> {
    let before: ReturnType<MachineProbe['moment']> | null = null
    const pidsOf = (job: Job): number[] =>
      job
        .laneLabels()
        .map((label) => label.pid)
        .filter((pid) => pid !== process.pid)
    const { job, summary } = await this.runOnce(point, (job) => {
      before = this.probe.moment(pidsOf(job))
    })
    if (summary === null || job === null || before === null) return null
    const after = this.probe.moment(pidsOf(job))
    return {
      jobId: summary.jobId,
      wallMs: summary.wallMs,
      startedAt: summary.startedAt,
      loadAverage1m: loadAverage1m(),
      cpuMhz: cpuFrequencyMhz(),
      // A cluster job works on its agents, here or on other machines: what else kept this machine
      // busy is not known from here (the agents' own work would count as outside).
      outsideCores: point.backend === 'cluster' ? null : outsideCores(before, after)
    }
  }

  /** Starts the point's job, calls `started` at once, and waits for it; a null summary when cancelled. */
  private async runOnce(
    point: PointKey,
    started: (job: Job) => void
  ): Promise<{ job: Job | null; summary: JobSummary | null }> {
    if (this.cancelled !== null) return { job: null, summary: null }
    const planned = this.jobs.get(point.threads)
    if (!planned) throw new Error(`the sweep planned no job for ${point.threads} threads`)
    const job = await this.engine.start(specOn({ ...planned.spec, threads: point.threads }, point.backend))
    this.current = job
    try {
      started(job)
      if (this.cancelled !== null) job.cancel(this.cancelled)
      const summary = await job.done
      if (summary.status === 'cancelled') return { job, summary: null }
      if (summary.status === 'failed') {
        throw new PoolScopeError(
          ErrorCodes.POOL_FAILED,
          `the job failed at ${point.threads} ${point.backend}: ${summary.message ?? 'tasks failed'}; ` +
            'a sweep measures jobs that complete'
        )
      }
      return { job, summary }
    } finally {
      this.current = null
      // The sample is taken: nobody browses a sweep's runs, and kept they would push the person's
      // own jobs out of the engine's retained ones (and `job.list`, which "Save job…" reads).
      // A failed run goes too: the sweep's message says why it failed.
      this.engine.release(job.id)
    }
  }
}
