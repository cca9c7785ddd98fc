import type { ModelFit, ScalingAnalysis } from '../../shared/experiments/fits'
import type { SweepPoint, SweepProgress, SweepResult } from '../../shared/protocol'
import type { CliOutput } from './io'
import { SHOW_AFTER_MS } from './progressBar'

/** What `poolscope sweep` prints: the table, the fit lines, the `--json` object and the progress line. */

type Analysis = SweepResult['analysis'][number]

function analysisPoint(result: SweepResult, point: SweepPoint): ScalingAnalysis['points'][number] | null {
  const analysis = result.analysis.find((a) => a.backend === point.backend)?.result
  return analysis?.points.find((p) => p.threads === point.threads) ?? null
}

/** The flags of a point, as short words: short, noisy, busy (runs), oversubscribed, outliers. */
export function pointFlags(result: SweepResult, point: SweepPoint): string[] {
  const flags: string[] = []
  const s = point.summary
  if (s?.tooShort) flags.push('short')
  if (s?.highVariation) flags.push('noisy')
  const busy = point.runs.filter((run) => run.busy === true).length
  if (busy > 0) flags.push(`busy ${busy}/${point.runs.length}`)
  if (analysisPoint(result, point)?.oversubscribed) flags.push('oversubscribed')
  const replaced = point.runs.filter((run) => run.replaced).length
  if (replaced > 0) flags.push(`re-ran ${replaced}`)
  if (s && s.outliers.length > 0) flags.push(`outliers ${s.outliers.length}`)
  if (point.stopReason === 'cancelled') flags.push('cancelled')
  // Stopped before its interval reached ±5%.
  if (point.stopReason === 'sample-limit') flags.push('max runs')
  if (point.stopReason === 'time-limit') flags.push('time limit')
  return flags
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '—' : value.toFixed(digits)
}

