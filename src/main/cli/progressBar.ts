import { etaMs, progressFraction } from '../../shared/progress'
import type { ProgressEvent } from '../../shared/protocol'
import type { CliOutput } from './io'

/** Runs shorter than this never show a bar: it would only flicker. */
export const SHOW_AFTER_MS = 1000

function compact(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)}G`
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`
  return String(value)
}

/** Seconds left, e.g. `ETA 3.2 s`, `ETA 4 min 05 s`; `ETA —` before anything is measurable. */
export function formatEta(ms: number | null): string {
  if (ms === null) return 'ETA —'
  const seconds = ms / 1000
  if (seconds < 60) return `ETA ${seconds.toFixed(1)} s`
  const whole = Math.round(seconds)
  return `ETA ${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`
}

/**
 * One line of progress, at most `columns` characters:
 * `[#####·····]  48%  12/25 tasks  3.1M tuples  2.4 s  ETA 2.6 s`. Tasks count those finished,
 * done or failed; the share follows tuples (or a values workload's work units) when they are
 * further along (a few long tasks).
 */
export function formatProgress(event: ProgressEvent, columns = 80): string {
  const fraction = progressFraction(event)
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
  const finished = event.tasksDone + event.tasksFailed
  const fields = [
    percent,
    `${finished}/${event.tasksTotal} tasks`,
    ...(event.tasksFailed > 0 ? [`${event.tasksFailed} failed`] : []),
    // A values workload yields one value a task, which the tasks already count.
    ...(event.workTotal === undefined ? [`${compact(event.tuplesDone)} tuples`] : []),
    `${(event.elapsedMs / 1000).toFixed(1)} s`,
    formatEta(etaMs(event))
  ]
  const facts = fields.join('  ')
  const barWidth = Math.max(0, Math.min(30, columns - facts.length - 4))
  if (barWidth < 5) {
    // No room for a bar: drop whole facts from the end rather than cut one in half.
    while (fields.length > 1 && fields.join('  ').length > columns - 1) fields.pop()
    return fields.join('  ').slice(0, Math.max(0, columns - 1))
  }
  const filled = Math.round(fraction * barWidth)
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${facts}`
}

/**
 * A one-line bar on a terminal's stderr, redrawn on the engine's progress events (already
 * throttled to about ten a second). Does nothing when stderr is not a TTY, so logs and pipes stay clean.
 */
export class ProgressBar {
  private shown = false
  private readonly enabled: boolean

  constructor(private readonly out: CliOutput) {
    this.enabled = out.isTTY === true
  }

  update(event: ProgressEvent): void {
    if (!this.enabled || event.elapsedMs < SHOW_AFTER_MS) return
    this.shown = true
    this.out.write(`\r${formatProgress(event, this.out.columns || 80)}\x1b[K`)
  }

  /** Erases the bar so the summary starts on a clean line. */
  clear(): void {
    if (!this.shown) return
    this.out.write('\r\x1b[K')
    this.shown = false
  }
}
