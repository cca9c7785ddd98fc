import { studentTQuantile } from './distributions'
import { fitLeastSquares, invert } from './leastSquares'
import type { ConfidenceInterval } from './samples'
import { LABELS, MODELS, lawStarts, throughputModel, type ModelName } from './scalingModels'

/**
 * Speedup, efficiency, the Karp–Flatt metric and three scaling-law fits from a sweep's points.
 *
 * Fitting: each law is fitted by least squares to the log throughput of every point, 1-thread run
 * included, with the 1-thread throughput as an extra free parameter (`throughputModel`). Fitting
 * S(N) = T(1)/T(N) directly instead would make the measured T(1) exact: its noise would shift
 * every speedup together, look like a different serial fraction, and never show in an interval.
 * A simulation with 3% timing noise put the 95% interval of Amdahl's f around the true value only
 * 65% of the time that way, against about 93% this way (see the tests).
 *
 * Parameter intervals come from the Jacobian at the optimum: cov = s² (JᵀJ)⁻¹ with
 * s² = SSE / (n − p), and Student-t(0.975, n − p) for the half-width, as SciPy's curve_fit plus a
 * t quantile gives (the tests hold golden numbers from it). Student-t, not normal, because n is
 * tiny. A bootstrap over points was rejected: a sweep has 3–8 thread counts, and resampling so few
 * points gives many resamples that repeat one count and cannot be fitted at all.
 */

export type { ModelName } from './scalingModels'

export interface ScalingPointInput {
  threads: number
  /** The point's central time (the median of its samples), ms. */
  timeMs: number
  /** The 95% interval of that time, when known: the speedup's interval and the fit check use it. */
  ciLowMs?: number
  ciHighMs?: number
  /**
   * The amount of work the run did (tasks, say). Equal for a fixed-size sweep (Amdahl); growing
   * with N for a scaled one (Gustafson). Speedup is the throughput ratio, so both read the same.
   * Default 1.
   */
  work?: number
}

export interface ScalingPoint {
  threads: number
  timeMs: number
  work: number
  /** Throughput at N over throughput at 1 thread; with equal work, T(1) / T(N). */
  speedup: number
  /**
   * From the two time intervals, each end taking both at their extremes: it holds whenever both
   * 95% intervals do, so at least about 90% of the time. Null without intervals, and at N = 1.
   */
  speedupCi: ConfidenceInterval | null
  efficiency: number
  /**
   * The serial fraction that would explain this point alone; null at N = 1. For a fixed-size job
   * Karp–Flatt's experimentally determined serial fraction, (1/S − 1/N)/(1 − 1/N); for a scaled
   * one Gustafson's, (N − S)/(N − 1), so that it reads beside the law that applies.
   */
  karpFlatt: number | null
  /** More threads than the machine has hardware threads: they time-slice. */
  oversubscribed: boolean
  /** More threads than physical cores: some share a core (SMT). */
  beyondPhysicalCores: boolean
  /** Whether the fits used this point. */
  fitted: boolean
}

export interface ParameterEstimate {
  name: string
  value: number
  standardError: number | null
  ci: ConfidenceInterval | null
  /** The estimate sits on its bound (f = 0, κ = 0, …); its interval is clipped there. */
  atBound: boolean
}

export interface Prediction {
  threads: number
  speedup: number
  /** 95% confidence band of the fitted curve (parameter uncertainty only); null when unknown. */
  ci: ConfidenceInterval | null
}

export type FitStatus = 'fitted' | 'exact' | 'insufficient'

