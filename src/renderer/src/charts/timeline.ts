import type { CustomSeriesRenderItem, CustomSeriesRenderItemAPI, EChartsOption } from 'echarts'
import type { TimelineWindow } from '../../../shared/protocol'
import { LANE_KINDS, SEGMENT, SEGMENT_LABELS, segmentKind, type SegmentKind } from '../../../shared/timeline'
import { formatCount } from '../format'
import { categoryColor } from './categories'
import { engineCostTrack, type EngineCostTrack } from './engineCost'

/**
 * The timeline's chart option, built from one window the host measured (`job.timeline`): every
 * worker lane's whole time in the breakdown's categories and colours, the tasks as bars over their
 * chunks, and the main thread's lane below them. The x axis is exactly the window: from the pool's
 * start-up (or the job's zero) to the wall time when the whole job is shown.
 */

/** What the view shows: the window's bounds, which may be ahead of the data while a zoom loads. */
export interface TimelineView {
  from: number
  to: number
}

export interface TimelineInput {
  window: TimelineWindow
  /** The range to draw; the window's own by default. */
  view?: TimelineView
  /** What tasks yield, for the tooltip: tuples or a value. */
  unit?: 'tuples' | 'value'
  /** The task selected in Results, drawn outlined. */
  selectedTask?: number | null
  dark?: boolean
  /** The time under the pointer, if over the plot: a binned row is one shape, its tooltip needs the bin. */
  pointerTime?: () => number | null
}

/**
 * A window with lanes and nothing in them, drawn before any job: ECharts sets itself up while the
 * page loads, not in the middle of a run.
 */
export function emptyWindow(threads: number): TimelineWindow {
  return {
    jobId: '',
    running: false,
    now: 1,
    startupMs: 0,
    threads,
    lanes: [],
    osThread: [],
    from: 0,
    to: 1,
    tasksInWindow: 0,
    detail: 'tasks',
    segments: {
      lane: new Uint16Array(0),
      kind: new Uint8Array(0),
      from: new Float64Array(0),
      to: new Float64Array(0),
      chunk: new Int32Array(0)
    },
    tasks: null,
    calls: [],
    bins: null,
    sends: new Float64Array(0),
    retried: []
  }
}

/** The label of the timeline's last row: the engine's own cost, apart from the workload's lanes. */
export const ENGINE_COST_LABEL = "PoolScope's own cost"

/** A run of consecutive lanes on one host (a cluster agent), with its clock offset to the engine. */
export interface HostGroup {
  host: string
  /** False for lanes no agent thread took (the back end names them, with no process). */
  agent: boolean
  first: number
  last: number
  clockOffsetMs: number
  clockUncertaintyMs: number
}

/**
 * The lanes grouped by host, when they were measured across a network (the cluster back end's
 * agents, whose labels carry a clock uncertainty); empty for this machine's threads or processes.
 * Agents' threads are given consecutive lanes, so each agent is one group.
 */
export function hostGroups(window: TimelineWindow): HostGroup[] {
  const labels = [...window.lanes].sort((a, b) => a.lane - b.lane)
  if (!labels.some((label) => label.clockUncertaintyMs !== undefined)) return []
  const groups: HostGroup[] = []
  for (const label of labels) {
    const last = groups[groups.length - 1]
    if (last && last.host === label.host && last.last === label.lane - 1) {
      last.last = label.lane
      continue
    }
    groups.push({
      host: label.host,
      agent: label.pid >= 0,
      first: label.lane,
      last: label.lane,
      clockOffsetMs: label.clockOffsetMs,
      clockUncertaintyMs: label.clockUncertaintyMs ?? 0
    })
  }
  return groups
}

/**
 * `worker 0 · tid 4242`: a worker by number and the OS thread (or, for processes, the process) it
 * ran on; on a cluster, `lab-1 · worker 0`, by the agent it ran on.
 */
export function laneLabel(window: TimelineWindow, lane: number): string {
  if (lane === window.threads) return 'main thread'
  const label = window.lanes.find((l) => l.lane === lane)
  if (label?.clockUncertaintyMs !== undefined) return `${label.host} · worker ${lane}`
  const tid = window.osThread[lane] ?? -1
  const processes = label !== undefined && window.lanes.some((l) => l.pid !== label.pid)
  const where = processes
    ? `pid ${label.pid}`
    : tid > 0
      ? `tid ${tid}`
      : label
        ? `thread ${label.threadId}`
        : ''
  return where ? `worker ${lane} · ${where}` : `worker ${lane}`
}

