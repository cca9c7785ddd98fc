import type { CustomSeriesRenderItem, CustomSeriesRenderItemAPI, EChartsOption } from 'echarts'
import { formatDuration } from '../format'
import { MAX_BINS, busyBins, type BusyBin, type BusyTimeBins } from './busyBins'

/** The columns the timeline reads: one entry per finished task. */
export interface TimelineColumns {
  length: number
  /** Largest end time, when the columns track it (saves a pass over every task). */
  maxEnd?: number
  task: ArrayLike<number>
  start: ArrayLike<number>
  end: ArrayLike<number>
  lane: ArrayLike<number>
  cpu: ArrayLike<number>
}

/**
 * Above this many tasks, bars are merged into time bins per lane: ECharts takes about 6 ms per
 * thousand bars to lay out (126 ms for 20,000, measured), so more would block the page.
 */
export const MAX_TASK_BARS = 5_000

/**
 * Whether the timeline draws busy-time bins: when it has, or the job will have, more than
 * `MAX_TASK_BARS` timed tasks. A big job is binned from its first live batch on, so its first
 * 20,000 tasks are never drawn (at great cost) as bars that the next batch replaces.
 */
export function drawsBins(shown: number, expected = 0): boolean {
  return Math.max(shown, expected) > MAX_TASK_BARS
}
/** Most time bins per lane when tasks are merged (see `busyBins`). */
export const AGGREGATE_BINS = MAX_BINS
/** Above this many rectangles ECharts animation only costs time. */
const ANIMATION_LIMIT = 2_000

/** Lane colours, cycled; chosen to stay distinct on light and dark backgrounds. */
export const LANE_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7'
]

export interface TimelineInput {
  columns: TimelineColumns
  /** Worker lanes, 0..threads-1. */
  threads: number
  /**
   * Bins kept up to date as batches arrived, or made by the host over the whole job: drawn past
   * `MAX_TASK_BARS` instead of binning every task again. They may hold more tasks than `columns`
   * (a big job's timings are a live preview; its bins cover every task).
   */
  bins?: Pick<BusyTimeBins, 'toBins' | 'length' | 'maxEnd'>
  /** Timed tasks the job will have, when known (see `drawsBins`). */
  expected?: number
  dark?: boolean
}

/** One bar per task: `[start, end, lane, task, cpu]`. */
export type TaskBar = [number, number, number, number, number]
export type { BusyBin }
export { busyBins }

export function taskBars(columns: TimelineColumns): TaskBar[] {
  const bars: TaskBar[] = new Array(columns.length)
  for (let i = 0; i < columns.length; i++) {
    bars[i] = [columns.start[i], columns.end[i], columns.lane[i], columns.task[i], columns.cpu[i]]
  }
  return bars
}

interface CartesianRect {
  x: number
  y: number
  width: number
  height: number
}

/** Draws one bar from `[start, end, lane, …]`, clipped to the grid; merged bins fade with idleness. */
export function renderTimelineItem(aggregated: boolean): CustomSeriesRenderItem {
  return (params, api: CustomSeriesRenderItemAPI) => {
    const lane = api.value(2) as number
    const from = api.coord([api.value(0), lane])
    const to = api.coord([api.value(1), lane])
    const bandHeight = ((api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 20) * 0.7
    const grid = params.coordSys as unknown as CartesianRect
    const x = Math.max(from[0], grid.x)
    const right = Math.min(to[0], grid.x + grid.width)
    // A task shorter than a pixel still gets a sliver, or fast jobs would look empty.
    const width = Math.max(right - x, 0.75)
    if (right < grid.x || x > grid.x + grid.width) return null
    const opacity = aggregated ? 0.2 + 0.8 * (api.value(3) as number) : 0.9
    return {
      type: 'rect',
      shape: { x, y: from[1] - bandHeight / 2, width, height: bandHeight },
      style: { fill: LANE_COLORS[lane % LANE_COLORS.length], opacity },
      emphasisDisabled: aggregated
    }
  }
}

function tooltipText(value: number[], aggregated: boolean): string {
  if (aggregated) {
    const [from, to, lane, fraction, tasks] = value
    return (
      `worker ${lane}, ${formatDuration(from)} – ${formatDuration(to)}<br>` +
      `busy ${(fraction * 100).toFixed(0)}% · ${tasks} tasks`
    )
  }
  const [start, end, lane, task, cpu] = value
  const core = cpu >= 0 ? ` · CPU ${cpu}` : ''
  return `task #${task} on worker ${lane}${core}<br>${formatDuration(start)} → ${formatDuration(end)} (${formatDuration(end - start)})`
}

/**
 * The per-worker timeline: one lane per pool thread, one bar per task from its start to its end, in
 * milliseconds since the job clock started. Past `MAX_TASK_BARS` tasks, bars become busy-time bins.
 */
export function buildTimelineOption({
  columns,
  threads,
  bins,
  expected = 0,
  dark = false
}: TimelineInput): EChartsOption {
  const lanes = Math.max(1, threads)
  const aggregated = drawsBins(Math.max(columns.length, bins?.length ?? 0), expected)
  const data = !aggregated
    ? taskBars(columns)
    : bins && bins.length >= columns.length
      ? bins.toBins()
      : busyBins(columns, lanes)
  let maxEnd = columns.maxEnd ?? 0
  if (columns.maxEnd === undefined) {
    for (let i = 0; i < columns.length; i++) if (columns.end[i] > maxEnd) maxEnd = columns.end[i]
  }
  if (aggregated && bins) maxEnd = Math.max(maxEnd, bins.maxEnd)
  const text = dark ? '#c9d1d9' : '#3b4252'
  const line = dark ? '#30363d' : '#e2e6ea'
  return {
    animation: !aggregated && data.length <= ANIMATION_LIMIT,
    // Live updates snap into place: an animated axis mid-update shows old and new labels at once.
    animationDurationUpdate: 0,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    grid: { left: 72, right: 24, top: 8, bottom: 72 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        return tooltipText(item.value as number[], aggregated)
      }
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' },
      { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 16, bottom: 6 }
    ],
    xAxis: {
      type: 'value',
      name: 'ms since the job started',
      nameLocation: 'middle',
      nameGap: 24,
      // Zero is the job clock's start; the end is left to ECharts so the last tick is a round number.
      min: 0,
      max: maxEnd > 0 ? undefined : 1,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text, hideOverlap: true }
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: Array.from({ length: lanes }, (_, lane) => `worker ${lane}`),
      axisLine: { lineStyle: { color: line } },
      axisLabel: { color: text, interval: lanes > 32 ? 'auto' : 0 }
    },
    series: [
      {
        type: 'custom',
        name: aggregated ? 'busy time' : 'tasks',
        renderItem: renderTimelineItem(aggregated),
        encode: { x: [0, 1], y: 2 },
        data,
        clip: true,
        progressive: aggregated ? 0 : 1000
      }
    ]
  }
}
