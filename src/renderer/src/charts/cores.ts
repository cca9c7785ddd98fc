import type { CustomSeriesRenderItem, CustomSeriesRenderItemAPI, EChartsOption } from 'echarts'
import type { CpuSamples, TimelineWindow } from '../../../shared/protocol'
import { SEGMENT } from '../../../shared/timeline'
import { categoryColor } from './categories'
import { axisLabel, formatTime, type TimelineView } from './timeline'

/**
 * The per-core view's chart option: on top, how many workers were in a task at each moment against
 * the machine's physical cores; below, every core's sampled load over the same time axis as the
 * worker timeline above it (same plot margins, same view), each cell filled from the bottom by
 * the share of the interval the core was busy, in three tones: the job's workers' tasks, worker
 * time whose core is not known (still running, or moved by the OS), and everything else (other programs, the engine's own main
 * thread). The workers on a core are written over its cells where they fit.
 */

/** The tones of a core's load, each at least 3:1 against its theme's panel and cells (styles.css). */
export const CORE_COLORS = {
  light: { workers: '#2f6fde', unplaced: '#6e7781', other: '#c2410c', cell: '#f0f2f5' },
  dark: { workers: '#5b93f5', unplaced: '#8b949e', other: '#f0883e', cell: '#1f242c' }
} as const
export type CorePart = 'workers' | 'unplaced' | 'other'
/** The parts in the order a cell stacks them, from the bottom. */
export const CORE_PARTS: readonly CorePart[] = ['workers', 'unplaced', 'other']
export const CORE_PART_LABELS: Record<CorePart, string> = {
  workers: 'the job’s tasks',
  unplaced: 'the job’s tasks, core not known',
  other: 'other load (not the job’s tasks)'
}

/** At most this many rows of cores: above it, neighbouring cores share a row (their average). */
export const MAX_CORE_ROWS = 32
/** The plot's margins: the worker timeline's (charts/timeline.ts), so times line up above and below. */
export const GRID_LEFT = 150
export const GRID_RIGHT = 28
/** Height of the active-workers graph, px, and the gap below it. */
const ACTIVE_HEIGHT = 92
const TOP = 24
const GAP = 34
const BOTTOM = 40

/** How cores map to rows: `perRow` neighbouring cores a row, `rows` rows. */
export interface CoreRows {
  perRow: number
  rows: number
}

export function coreRows(cores: number, maxRows = MAX_CORE_ROWS): CoreRows {
  const perRow = Math.max(1, Math.ceil(cores / maxRows))
  return { perRow, rows: Math.ceil(cores / perRow) }
}

/** `cpu 3`, or `cpu 0–3` for a row of several. */
export function rowLabel(row: number, { perRow }: CoreRows, cores: number): string {
  const first = row * perRow
  const last = Math.min(cores, first + perRow) - 1
  return last > first ? `cpu ${first}–${last}` : `cpu ${first}`
}

/** Pixel height of a row of cores, from how many rows there are. */
export function rowHeight(rows: number): number {
  return Math.max(12, Math.min(26, Math.floor(380 / Math.max(1, rows))))
}

/** The chart's whole height for `rows` rows of cores. */
export function coresChartHeight(rows: number): number {
  return TOP + ACTIVE_HEIGHT + GAP + Math.max(1, rows) * rowHeight(rows) + BOTTOM
}

/**
 * Each row's load per sample, split into its parts (`part[row × samples + sample]`, 0..1, NaN where
 * no core of the row was sampled). Per core: the workers' share is what the OS measured at most,
 * the rest of its busy share is other load. But worker time whose core is not known (`unplaced`,
 * in cores) must be somewhere in that rest, and so must what a core's workers claimed beyond its
 * measured load (a task is put on the CPU it ended on, so a thread the OS moved is counted on one
 * core only): both are taken out of every core's rest in proportion, so neither shows as other
 * load. A row of several cores shows their mean.
 */