export interface ModelFit {
  model: ModelName
  /** Whether the law is meant for this sweep: Amdahl for fixed work, Gustafson for scaled work, USL for both. */
  applies: boolean
  /**
   * 'fitted': more points than parameters, so intervals and quality figures exist.
   * 'exact': as many points as parameters: the parameters follow from the data but nothing tests them.
   * 'insufficient': fewer points than parameters: no estimate.
   */
  status: FitStatus
  /** The law's parameters (the fitted 1-thread throughput is `fittedBaselineMs`). */
  params: ParameterEstimate[]
  /** Points used: the 1-thread run and those within the hardware threads, unless told otherwise. */
  pointCount: number
  /** Points − parameters, counting the 1-thread throughput as a parameter. */
  degreesOfFreedom: number
  /** The 1-thread time for the baseline's work that the fit implies; the curve's speedups are relative to it. */
  fittedBaselineMs: number | null
  /** Sum of squared residuals of log throughput. */
  sse: number | null
  /** 1 − SSE/SST of log throughput; null when SST = 0 or the fit is not 'fitted'. */
  r2: number | null
  /** sqrt(SSE / (n − p)) of log throughput: roughly the typical relative miss (0.03 ≈ 3%). */
  residualStandardError: number | null
  /** Small-sample AIC with the error variance counted as a parameter; null when n ≤ p + 2. */
  aicc: number | null
  /** Covariance of `params` (s² (JᵀJ)⁻¹), for prediction bands; null unless 'fitted' and invertible. */
  covariance: number[][] | null
  /** t(0.975, n − p), or null. */
  tQuantile: number | null
  /**
   * Whether the curve passes through the measured points' intervals (it may miss one, or a quarter);
   * without intervals, whether the residual SE is within 10%. Null when nothing is testable.
   */
  describesData: boolean | null
  /** USL only: N* = sqrt((1 − σ)/κ), the thread count of peak speedup; null when κ = 0 (no peak). */
  peakThreads?: number | null
  peakThreadsCi?: ConfidenceInterval | null
  predictions: Prediction[]
  verdict: string
}

export interface ScalingAnalysis {
  mode: 'fixed' | 'scaled'
  baseline: { timeMs: number; work: number }
  points: ScalingPoint[]
  fits: Record<ModelName, ModelFit>
  comparison: {
    /** Applicable laws ranked by AICc, best first, with ΔAICc from the best. */
    ranking: { model: ModelName; aicc: number; delta: number }[]
    best: ModelName | null
    /** The data cannot tell the best law from the next (ΔAICc < 2), or no comparison was possible. */
    undecided: boolean
    verdict: string
  }
  /** Every honest-limit message, most important first. */
  verdicts: string[]
}

export interface ScalingOptions {
  hardwareThreads?: number
  physicalCores?: number
  /** Fit the points beyond the hardware threads too (default false: the laws do not describe time-slicing). */
  fitOversubscribed?: boolean
  /** Thread counts to predict at; default 4, 8, 16, 64. */
  predictAt?: readonly number[]
  /**
   * Whether the job was fixed-size or scaled, when the caller knows it (a sweep says so): otherwise
   * it is read off the points' work, equal at every point for a fixed-size job, which cannot tell
   * with only the 1-thread point measured.
   */
  mode?: 'fixed' | 'scaled'
}

export const DEFAULT_PREDICT_AT: readonly number[] = [4, 8, 16, 64]
/** ΔAICc below this: the laws are about equally supported (Burnham & Anderson's rule of thumb). */
export const INDISTINGUISHABLE_AICC = 2

function checkPoints(points: readonly ScalingPointInput[]): void {
  if (!Array.isArray(points) || points.length === 0) {
    throw new RangeError('scaling: need at least one point, got none')
  }
  const seen = new Set<number>()
  points.forEach((p, i) => {
    const where = `scaling: point ${i}`
    if (!Number.isInteger(p.threads) || p.threads < 1) {
      throw new RangeError(`${where} has threads ${String(p.threads)}; threads must be a whole number ≥ 1`)
    }
    if (seen.has(p.threads)) {
      throw new RangeError(
        `${where} repeats threads ${p.threads}; give one point per thread count (its median)`
      )
    }
    seen.add(p.threads)
    if (!(Number.isFinite(p.timeMs) && p.timeMs > 0)) {
      throw new RangeError(`${where} has time ${String(p.timeMs)} ms; times must be finite and > 0`)
    }
    if (p.work !== undefined && !(Number.isFinite(p.work) && p.work > 0)) {
      throw new RangeError(`${where} has work ${String(p.work)}; work must be finite and > 0`)
    }
    if ((p.ciLowMs === undefined) !== (p.ciHighMs === undefined)) {
      throw new RangeError(
        `${where} has only one end of its interval; give both ciLowMs and ciHighMs or neither`
      )
    }
    if (p.ciLowMs !== undefined && p.ciHighMs !== undefined) {
      const ordered = p.ciLowMs > 0 && p.ciLowMs <= p.timeMs && p.timeMs <= p.ciHighMs
      if (!(ordered && Number.isFinite(p.ciHighMs))) {
        throw new RangeError(`${where}: its interval must satisfy 0 < ciLowMs ≤ timeMs ≤ ciHighMs`)
      }
    }
  })
  if (!seen.has(1)) {
    throw new RangeError('scaling: need a 1-thread point: speedup is measured against it')
  }
}