/**
 * A time for an axis or a tooltip, in the unit that suits `span` (the range being looked at): a
 * million-task job is read in seconds whole and in nanoseconds zoomed in.
 */
export function formatTime(ms: number, span = Math.abs(ms)): string {
  const scale = Math.abs(span) || Math.abs(ms) || 1
  const [factor, unit] =
    scale >= 2000 ? [1e-3, 's'] : scale >= 2 ? [1, 'ms'] : scale >= 0.002 ? [1e3, 'µs'] : [1e6, 'ns']
  // Enough decimals to tell apart ticks about an eighth of the span apart.
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10((scale * factor) / 8))))
  return `${trim((ms * factor).toFixed(decimals))} ${unit}`
}

/** A moment in the unit of its size, with enough decimals to show `resolution`: `1.26914 s`. */
export function formatInstant(ms: number, resolution: number): string {
  const abs = Math.abs(ms)
  const [factor, unit] =
    abs >= 1000 ? [1e-3, 's'] : abs >= 1 ? [1, 'ms'] : abs >= 0.001 ? [1e3, 'µs'] : [1e6, 'ns']
  const decimals = Math.min(9, Math.max(0, Math.ceil(-Math.log10(Math.abs(resolution) * factor || 1))))
  return `${trim((ms * factor).toFixed(decimals))} ${unit}`
}

/**
 * The x axis's labels. Zoomed far into a long job, absolute times would read `1269135 µs` at every
 * tick; there the first label says where the view starts and the others how far past it they are.
 */
export function axisLabel(view: TimelineView): (value: number) => string {
  const span = view.to - view.from
  const offsets = span * 100 < Math.abs(view.from)
  return (value) => {
    if (!offsets) return formatTime(value, span)
    if (value === view.from) return formatInstant(value, span / 8)
    return `+${formatTime(value - view.from, span)}`
  }
}

function trim(text: string): string {
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text
}

/** A duration with about three significant figures: `12.3 µs`, `4.56 ms`, `1.20 s`. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  const abs = Math.abs(ms)
  if (abs >= 1000) return `${(ms / 1000).toPrecision(3)} s`
  if (abs >= 1) return `${ms.toPrecision(3)} ms`
  if (abs >= 0.001) return `${(ms * 1000).toPrecision(3)} µs`
  return `${(ms * 1e6).toPrecision(3)} ns`
}

interface CartesianRect {
  x: number
  y: number
  width: number
  height: number
}

/** Band height of a row, in pixels: workers get most of their row, the main thread less. */
function bandOf(api: CustomSeriesRenderItemAPI, dispatcher: boolean): number {
  const row = (api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 20
  return row * (dispatcher ? 0.45 : 0.72)
}

/** `[x, width]` of a span on the grid, clipped; a span under a pixel keeps a sliver so it is seen. */
function spanPixels(
  api: CustomSeriesRenderItemAPI,
  grid: CartesianRect,
  from: number,
  to: number,
  row: number
) {
  const left = api.coord([from, row])[0]
  const right = api.coord([to, row])[0]
  const x = Math.max(left, grid.x)
  const end = Math.min(right, grid.x + grid.width)
  if (end < grid.x || x > grid.x + grid.width) return null
  return [x, Math.max(end - x, 0.6)] as const
}

/** Segments of a detailed window: `[from, to, row, code, segment index]`. */
function segmentItem(window: TimelineWindow, dark: boolean): CustomSeriesRenderItem {
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const code = api.value(3) as number
    const span = spanPixels(api, grid, api.value(0) as number, api.value(1) as number, row)
    if (!span) return null
    const dispatcher = row === window.threads
    const band = bandOf(api, dispatcher)
    const centre = api.coord([0, row])[1]
    const kind = segmentKind(code)
    return partRect(kind, dark, span[0], centre - band / 2, span[1], band)
  }
}

/**
 * One part of a lane: a rectangle in its category's colour. Tasks a cancel stopped are the task
 * colour hatched with the page's background, as the breakdown bars draw them.
 */
