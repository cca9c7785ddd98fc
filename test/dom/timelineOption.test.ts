import { describe, expect, it } from 'vitest'
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import {
  AGGREGATE_BINS,
  LANE_COLORS,
  MAX_TASK_BARS,
  buildTimelineOption,
  busyBins,
  renderTimelineItem
} from '@renderer/charts/timeline'
import { BusyTimeBins, binWidthFor } from '@renderer/charts/busyBins'
import { TimingColumns } from '@renderer/stores/timingColumns'
import { timingBatch } from './fakeApi'

function columnsOf(rows: [number, number, number, number][]): TimingColumns {
  const columns = new TimingColumns()
  columns.append(timingBatch('job', rows))
  return columns
}

type SeriesLike = { type: string; data: number[][]; encode: unknown }
type AxisLike = { data?: string[]; max?: number }

describe('timeline option', () => {
  const small = columnsOf([
    [0, 0, 4, 0],
    [1, 0.5, 3, 1],
    [2, 4, 9, 0],
    [3, 3, 8.5, 1]
  ])

  it('draws one bar per task as start, end, lane, task and cpu', () => {
    const option = buildTimelineOption({ columns: small, threads: 2 })
    const series = (option.series as SeriesLike[])[0]
    expect(series.type).toBe('custom')
    expect(series.encode).toEqual({ x: [0, 1], y: 2 })
    expect(series.data).toEqual([
      [0, 4, 0, 0, 0],
      [0.5, 3, 1, 1, 1],
      [4, 9, 0, 2, 0],
      [3, 8.5, 1, 3, 1]
    ])
  })

  it('has one lane per worker thread, even idle ones', () => {
    const option = buildTimelineOption({ columns: small, threads: 3 })
    expect((option.yAxis as AxisLike).data).toEqual(['worker 0', 'worker 1', 'worker 2'])
  })

  it('starts the time axis at the job clock’s zero', () => {
    const option = buildTimelineOption({ columns: small, threads: 2 })
    expect((option.xAxis as AxisLike & { min?: number }).min).toBe(0)
  })

  it('animates a small job', () => {
    expect(buildTimelineOption({ columns: small, threads: 2 }).animation).toBe(true)
  })

  it('merges tasks into busy-time bins past the bar cap and stops animating', () => {
    const rows: [number, number, number, number][] = []
    for (let i = 0; i <= MAX_TASK_BARS; i++) rows.push([i, i / 2, i / 2 + 0.5, i % 2])
    const option = buildTimelineOption({ columns: columnsOf(rows), threads: 2 })
    const series = (option.series as SeriesLike[])[0]
    expect(option.animation).toBe(false)
    // Both lanes are busy in every bin up to the last end; bins are a power of two wide.
    const maxEnd = MAX_TASK_BARS / 2 + 0.5
    const perLane = Math.ceil(maxEnd / binWidthFor(maxEnd))
    expect(series.data.length).toBe(2 * perLane)
    expect(perLane).toBeGreaterThan(AGGREGATE_BINS / 2)
    expect(perLane).toBeLessThanOrEqual(AGGREGATE_BINS)
  })

  it('draws a job that will pass the bar cap as bins from its first batch', () => {
    const bins = new BusyTimeBins(2)
    bins.add(small)
    const option = buildTimelineOption({ columns: small, threads: 2, bins, expected: MAX_TASK_BARS + 1 })
    const series = (option.series as SeriesLike[])[0] as SeriesLike & { name: string }
    expect(series.name).toBe('busy time')
    expect(option.animation).toBe(false)
    expect(series.data).toEqual(bins.toBins())
    // Without the expectation the same four tasks are bars.
    expect(buildTimelineOption({ columns: small, threads: 2, bins }).series).toMatchObject([
      { name: 'tasks' }
    ])
  })

  it('draws bins that cover more tasks than the columns, as the host’s bins of a big job do', () => {
    const bins = new BusyTimeBins(2)
    const count = MAX_TASK_BARS + 10
    const start = Float64Array.from({ length: count }, (_, i) => i)
    bins.add({
      start,
      end: start.map((t) => t + 1),
      lane: Uint16Array.from({ length: count }, (_, i) => i % 2)
    })
    const option = buildTimelineOption({ columns: small, threads: 2, bins })
    expect((option.series as SeriesLike[])[0].data).toEqual(bins.toBins())
    // The axis runs to the bins' last end, not to the preview's.
    expect(bins.maxEnd).toBe(count)
    expect((option.xAxis as AxisLike).max).toBeUndefined()
    const lastBin = bins.toBins().at(-1) as number[]
    expect(lastBin[1]).toBeGreaterThan(count)
  })

  it('computes the busy fraction of each bin', () => {
    // A 10 ms run in at most 4 bins: bins are 4 ms wide (the least power of two with 10 < 4 × width).
    // Lane 0 is busy 0–5 ms, lane 1 from 7.5 to 10 ms.
    const bins = busyBins(
      columnsOf([
        [0, 0, 5, 0],
        [1, 7.5, 10, 1]
      ]),
      2,
      4
    )
    expect(bins).toEqual([
      [0, 4, 0, 1, 1],
      [4, 8, 0, 0.25, 1],
      [4, 8, 1, 0.125, 1],
      [8, 12, 1, 0.5, 1]
    ])
  })

  it('renders a task as a rectangle in its lane colour, clipped to the grid', () => {
    const values = [0, 4, 1, 7, 1]
    const api = {
      value: (dim: number) => values[dim],
      coord: ([x, lane]: number[]) => [x * 10 + 50, lane * 40 + 20],
      size: () => [0, 40]
    } as unknown as CustomSeriesRenderItemAPI
    const params = {
      coordSys: { x: 60, y: 0, width: 400, height: 80 }
    } as unknown as CustomSeriesRenderItemParams
    const element = renderTimelineItem(false)(params, api) as {
      type: string
      shape: { x: number; y: number; width: number; height: number }
      style: { fill: string }
    }
    expect(element.type).toBe('rect')
    expect(element.shape).toEqual({ x: 60, y: 46, width: 30, height: 28 })
    expect(element.style.fill).toBe(LANE_COLORS[1])
  })
})
