import type { EChartsOption } from 'echarts'
import type { TimelineView } from './timeline'

/**
 * The compare view's shared time axis: both runs drawn from their job's zero to the longer one's
 * wall time, so the shorter run ends early on the same scale — the difference is the point — and
 * one zoom moves both. The view maths is pure (no store), tested in Node.
 */

/** The narrowest shared view: a tenth of a microsecond, as the timeline's own. */
export const MIN_COMPARE_VIEW_MS = 1e-4

/** Both runs' common range: from job zero to the longer wall time (pool start-up left out). */
export function sharedExtent(wallMs: readonly number[]): TimelineView {
  return { from: 0, to: Math.max(MIN_COMPARE_VIEW_MS, ...wallMs.filter((w) => Number.isFinite(w))) }
}

/**
 * [from, to] kept inside `extent` and at least MIN_COMPARE_VIEW_MS wide; null when it covers the
 * whole extent (the whole range is shown, not a zoom).
 */
export function clampView(extent: TimelineView, from: number, to: number): TimelineView | null {
  const width = Math.max(MIN_COMPARE_VIEW_MS, to - from)
  if (width >= extent.to - extent.from) return null
  const start = Math.min(Math.max(from, extent.from), extent.to - width)
  return { from: start, to: start + width }
}

/** `view` zoomed by `factor` (below 1 zooms in) around `at` (0..1 across it), clamped. */
export function zoomView(
  extent: TimelineView,
  view: TimelineView,
  factor: number,
  at = 0.5
): TimelineView | null {
  const width = view.to - view.from
  const anchor = view.from + width * at
  const next = width * factor
  return clampView(extent, anchor - next * at, anchor + next * (1 - at))
}

/** `view` moved by `fraction` of its width (negative: earlier), clamped. */
export function panView(extent: TimelineView, view: TimelineView, fraction: number): TimelineView | null {
  const shift = (view.to - view.from) * fraction
  return clampView(extent, view.from + shift, view.to + shift)
}

export interface StackedChart {
  option: EChartsOption
  /** Drawn above the chart. */
  title: string
  /** Its height in the stack, px. */
  height: number
}

type AxisOption = Record<string, unknown>

function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/**
 * Several single-grid chart options (the timeline's) one above the other in one option, each on
 * its own grid and axes with a title above it: the compare view's PNG is one picture of both runs
 * on their common axis. Each chart keeps its own left/right margins; tops are stacked.
 */
export function stackOptions(
  charts: readonly StackedChart[],
  { titleHeight = 26, text = '#3b4252' } = {}
): EChartsOption {
  const grid: AxisOption[] = []
  const xAxis: AxisOption[] = []
  const yAxis: AxisOption[] = []
  const series: AxisOption[] = []
  const title: AxisOption[] = []
  let top = 0
  charts.forEach((chart, index) => {
    const own = chart.option as Record<string, unknown>
    const g = asList(own.grid as AxisOption | AxisOption[])[0] ?? {}
    const ownTop = typeof g.top === 'number' ? g.top : 22
    const ownBottom = typeof g.bottom === 'number' ? g.bottom : 40
    title.push({
      text: chart.title,
      left: 8,
      top,
      textStyle: { color: text, fontSize: 13, fontWeight: 'bold' }
    })
    grid.push({
      ...g,
      top: top + titleHeight + ownTop,
      height: chart.height - ownTop - ownBottom,
      bottom: undefined
    })
    xAxis.push({ ...(asList(own.xAxis as AxisOption | AxisOption[])[0] ?? {}), gridIndex: index })
    yAxis.push({ ...(asList(own.yAxis as AxisOption | AxisOption[])[0] ?? {}), gridIndex: index })
    for (const s of asList(own.series as AxisOption | AxisOption[]))
      series.push({ ...s, xAxisIndex: index, yAxisIndex: index })
    top += titleHeight + chart.height
  })
  const first = (charts[0]?.option ?? {}) as Record<string, unknown>
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: first.textStyle as EChartsOption['textStyle'],
    title,
    grid,
    xAxis,
    yAxis,
    series
  } as EChartsOption
}

/** The stacked option's total height, px. */
export function stackedHeight(charts: readonly StackedChart[], titleHeight = 26): number {
  return charts.reduce((sum, chart) => sum + titleHeight + chart.height, 0)
}