function partRect(kind: SegmentKind, dark: boolean, x: number, y: number, width: number, height: number) {
  const fill = categoryColor(kind, dark)
  const rect = { type: 'rect' as const, shape: { x, y, width, height }, style: { fill } }
  if (kind !== 'stopped') return rect
  const stroke = dark ? '#171b21' : '#ffffff'
  const lines = []
  // 45° strokes every 6 px, each clipped to the rectangle.
  for (let k = x - height; k < x + width; k += 6) {
    const startX = Math.max(k, x)
    const endX = Math.min(k + height, x + width)
    if (endX <= startX) continue
    lines.push({
      type: 'line' as const,
      shape: { x1: startX, y1: y + height - (startX - k), x2: endX, y2: y + height - (endX - k) },
      style: { stroke, lineWidth: 1.5 }
    })
  }
  return { type: 'group' as const, children: [rect, ...lines] }
}

/** Task bars of a detailed window: `[start, end, row, index into window.tasks]`. */
function taskItem(
  window: TimelineWindow,
  dark: boolean,
  selectedTask: number | null
): CustomSeriesRenderItem {
  const text = dark ? '#e6e9ed' : '#1f2328'
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const span = spanPixels(api, grid, api.value(0) as number, api.value(1) as number, row)
    if (!span) return null
    const index = api.value(3) as number
    const tasks = window.tasks!
    const band = bandOf(api, false)
    const centre = api.coord([0, row])[1]
    const running = tasks.running[index] === 1
    const selected = tasks.task[index] === selectedTask
    return {
      type: 'rect',
      shape: { x: span[0], y: centre - band / 2, width: span[1], height: band },
      style: {
        fill: categoryColor('task', dark),
        opacity: running ? 0.75 : 1,
        stroke: selected ? text : running ? categoryColor('task', dark) : undefined,
        lineWidth: selected ? 2 : running ? 1 : 0,
        lineDash: running && !selected ? [3, 2] : undefined
      },
      emphasis: { style: { stroke: text, lineWidth: 1.5 } }
    }
  }
}

/** A chunk handed to a worker: a small triangle pointing down at the main thread's lane, `[at, row]`. */
function sendItem(color: string): CustomSeriesRenderItem {
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const [x, y] = api.coord([api.value(0), api.value(1)])
    if (x < grid.x || x > grid.x + grid.width) return null
    const top = y - bandOf(api, true) / 2 - 7
    return {
      type: 'polygon',
      shape: {
        points: [
          [x - 3.5, top],
          [x + 3.5, top],
          [x, top + 6]
        ]
      },
      style: { fill: color }
    }
  }
}

/** The categories a binned row stacks, from the bottom up. */
function binKinds(window: TimelineWindow, row: number): readonly SegmentKind[] {
  return row === window.threads ? ['filing', 'queued'] : LANE_KINDS
}

/**
 * A binned row's category as one shape, `[from, to, row, kind code]`: over each bin, a band as tall
 * as the share of the bin that category took, stacked on the categories below it (tasks at the
 * bottom), so a lane that spends half its time in tasks and half in bookkeeping shows two stripes of
 * those heights. One shape per row and category rather than a group of rectangles per bin: ECharts
 * pays some 20–30 µs for each element it draws, and a million-task job's bins were about 2,600 of
 * them, 50–80 ms a redraw (BENCHMARKS.md, "The timeline (issue 8)").
 */
function binItem(window: TimelineWindow, dark: boolean): CustomSeriesRenderItem {
  const bins = window.bins!
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const kind = segmentKind(api.value(3) as number)
    const kinds = binKinds(window, row)
    const below = kinds.slice(0, kinds.indexOf(kind))
    const band = bandOf(api, row === window.threads)
    const bottom = api.coord([0, row])[1] + band / 2
    const left = api.coord([window.from, row])[0]
    const step = api.coord([window.from + bins.binMs, row])[0] - left
    if (!(step > 0)) return null
    const height = (k: SegmentKind, bin: number): number => {
      const ms = bins.ms[(row * bins.kinds + SEGMENT[k]) * bins.count + bin]
      return ms > 0 ? Math.min(1, ms / bins.binMs) * band : 0
    }
    // Only the bins over the plot: a zoomed view shows the last window until its own arrives.
    const right = grid.x + grid.width
    const first = Math.max(0, Math.floor((grid.x - left) / step))
    const last = Math.min(bins.count - 1, Math.ceil((right - left) / step) - 1)
    const top: number[][] = []
    const base: number[][] = []
    let drawn = false
    for (let bin = first; bin <= last; bin++) {
      let y = bottom
      for (const k of below) y -= height(k, bin)
      const h = height(kind, bin)
      if (h > 0) drawn = true
      const x0 = Math.max(grid.x, left + bin * step)
      const x1 = Math.min(right, left + (bin + 1) * step)
      top.push([x0, y - h], [x1, y - h])
      base.push([x0, y], [x1, y])
    }
    if (!drawn) return null
    return {
      type: 'polygon',
      shape: { points: top.concat(base.reverse()) },
      style: { fill: categoryColor(kind, dark), opacity: kind === 'stopped' ? 0.55 : 1 }
    }
  }
}

