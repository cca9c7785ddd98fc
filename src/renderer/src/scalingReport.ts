import type { ModelFit, ModelName, ScalingAnalysis } from '../../shared/experiments/fits'
import type { SweepPoint, SweepResult } from '../../shared/protocol'

/**
 * What the Scaling section writes about a sweep, as plain strings: the table's rows with their
 * flags, each fit's parameters, quality and verdict, and the predictions. Pure, so the wording is
 * tested in Node; the component only lays it out.
 */

export const FIT_LABELS: Record<ModelName, string> = {
  amdahl: 'Amdahl',
  usl: 'Universal Scalability Law',
  gustafson: 'Gustafson'
}

export interface PointRow {
  key: string
  threads: number
  backend: SweepPoint['backend']
  /** `160.6 ms`, or `—` before the first sample. */
  median: string
  /** `± 4.2%` or `150.1 – 170.2 ms`; empty without an interval. */
  ci: string
  samples: number
  /** Tasks each run ran (`1,024`): a scaled sweep's grow with the threads. */
  tasks: string
  cv: string
  speedup: string
  efficiency: string
  karpFlatt: string
  flags: string[]
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)
}

function percent(value: number): string {
  return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** The flags of one point: why its figure should be read with care. */
export function pointFlags(
  point: SweepPoint,
  analysed: ScalingAnalysis['points'][number] | undefined,
  physicalCores: number | null
): string[] {
  const flags: string[] = []
  const s = point.summary
  if (!s) return [point.stopReason === null ? 'measuring' : 'not measured']
  if (point.stopReason === null) flags.push('measuring')
  if (point.stopReason === 'cancelled') flags.push('cancelled')
  const busy = point.runs.filter((r) => r.busy === true).length
  if (busy > 0) flags.push(`busy machine (${busy} of ${plural(point.runs.length, 'run')})`)
  if (s.tooShort) {
    flags.push(
      point.suggestedTasks !== null
        ? `too short (< 100 ms): try ${point.suggestedTasks.toLocaleString('en-US')} tasks`
        : 'too short (< 100 ms)'
    )
  }
  const replaced = point.runs.filter((r) => r.replaced).length
  if (replaced > 0) flags.push(`${plural(replaced, 'outlier')} re-run`)
  if (s.outliers.length > 0) flags.push(`${plural(s.outliers.length, 'outlier')} kept`)
  if (s.highVariation) flags.push('high CV (> 10%)')
  if (point.stopReason === 'time-limit' && point.relativeHalfWidth !== null)
    flags.push(`time limit reached at ± ${percent(point.relativeHalfWidth)}`)
  if (analysed?.oversubscribed) flags.push('oversubscribed: not fitted')
  else if (physicalCores !== null && point.threads > physicalCores)
    flags.push('beyond the physical cores (SMT)')
  return flags
}

/** The table's rows: back end by back end, thread counts ascending. */
export function pointRows(result: SweepResult, physicalCores: number | null = null): PointRow[] {
  const order = result.options.backends
  return [...result.points]
    .sort((a, b) => order.indexOf(a.backend) - order.indexOf(b.backend) || a.threads - b.threads)
    .map((point) => {
      const analysis = result.analysis.find((a) => a.backend === point.backend)?.result
      const analysed = analysis?.points.find((p) => p.threads === point.threads)
      const s = point.summary
      const ci = s?.medianCi
      return {
        key: `${point.backend}:${point.threads}`,
        threads: point.threads,
        backend: point.backend,
        median: s ? `${ms(s.median)} ms` : '—',
        ci: s && ci ? `${ms(ci.low)} – ${ms(ci.high)} ms` : '',
        samples: point.samples.length,
        tasks: point.taskCount.toLocaleString('en-US'),
        cv: s && s.count > 1 ? percent(s.cv) : '—',
        speedup: analysed ? `${analysed.speedup.toFixed(2)}×` : '—',
        efficiency: analysed ? percent(analysed.efficiency) : '—',
        karpFlatt: analysed?.karpFlatt != null ? analysed.karpFlatt.toFixed(3) : '—',
        flags: pointFlags(point, analysed, physicalCores)
      }
    })
}

/**
 * A scaled sweep's size in words, `scaled: 8 tasks per thread` (what the smallest thread count ran,
 * per thread); null for a fixed-size sweep.
 */
export function scaledText(result: SweepResult): string | null {
  if (!result.options.scaled) return null
  const smallest = [...result.points].sort((a, b) => a.threads - b.threads)[0]
  if (!smallest) return null
  return `scaled: ${plural(Math.round(smallest.taskCount / smallest.threads), 'task')} per thread`
}

/** The sentence under the chart: what it plots and how to read it, for a fixed-size or scaled sweep. */
export function scalingExplanation(metric: 'speedup' | 'efficiency', scaled: boolean): string {
  if (scaled) {
    return metric === 'speedup'
      ? 'The tasks grow with the threads, so speedup is work per second at N threads over work per second at 1 thread (Gustafson); bars are 95% intervals. The dashed line is perfect scaling; the fitted laws continue, fainter, past the measured points to 64 threads.'
      : 'Efficiency is scaled speedup over threads: 100% means each thread does its share of the grown job as fast as one thread alone. Bars are 95% intervals; the fitted laws continue, fainter, to 64 threads.'
  }
  return metric === 'speedup'
    ? 'Speedup is the 1-thread median time over the N-thread median; bars are 95% intervals. The dashed line is perfect scaling; the fitted laws continue, fainter, past the measured points to 64 threads.'
    : 'Efficiency is speedup over threads: 100% means every thread pulls its full weight. Bars are 95% intervals; the fitted laws continue, fainter, to 64 threads.'
}

export interface FitReport {
  model: ModelName
  label: string
  /** `fitted`, `exact` or `insufficient`. */
  status: ModelFit['status']
  /** Parameters as sentences: `serial fraction f = 0.48 (95% CI 0.41 – 0.55)`. */
  params: string[]
  /** R², residual error, AICc; or why there is none. */
  quality: string
  verdict: string
}

function interval(fit: ModelFit, i: number, digits: number): string {
  const p = fit.params[i]
  if (!p) return ''
  const ci = p.ci ? ` (95% CI ${p.ci.low.toFixed(digits)} – ${p.ci.high.toFixed(digits)})` : ''
  const bound = p.atBound ? ', at its bound' : ''
  return `${p.value.toFixed(digits)}${ci}${bound}`
}

/** One fit in words. */
export function fitReport(fit: ModelFit): FitReport {
  const params: string[] = []
  if (fit.status !== 'insufficient') {
    if (fit.model === 'usl') {
      params.push(`contention σ = ${interval(fit, 0, 3)}`)
      params.push(`coherency κ = ${interval(fit, 1, 4)}`)
      const peak = fit.peakThreads
      params.push(
        peak === null || peak === undefined
          ? 'no peak concurrency (κ = 0: speedup never falls)'
          : `peak concurrency N* = ${peak.toFixed(1)} threads${
              fit.peakThreadsCi
                ? ` (95% CI ${fit.peakThreadsCi.low.toFixed(1)} – ${fit.peakThreadsCi.high.toFixed(1)})`
                : ''
            }`
      )
    } else {
      params.push(`serial fraction f = ${interval(fit, 0, 3)}`)
    }
  }
  let quality: string
  if (fit.status === 'insufficient') quality = `not fitted: ${plural(fit.pointCount, 'thread count')} used`
  else if (fit.status === 'exact') quality = 'exact: as many thread counts as parameters, so nothing tests it'
  else {
    const parts = [
      fit.r2 !== null ? `R² ${fit.r2.toFixed(3)}` : null,
      fit.residualStandardError !== null ? `typical miss ${percent(fit.residualStandardError)}` : null,
      fit.aicc !== null ? `AICc ${fit.aicc.toFixed(1)}` : null,
      `${plural(fit.pointCount, 'thread count')}`
    ].filter((p): p is string => p !== null)
    quality = parts.join(' · ')
    if (fit.describesData === false) quality += ' · misses the measured intervals'
  }
  return {
    model: fit.model,
    label: FIT_LABELS[fit.model],
    status: fit.status,
    params,
    quality,
    verdict: fit.verdict
  }
}

/** The fits meant for this sweep, Amdahl first. */
export function fitReports(analysis: ScalingAnalysis): FitReport[] {
  return (['amdahl', 'usl', 'gustafson'] as const)
    .map((name) => analysis.fits[name])
    .filter((fit) => fit.applies)
    .map(fitReport)
}

export interface PredictionRow {
  threads: number
  /** Per fit shown, `3.41× (2.9 – 4.0)` or `—`. */
  cells: { model: ModelName; text: string }[]
}

/** Predicted speedups at the thread counts the fits predict at (4, 8, 16, 64), one column per fit. */
export function predictionRows(analysis: ScalingAnalysis): PredictionRow[] {
  const fits = (['amdahl', 'usl', 'gustafson'] as const)
    .map((name) => analysis.fits[name])
    .filter((fit) => fit.applies && fit.status !== 'insufficient')
  const counts = [...new Set(fits.flatMap((fit) => fit.predictions.map((p) => p.threads)))].sort(
    (a, b) => a - b
  )
  return counts.map((threads) => ({
    threads,
    cells: fits.map((fit) => {
      const p = fit.predictions.find((q) => q.threads === threads)
      if (!p) return { model: fit.model, text: '—' }
      const ci = p.ci ? ` (${p.ci.low.toFixed(2)} – ${p.ci.high.toFixed(2)})` : ''
      return { model: fit.model, text: `${p.speedup.toFixed(2)}×${ci}` }
    })
  }))
}

/** The models the prediction columns show, in order. */
export function predictedModels(analysis: ScalingAnalysis): ModelName[] {
  return (['amdahl', 'usl', 'gustafson'] as const).filter(
    (name) => analysis.fits[name].applies && analysis.fits[name].status !== 'insufficient'
  )
}
