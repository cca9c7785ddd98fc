import type { JobStats } from '../../shared/protocol'
import { formatNanoseconds } from '../../shared/units'
import { formatSpan } from './charts/timeline'

/**
 * Two runs' statistics side by side: each figure of A and B, the difference B − A and the ratio
 * B ÷ A, with what the figure means. Only wall time has a clear better (shorter); the others are
 * neither good nor bad alone (a lower utilization on more threads is expected), so they stay
 * neutral and the meaning says how to read them. Pure, so it is tested against hand-computed values.
 */

/** How a figure is written: a duration, a share, a multiple, a plain ratio or nanoseconds. */
export type FigureUnit = 'time' | 'percent' | 'times' | 'ratio' | 'ns'

export interface CompareRow {
  key: string
  name: string
  /** What the figure means, in one line. */
  meaning: string
  unit: FigureUnit
  a: number | null
  b: number | null
  aText: string
  bText: string
  /** B − A, or null when either is missing. */
  difference: number | null
  differenceText: string
  /** B ÷ A, or null when either is missing or A is 0. */
  ratio: number | null
  ratioText: string
  /** The better side, where a figure has one (shorter wall time); null otherwise or when equal. */
  better: 'a' | 'b' | null
}

interface Figure {
  key: string
  name: string
  meaning: string
  unit: FigureUnit
  value: (s: JobStats) => number | null
  /** Which way is better, for the figures where it is clear. */
  lowerIsBetter?: boolean
}

const FIGURES: Figure[] = [
  {
    key: 'wall',
    name: 'Wall time',
    meaning: 'From the job clock’s start to its last reply filed (pool start-up apart): shorter is better.',
    unit: 'time',
    value: (s) => s.wallMs,
    lowerIsBetter: true
  },
  {
    key: 'utilization',
    name: 'Utilization',
    meaning: 'Task time ÷ (threads × wall time): the share of the pool’s time spent in tasks.',
    unit: 'percent',
    value: (s) => s.utilization
  },
  {
    key: 'speedup',
    name: 'Speedup',
    meaning: 'Task time ÷ wall time: how many tasks ran at once, on average.',
    unit: 'times',
    value: (s) => s.speedup
  },
  {
    key: 'imbalance',
    name: 'Load imbalance',
    meaning: 'The busiest worker’s task time ÷ the mean worker’s: 1.00 is even.',
    unit: 'ratio',
    value: (s) => s.loadImbalance
  },
  {
    key: 'durationMedian',
    name: 'Task duration, median',
    meaning: 'Half the tasks took less: a longer median means each task itself ran slower.',
    unit: 'time',
    value: (s) => s.durations?.medianMs ?? null
  },
  {
    key: 'durationP90',
    name: 'Task duration, p90',
    meaning: 'Nine tasks in ten took less: where the slow tail begins.',
    unit: 'time',
    value: (s) => s.durations?.p90Ms ?? null
  },
  {
    key: 'waitP50',
    name: 'Queue wait, p50',
    meaning: 'From a task’s chunk being handed over to the task’s start: the typical time in line.',
    unit: 'time',
    value: (s) => s.queueWait?.p50Ms ?? null
  },
  {
    key: 'waitP90',
    name: 'Queue wait, p90',
    meaning: 'Nine tasks in ten waited less to start.',
    unit: 'time',
    value: (s) => s.queueWait?.p90Ms ?? null
  },
  {
    key: 'waitP99',
    name: 'Queue wait, p99',
    meaning: 'The longest waits but one in a hundred: tasks that queued behind a whole chunk.',
    unit: 'time',
    value: (s) => s.queueWait?.p99Ms ?? null
  },
  {
    key: 'engineCost',
    name: 'PoolScope’s cost per task',
    meaning: 'The engine’s own time per task (bookkeeping, filing, sending), not the workload’s.',
    unit: 'ns',
    value: (s) => s.engineCost.totalNsPerTask
  }
]

