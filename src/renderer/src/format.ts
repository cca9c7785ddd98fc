/** Number and time formatting shared by the panels, so every figure reads the same way. */

const integerFormat = new Intl.NumberFormat('en-US')

/** `1234567` → `1,234,567`; BigInts keep every digit. */
export function formatCount(value: number | bigint): string {
  return integerFormat.format(value)
}

/** Milliseconds as a short human duration: `850 ms`, `3.2 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.floor(seconds % 60)
  if (minutes < 60) return `${minutes} min ${String(rest).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** A rate per second with an SI suffix: `12.3 k/s`, `4.56 M/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s'
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k']
  ]
  for (const [size, suffix] of units) {
    if (perSecond >= size) return `${(perSecond / size).toPrecision(3)} ${suffix}/s`
  }
  return `${perSecond.toPrecision(3)}/s`
}

/**
 * What a job's tasks yield: tuples of positions, one value (a count, a duration) each, or a custom
 * function's value (counted in tuples: an array's items, or 1).
 */
export type ResultLayout = 'positions' | 'values' | 'json'

/** What a job's results are called: `tuples`, or `values` for a workload with one per task. */
export function resultUnit(layout: ResultLayout, count = 2): string {
  const one = layout === 'values' ? 'value' : 'tuple'
  return count === 1 ? one : `${one}s`
}

/** The same word with a capital, for headings: `Tuples`, `Values`. */
export function resultUnitTitle(layout: ResultLayout, count = 2): string {
  const unit = resultUnit(layout, count)
  return `${unit[0].toUpperCase()}${unit.slice(1)}`
}

export { formatBytes } from '../../shared/units'