/**
 * The engine's own cost as one thin track below the main thread, `[from, to, row]`: per bin, the
 * threads' worth of time its bookkeeping (on every worker) and its filing (on the main thread) took,
 * stacked in their categories' colours. The band's height is one thread busy, or the peak when
 * more were, so a track of 0.02 threads reads as the sliver it is.
 */
function engineCostItem(track: EngineCostTrack, dark: boolean): CustomSeriesRenderItem {
  return (params, api) => {
    if (!(track.peak > 0)) return null
    const grid = params.coordSys as unknown as CartesianRect
    const row = api.value(2) as number
    const band = bandOf(api, true)
    const bottom = api.coord([0, row])[1] + band / 2
    const perThread = band / Math.max(1, track.peak)
    const left = api.coord([track.from, row])[0]
    const step = api.coord([track.from + track.binMs, row])[0] - left
    if (!(step > 0)) return null
    const right = grid.x + grid.width
    const first = Math.max(0, Math.floor((grid.x - left) / step))
    const last = Math.min(track.count - 1, Math.ceil((right - left) / step) - 1)
    const layers: [Float64Array, Float64Array | null, SegmentKind][] = [
      [track.bookkeeping, null, 'bookkeeping'],
      [track.filing, track.bookkeeping, 'filing']
    ]
    const children = []
    for (const [values, below, kind] of layers) {
      const top: number[][] = []
      const base: number[][] = []
      let drawn = false
      for (let bin = first; bin <= last; bin++) {
        const y = bottom - (below ? below[bin] : 0) * perThread
        const h = values[bin] * perThread
        if (h > 0) drawn = true
        const x0 = Math.max(grid.x, left + bin * step)
        const x1 = Math.min(right, left + (bin + 1) * step)
        top.push([x0, y - h], [x1, y - h])
        base.push([x0, y], [x1, y])
      }
      if (drawn)
        children.push({
          type: 'polygon' as const,
          shape: { points: top.concat(base.reverse()) },
          style: { fill: categoryColor(kind, dark) }
        })
    }
    return children.length > 0 ? { type: 'group' as const, children } : null
  }
}

/** The engine-cost track's tooltip at time `at`: threads busy in its bin, and where. */
export function engineCostTooltip(track: EngineCostTrack, at: number): string {
  const bin = Math.min(track.count - 1, Math.max(0, Math.floor((at - track.from) / track.binMs)))
  const from = track.from + bin * track.binMs
  const span = track.binMs * track.count
  const threads = (x: number) => x.toFixed(x >= 0.1 ? 2 : 3)
  const bookkeeping = track.bookkeeping[bin]
  const filing = track.filing[bin]
  return (
    `<b>${ENGINE_COST_LABEL}</b>, ${formatTime(from, span)} – ${formatTime(from + track.binMs, span)}<br>` +
    `${threads(bookkeeping + filing)} engine threads busy: bookkeeping on the workers ${threads(bookkeeping)}, ` +
    `filing replies on the main thread ${threads(filing)}<br>` +
    'the engine’s time, not the workload’s'
  )
}

/** The bin of a binned window at time `at`. */
function binAt(window: TimelineWindow, at: number): number {
  const bins = window.bins!
  return Math.min(bins.count - 1, Math.max(0, Math.floor((at - window.from) / bins.binMs)))
}

/** The rows of a bin's tooltip: each category's share of the bin. */
function binTooltip(window: TimelineWindow, row: number, bin: number): string {
  const bins = window.bins!
  const from = window.from + bin * bins.binMs
  const dispatcher = row === window.threads
  const kinds = binKinds(window, row)
  const parts: string[] = []
  for (const kind of kinds) {
    const ms = bins.ms[(row * bins.kinds + SEGMENT[kind]) * bins.count + bin]
    if (ms > 0) parts.push(`${SEGMENT_LABELS[kind]} ${((100 * ms) / bins.binMs).toFixed(0)}%`)
  }
  const touched = bins.tasks[row * bins.count + bin]
  const count = dispatcher
    ? `${formatCount(touched)} chunk${touched === 1 ? '' : 's'} sent`
    : `${formatCount(touched)} task${touched === 1 ? '' : 's'}`
  const span = bins.binMs * bins.count
  return (
    `<b>${laneLabel(window, row)}</b>, ${formatTime(from, span)} – ${formatTime(from + bins.binMs, span)}<br>` +
    `${parts.join(' · ') || 'nothing'}<br>${count}`
  )
}