export function rowShares(samples: CpuSamples, layout: CoreRows): Record<CorePart, Float32Array> {
  const { cores, at, busy, workers, unplaced } = samples
  const n = at.length
  const out = {
    workers: new Float32Array(layout.rows * n).fill(NaN),
    unplaced: new Float32Array(layout.rows * n).fill(NaN),
    other: new Float32Array(layout.rows * n).fill(NaN)
  }
  const w = new Float64Array(cores)
  const rest = new Float64Array(cores)
  for (let s = 0; s < n; s++) {
    let restSum = 0
    let elsewhere = unplaced[s] ?? 0
    for (let core = 0; core < cores; core++) {
      const b = busy[core * n + s]
      const claimed = Math.max(0, workers[core * n + s] ?? 0)
      if (!(b === b)) {
        w[core] = NaN
        rest[core] = NaN
        continue
      }
      w[core] = Math.min(claimed, b)
      rest[core] = b - w[core]
      restSum += rest[core]
      elsewhere += claimed - w[core]
    }
    const unknownShare = restSum > 0 ? Math.min(elsewhere, restSum) / restSum : 0
    for (let row = 0; row < layout.rows; row++) {
      let count = 0
      const sums = { workers: 0, unplaced: 0, other: 0 }
      for (let core = row * layout.perRow; core < Math.min(cores, (row + 1) * layout.perRow); core++) {
        if (!(w[core] === w[core])) continue
        count++
        sums.workers += w[core]
        sums.unplaced += rest[core] * unknownShare
        sums.other += rest[core] * (1 - unknownShare)
      }
      if (count === 0) continue
      for (const part of CORE_PARTS) out[part][row * n + s] = sums[part] / count
    }
  }
  return out
}

/** A run of samples over which the same workers were on a row's cores. */
export interface WorkerRun {
  row: number
  /** First and last sample of the run. */
  first: number
  last: number
  lanes: number[]
}

/**
 * Which workers were on each row's cores, as runs of samples with the same set: a worker is on a
 * core in a sample when that core is where it spent most of its task time then (`laneCore`).
 */
export function workerRuns(samples: CpuSamples, layout: CoreRows): WorkerRun[] {
  const n = samples.at.length
  const runs: WorkerRun[] = []
  const onRow: number[][] = Array.from({ length: layout.rows }, () => [])
  const open: (WorkerRun | null)[] = Array.from({ length: layout.rows }, () => null)
  for (let s = 0; s < n; s++) {
    for (const list of onRow) list.length = 0
    for (let lane = 0; lane < samples.lanes; lane++) {
      const core = samples.laneCore[lane * n + s]
      if (core >= 0 && core < samples.cores) onRow[Math.floor(core / layout.perRow)].push(lane)
    }
    for (let row = 0; row < layout.rows; row++) {
      const lanes = onRow[row]
      const run = open[row]
      if (run && sameLanes(run.lanes, lanes)) {
        run.last = s
        continue
      }
      open[row] = null
      if (lanes.length === 0) continue
      const next = { row, first: s, last: s, lanes: [...lanes] }
      runs.push(next)
      open[row] = next
    }
  }
  return runs
}

function sameLanes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((lane, i) => lane === b[i])
}

/** `w0`, `w0 w3`, or `5 workers`: who was on a row, short enough to write over its cells. */
export function runText(lanes: readonly number[]): string {
  return lanes.length <= 2 ? lanes.map((lane) => `w${lane}`).join(' ') : `${lanes.length} workers`
}

/** How many workers were in a task, averaged over equal bins: `active[bin]` from `from`, `binMs` wide. */
export interface ActiveSeries {
  from: number
  binMs: number
  active: Float64Array
}

/**
 * How many worker lanes were in a task over time, from the timeline's window. A binned window
 * already holds each lane's task time per bin; a detailed one is binned here (`bins` over the
 * view). Running chunks count as in a task (their timings come with their replies), as do tasks a
 * cancel stopped.
 */
