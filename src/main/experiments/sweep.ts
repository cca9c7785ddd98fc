import { performance } from 'node:perf_hooks'
import { analyzeScaling } from '../../shared/experiments/fits'
import { shouldStopSampling, summarizeSamples, DEFAULT_MIN_RUN_MS } from '../../shared/experiments/samples'
import { RoundShuffler } from '../../shared/experiments/schedule'
import type { SweepOptions } from '../../shared/experiments/sweepOptions'
import {
  SWEEP_RESULT_VERSION,
  type ResolvedSpec,
  type SweepPoint,
  type SweepProgress,
  type SweepResult,
  type SweepRun
} from '../../shared/payloads'
import { BUSY_OUTSIDE_CORES } from './machineProbe'

/**
 * The sweep runner: one job measured at several thread counts and back ends, as careful benchmark
 * tools do it on a shared, noisy machine. Every round runs each point that still needs samples once,
 * in a freshly shuffled order (never one count as a block, never the same count twice in a row);
 * each pool is started and warmed apart from the measured run (see `SweepRunner.warmUp`); a point
 * takes at least `repeat` samples, then more until its median's 95% interval is within ±5% or the
 * time or sample limit is reached; an outlier is re-run once. The runner behind it is injectable,
 * so the bookkeeping is tested with a fake clock and made-up times.
 */

export interface PointKey {
  backend: SweepOptions['backends'][number]
  threads: number
}

/** What one measured run reports. */
export interface MeasuredRun {
  jobId: string
  wallMs: number
  startedAt: number
  loadAverage1m: number | null
  cpuMhz: number | null
  outsideCores: number | null
}

/** Runs the sweep's job at one point at a time; the engine-backed one is in `engineRunner.ts`. */
export interface SweepRunner {
  /**
   * The unmeasured run made on a pool started for this point: the first run on a fresh pool pays
   * for compiling the kernel's real code path (measured: a 6-of-22 combinations job took 50–300 ms
   * on its first run and 18–60 ms after; see the notes), so it never counts.
   */
  warmUp(point: PointKey): Promise<{ wallMs: number; poolStartupMs: number } | null>
  /** One measured run; null when it was cancelled (its sample is dropped). */
  measure(point: PointKey): Promise<MeasuredRun | null>
  /** Stops the run in progress, if any. */
  cancel(): void
  /** Milliseconds on a monotonic clock (the sweep's elapsed time and time limit). */
  now(): number
}

export interface SweepSetup {
  sweepId: string
  spec: ResolvedSpec
  options: SweepOptions
  machine: SweepResult['machine']
  /** Tasks the spec runs (at every point of a fixed-size sweep; at the smallest thread count of a scaled one). */
  taskCount: number
  /**
   * What each thread count runs: its job (the back end is the point's), task count and work. The
   * same job at every count for a fixed-size sweep; growing tasks for a scaled one.
   */
  jobs: ReadonlyMap<number, PointJob>
}

/** The job one thread count of a sweep runs, as planned before the sweep started. */
export interface PointJob {
  spec: ResolvedSpec
  taskCount: number
  /** The plan's measure of its work (see `SweepPoint.work`). */
  work: number
}

/** Progress is sent at most this often (plus once at the end). */
const PROGRESS_PERIOD_MS = 100
/** Outliers are looked for once a point has this many samples (two cannot disagree with a majority). */
const MIN_SAMPLES_FOR_OUTLIERS = 3

interface PointState {
  key: PointKey
  runs: SweepRun[]
  warmups: { wallMs: number; poolStartupMs: number }[]
  /** Index in `runs` of an outlier waiting for its one re-run. */
  pendingRerun: number | null
  stopReason: SweepPoint['stopReason']
  relativeHalfWidth: number | null
}

function keyText(key: PointKey): string {
  return `${key.backend}:${key.threads}`
}

/**
 * A running or finished sweep. `done` resolves with the final result (never rejects: a failure
 * ends the sweep as `failed`, with the points measured so far).
 */
export class Sweep {
  readonly done: Promise<SweepResult>
  private readonly points: PointState[]
  private status: SweepResult['status'] = 'running'
  private message: string | null = null
  private cancelReason: string | null = null
  private readonly startedAt = Date.now()
  private readonly started: number
  private finishedAt: number | null = null
  private runsDone = 0
  private remainingInRound: number[] = []
  private current: SweepProgress['current'] = null
  private lastProgressAt = -Infinity