/** A figure's value as the statistics panel writes it. */
export function formatFigure(value: number | null, unit: FigureUnit): string {
  if (value === null || !Number.isFinite(value)) return '—'
  switch (unit) {
    case 'time':
      return formatSpan(value)
    case 'percent':
      return value >= 0.1 || value === 0 ? `${Math.round(value * 100)}%` : `${(value * 100).toPrecision(2)}%`
    case 'times':
      // Below 0.1×, two significant digits: a tiny job's speedup never reads as `0.00×`.
      return value >= 0.1 || value === 0 ? `${value.toFixed(2)}×` : `${value.toPrecision(2)}×`
    case 'ratio':
      return value.toFixed(2)
    case 'ns':
      return formatNanoseconds(value)
  }
}

/** B − A with its sign (a true minus sign): `+1.20 ms`, `−12.0 pp`, `0` when equal. */
export function formatDifference(difference: number | null, unit: FigureUnit): string {
  if (difference === null || !Number.isFinite(difference)) return '—'
  if (difference === 0) return '0'
  const sign = difference > 0 ? '+' : '−'
  const size = Math.abs(difference)
  switch (unit) {
    case 'percent':
      return `${sign}${(size * 100).toFixed(1)} pp`
    // Under 0.01, two significant digits: a real difference never reads as `−0.00`.
    case 'times':
      return `${sign}${size >= 0.01 ? size.toFixed(2) : size.toPrecision(2)}×`
    case 'ratio':
      return `${sign}${size >= 0.01 ? size.toFixed(2) : size.toPrecision(2)}`
    default:
      return `${sign}${formatFigure(size, unit)}`
  }
}

/** B ÷ A as a multiple: `1.85×`, `0.540×`, `123×`. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—'
  return ratio >= 100 ? `${Math.round(ratio)}×` : `${ratio.toPrecision(3)}×`
}

function rowOf(figure: Figure, a: JobStats, b: JobStats): CompareRow {
  const va = finiteOrNull(figure.value(a))
  const vb = finiteOrNull(figure.value(b))
  const difference = va !== null && vb !== null ? vb - va : null
  const ratio = va !== null && vb !== null && va !== 0 ? vb / va : null
  let better: CompareRow['better'] = null
  if (figure.lowerIsBetter && va !== null && vb !== null && va !== vb) better = va < vb ? 'a' : 'b'
  return {
    key: figure.key,
    name: figure.name,
    meaning: figure.meaning,
    unit: figure.unit,
    a: va,
    b: vb,
    aText: formatFigure(va, figure.unit),
    bText: formatFigure(vb, figure.unit),
    difference,
    differenceText: formatDifference(difference, figure.unit),
    ratio,
    ratioText: formatRatio(ratio),
    better
  }
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null
}

/** Every compared figure of runs A and B, in the statistics panel's order. */
export function compareRows(a: JobStats, b: JobStats): CompareRow[] {
  return FIGURES.map((figure) => rowOf(figure, a, b))
}

/**
 * The comparison in one sentence, from the wall times: which run finished first and by how much.
 * One run each cannot tell a small difference from noise, so under 5% it says so.
 */
export function compareVerdict(rows: CompareRow[], nameA: string, nameB: string): string {
  const wall = rows.find((row) => row.key === 'wall')
  if (!wall || wall.a === null || wall.b === null) return ''
  if (wall.a === wall.b) return `Both took ${wall.aText}.`
  const [fast, slow, fastName, slowName] =
    wall.a < wall.b ? [wall.a, wall.b, nameA, nameB] : [wall.b, wall.a, nameB, nameA]
  const times = slow / fast
  const sentence =
    `“${fastName}” finished ${formatSpan(slow - fast)} sooner than “${slowName}”: ` +
    `${formatRatio(times)} as fast.`
  return times < 1.05
    ? `${sentence} Under 5% apart, one run each: on a shared machine that may be noise.`
    : sentence
}