export function activeWorkers(window: TimelineWindow, view: TimelineView, bins = 400): ActiveSeries {
  const busyKinds = [SEGMENT.task, SEGMENT.stopped, SEGMENT.unreported]
  if (window.bins) {
    const { count, binMs, kinds, ms } = window.bins
    const active = new Float64Array(count)
    for (let lane = 0; lane < window.threads; lane++)
      for (const kind of busyKinds) {
        const row = (lane * kinds + kind) * count
        for (let b = 0; b < count; b++) active[b] += ms[row + b] / binMs
      }
    return { from: window.from, binMs, active }
  }
  const count = Math.max(1, bins)
  const binMs = Math.max(view.to - view.from, 1e-9) / count
  const active = new Float64Array(count)
  const add = (a: number, b: number): void => {
    const lo = Math.max(a, view.from)
    const hi = Math.min(b, view.to)
    if (!(hi > lo)) return
    const first = Math.floor((lo - view.from) / binMs)
    const last = Math.min(count - 1, Math.floor((hi - view.from) / binMs))
    for (let bin = first; bin <= last; bin++) {
      const start = view.from + bin * binMs
      const overlap = Math.min(hi, start + binMs) - Math.max(lo, start)
      if (overlap > 0) active[bin] += overlap / binMs
    }
  }
  const t = window.tasks
  // A running task lies inside its running chunk's segment, which counts already.
  if (t)
    for (let i = 0; i < t.task.length; i++)
      if (t.running[i] !== 1 && t.lane[i] < window.threads) add(t.start[i], t.end[i])
  const s = window.segments
  if (s)
    for (let i = 0; i < s.lane.length; i++)
      if (s.lane[i] < window.threads && (s.kind[i] === SEGMENT.stopped || s.kind[i] === SEGMENT.unreported))
        add(s.from[i], s.to[i])
  return { from: view.from, binMs, active }
}

/** The average of a series over [from, to] (time-weighted); NaN where it does not reach. */
export function averageOver(series: ActiveSeries, from: number, to: number): number {
  let sum = 0
  let covered = 0
  for (let b = 0; b < series.active.length; b++) {
    const start = series.from + b * series.binMs
    const overlap = Math.min(to, start + series.binMs) - Math.max(from, start)
    if (overlap <= 0) continue
    sum += series.active[b] * overlap
    covered += overlap
  }
  return covered > 0 ? sum / covered : NaN
}

export type CpuUseGrade = 'poor' | 'ok' | 'ideal'

/**
 * The average number of workers in a task against the physical cores, graded as Intel VTune grades
 * CPU use: up to 50% poor, 51–85% OK, 86% and over ideal. The grade goes by the whole percentage
 * shown beside it, so that the two never disagree (50.4% reads "50% — poor"). Above 100% the
 * workers share cores' hardware threads; that is still the top grade.
 */
export function gradeCpuUse(
  average: number,
  physicalCores: number
): { share: number; percent: number; grade: CpuUseGrade } {
  const share = physicalCores > 0 ? average / physicalCores : 0
  const percent = Math.round(share * 100)
  const grade: CpuUseGrade = percent > 85 ? 'ideal' : percent > 50 ? 'ok' : 'poor'
  return { share, percent, grade }
}

export const GRADE_LABELS: Record<CpuUseGrade, string> = { poor: 'poor', ok: 'OK', ideal: 'ideal' }

export interface CoresInput {
  samples: CpuSamples
  /** The timeline's window: the active workers, and where the job starts and ends. */
  window: TimelineWindow
  view: TimelineView
  physicalCores: number
  dark?: boolean
  /** Width of the plot, px: worker names are written only over runs wide enough for them. */
  plotWidth?: number
  /** The time under the pointer, for the tooltips: a row is one shape over every sample. */
  pointerTime?: () => number | null
}

interface CartesianRect {
  x: number
  y: number
  width: number
  height: number
}

/** Where sample `s` starts, on the job clock. */
function sampleStart(samples: CpuSamples, s: number): number {
  return s === 0 ? (samples.from ?? samples.at[0]) : samples.at[s - 1]
}

/** The sample whose interval holds `t`, or −1. */
export function sampleAt(samples: CpuSamples, t: number): number {
  const { at } = samples
  if (samples.from === null || at.length === 0 || t < samples.from || t > at[at.length - 1]) return -1
  let lo = 0
  let hi = at.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (at[mid] >= t) hi = mid
    else lo = mid + 1
  }
  return lo
}