/** Everything the tooltip of one task says. */
export function taskTooltip(window: TimelineWindow, index: number, unit: 'tuples' | 'value'): string {
  const tasks = window.tasks!
  const start = tasks.start[index]
  const end = tasks.end[index]
  const lane = tasks.lane[index]
  const args = window.calls[tasks.call[index]] ?? ''
  const lines = [`<b>task #${formatCount(tasks.task[index])}</b> on ${laneLabel(window, lane)}`]
  if (args) lines.push(`arguments ${escapeHtml(args)}`)
  const span = window.to - window.from
  if (tasks.running[index] === 1) {
    lines.push(`started ${formatTime(start, span)}, running for ${formatSpan(end - start)}`)
    const progress = tasks.progress[index]
    if (progress > 0)
      lines.push(`${formatCount(progress)} ${unit === 'tuples' ? 'tuples' : 'work units'} so far`)
  } else {
    lines.push(`started ${formatTime(start, span)}, took ${formatSpan(end - start)}`)
    const output = tasks.output[index]
    if (unit === 'tuples') lines.push(`${formatCount(output)} tuple${output === 1 ? '' : 's'}`)
    else if (Number.isFinite(output)) lines.push(`value ${output}`)
  }
  lines.push(`waited ${formatSpan(start - tasks.readyAt[index])} from its chunk being sent to its start`)
  const cpu = tasks.cpu[index]
  const tid = tasks.tid[index]
  const where = [cpu >= 0 ? `CPU ${cpu}` : '', tid > 0 ? `OS thread ${tid}` : ''].filter(Boolean).join(' · ')
  if (where) lines.push(where)
  return lines.join('<br>')
}

function segmentTooltip(window: TimelineWindow, index: number): string {
  const s = window.segments!
  const kind = segmentKind(s.kind[index])
  const from = s.from[index]
  const to = s.to[index]
  const span = window.to - window.from
  const chunk = s.chunk[index]
  const what = kind === 'bookkeeping' ? 'chunk (bookkeeping between its tasks)' : SEGMENT_LABELS[kind]
  const ofChunk = chunk >= 0 ? ` · chunk from task #${formatCount(chunk)}` : ''
  return (
    `<b>${laneLabel(window, s.lane[index])}</b>: ${what}${ofChunk}<br>` +
    `${formatTime(from, span)} → ${formatTime(to, span)} (${formatSpan(to - from)})`
  )
}

