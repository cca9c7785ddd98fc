import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { excerpt } from '../../shared/excerpt'
import type { SweepOptionsInput } from '../../shared/experiments/sweepOptions'
import type { EngineEvent, SweepResult } from '../../shared/protocol'
import type { Engine } from '../engine/engine'
import type { Sweep } from '../experiments/sweep'
import { startSweep } from '../experiments/startSweep'

/** Finished sweeps kept for `sweep.get`, newest last (their results are small: times, not results). */
const MAX_RETAINED_SWEEPS = 20

/**
 * The host's sweeps: starts one at a time on the engine, answers `sweep.get` from the running or a
 * recent one, and tells the host whether the engine is busy with a sweep (then `job.start` is
 * refused: a job slipped in between a sweep's runs would both disturb its timings and find the
 * pool resized under it).
 */
export class SweepCommands {
  private running: Sweep | null = null
  /** True from a `sweep.start` until its sweep exists (planning its points takes a while). */
  private starting = false
  /** The sweep being planned, while it is (null should its start fail). */
  private startup: Promise<Sweep | null> | null = null
  /** Why to cancel the sweep being planned as soon as it has started, if a cancel came meanwhile. */
  private cancelWhenStarted: string | null = null
  private readonly sweeps = new Map<string, Sweep>()
  private disposed = false

  constructor(
    private readonly engine: Engine,
    private readonly emit: (event: EngineEvent) => void,
    /** Told of every sweep that ended, after its `sweep.finished` (the history saves it). */
    private readonly ended?: (result: SweepResult) => void
  ) {}

  /** Throws JOB_RUNNING with why, while a sweep runs or is starting. */
  refuseWhileBusy(what: string): void {
    if (this.running) {
      throw new PoolScopeError(
        ErrorCodes.JOB_RUNNING,
        `${what} refused: the engine is busy with sweep ${this.running.id}; cancel it (sweep.cancel) or wait for it to finish`
      )
    }
    if (this.starting) {
      throw new PoolScopeError(ErrorCodes.JOB_RUNNING, `${what} refused: a sweep is starting`)
    }
  }

  async start(params: { spec: unknown } & SweepOptionsInput): Promise<{ sweepId: string }> {
    if (this.disposed) throw new PoolScopeError(ErrorCodes.POOL_FAILED, 'the engine has shut down')
    this.refuseWhileBusy('sweep.start')
    const job = this.engine.runningJob
    if (job) {
      throw new PoolScopeError(
        ErrorCodes.JOB_RUNNING,
        `sweep.start refused: job ${job.id} is still running; cancel it or wait for it to finish`
      )
    }
    const { spec, ...options } = params
    this.starting = true
    this.cancelWhenStarted = null
    const startup = startSweep(this.engine, spec, options, (payload) =>
      this.emit({ type: 'sweep.progress', payload })
    )
    this.startup = startup.catch(() => null)
    let sweep: Sweep
    try {
      sweep = await startup
    } finally {
      this.starting = false
      this.startup = null
    }
    this.running = sweep
    // A cancel that came while the points were being planned (a window closed, a client gone).
    const cancelled = this.disposed ? 'the engine is shutting down' : this.cancelWhenStarted
    if (cancelled) sweep.cancel(cancelled)
    this.sweeps.set(sweep.id, sweep)
    for (const id of this.sweeps.keys()) {
      if (this.sweeps.size <= MAX_RETAINED_SWEEPS) break
      if (id !== sweep.id) this.sweeps.delete(id)
    }
    void sweep.done.then((result) => {
      // Free before anyone hears it ended, so a start from a `sweep.finished` listener is not refused.
      if (this.running === sweep) this.running = null
      this.emit({ type: 'sweep.finished', payload: result })
      this.ended?.(result)
    })
    return { sweepId: sweep.id }
  }

  /** Cancels a sweep; resolves once it has ended. */
  async cancel(sweepId: string, reason?: string): Promise<{ cancelled: boolean }> {
    const sweep = this.find(sweepId)
    const cancelled = sweep.cancel(reason)
    await sweep.done
    return { cancelled }
  }

  get(sweepId: string): SweepResult {
    return this.find(sweepId).result()
  }

  get runningSweep(): Sweep | null {
    return this.running
  }

  private find(sweepId: string): Sweep {
    const sweep = this.sweeps.get(sweepId)
    if (!sweep) {
      throw new PoolScopeError(
        ErrorCodes.UNKNOWN_JOB,
        `no sweep ${excerpt(sweepId)}: it never ran here, or it was released (the last ${MAX_RETAINED_SWEEPS} are kept)`
      )
    }
    return sweep
  }

  /**
   * Cancels the running sweep, if any, and waits for it to end. A sweep still being planned is
   * cancelled as soon as it has started.
   */
  async cancelRunning(reason: string): Promise<boolean> {
    if (this.startup) {
      this.cancelWhenStarted ??= reason
      const started = await this.startup
      if (!started) return false
      await started.done
      return true
    }
    const sweep = this.running
    if (!sweep || !sweep.cancel(reason)) return false
    await sweep.done
    return true
  }

  async dispose(): Promise<void> {
    this.disposed = true
    await this.cancelRunning('the engine is shutting down')
  }
}