function rowBand(api: CustomSeriesRenderItemAPI): number {
  const row = (api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 16
  return Math.max(4, row - 2)
}

/** One part of a row's load over every sample in view, as one polygon (not a shape per cell: see charts/timeline.ts binItem). */
function partItem(
  samples: CpuSamples,
  shares: Record<CorePart, Float32Array>,
  dark: boolean
): CustomSeriesRenderItem {
  const n = samples.at.length
  const colors = CORE_COLORS[dark ? 'dark' : 'light']
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const part = CORE_PARTS[api.value(3) as number]
    const below = CORE_PARTS.slice(0, CORE_PARTS.indexOf(part))
    const band = rowBand(api)
    const bottom = api.coord([0, row])[1] + band / 2
    const right = grid.x + grid.width
    const top: number[][] = []
    const base: number[][] = []
    let drawn = false
    for (let s = 0; s < n; s++) {
      const x0 = Math.max(grid.x, api.coord([sampleStart(samples, s), row])[0])
      const x1 = Math.min(right, api.coord([samples.at[s], row])[0])
      if (x1 <= grid.x || x0 >= right || x1 <= x0) continue
      const share = (p: CorePart): number => {
        const v = shares[p][row * n + s]
        return v > 0 ? Math.min(1, v) : 0
      }
      let y = bottom
      for (const p of below) y -= share(p) * band
      const h = share(part) * band
      if (h > 0) drawn = true
      top.push([x0, y - h], [x1, y - h])
      base.push([x0, y], [x1, y])
    }
    if (!drawn) return null
    return { type: 'polygon', shape: { points: top.concat(base.reverse()) }, style: { fill: colors[part] } }
  }
}

/** A row's cell background over the sampled span: what an idle core shows, and the tooltip's target. */
function cellItem(samples: CpuSamples, dark: boolean): CustomSeriesRenderItem {
  const fill = CORE_COLORS[dark ? 'dark' : 'light'].cell
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const band = rowBand(api)
    const x0 = Math.max(grid.x, api.coord([api.value(0), row])[0])
    const x1 = Math.min(grid.x + grid.width, api.coord([api.value(1), row])[0])
    if (x1 <= x0) return null
    const y = api.coord([0, row])[1] - band / 2
    return { type: 'rect', shape: { x: x0, y, width: x1 - x0, height: band }, style: { fill } }
  }
}

/** The workers on a row, written over a run of its cells: `[from, to, row, run index]`. */
function runItem(runs: readonly WorkerRun[], dark: boolean): CustomSeriesRenderItem {
  const text = dark ? '#e6e9ed' : '#1f2328'
  const halo = dark ? '#171b21' : '#ffffff'
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const x0 = Math.max(grid.x, api.coord([api.value(0), row])[0])
    const x1 = Math.min(grid.x + grid.width, api.coord([api.value(1), row])[0])
    const label = runText(runs[api.value(3) as number].lanes)
    const band = rowBand(api)
    const fontSize = Math.min(11, Math.max(8, band - 3))
    if (x1 - x0 < label.length * fontSize * 0.62 + 4) return null
    return {
      type: 'text',
      style: {
        x: (x0 + x1) / 2,
        y: api.coord([0, row])[1],
        text: label,
        fill: text,
        stroke: halo,
        lineWidth: 2.5,
        fontSize,
        align: 'center',
        verticalAlign: 'middle'
      },
      silent: true
    }
  }
}

/** The active-workers graph: one stepped area. */
function activeItem(series: ActiveSeries, dark: boolean): CustomSeriesRenderItem {
  const fill = categoryColor('task', dark)
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const right = grid.x + grid.width
    const zero = api.coord([0, 0])[1]
    const top: number[][] = []
    for (let b = 0; b < series.active.length; b++) {
      const start = series.from + b * series.binMs
      const x0 = Math.max(grid.x, api.coord([start, 0])[0])
      const x1 = Math.min(right, api.coord([start + series.binMs, 0])[0])
      if (x1 <= x0) continue
      const y = api.coord([0, series.active[b]])[1]
      top.push([x0, y], [x1, y])
    }
    if (top.length === 0) return null
    const points = [[top[0][0], zero], ...top, [top[top.length - 1][0], zero]]
    return { type: 'polygon', shape: { points }, style: { fill, opacity: 0.85 } }
  }
}