/** What the mark of a chunk that ran again says. */
export function retryTooltip(window: TimelineWindow, index: number): string {
  const chunk = window.retried[index]
  if (!chunk) return ''
  const last = chunk.firstTask + chunk.count - 1
  const tasks =
    chunk.count === 1
      ? `task #${formatCount(chunk.firstTask)}`
      : `tasks #${formatCount(chunk.firstTask)}–#${formatCount(last)}`
  return (
    `<b>retried chunk</b> on ${laneLabel(window, chunk.lane)}<br>` +
    `${tasks} ran again from ${formatTime(chunk.at, window.to - window.from)}: ` +
    'the worker that first had them went silent (its lock on the chunk lapsed)'
  )
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function buildTimelineOption({
  window,
  view = { from: window.from, to: window.to },
  unit = 'tuples',
  selectedTask = null,
  dark = false,
  pointerTime = () => null
}: TimelineInput): EChartsOption {
  const text = dark ? '#c9d1d9' : '#3b4252'
  const line = dark ? '#30363d' : '#e2e6ea'
  const rows = window.threads + 1
  const costRow = rows
  const cost = engineCostTrack(window)
  /** Category indices where a new host's lanes begin (after the first). */
  const hostBoundaries = new Set(
    hostGroups(window)
      .slice(1)
      .map((group) => group.first)
  )
  const series: NonNullable<EChartsOption['series']> = []
  const marks = [
    { xAxis: 0, name: 'start' },
    { xAxis: window.now, name: window.running ? 'now' : 'end' }
  ].filter((mark) => mark.xAxis >= view.from && mark.xAxis <= view.to)
  const markLine = {
    silent: true,
    symbol: 'none',
    animation: false,
    lineStyle: { color: text, type: 'dashed' as const, width: 1 },
    label: { color: text, formatter: '{b}', position: 'start' as const, distance: 2 },
    data: marks
  }

  if (window.detail === 'tasks' && window.segments) {
    const s = window.segments
    const segments = Array.from({ length: s.lane.length }, (_, i) => [
      s.from[i],
      s.to[i],
      s.lane[i],
      s.kind[i],
      i
    ])
    const t = window.tasks
    const tasks = t
      ? Array.from({ length: t.task.length }, (_, i) => [t.start[i], t.end[i], t.lane[i], i])
      : []
    series.push(
      {
        type: 'custom',
        name: 'lanes',
        renderItem: segmentItem(window, dark),
        encode: { x: [0, 1], y: 2 },
        data: segments,
        clip: true,
        markLine
      },
      {
        type: 'custom',
        name: 'tasks',
        renderItem: taskItem(window, dark, selectedTask),
        encode: { x: [0, 1], y: 2 },
        data: tasks,
        clip: true,
        cursor: 'pointer'
      },
      {
        type: 'custom',
        name: 'sends',
        renderItem: sendItem(text),
        encode: { x: 0, y: 1 },
        data: Array.from(window.sends, (at) => [at, window.threads]),
        silent: true,
        clip: true
      }
    )
  } else if (window.bins) {
    const { count, kinds, ms } = window.bins
    const shapes: number[][] = []
    for (let row = 0; row < rows; row++)
      for (const kind of binKinds(window, row)) {
        const at = (row * kinds + SEGMENT[kind]) * count
        if (ms.subarray(at, at + count).some((v) => v > 0))
          shapes.push([window.from, window.to, row, SEGMENT[kind]])
      }
    series.push({
      type: 'custom',
      name: 'bins',
      renderItem: binItem(window, dark),
      encode: { x: [0, 1], y: 2 },
      data: shapes,
      clip: true,
      markLine
    })
  }
  if (window.retried.length > 0) {
    // Drawn at every zoom: a retry is rare and worth finding in a million-task job.
    series.push({
      type: 'scatter',
      name: 'retries',
      symbol: 'pin',
      symbolSize: 22,
      symbolOffset: [0, -6],
      itemStyle: { color: dark ? '#ff7b72' : '#cf222e' },
      label: { show: true, formatter: '↻', color: '#ffffff', fontSize: 11, offset: [0, -8] },
      data: window.retried.map((chunk, i) => [chunk.at, chunk.lane, i]),
      clip: true,
      z: 10
    })
  }
  series.push({
    type: 'custom',
    name: 'engine cost',
    renderItem: engineCostItem(cost, dark),
    encode: { x: [0, 1], y: 2 },
    data: [[window.from, window.to, costRow]],
    clip: true
  })

  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    grid: { left: 150, right: 28, top: 22, bottom: 40 },
    tooltip: {
      trigger: 'item',
      confine: true,
      enterable: false,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        const value = item.value as number[]
        if (item.seriesName === 'tasks')
          return taskTooltip(window, value[3], unit === 'value' ? 'value' : 'tuples')
        if (item.seriesName === 'lanes') return segmentTooltip(window, value[4])
        if (item.seriesName === 'retries') return retryTooltip(window, value[2])
        if (item.seriesName === 'bins') {
          const at = pointerTime()
          return at === null ? '' : binTooltip(window, value[2], binAt(window, at))
        }
        if (item.seriesName === 'engine cost') {
          const at = pointerTime()
          return at === null || !(cost.peak > 0) ? '' : engineCostTooltip(cost, at)
        }
        return ''
      }
    },
    xAxis: {
      type: 'value',
      min: view.from,
      max: view.to,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: {
        color: text,
        hideOverlap: true,
        showMinLabel: true,
        showMaxLabel: true,
        formatter: axisLabel(view)
      }
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: [...Array.from({ length: rows }, (_, lane) => laneLabel(window, lane)), ENGINE_COST_LABEL],
      axisLine: { lineStyle: { color: line } },
      axisTick: { show: false },
      axisLabel: { color: text, interval: rows > 32 ? 'auto' : 0, width: 138, overflow: 'truncate' },
      // A line between hosts: each agent's lanes are one block.
      splitLine: {
        show: hostBoundaries.size > 0,
        interval: (index: number) => hostBoundaries.has(index),
        lineStyle: { color: text, opacity: 0.45 }
      }
    },
    series
  }
}
