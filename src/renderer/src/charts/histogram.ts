import type { CustomSeriesRenderItem, EChartsOption } from 'echarts'
import type { JobStats } from '../../../shared/protocol'
import { formatCount } from '../format'
import { categoryColor } from './categories'
import { formatSpan } from './timeline'

/**
 * The task-duration histogram's chart option, from `job.stats`: one bar per bin between its
 * edges, on a log axis when the host binned on one (durations spanning two decades or more).
 * Tasks beyond the outlier fences are the top of their bin's bar, in the error colour, and the
 * fences and the median are marked. Pure, so it is tested in Node and drawn again in the light
 * theme for a PNG.
 */

export type Durations = NonNullable<JobStats['durations']>

export interface HistogramInput {
  durations: Durations
  dark?: boolean
  /** A title drawn on the chart (for a PNG, which has no page around it). */
  title?: string
}

/** The colour of outlier tasks, at least 3:1 against the theme's panel. */
export const OUTLIER_COLORS = { light: '#cf222e', dark: '#f85149' } as const

/** Bars with any tasks keep this height at least, so a tail of a few tasks beside 400,000 shows. */
const MIN_BAR_PX = 2

/** One bin as chart data: `[lower edge, upper edge, tasks, outliers, bin]`. */
export function histogramData(durations: Durations): number[][] {
  const { edges, counts, outlierCounts } = durations.histogram
  return counts.map((count, bin) => [edges[bin], edges[bin + 1], count, outlierCounts[bin], bin])
}

/** The axis range: the edges, widened around a single value so its bar has room. */
export function histogramRange(durations: Durations): { min: number; max: number } {
  const { edges, scale } = durations.histogram
  const min = edges[0]
  const max = edges[edges.length - 1]
  if (max > min) return { min, max }
  // Three times either way: the fences, at least twice the median away, fall inside.
  if (scale === 'log' || min > 0) return { min: min / 3, max: min * 3 }
  return { min: -1, max: 1 }
}

interface CartesianRect {
  x: number
  y: number
  width: number
  height: number
}

function barItem(dark: boolean): CustomSeriesRenderItem {
  const fill = categoryColor('task', dark)
  const outlierFill = OUTLIER_COLORS[dark ? 'dark' : 'light']
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const count = api.value(2) as number
    if (!(count > 0)) return null
    const outliers = api.value(3) as number
    let [x0, base] = api.coord([api.value(0), 0])
    let [x1] = api.coord([api.value(1), 0])
    // A single value (one bin of no width) is drawn as a bar a few pixels wide.
    if (x1 - x0 < 6) {
      const middle = (x0 + x1) / 2
      x0 = middle - 3
      x1 = middle + 3
    }
    base = Math.min(base, grid.y + grid.height)
    const top = api.coord([api.value(0), count])[1]
    const height = Math.max(MIN_BAR_PX, base - top)
    const outlierHeight = outliers > 0 ? Math.max(MIN_BAR_PX, (height * outliers) / count) : 0
    const width = Math.max(1, x1 - x0 - 1)
    const children = [
      {
        type: 'rect' as const,
        shape: { x: x0 + 0.5, y: base - height, width, height: height - outlierHeight },
        style: { fill }
      }
    ]
    if (outlierHeight > 0)
      children.push({
        type: 'rect' as const,
        shape: { x: x0 + 0.5, y: base - height, width, height: outlierHeight },
        style: { fill: outlierFill }
      })
    return { type: 'group' as const, children }
  }
}

/** A vertical line across the plot at a duration, named above it. */
export interface HistogramMark {
  at: number
  name: string
  color: string
  /** Which side of the line its name goes: a fence names what lies beyond it. */
  side: 'left' | 'center' | 'right'
}

/**
 * The median and the outlier fences as dashed lines with their names above the plot. Drawn as a
 * series of their own rather than a markLine, which ECharts does not draw on a log axis.
 */
