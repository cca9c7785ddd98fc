// The duration histogram's option from job.stats durations: axis type and range (log, linear, a
// single value), the median and fence marks, bar heights (outliers on top, a floor for tiny bins)
// and the bin tooltip.
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import { describe, expect, it } from 'vitest'
import {
  binTooltip,
  buildHistogramOption,
  histogramRange,
  OUTLIER_COLORS,
  type Durations
} from '../../../src/renderer/src/charts/histogram'
import { CATEGORY_COLORS } from '../../../src/renderer/src/charts/categories'

function durations(
  overrides: Partial<Durations['histogram']> = {},
  fences = { low: 0.5, high: 8 }
): Durations {
  return {
    minMs: 1,
    q1Ms: 1,
    medianMs: 2,
    q3Ms: 3,
    p90Ms: 3.5,
    meanMs: 2.5,
    maxMs: 10,
    histogram: {
      scale: 'linear',
      edges: [1, 4, 7, 10],
      counts: [1000, 0, 3],
      outlierCounts: [0, 0, 1],
      zeroCount: 0,
      ...overrides
    },
    outliers: {
      rule: 'r',
      scale: 'log',
      lowFenceMs: fences.low,
      highFenceMs: fences.high,
      slowCount: 1,
      fastCount: 0
    },
    slowest: []
  }
}

type Option = {
  xAxis: { type: string; min: number; max: number; name: string }
  series: {
    name: string
    data: number[][]
    renderItem: (p: CustomSeriesRenderItemParams, a: CustomSeriesRenderItemAPI) => unknown
  }[]
  tooltip: { formatter: (p: unknown) => string }
}

describe('buildHistogramOption', () => {
  it('uses a value axis over the edges for linear bins, and marks the median and the slow fence', () => {
    const option = buildHistogramOption({ durations: durations() }) as unknown as Option
    expect(option.xAxis).toMatchObject({ type: 'value', min: 1, max: 10, name: 'task duration' })
    // The low fence (0.5 ms) is off the axis.
    const marks = option.series.find((s) => s.name === 'marks')!
    expect(marks.data).toEqual([
      [2, 0],
      [8, 1]
    ])
    const api = {
      value: (dim: number) => marks.data[1][dim],
      coord: ([x]: number[]) => [x * 100, 0]
    } as unknown as CustomSeriesRenderItemAPI
    const params = {
      coordSys: { x: 0, y: 40, width: 1000, height: 200 }
    } as unknown as CustomSeriesRenderItemParams
    const drawn = marks.renderItem(params, api) as {
      children: [{ shape: object; style: { stroke: string } }, { style: { text: string } }]
    }
    expect(drawn.children[0].shape).toEqual({ x1: 800, y1: 40, x2: 800, y2: 240 })
    expect(drawn.children[0].style.stroke).toBe(OUTLIER_COLORS.light)
    expect(drawn.children[1].style).toMatchObject({ text: 'slow outliers beyond →', align: 'left' })
  })

  it('uses a log axis for log bins', () => {
    const option = buildHistogramOption({
      durations: durations({ scale: 'log', edges: [0.01, 0.1, 1, 10] })
    }) as unknown as Option
    expect(option.xAxis).toMatchObject({ type: 'log', min: 0.01, max: 10, name: 'task duration (log scale)' })
  })

  it('widens a single value’s axis so its bar has room', () => {
    expect(histogramRange(durations({ edges: [3, 3], counts: [5] }))).toEqual({ min: 1, max: 9 })
    expect(histogramRange(durations({ edges: [0, 0], counts: [5] }))).toEqual({ min: -1, max: 1 })
  })

  it('stacks a bin’s outliers on top in the outlier colour, and keeps a 3-of-1000 bin visible', () => {
    const option = buildHistogramOption({ durations: durations(), dark: true }) as unknown as Option
    const series = option.series[0]
    // x: 1 ms = 100 px from 0; y: 1000 tasks = 200 px, base at 300.
    const api = (values: number[]) =>
      ({
        value: (dim: number) => values[dim],
        coord: ([x, y]: number[]) => [x * 100, 300 - y * 0.2]
      }) as unknown as CustomSeriesRenderItemAPI
    const params = {
      coordSys: { x: 0, y: 0, width: 1000, height: 300 }
    } as unknown as CustomSeriesRenderItemParams
    const tall = series.renderItem(params, api(series.data[0])) as {
      children: { shape: { y: number; height: number }; style: { fill: string } }[]
    }
    expect(tall.children).toHaveLength(1)
    expect(tall.children[0].shape).toMatchObject({ y: 100, height: 200 })
    expect(tall.children[0].style.fill).toBe(CATEGORY_COLORS.dark.task)
    expect(series.renderItem(params, api(series.data[1]))).toBeNull()
    const tail = series.renderItem(params, api(series.data[2])) as typeof tall
    // 3 tasks are 0.6 px: drawn 2 px tall, its one outlier at least 2 px of it.
    expect(tail.children.map((c) => c.style.fill)).toEqual([CATEGORY_COLORS.dark.task, OUTLIER_COLORS.dark])
    expect(tail.children[1].shape).toMatchObject({ y: 298, height: 2 })
  })

  it('says a bin’s range, tasks and outliers in its tooltip', () => {
    expect(binTooltip(durations(), 2)).toBe('7.00 ms – 10.0 ms (inclusive)<br>3 tasks, 1 of them outlier')
    expect(binTooltip(durations(), 0)).toBe('1.00 ms – 4.00 ms<br>1,000 tasks')
  })
})