function percent(share: number): string {
  return `${Math.round(100 * share)}%`
}

/** The tooltip of a row of cores at time `t`. */
export function rowTooltip(
  samples: CpuSamples,
  shares: Record<CorePart, Float32Array>,
  layout: CoreRows,
  row: number,
  t: number
): string {
  const s = sampleAt(samples, t)
  const label = rowLabel(row, layout, samples.cores)
  if (s < 0) return `<b>${label}</b><br>not sampled here`
  const n = samples.at.length
  const span = samples.at[n - 1] - (samples.from ?? 0)
  const from = sampleStart(samples, s)
  const lines = [`<b>${label}</b>, ${formatTime(from, span)} – ${formatTime(samples.at[s], span)}`]
  const parts = CORE_PARTS.map((part) => [part, shares[part][row * n + s]] as const)
  if (parts.some(([, v]) => !(v === v))) lines.push('not sampled (offline)')
  else {
    const busy = parts.reduce((sum, [, v]) => sum + v, 0)
    lines.push(`busy ${percent(busy)}${layout.perRow > 1 ? ' (mean of its cores)' : ''}`)
    for (const [part, v] of parts) if (v > 0.005) lines.push(`${CORE_PART_LABELS[part]}: ${percent(v)}`)
  }
  const on: number[] = []
  for (let lane = 0; lane < samples.lanes; lane++) {
    const core = samples.laneCore[lane * n + s]
    if (core >= 0 && Math.floor(core / layout.perRow) === row) on.push(lane)
  }
  if (on.length > 0) lines.push(`workers here: ${on.map((lane) => `worker ${lane}`).join(', ')}`)
  return lines.join('<br>')
}