function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`
}

/** The table: one row per measured point (and its tasks, when they grew with the threads). */
export function sweepTable(result: SweepResult): string[] {
  const scaled = result.options.scaled
  const header = [
    'Threads',
    ...(scaled ? ['Tasks'] : []),
    'Back end',
    'Median ms',
    '±CI',
    'Speedup',
    'Efficiency',
    scaled ? 'Serial (Gustafson)' : 'Karp–Flatt',
    'CV',
    'Runs',
    'Flags'
  ]
  const rows = result.points
    .filter((p) => p.summary !== null)
    .map((p) => {
      const s = p.summary!
      const a = analysisPoint(result, p)
      return [
        String(p.threads),
        ...(scaled ? [String(p.taskCount)] : []),
        p.backend,
        s.median.toFixed(1),
        p.relativeHalfWidth === null ? '—' : `±${(p.relativeHalfWidth * 100).toFixed(1)}%`,
        fixed(a?.speedup, 2),
        percent(a?.efficiency),
        fixed(a?.karpFlatt, 3),
        percent(s.cv, 1),
        String(s.count),
        pointFlags(result, p).join(', ')
      ]
    })
  if (rows.length === 0) return ['No point was measured.']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  // Text columns left, numbers right.
  const left = new Set(scaled ? [2, 10] : [1, 9])
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

function interval(ci: { low: number; high: number } | null, digits: number): string {
  return ci ? ` (95% CI ${ci.low.toFixed(digits)}–${ci.high.toFixed(digits)})` : ''
}

function param(fit: ModelFit, name: string) {
  return fit.params.find((p) => p.name === name) ?? null
}

/**
 * The serial-fraction law that applies: Amdahl's for a fixed-size sweep, Gustafson's for a scaled
 * one (its serial fraction is the share of each thread's time that does not grow with the job).
 */
function serialLaw(result: ScalingAnalysis): { fit: ModelFit; name: 'Amdahl' | 'Gustafson' } {
  return result.mode === 'scaled'
    ? { fit: result.fits.gustafson, name: 'Gustafson' }
    : { fit: result.fits.amdahl, name: 'Amdahl' }
}

/** The fit lines of one back end: serial fraction, USL, predictions, verdicts. */
export function fitLines(analysis: Analysis, many: boolean): string[] {
  const label = many ? ` (${analysis.backend})` : ''
  if (!analysis.result) return [`No fit${label}: ${analysis.error ?? 'nothing to fit'}.`]
  const { fits, verdicts } = analysis.result
  const lines: string[] = []
  const { fit: law, name } = serialLaw(analysis.result)
  const f = param(law, 'serialFraction')
  if (law.status === 'insufficient' || f === null) {
    lines.push(`Serial fraction${label}: not enough thread counts (${law.verdict})`)
  } else {
    const how = law.status === 'exact' ? ' (exact from one ratio: no interval)' : interval(f.ci, 3)
    lines.push(`Serial fraction (${name})${label}: ${f.value.toFixed(3)}${how}`)
  }
  const usl = fits.usl
  if (usl.status === 'insufficient') {
    lines.push(`USL${label}: not enough thread counts to fit contention and coherency`)
  } else {
    const sigma = param(usl, 'contention')
    const kappa = param(usl, 'coherency')
    const peak =
      usl.peakThreads === null || usl.peakThreads === undefined
        ? 'no peak (κ = 0)'
        : `peak at ${usl.peakThreads.toFixed(1)} threads`
    lines.push(
      `USL${label}: σ ${fixed(sigma?.value, 3)}${interval(sigma?.ci ?? null, 3)}, ` +
        `κ ${fixed(kappa?.value, 4)}${interval(kappa?.ci ?? null, 4)}, ${peak}`
    )
  }
  if (law.status !== 'insufficient' && law.predictions.length > 0) {
    const predicted = law.predictions.map((p) => `${p.threads} → ${p.speedup.toFixed(2)}`).join(', ')
    lines.push(
      `Predicted ${analysis.result.mode === 'scaled' ? 'scaled ' : ''}speedup (${name})${label}: ${predicted}`
    )
  }
  for (const verdict of verdicts) lines.push(`  ${verdict}`)
  return lines
}

/** A scaled sweep's tasks per thread: the smallest thread count's tasks over that count. */
export function tasksPerThreadOf(result: SweepResult): number {
  const smallest = [...result.points].sort((a, b) => a.threads - b.threads)[0]
  return smallest ? Math.round(smallest.taskCount / smallest.threads) : 0
}

/** Everything the text report prints on stdout. */
export function sweepReportLines(result: SweepResult, seedLine: string | null): string[] {
  const m = result.machine
  const many = result.options.backends.length > 1
  const workload = result.spec.workload
  const tasks = result.points[0]?.taskCount ?? 0
  const size = result.options.scaled
    ? `${tasksPerThreadOf(result)} tasks per thread, growing with the threads`
    : `${tasks} tasks`
  const lines = [
    `${result.options.scaled ? 'Scaled sweep' : 'Sweep'} of ${workload} (${size}) on ${m.cpuModel}, ${m.hardwareThreads} hardware threads` +
      `${m.cpuMhz === null ? '' : `, ${Math.round(m.cpuMhz)} MHz`}`,
    `${result.runsDone} measured runs in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(at least ${result.options.repeat} per point, each after a warm-up run on its pool; pool start-up not timed)`,
    ...(seedLine ? [seedLine] : []),
    '',
    ...sweepTable(result),
    '',
    ...result.analysis.flatMap((a) => fitLines(a, many))
  ]
  if (result.warnings.length > 0) lines.push('', ...result.warnings.map((w) => `Warning: ${w}`))
  if (result.status !== 'done' && result.message) {
    lines.push('', `${result.status === 'cancelled' ? 'Partial' : 'Failed'}: ${result.message}`)
  }
  return lines
}

const seconds = (ms: number) => ms / 1000

/** One point as `--json` prints it: ours, then hyperfine's fields (seconds, as hyperfine writes them). */
function jsonPoint(result: SweepResult, point: SweepPoint) {
  const s = point.summary
  const a = analysisPoint(result, point)
  return {
    threads: point.threads,
    backend: point.backend,
    /** Tasks each run ran (growing with the threads in a scaled sweep). */
    tasks: point.taskCount,
    /** The work each run did, as the scaled speedup counts it (see SweepPoint.work). */
    work: point.work ?? point.taskCount,
    medianMs: s?.median ?? null,
    ciLowMs: s?.medianCi?.low ?? null,
    ciHighMs: s?.medianCi?.high ?? null,
    speedup: a?.speedup ?? null,
    speedupCi: a?.speedupCi ? { low: a.speedupCi.low, high: a.speedupCi.high } : null,
    efficiency: a?.efficiency ?? null,
    karpFlatt: a?.karpFlatt ?? null,
    cv: s?.cv ?? null,
    madMs: s?.mad ?? null,
    stopReason: point.stopReason,
    flags: pointFlags(result, point),
    suggestedTasks: point.suggestedTasks,
    // hyperfine's export fields, in seconds; stddev is null for a single run, as hyperfine writes it.
    mean: s ? seconds(s.mean) : null,
    stddev: s && s.count > 1 ? seconds(s.stddev) : null,
    median: s ? seconds(s.median) : null,
    min: s ? seconds(s.min) : null,
    max: s ? seconds(s.max) : null,
    times: point.samples.map(seconds),
    runs: point.runs.map((run) => ({
      wallMs: run.wallMs,
      loadAverage1m: run.loadAverage1m,
      cpuMhz: run.cpuMhz,
      outsideCores: run.outsideCores,
      busy: run.busy,
      replaced: run.replaced
    })),
    warmupMs: point.warmups.map((w) => w.wallMs),
    poolStartupMs: point.warmups.map((w) => w.poolStartupMs)
  }
}

function estimate(p: { value: number; ci: { low: number; high: number } | null } | null) {
  return p ? { value: p.value, low: p.ci?.low ?? null, high: p.ci?.high ?? null } : null
}

/** The fits of one back end as `--json` prints them. */
function jsonFit(analysis: Analysis) {
  const r = analysis.result
  if (!r) return { backend: analysis.backend, error: analysis.error }
  const { usl } = r.fits
  const { fit: law } = serialLaw(r)
  const f = law.status === 'insufficient' ? null : param(law, 'serialFraction')
  return {
    backend: analysis.backend,
    mode: r.mode,
    /** Amdahl's serial fraction for a fixed-size sweep, Gustafson's for a scaled one (`law` says which). */
    law: law.model,
    serialFraction: f ? { ...estimate(f)!, status: law.status } : null,
    usl:
      usl.status === 'insufficient'
        ? null
        : {
            sigma: estimate(param(usl, 'contention')),
            kappa: estimate(param(usl, 'coherency')),
            peakThreads: usl.peakThreads ?? null,
            status: usl.status
          },
    predicted:
      law.status === 'insufficient'
        ? []
        : law.predictions.map((p) => ({
            threads: p.threads,
            speedup: p.speedup,
            low: p.ci?.low ?? null,
            high: p.ci?.high ?? null
          })),
    best: r.comparison.best,
    verdicts: r.verdicts
  }
}

/** The one object `poolscope sweep --json` prints. */
export function sweepJson(result: SweepResult, interrupted: boolean) {
  const fits = result.analysis.map(jsonFit)
  return {
    version: result.version,
    sweepId: result.sweepId,
    status: result.status,
    interrupted,
    message: result.message,
    spec: result.spec,
    options: result.options,
    machine: result.machine,
    startedAt: result.startedAt,
    elapsedMs: result.elapsedMs,
    runsDone: result.runsDone,
    points: result.points.map((p) => jsonPoint(result, p)),
    /** The first back end's fit; `fits` has every back end's. */
    fit: fits[0],
    fits,
    warnings: result.warnings
  }
}

export type SweepReport = ReturnType<typeof sweepJson>

/** One progress line: `[#####·····]  40%  12/30 runs  at 2 threads (measuring)  5.1 s`. */
export function formatSweepProgress(p: SweepProgress, columns = 80): string {
  const fraction = p.runsPlanned > 0 ? Math.min(1, p.runsDone / p.runsPlanned) : 0
  const where = p.current
    ? `  ${p.current.threads} ${p.current.backend} (${p.current.phase === 'warm-up' ? 'warming up' : 'measuring'})`
    : ''
  const facts = `${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${p.runsDone}/${p.runsPlanned} runs${where}  ${(p.elapsedMs / 1000).toFixed(1)} s`
  const barWidth = Math.max(0, Math.min(30, columns - facts.length - 4))
  if (barWidth < 5) return facts.slice(0, Math.max(0, columns - 1))
  const filled = Math.round(fraction * barWidth)
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${facts}`
}

/** The progress line on a terminal's stderr (nothing when it is not a TTY), as `run`'s bar. */
export class SweepProgressLine {
  private shown = false
  private readonly enabled: boolean

  constructor(private readonly out: CliOutput) {
    this.enabled = out.isTTY === true
  }

  update(p: SweepProgress): void {
    if (!this.enabled || p.elapsedMs < SHOW_AFTER_MS) return
    this.shown = true
    this.out.write(`\r${formatSweepProgress(p, this.out.columns || 80)}\x1b[K`)
  }

  clear(): void {
    if (!this.shown) return
    this.out.write('\r\x1b[K')
    this.shown = false
  }
}
