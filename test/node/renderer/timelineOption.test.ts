// The timeline's chart option, built from windows a real engine measured: axis bounds, lane labels,
// every category drawn over each lane's whole wall time, the dispatcher lane, bins stacked by
// category, tooltips and the selected task. Node project: the builders need no DOM.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { timelineWindow } from '../../../src/main/engine/timelineWindow'
import { CATEGORY_COLORS } from '../../../src/renderer/src/charts/categories'
import {
  buildTimelineOption,
  emptyWindow,
  formatSpan,
  formatTime,
  laneLabel,
  taskTooltip
} from '../../../src/renderer/src/charts/timeline'
import type { TimelineWindow } from '../../../src/shared/protocol'
import { SEGMENT } from '../../../src/shared/timeline'
import { busyWaitSpec } from '../../fixtures/specs'
import { workerFile } from '../../paths'

interface SeriesLike {
  type: string
  name: string
  data: number[][]
  renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => unknown
  markLine?: { data: { xAxis: number; name: string }[] }
}
interface OptionLike {
  xAxis: { min: number; max: number; axisLabel: { formatter: (v: number) => string } }
  yAxis: { data: string[] }
  series: SeriesLike[]
  tooltip: { formatter: (p: unknown) => string }
}

/** A stand-in for ECharts' render API: 1 ms is 10 px from x = 100, each row 40 px tall. */
function renderApi(values: number[]): CustomSeriesRenderItemAPI {
  return {
    value: (dim: number) => values[dim],
    coord: ([x, row]: number[]) => [100 + x * 10, 20 + row * 40],
    size: () => [0, 40]
  } as unknown as CustomSeriesRenderItemAPI
}
const grid = {
  coordSys: { x: 100, y: 0, width: 100_000, height: 400 }
} as unknown as CustomSeriesRenderItemParams

type Rect = {
  type: string
  shape: { x: number; y: number; width: number; height: number }
  style: { fill: string; stroke?: string }
}
type Polygon = { type: string; shape: { points: number[][] }; style: { fill: string } }