  constructor(
    private readonly setup: SweepSetup,
    private readonly runner: SweepRunner,
    private readonly onProgress: (progress: SweepProgress) => void = () => undefined
  ) {
    const { threads, backends } = setup.options
    this.points = backends.flatMap((backend) =>
      threads.map((n) => ({
        key: { backend, threads: n },
        runs: [],
        warmups: [],
        pendingRerun: null,
        stopReason: null,
        relativeHalfWidth: null
      }))
    )
    this.started = runner.now()
    this.done = this.run()
  }

  get id(): string {
    return this.setup.sweepId
  }

  get isRunning(): boolean {
    return this.status === 'running'
  }

  /** Stops the run in progress (its sample is dropped) and ends the sweep with the finished points. */
  cancel(reason = 'cancelled by the user'): boolean {
    if (this.status !== 'running' || this.cancelReason !== null) return false
    this.cancelReason = reason
    this.runner.cancel()
    return true
  }

  private elapsed(): number {
    return (this.finishedAt ?? this.runner.now()) - this.started
  }

  private async run(): Promise<SweepResult> {
    const { seed } = this.setup.options
    const shuffler = new RoundShuffler(seed)
    let last: string | null = null
    let round = 0
    try {
      for (;;) {
        const open = this.points.map((p, i) => (p.stopReason === null ? i : -1)).filter((i) => i >= 0)
        if (open.length === 0 || this.cancelReason !== null) break
        // RoundShuffler orders counts ≥ 1: point i is handed over as i + 1.
        const order = shuffler.next(open.map((i) => i + 1)).map((k) => k - 1)
        this.remainingInRound = [...order]
        for (const index of order) {
          if (this.cancelReason !== null) break
          const point = this.points[index]
          const text = keyText(point.key)
          if (text !== last) {
            this.report({ ...point.key, phase: 'warm-up' })
            const warm = await this.runner.warmUp(point.key)
            if (warm === null || this.cancelReason !== null) break
            point.warmups.push(warm)
            last = text
          }
          this.report({ ...point.key, phase: 'measure' })
          const measured = await this.runner.measure(point.key)
          if (measured === null || this.cancelReason !== null) break
          this.record(point, measured, round)
          this.remainingInRound.shift()
          this.report(null)
        }
        if (this.cancelReason !== null) break
        this.remainingInRound = []
        round++
        for (const index of open) this.decide(this.points[index])
      }
      this.status = this.cancelReason !== null ? 'cancelled' : 'done'
      this.message = this.cancelReason
    } catch (err) {
      this.status = 'failed'
      this.message = err instanceof Error ? err.message : String(err)
    }
    for (const point of this.points) {
      if (point.stopReason === null) point.stopReason = this.status === 'failed' ? 'failed' : 'cancelled'
    }
    this.finishedAt = this.runner.now()
    this.current = null
    this.remainingInRound = []
    this.report(null, true)
    return this.result()
  }

  private record(point: PointState, measured: MeasuredRun, round: number): void {
    const rerunOf = point.pendingRerun
    const run: SweepRun = {
      index: this.runsDone,
      round,
      jobId: measured.jobId,
      wallMs: measured.wallMs,
      startedAt: measured.startedAt,
      loadAverage1m: measured.loadAverage1m,
      cpuMhz: measured.cpuMhz,
      outsideCores: measured.outsideCores,
      busy: measured.outsideCores === null ? null : measured.outsideCores >= BUSY_OUTSIDE_CORES,
      short: measured.wallMs < DEFAULT_MIN_RUN_MS,
      replaced: false,
      rerunOf: rerunOf === null ? null : point.runs[rerunOf].index
    }
    if (rerunOf !== null) point.runs[rerunOf].replaced = true
    point.pendingRerun = null
    point.runs.push(run)
    this.runsDone++
  }