function markItem(marks: readonly HistogramMark[]): CustomSeriesRenderItem {
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const mark = marks[api.value(1) as number]
    const x = api.coord([api.value(0), 0])[0]
    if (!mark || x < grid.x || x > grid.x + grid.width) return null
    return {
      type: 'group',
      children: [
        {
          type: 'line',
          shape: { x1: x, y1: grid.y, x2: x, y2: grid.y + grid.height },
          style: { stroke: mark.color, lineWidth: 1.5, lineDash: [4, 3] }
        },
        {
          type: 'text',
          x,
          // Above the plot, the fences a line higher than the median, so close names never overlap.
          y: grid.y - 3 - (mark.side === 'center' ? 0 : 13),
          style: {
            text: mark.name,
            fill: mark.color,
            fontSize: 11,
            align: alignOf(mark.side, x, grid),
            verticalAlign: 'bottom'
          }
        }
      ]
    }
  }
}

/** A name's alignment at its line: its side, kept inside the chart near either end. */
function alignOf(side: HistogramMark['side'], x: number, grid: CartesianRect): 'left' | 'center' | 'right' {
  if (x > grid.x + grid.width * 0.85) return 'right'
  if (x < grid.x + grid.width * 0.15) return 'left'
  return side
}

/** A bin's tooltip: its range, its tasks and its outliers. */
export function binTooltip(durations: Durations, bin: number): string {
  const { edges, counts, outlierCounts } = durations.histogram
  const count = counts[bin]
  const outliers = outlierCounts[bin]
  const last = bin === counts.length - 1
  return (
    `${formatSpan(edges[bin])} – ${formatSpan(edges[bin + 1])}${last ? ' (inclusive)' : ''}<br>` +
    `${formatCount(count)} task${count === 1 ? '' : 's'}` +
    (outliers > 0 ? `, ${formatCount(outliers)} of them outlier${outliers === 1 ? '' : 's'}` : '')
  )
}

export function buildHistogramOption({ durations, dark = false, title }: HistogramInput): EChartsOption {
  const text = dark ? '#c9d1d9' : '#3b4252'
  const line = dark ? '#30363d' : '#e2e6ea'
  const log = durations.histogram.scale === 'log'
  const range = histogramRange(durations)
  const { outliers } = durations
  const outlierColor = OUTLIER_COLORS[dark ? 'dark' : 'light']
  const marks: HistogramMark[] = [
    { at: durations.medianMs, name: 'median', color: text, side: 'center' as const },
    { at: outliers.highFenceMs, name: 'slow outliers beyond →', color: outlierColor, side: 'left' as const },
    ...(outliers.lowFenceMs > 0
      ? [
          {
            at: outliers.lowFenceMs,
            name: '← fast outliers below',
            color: outlierColor,
            side: 'right' as const
          }
        ]
      : [])
  ].filter((mark) => mark.at >= range.min && mark.at <= range.max)
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    ...(title
      ? { title: { text: title, left: 'center', top: 4, textStyle: { color: text, fontSize: 13 } } }
      : {}),
    grid: { left: 64, right: 24, top: title ? 64 : 44, bottom: 48 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        return binTooltip(durations, (item.value as number[])[4])
      }
    },
    xAxis: {
      type: log ? 'log' : 'value',
      min: range.min,
      max: range.max,
      name: log ? 'task duration (log scale)' : 'task duration',
      nameLocation: 'middle',
      nameGap: 28,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text, hideOverlap: true, formatter: (value: number) => formatSpan(value) }
    },
    yAxis: {
      type: 'value',
      name: 'tasks',
      // Left of the axis: the marks' names use the space above the plot.
      nameTextStyle: { align: 'right' },
      minInterval: 1,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text, formatter: (value: number) => formatCount(value) }
    },
    series: [
      {
        type: 'custom',
        name: 'durations',
        renderItem: barItem(dark),
        encode: { x: [0, 1], y: 2 },
        data: histogramData(durations),
        clip: true
      },
      {
        type: 'custom',
        name: 'marks',
        renderItem: markItem(marks),
        encode: { x: 0 },
        data: marks.map((mark, i) => [mark.at, i]),
        silent: true,
        // The names sit above the plot; the marks outside the axis were left out above.
        clip: false
      }
    ]
  }
}