describe('timeline option', () => {
  let engine: Engine
  let job: Job
  let wallMs: number
  beforeAll(async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    job = await engine.start(busyWaitSpec(6, 5))
    wallMs = (await job.done).wallMs
  })
  afterAll(() => engine.dispose())

  it('ends the axis exactly at the wall time and starts it at the pool start-up', () => {
    const window = timelineWindow(job)
    const option = buildTimelineOption({ window }) as unknown as OptionLike
    expect(option.xAxis.min).toBe(window.from)
    expect(option.xAxis.min).toBe(-window.startupMs)
    expect(option.xAxis.max).toBe(wallMs)
    // Start and end are marked.
    const marks = option.series[0].markLine!.data
    expect(marks).toEqual([
      { xAxis: 0, name: 'start' },
      { xAxis: wallMs, name: 'end' }
    ])
  })

  it('labels lanes by worker and OS thread, never by colour, with the main thread and PoolScope’s own cost below them', () => {
    const window = timelineWindow(job)
    const option = buildTimelineOption({ window }) as unknown as OptionLike
    expect(option.yAxis.data).toHaveLength(4)
    expect(option.yAxis.data[2]).toBe('main thread')
    expect(option.yAxis.data[3]).toBe("PoolScope's own cost")
    for (const lane of [0, 1]) {
      const tid = window.osThread[lane]
      expect(option.yAxis.data[lane]).toBe(
        tid > 0 ? `worker ${lane} · tid ${tid}` : `worker ${lane} · thread ${window.lanes[lane].threadId}`
      )
    }
    // Tasks are all one colour, whichever lane ran them.
    const tasks = option.series.find((s) => s.name === 'tasks')!
    const fills = new Set(tasks.data.map((d) => (tasks.renderItem(grid, renderApi(d)) as Rect).style.fill))
    expect([...fills]).toEqual([CATEGORY_COLORS.light.task])
  })

  it('covers each lane from zero to the wall time with its segments, in the breakdown colours', () => {
    const window = timelineWindow(job, { from: 0, to: wallMs })
    const option = buildTimelineOption({ window }) as unknown as OptionLike
    const lanes = option.series.find((s) => s.name === 'lanes')!
    const covered = [0, 0]
    for (const d of lanes.data) {
      const [from, to, row, code] = d
      if (row < 2 && code !== SEGMENT.stopped) covered[row] += Math.min(to, wallMs) - Math.max(from, 0)
      const rect = lanes.renderItem(grid, renderApi(d)) as Rect
      const kind = Object.entries(SEGMENT).find(([, c]) => c === code)![0] as keyof typeof SEGMENT
      expect(rect.style.fill).toBe(CATEGORY_COLORS.light[kind])
    }
    for (const lane of [0, 1]) expect(covered[lane] / wallMs).toBeCloseTo(1, 9)
    const summary = job.summary()
    // Waiting, in the chart, is what the breakdown calls waiting for work.
    const waiting = lanes.data.filter((d) => d[2] === 0 && d[3] === SEGMENT.waiting)
    const waited = waiting.reduce((sum, d) => sum + d[1] - d[0], 0)
    expect(waited).toBeCloseTo(summary.laneTime[0].awaitingWorkMs, 9)
    // The dispatcher lane: a filing segment for every chunk, and a send marker for each.
    expect(lanes.data.filter((d) => d[2] === 2 && d[3] === SEGMENT.filing)).toHaveLength(6)
    expect(option.series.find((s) => s.name === 'sends')!.data).toHaveLength(6)
  })

  it('stacks a bin by how much of it each category took', () => {
    const window = timelineWindow(job, { from: 0, to: wallMs, maxTasks: 0, bins: 50 })
    let pointer: number | null = null
    const option = buildTimelineOption({
      window,
      dark: true,
      pointerTime: () => pointer
    }) as unknown as OptionLike
    const bins = option.series[0]
    expect(bins.name).toBe('bins')
    // One shape per row and category present: each worker lane has at least tasks and waiting.
    for (let lane = 0; lane < 2; lane++) {
      const shapes = bins.data.filter((d) => d[2] === lane)
      expect(shapes.length).toBeGreaterThanOrEqual(2)
      // Every worker bin is wholly accounted for: its stacked parts fill the band (72% of 40 px).
      // A shape's points run along its top edge, two a bin, and back along its bottom edge.
      const heights = new Float64Array(50)
      for (const d of shapes) {
        const shape = bins.renderItem(grid, renderApi(d)) as Polygon | null
        if (!shape) continue
        expect(shape.type).toBe('polygon')
        expect(Object.values(CATEGORY_COLORS.dark)).toContain(shape.style.fill)
        const points = shape.shape.points
        expect(points).toHaveLength(4 * 50)
        // Left to right along the top, then back: the outline never crosses itself.
        const xs = points.map(([x]) => x)
        for (let i = 1; i < 2 * 50; i++) expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1])
        for (let i = 2 * 50 + 1; i < 4 * 50; i++) expect(xs[i]).toBeLessThanOrEqual(xs[i - 1])
        for (let bin = 0; bin < 50; bin++)
          heights[bin] += points[points.length - 1 - 2 * bin][1] - points[2 * bin][1]
      }
      for (const height of heights) expect(height).toBeCloseTo(40 * 0.72, 6)
    }
    // The tooltip names the bin under the pointer, and says nothing without one.
    const cell = { seriesName: 'bins', value: bins.data[0] }
    expect(option.tooltip.formatter(cell)).toBe('')
    pointer = window.from + 2.5 * window.bins!.binMs
    const span = window.bins!.binMs * window.bins!.count
    expect(option.tooltip.formatter(cell)).toContain(
      `${formatTime(window.from + 2 * window.bins!.binMs, span)} – ${formatTime(window.from + 3 * window.bins!.binMs, span)}`
    )
  })

  it('describes a task in its tooltip and outlines the selected one', () => {
    const window = timelineWindow(job)
    const t = window.tasks!
    const i = Array.from(t.task).indexOf(3)
    const text = taskTooltip(window, i, 'value')
    expect(text).toContain('<b>task #3</b> on worker')
    expect(text).toContain('arguments 5')
    expect(text).toContain(`took ${formatSpan(t.end[i] - t.start[i])}`)
    expect(text).toContain(`value ${t.output[i]}`)
    expect(text).toContain(`waited ${formatSpan(t.start[i] - t.readyAt[i])} from its chunk being sent`)
    if (t.cpu[i] >= 0) expect(text).toContain(`CPU ${t.cpu[i]}`)
    const option = buildTimelineOption({ window, selectedTask: 3 }) as unknown as OptionLike
    const tasks = option.series.find((s) => s.name === 'tasks')!
    const outlined = tasks.data.filter((d) => (tasks.renderItem(grid, renderApi(d)) as Rect).style.stroke)
    expect(outlined.map((d) => t.task[d[3]])).toEqual([3])
  })

  it('draws a zoomed view with the window it has, and labels time in the unit of the view', () => {
    const window = timelineWindow(job)
    const option = buildTimelineOption({ window, view: { from: 1, to: 1.004 } }) as unknown as OptionLike
    expect(option.xAxis.min).toBe(1)
    expect(option.xAxis.max).toBe(1.004)
    // Ticks about half a microsecond apart, a millisecond into the job: offsets from the view's start.
    expect(option.xAxis.axisLabel.formatter(1)).toBe('1.0000 ms')
    expect(option.xAxis.axisLabel.formatter(1.0025)).toBe('+2.5 µs')
    expect(formatTime(5230, 5230)).toBe('5.2 s')
    expect(formatTime(0.0000005, 0.000001)).toBe('0.5 ns')
    expect(formatTime(1.5, 3)).toBe('1.5 ms')
    expect(formatTime(-0.001, 100)).toBe('0 ms')
    expect(formatSpan(0.000412)).toBe('412 ns')
  })

  it('draws every category in its colour, and stopped tasks hatched', () => {
    const codes = Object.values(SEGMENT)
    const window: TimelineWindow = {
      ...emptyWindow(1),
      now: codes.length,
      to: codes.length,
      segments: {
        lane: Uint16Array.from(codes, (code) => (code >= SEGMENT.filing ? 1 : 0)),
        kind: Uint8Array.from(codes),
        from: Float64Array.from(codes, (_, i) => i),
        to: Float64Array.from(codes, (_, i) => i + 1),
        chunk: new Int32Array(codes.length).fill(-1)
      }
    }
    const lanes = (buildTimelineOption({ window }) as unknown as OptionLike).series.find(
      (s) => s.name === 'lanes'
    )!
    for (const d of lanes.data) {
      const kind = Object.entries(SEGMENT).find(([, c]) => c === d[3])![0] as keyof typeof SEGMENT
      const drawn = lanes.renderItem(grid, renderApi(d)) as Rect | { type: 'group'; children: Rect[] }
      if (kind === 'stopped') {
        expect(drawn.type).toBe('group')
        const [base, ...hatch] = (drawn as { children: Rect[] }).children
        expect(base.style.fill).toBe(CATEGORY_COLORS.light.task)
        expect(hatch.length).toBeGreaterThan(0)
        expect(hatch.every((line) => line.type === 'line')).toBe(true)
      } else {
        expect((drawn as Rect).style.fill).toBe(CATEGORY_COLORS.light[kind])
      }
    }
  })

  it('draws empty lanes before any job', () => {
    const option = buildTimelineOption({ window: emptyWindow(3) }) as unknown as OptionLike
    expect(option.yAxis.data).toEqual([
      'worker 0',
      'worker 1',
      'worker 2',
      'main thread',
      "PoolScope's own cost"
    ])
    expect(option.series.find((s) => s.name === 'tasks')!.data).toEqual([])
    // The engine-cost track has nothing to draw.
    const cost = option.series.find((s) => s.name === 'engine cost')!
    expect(cost.renderItem(grid, renderApi(cost.data[0]))).toBeNull()
    expect(option.xAxis.max).toBe(1)
  })

  it('names a processes lane by its process', () => {
    const window: TimelineWindow = {
      ...emptyWindow(2),
      lanes: [
        { lane: 0, host: 'h', pid: 11, threadId: 1, clockOffsetMs: 0 },
        { lane: 1, host: 'h', pid: 12, threadId: 1, clockOffsetMs: 0 }
      ],
      osThread: [101, 102]
    }
    expect(laneLabel(window, 1)).toBe('worker 1 · pid 12')
  })

  it('uses only ECharts parts the page registers (ECharts skips an unregistered one, at most warning)', () => {
    const register = readFileSync(
      resolve(import.meta.dirname, '../../../src/renderer/src/charts/register.ts'),
      'utf8'
    )
    for (const window of [timelineWindow(job), timelineWindow(job, { maxTasks: 0 })]) {
      const option = buildTimelineOption({ window }) as unknown as OptionLike
      expect(new Set(option.series.map((s) => s.type))).toEqual(new Set(['custom']))
      expect(option.series.some((s) => s.markLine)).toBe(true)
    }
    for (const part of ['CustomChart', 'GridComponent', 'MarkLineComponent', 'TooltipComponent'])
      expect(register).toMatch(new RegExp(`use\\(\\[[^\\]]*\\b${part}\\b`))
  })

  it('uses the colours of the breakdown bars (styles.css) for the categories they share', () => {
    const css = readFileSync(resolve(import.meta.dirname, '../../../src/renderer/src/styles.css'), 'utf8')
    const dark = css.indexOf('prefers-color-scheme: dark')
    const varOf = (name: string, after: number) => {
      const match = new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(css.slice(after))
      return match?.[1].toLowerCase()
    }
    for (const [theme, from] of [
      ['light', 0],
      ['dark', dark]
    ] as const) {
      const colors = CATEGORY_COLORS[theme]
      expect(varOf('seg-tasks', from)).toBe(colors.task)
      expect(varOf('seg-bookkeeping', from)).toBe(colors.bookkeeping)
      expect(varOf('seg-awaiting', from)).toBe(colors.waiting)
      expect(varOf('seg-idle', from)).toBe(colors.idle)
    }
  })
})

describe('axis labels far into a long job', () => {
  it('says where the view starts, then how far past it each tick is', async () => {
    const { axisLabel, formatInstant } = await import('../../../src/renderer/src/charts/timeline')
    const label = axisLabel({ from: 1269.135, to: 1269.29 })
    expect(label(1269.135)).toBe('1.26914 s')
    expect(label(1269.195)).toBe('+60 µs')
    // Near the job's start, ticks are plain times.
    expect(axisLabel({ from: 0, to: 3 })(1.5)).toBe('1.5 ms')
    expect(formatInstant(0.0005, 0.00001)).toBe('500 ns')
  })
})