  /**
   * After a round: a point with an outlier not yet re-run stays open for its re-run (unless the time
   * is up); otherwise it stops when `shouldStopSampling` says so.
   */
  private decide(point: PointState): void {
    const included = point.runs.filter((run) => !run.replaced)
    const samples = included.map((run) => run.wallMs)
    const { repeat, maxRepeat, maxSeconds } = this.setup.options
    const decision = shouldStopSampling(samples, this.elapsed(), {
      minSamples: repeat,
      maxSamples: Math.max(maxRepeat, repeat),
      maxElapsedMs: maxSeconds * 1000
    })
    point.relativeHalfWidth = decision.relativeHalfWidth
    if (samples.length >= MIN_SAMPLES_FOR_OUTLIERS && decision.summary) {
      // The worst outlier whose run is not itself a re-run and has not been re-run: one at a time.
      const rerunIndices = new Set(point.runs.map((run) => run.rerunOf).filter((i) => i !== null))
      const candidates = decision.summary.outliers
        .map((o) => ({ run: included[o.index], z: Math.abs(o.z) }))
        .filter(({ run }) => run.rerunOf === null && !rerunIndices.has(run.index))
        .sort((a, b) => b.z - a.z)
      if (candidates.length > 0) point.pendingRerun = point.runs.indexOf(candidates[0].run)
    }
    const timeUp = decision.stop && decision.reason === 'time-limit'
    if (point.pendingRerun !== null && !timeUp) return
    point.pendingRerun = null
    if (decision.stop) point.stopReason = decision.reason
  }

  private report(current: SweepProgress['current'], force = false): void {
    this.current = current
    const now = performance.now()
    if (!force && now - this.lastProgressAt < PROGRESS_PERIOD_MS) return
    this.lastProgressAt = now
    this.onProgress(this.progress())
  }

  /** Measured runs still planned: the rest of this round, then each open point's missing minimum. */
  private runsPlanned(): number {
    const { repeat } = this.setup.options
    let planned = this.runsDone + this.remainingInRound.length
    this.points.forEach((point, i) => {
      if (point.stopReason !== null) return
      const samples = point.runs.filter((run) => !run.replaced).length
      const thisRound = this.remainingInRound.includes(i) ? 1 : 0
      planned += Math.max(0, repeat - samples - thisRound)
    })
    return planned
  }

  progress(): SweepProgress {
    return {
      sweepId: this.id,
      runsDone: this.runsDone,
      runsPlanned: this.runsPlanned(),
      elapsedMs: this.elapsed(),
      current: this.current,
      pointsDone: this.points.filter((p) => p.stopReason !== null).length,
      pointsTotal: this.points.length
    }
  }

  /** The sweep so far, or its final result: plain JSON. */
  result(): SweepResult {
    const { setup } = this
    const points = this.points.map((state) => pointResult(state, setup))
    return {
      version: SWEEP_RESULT_VERSION,
      sweepId: setup.sweepId,
      status: this.status,
      message: this.message,
      spec: setup.spec,
      options: {
        ...setup.options,
        threads: [...setup.options.threads],
        backends: [...setup.options.backends]
      },
      machine: setup.machine,
      startedAt: this.startedAt,
      elapsedMs: this.elapsed(),
      runsDone: this.runsDone,
      runsPlanned: this.runsPlanned(),
      points,
      analysis: setup.options.backends.map((backend) =>
        analysisOf(
          backend,
          points.filter((p) => p.backend === backend),
          setup.machine.hardwareThreads,
          setup.options.scaled
        )
      ),
      warnings: sweepWarnings(points, setup.options.scaled, {
        workload: setup.spec.workload,
        hardwareThreads: setup.machine.hardwareThreads
      })
    }
  }
}

function pointResult(state: PointState, setup: SweepSetup): SweepPoint {
  const samples = state.runs.filter((run) => !run.replaced).map((run) => run.wallMs)
  const summary = samples.length > 0 ? summarizeSamples(samples) : null
  const job = setup.jobs.get(state.key.threads)
  const taskCount = job?.taskCount ?? setup.taskCount
  return {
    ...state.key,
    taskCount,
    work: job?.work ?? taskCount,
    samples,
    runs: state.runs.map((run) => ({ ...run })),
    warmups: state.warmups.map((warm) => ({ ...warm })),
    summary,
    stopReason: state.stopReason,
    relativeHalfWidth: state.relativeHalfWidth,
    suggestedTasks:
      // The spec's tasks: what the person changes (a scaled sweep's points grow from it in proportion).
      summary && summary.tooShort ? Math.ceil((setup.taskCount * DEFAULT_MIN_RUN_MS) / summary.median) : null
  }
}