/** A point as the fits see it: with its time interval, when it has one. */
type FitPoint = ScalingPoint & { ciLowMs?: number; ciHighMs?: number }

function checkHardware(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be a whole number ≥ 1, got ${String(value)}`)
  }
}

/** Karp–Flatt e(N) = (1/S − 1/N) / (1 − 1/N), for N > 1. */
export function karpFlatt(speedup: number, threads: number): number {
  if (!(threads > 1)) throw new RangeError(`Karp–Flatt needs more than 1 thread, got ${threads}`)
  return (1 / speedup - 1 / threads) / (1 - 1 / threads)
}

/** Gustafson's serial fraction of one scaled point, (N − S) / (N − 1), for N > 1. */
export function scaledSerialFraction(speedup: number, threads: number): number {
  if (!(threads > 1)) throw new RangeError(`a serial fraction needs more than 1 thread, got ${threads}`)
  return (threads - speedup) / (threads - 1)
}

/** The curve's value at each N with its 95% confidence band from the parameter covariance (delta method). */
export function predictSpeedup(fit: ModelFit, threads: readonly number[]): Prediction[] {
  if (fit.status === 'insufficient') return []
  const law = MODELS[fit.model]
  const p = fit.params.map((e) => e.value)
  return threads.map((n) => {
    if (!(Number.isFinite(n) && n >= 1)) {
      throw new RangeError(`predict: thread counts must be numbers ≥ 1, got ${String(n)}`)
    }
    const speedup = law.value(n, p)
    if (fit.covariance === null || fit.tQuantile === null) return { threads: n, speedup, ci: null }
    const g = law.gradient(n, p)
    let variance = 0
    for (let a = 0; a < g.length; a++) {
      for (let b = 0; b < g.length; b++) variance += g[a] * fit.covariance[a][b] * g[b]
    }
    const half = fit.tQuantile * Math.sqrt(Math.max(0, variance))
    return {
      threads: n,
      speedup,
      ci: { low: Math.max(0, speedup - half), high: speedup + half, level: 0.95 }
    }
  })
}

function fitLaw(
  name: ModelName,
  applies: boolean,
  points: readonly FitPoint[],
  baseline: ScalingPoint,
  predictAt: readonly number[]
): ModelFit {
  const law = MODELS[name]
  const model = throughputModel(law)
  const k = law.names.length
  const p = k + 1
  const n = points.length
  const label = LABELS[name]
  const empty = {
    model: name,
    applies,
    pointCount: n,
    degreesOfFreedom: Math.max(0, n - p),
    fittedBaselineMs: null,
    sse: null,
    r2: null,
    residualStandardError: null,
    aicc: null,
    covariance: null,
    tQuantile: null,
    describesData: null,
    ...(name === 'usl' ? { peakThreads: null, peakThreadsCi: null } : {}),
    predictions: []
  }
  if (n < p) {
    return {
      ...empty,
      status: 'insufficient',
      params: [],
      verdict:
        `${label}: too few thread counts for a ${k}-parameter law (${n - 1} above 1; ` +
        `needs ${k} to determine it and ${k + 1} for an interval).`
    }
  }
  const ns = points.map((pt) => pt.threads)
  const ys = points.map((pt) => Math.log(pt.work / pt.timeMs))
  const c0 = Math.log(baseline.work / baseline.timeMs)
  const above = points.filter((pt) => pt.threads > 1)
  const starts = lawStarts(
    name,
    above.map((pt) => pt.threads),
    above.map((pt) => pt.speedup)
  ).map((theta) => [c0, ...theta])
  const result = fitLeastSquares(model, ns, ys, starts)
  const df = n - p
  const status: FitStatus = df >= 1 ? 'fitted' : 'exact'
  const meanY = ys.reduce((a, b) => a + b, 0) / n
  const sst = ys.reduce((a, y) => a + (y - meanY) ** 2, 0)
  // Residuals below 1e-12 count as rounding, so exact synthetic data still gives a finite AICc.
  const sse = Math.max(result.sse, n * 1e-24)
  const bigK = p + 1
  const aicc =
    status === 'fitted' && n - bigK - 1 > 0
      ? n * Math.log(sse / n) + 2 * bigK + (2 * bigK * (bigK + 1)) / (n - bigK - 1)
      : null
  let covariance: number[][] | null = null
  let tQuantile: number | null = null
  if (status === 'fitted') {
    const s2 = result.sse / df
    const jtj = model.names.map((_, a) =>
      model.names.map((__, b) => result.jacobian.reduce((sum, row) => sum + row[a] * row[b], 0))
    )
    const inverse = invert(jtj)
    // Keep the law's block only: the baseline throughput does not enter a speedup.
    if (inverse !== null) covariance = inverse.slice(1).map((row) => row.slice(1).map((v) => v * s2))
    tQuantile = studentTQuantile(0.975, df)
  }
  const params: ParameterEstimate[] = law.names.map((paramName, i) => {
    const value = result.params[i + 1]
    const atBound = value <= law.lower[i] || value >= law.upper[i]
    const se = covariance === null ? null : Math.sqrt(Math.max(0, covariance[i][i]))
    const ci =
      se === null || tQuantile === null
        ? null
        : {
            low: Math.max(law.lower[i], value - tQuantile * se),
            high: Math.min(law.upper[i], value + tQuantile * se),
            level: 0.95
          }
    return { name: paramName, value, standardError: se, ci, atBound }
  })
  const fit: ModelFit = {
    ...empty,
    status,
    params,
    fittedBaselineMs: baseline.work / Math.exp(result.params[0]),
    sse: result.sse,
    r2: status === 'fitted' && sst > 0 ? 1 - result.sse / sst : null,
    residualStandardError: status === 'fitted' ? Math.sqrt(result.sse / df) : null,
    aicc,
    covariance,
    tQuantile,
    verdict: ''
  }
  fit.describesData = judgeFit(fit, points, result.params, model)
  if (name === 'usl') Object.assign(fit, uslPeak(fit))
  fit.predictions = predictSpeedup(fit, predictAt)
  fit.verdict = fitVerdict(fit, label)
  return fit
}

/**
 * Whether the curve describes the data. With measured intervals, compare in throughput: the curve
 * may miss at most one point's interval, or a quarter of them (at 95% an occasional miss is
 * expected). Without: the residual standard error must be within 10%. Null when nothing is testable.
 */
function judgeFit(
  fit: ModelFit,
  points: readonly FitPoint[],
  params: readonly number[],
  model: ReturnType<typeof throughputModel>
): boolean | null {
  if (fit.status !== 'fitted') return null
  if (points.every((pt) => pt.ciLowMs !== undefined)) {
    const misses = points.filter((pt) => {
      const y = model.value(pt.threads, params)
      return y < Math.log(pt.work / pt.ciHighMs!) || y > Math.log(pt.work / pt.ciLowMs!)
    }).length
    return misses < 2 || misses <= points.length / 4
  }
  return fit.residualStandardError! <= 0.1
}

function uslPeak(fit: ModelFit): { peakThreads: number | null; peakThreadsCi: ConfidenceInterval | null } {
  const [sigma, kappa] = fit.params.map((e) => e.value)
  if (!(kappa > 0)) return { peakThreads: null, peakThreadsCi: null }
  const peak = Math.sqrt((1 - sigma) / kappa)
  if (fit.covariance === null || fit.tQuantile === null || sigma >= 1) {
    return { peakThreads: peak, peakThreadsCi: null }
  }
  // Delta method: ∂N*/∂σ = −1 / (2κN*), ∂N*/∂κ = −N* / (2κ).
  const g = [-1 / (2 * kappa * peak), -peak / (2 * kappa)]
  const c = fit.covariance
  const variance = g[0] * g[0] * c[0][0] + 2 * g[0] * g[1] * c[0][1] + g[1] * g[1] * c[1][1]
  const half = fit.tQuantile * Math.sqrt(Math.max(0, variance))
  return {
    peakThreads: peak,
    peakThreadsCi: { low: Math.max(1, peak - half), high: peak + half, level: 0.95 }
  }
}

function formatNumber(v: number): string {
  if (v === 0 || (Math.abs(v) >= 0.01 && Math.abs(v) < 1e6)) return String(Number(v.toPrecision(3)))
  return v.toExponential(2)
}

function fitVerdict(fit: ModelFit, label: string): string {
  const described = fit.params
    .map((e) => {
      const ci = e.ci ? ` (95% CI ${formatNumber(e.ci.low)}–${formatNumber(e.ci.high)})` : ''
      return `${e.name} = ${formatNumber(e.value)}${e.atBound ? ' (at its bound)' : ''}${ci}`
    })
    .join(', ')
  if (fit.status === 'exact') {
    return (
      `${label}: ${described}, determined exactly by ${fit.pointCount} thread counts; ` +
      'with no spare point there is no interval and no test of the law.'
    )
  }
  const r2 = fit.r2 === null ? 'n/a' : fit.r2.toFixed(3)
  const quality = `R² ${r2}, residual SE ${(100 * fit.residualStandardError!).toFixed(1)}%`
  const misfit =
    fit.describesData === false
      ? ' The curve misses the measured points: this law does not describe these data.'
      : ''
  return `${label}: ${described}; ${quality}.${misfit}`
}

function compareFits(
  fits: Record<ModelName, ModelFit>,
  mode: 'fixed' | 'scaled'
): ScalingAnalysis['comparison'] {
  const candidates = (Object.keys(fits) as ModelName[]).filter((m) => fits[m].applies)
  const scored = candidates.filter((m) => fits[m].aicc !== null)
  if (scored.length < 2) {
    return {
      ranking: scored.map((m) => ({ model: m, aicc: fits[m].aicc!, delta: 0 })),
      best: null,
      undecided: true,
      verdict:
        `Too few thread counts to compare ${candidates.map((m) => LABELS[m]).join(' and ')} for a ${mode}-size ` +
        'job: the comparison (AICc) needs at least 5 thread counts for a one-parameter law and 6 for the USL.'
    }
  }
  const sorted = [...scored].sort((a, b) => fits[a].aicc! - fits[b].aicc!)
  const bestAicc = fits[sorted[0]].aicc!
  const ranking = sorted.map((m) => ({ model: m, aicc: fits[m].aicc!, delta: fits[m].aicc! - bestAicc }))
  const gap = ranking[1].delta
  const [first, second] = [LABELS[ranking[0].model], LABELS[ranking[1].model]]
  const undecided = gap < INDISTINGUISHABLE_AICC
  return {
    ranking,
    best: ranking[0].model,
    undecided,
    verdict: undecided
      ? `The data cannot tell ${first} and ${second} apart (ΔAICc ${gap.toFixed(1)} < 2): both describe them about equally well.`
      : `${first} fits best (ΔAICc ${gap.toFixed(1)} over ${second}).`
  }
}

/** Speedup, efficiency, Karp–Flatt and the fits for one sweep (one back end). */
export function analyzeScaling(
  points: readonly ScalingPointInput[],
  options: ScalingOptions = {}
): ScalingAnalysis {
  checkPoints(points)
  checkHardware(options.hardwareThreads, 'hardwareThreads')
  checkHardware(options.physicalCores, 'physicalCores')
  const predictAt = options.predictAt ?? DEFAULT_PREDICT_AT
  const one = points.find((p) => p.threads === 1)!
  const baseline = { timeMs: one.timeMs, work: one.work ?? 1 }
  const baseThroughput = baseline.work / baseline.timeMs
  const mode = options.mode ?? (new Set(points.map((p) => p.work ?? 1)).size === 1 ? 'fixed' : 'scaled')
  const hw = options.hardwareThreads
  const cores = options.physicalCores

  const analysed: FitPoint[] = [...points]
    .sort((a, b) => a.threads - b.threads)
    .map((p) => {
      const work = p.work ?? 1
      const speedup = work / p.timeMs / baseThroughput
      const hasCi = p.ciLowMs !== undefined && one.ciLowMs !== undefined
      const speedupCi =
        p.threads > 1 && hasCi
          ? {
              low: work / p.ciHighMs! / (baseline.work / one.ciLowMs!),
              high: work / p.ciLowMs! / (baseline.work / one.ciHighMs!),
              level: 0.95
            }
          : null
      const oversubscribed = hw !== undefined && p.threads > hw
      return {
        threads: p.threads,
        timeMs: p.timeMs,
        work,
        speedup,
        speedupCi,
        efficiency: speedup / p.threads,
        karpFlatt:
          p.threads <= 1
            ? null
            : mode === 'scaled'
              ? scaledSerialFraction(speedup, p.threads)
              : karpFlatt(speedup, p.threads),
        oversubscribed,
        beyondPhysicalCores: cores !== undefined && p.threads > cores,
        fitted: !oversubscribed || options.fitOversubscribed === true,
        ...(p.ciLowMs !== undefined ? { ciLowMs: p.ciLowMs, ciHighMs: p.ciHighMs } : {})
      }
    })
  const fittedPoints = analysed.filter((p) => p.fitted)
  const base = analysed[0]
  const fits: Record<ModelName, ModelFit> = {
    amdahl: fitLaw('amdahl', mode === 'fixed', fittedPoints, base, predictAt),
    gustafson: fitLaw('gustafson', mode === 'scaled', fittedPoints, base, predictAt),
    usl: fitLaw('usl', true, fittedPoints, base, predictAt)
  }
  const comparison = compareFits(fits, mode)

  const verdicts: string[] = []
  const above = fittedPoints.length - 1
  if (analysed.length === 1) {
    verdicts.push('Only one thread count was measured: there is no speedup to show and nothing to fit.')
  } else if (analysed.length === 2) {
    verdicts.push(
      `Only two thread counts were measured (1 and ${analysed[1].threads}): one speedup ratio fixes a serial ` +
        'fraction exactly, with no interval and no test of any law. Measure more thread counts to fit.'
    )
  } else if (above <= 1) {
    verdicts.push(
      `Only ${above} thread count${above === 1 ? '' : 's'} above 1 can be fitted: a serial fraction follows ` +
        'from it exactly, with no interval and no test of any law.'
    )
  }
  const excluded = analysed.filter((p) => !p.fitted)
  if (excluded.length > 0) {
    verdicts.push(
      `Points beyond the ${hw} hardware threads (${excluded.map((p) => p.threads).join(', ')}) are shown but not ` +
        'fitted: the scaling laws describe parallel hardware, not threads time-slicing on the same CPUs.'
    )
  }
  const superlinear = fittedPoints.filter((p) => p.speedup > p.threads * 1.02)
  if (superlinear.length > 0) {
    verdicts.push(
      `Speedup above the thread count at ${superlinear.map((p) => p.threads).join(', ')} threads (superlinear: ` +
        'more cache for the same data, or a slow 1-thread run): no serial-fraction law describes that, so the ' +
        'fits pin the serial fraction at 0.'
    )
  }
  const smt = fittedPoints.filter((p) => p.beyondPhysicalCores)
  if (smt.length > 0) {
    verdicts.push(
      `Thread counts beyond the ${cores} physical cores (${smt.map((p) => p.threads).join(', ')}) share cores ` +
        '(SMT): expect smaller gains there than the laws assume for independent processors.'
    )
  }
  const applicable = (Object.keys(fits) as ModelName[]).filter(
    (m) => fits[m].applies && fits[m].status === 'fitted'
  )
  const noneDescribes = applicable.length > 0 && applicable.every((m) => fits[m].describesData === false)
  if (noneDescribes) {
    verdicts.push(
      `None of the fitted laws (${applicable.map((m) => LABELS[m]).join(', ')}) describes these data: ` +
        'the curve may be limited by something else (memory bandwidth, a lock, the machine being busy).'
    )
  }
  // Ranking laws that all miss the data would only suggest that one of them is right.
  if (above >= 2 && !noneDescribes) verdicts.push(comparison.verdict)
  return {
    mode,
    baseline,
    // The fit check's copy of the time intervals stays internal: ScalingPoint is the public shape.
    points: analysed.map(({ ciLowMs: _low, ciHighMs: _high, ...pt }) => pt),
    fits,
    comparison,
    verdicts
  }
}