export function buildCoresOption({
  samples,
  window,
  view,
  physicalCores,
  dark = false,
  plotWidth = 900,
  pointerTime = () => null
}: CoresInput): EChartsOption {
  const text = dark ? '#c9d1d9' : '#3b4252'
  const line = dark ? '#30363d' : '#e2e6ea'
  const layout = coreRows(samples.cores)
  const shares = rowShares(samples, layout)
  const runs = workerRuns(samples, layout)
  const active = activeWorkers(window, view, Math.max(16, Math.round(plotWidth / 2)))
  const n = samples.at.length
  const height = rowHeight(layout.rows)
  const heatTop = TOP + ACTIVE_HEIGHT + GAP
  const ceiling = Math.max(window.threads, physicalCores, ...active.active) + 0.5

  const marks = [
    { xAxis: 0, name: 'start' },
    { xAxis: window.now, name: window.running ? 'now' : 'end' }
  ].filter((mark) => mark.xAxis >= view.from && mark.xAxis <= view.to)
  // Start and end are named once, above the workers graph, clear of its axis labels.
  const markLine = (withLabels: boolean) => ({
    silent: true,
    symbol: 'none',
    animation: false,
    lineStyle: { color: text, type: 'dashed' as const, width: 1 },
    label: { show: withLabels, color: text, formatter: '{b}', position: 'end' as const, distance: 2 },
    data: marks
  })

  const sampled = n > 0 && samples.from !== null
  const msPerPixel = (view.to - view.from) / Math.max(1, plotWidth)
  const series: NonNullable<EChartsOption['series']> = [
    {
      type: 'custom',
      name: 'active',
      xAxisIndex: 0,
      yAxisIndex: 0,
      renderItem: activeItem(active, dark),
      encode: { x: [0, 1], y: 2 },
      data: [[view.from, view.to, 0]],
      clip: true,
      markLine: {
        ...markLine(true),
        data: [
          ...marks,
          {
            yAxis: physicalCores,
            name: `${physicalCores} physical core${physicalCores === 1 ? '' : 's'}`,
            label: { position: 'insideEndTop' as const, formatter: '{b}' },
            lineStyle: { type: 'solid' as const, width: 1.5 }
          }
        ]
      }
    },
    {
      type: 'custom',
      name: 'cores',
      xAxisIndex: 1,
      yAxisIndex: 1,
      renderItem: cellItem(samples, dark),
      encode: { x: [0, 1], y: 2 },
      data: sampled
        ? Array.from({ length: layout.rows }, (_, row) => [samples.from!, samples.at[n - 1], row])
        : [],
      clip: true,
      markLine: markLine(false)
    },
    {
      type: 'custom',
      name: 'load',
      xAxisIndex: 1,
      yAxisIndex: 1,
      renderItem: partItem(samples, shares, dark),
      encode: { x: [0, 1], y: 2 },
      data: sampled
        ? Array.from({ length: layout.rows }, (_, row) =>
            CORE_PARTS.map((part, code) => [samples.from!, samples.at[n - 1], row, code])
          )
            .flat()
            .filter(([, , row, code]) =>
              shares[CORE_PARTS[code]].subarray(row * n, (row + 1) * n).some((v) => v > 0)
            )
        : [],
      clip: true
    },
    {
      type: 'custom',
      name: 'workers',
      xAxisIndex: 1,
      yAxisIndex: 1,
      renderItem: runItem(runs, dark),
      encode: { x: [0, 1], y: 2 },
      // Only runs that could hold a label at this zoom: a long job has thousands of short ones.
      data: runs
        .map((run, i) => [sampleStart(samples, run.first), samples.at[run.last], run.row, i])
        .filter(([a, b]) => b > view.from && a < view.to && (b - a) / msPerPixel >= 14),
      silent: true,
      clip: true
    }
  ]

  const xAxis = (gridIndex: number, labels: boolean) => ({
    type: 'value' as const,
    gridIndex,
    min: view.from,
    max: view.to,
    axisLine: { lineStyle: { color: line } },
    splitLine: { lineStyle: { color: line } },
    axisTick: { show: labels },
    axisLabel: {
      show: labels,
      color: text,
      hideOverlap: true,
      showMinLabel: true,
      showMaxLabel: true,
      formatter: axisLabel(view)
    }
  })

  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    grid: [
      { left: GRID_LEFT, right: GRID_RIGHT, top: TOP, height: ACTIVE_HEIGHT },
      { left: GRID_LEFT, right: GRID_RIGHT, top: heatTop, height: layout.rows * height }
    ],
    tooltip: {
      trigger: 'item',
      confine: true,
      enterable: false,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        const at = pointerTime()
        if (at === null) return ''
        if (item.seriesName === 'active') {
          const b = Math.floor((at - active.from) / active.binMs)
          const value = active.active[b]
          if (value === undefined) return ''
          const span = view.to - view.from
          return `<b>workers in a task</b>, ${formatTime(active.from + b * active.binMs, span)}<br>${value.toFixed(2)} on average over ${formatTime(active.binMs, active.binMs)}`
        }
        const value = item.value as number[]
        return rowTooltip(samples, shares, layout, value[2], at)
      }
    },
    xAxis: [xAxis(0, false), xAxis(1, true)],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        max: Math.ceil(ceiling),
        minInterval: 1,
        name: 'workers in a task',
        nameLocation: 'middle',
        nameGap: 40,
        nameTextStyle: { color: text },
        axisLine: { lineStyle: { color: line } },
        splitLine: { lineStyle: { color: line } },
        // The top is headroom; its label would sit under the start and end marks' names.
        axisLabel: { color: text, showMaxLabel: false }
      },
      {
        type: 'category',
        gridIndex: 1,
        inverse: true,
        data: Array.from({ length: layout.rows }, (_, row) => rowLabel(row, layout, samples.cores)),
        axisLine: { lineStyle: { color: line } },
        axisTick: { show: false },
        axisLabel: { color: text, interval: 0, fontSize: height < 16 ? 10 : 12 }
      }
    ],
    series
  }
}