/** The scaling analysis of one back end's points with samples; an error when it cannot be made. */
function analysisOf(
  backend: SweepOptions['backends'][number],
  points: SweepPoint[],
  hardwareThreads: number,
  scaled: boolean
): SweepResult['analysis'][number] {
  const measured = points.filter((p) => p.summary !== null)
  if (!measured.some((p) => p.threads === 1)) {
    return { backend, result: null, error: 'no 1-thread run finished: speedup is measured against it' }
  }
  try {
    const inputs = measured.map((p) => {
      const s = p.summary!
      const ci = s.medianCi
      return {
        threads: p.threads,
        timeMs: s.median,
        work: p.work ?? p.taskCount,
        // A percentile interval brackets the median; the guard keeps rounding from breaking that.
        ...(ci ? { ciLowMs: Math.min(ci.low, s.median), ciHighMs: Math.max(ci.high, s.median) } : {})
      }
    })
    const mode = scaled ? 'scaled' : 'fixed'
    return { backend, result: analyzeScaling(inputs, { hardwareThreads, mode }), error: null }
  } catch (err) {
    return { backend, result: null, error: err instanceof Error ? err.message : String(err) }
  }
}

function pointName(p: SweepPoint, many: boolean): string {
  return many ? `${p.threads} (${p.backend})` : String(p.threads)
}

/**
 * What the whole sweep should say about itself: short runs, a busy machine, noisy points, and a
 * deadline-timed workload swept past the cores.
 */
export function sweepWarnings(
  points: SweepPoint[],
  scaled = false,
  job: { workload: string; hardwareThreads: number } | null = null
): string[] {
  const warnings: string[] = []
  const past = job
    ? [...new Set(points.filter((p) => p.threads > job.hardwareThreads).map((p) => p.threads))]
    : []
  if (job?.workload === 'busy_wait' && past.length > 0) {
    // busy_wait spins until its time has passed on the clock, so a task sharing a core still ends
    // on time: past the cores it scales like sleep, which CPU work of a fixed size never does.
    warnings.push(
      `busy_wait spins until its time has passed, so at ${past.join(', ')} threads (more than the ` +
        `${job.hardwareThreads} hardware threads) its tasks still end on time while they share the cores: ` +
        'those speedups overstate what work of a fixed size would show (sweep combinations_n to see that).'
    )
  }
  const many = new Set(points.map((p) => p.backend)).size > 1
  const short = points.filter((p) => p.summary?.tooShort)
  if (short.length > 0) {
    const fastest = Math.min(...short.map((p) => p.summary!.median))
    const tasks = Math.max(...short.map((p) => p.suggestedTasks ?? 0))
    warnings.push(
      `Runs under ${DEFAULT_MIN_RUN_MS} ms at ${short.map((p) => pointName(p, many)).join(', ')} threads ` +
        `(fastest median ${fastest.toFixed(1)} ms): timer and scheduling noise weigh on them. ` +
        `About ${tasks} tasks${scaled ? ' at the smallest thread count (the others grow in proportion)' : ''} ` +
        `would make every run at least ${DEFAULT_MIN_RUN_MS} ms.`
    )
  }
  const runs = points.flatMap((p) => p.runs)
  const busy = runs.filter((run) => run.busy === true)
  if (busy.length > 0) {
    warnings.push(
      `${busy.length} of ${runs.length} runs were taken while the machine was busy with something else ` +
        `(at least ${BUSY_OUTSIDE_CORES} of a core outside PoolScope on average): their times may be inflated.`
    )
  }
  const noisy = points.filter((p) => p.summary?.highVariation)
  if (noisy.length > 0) {
    warnings.push(
      `High variation (CV over 10%) at ${noisy.map((p) => pointName(p, many)).join(', ')} threads: ` +
        'those medians are less certain than the others.'
    )
  }
  const replaced = runs.filter((run) => run.replaced).length
  if (replaced > 0) {
    warnings.push(`${replaced} outlier run${replaced === 1 ? ' was' : 's were'} re-run once and replaced.`)
  }
  return warnings
}
