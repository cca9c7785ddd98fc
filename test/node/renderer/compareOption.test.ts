import type { EChartsOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import {
  buildCompareScalingOption,
  OVERLAY_SYMBOLS,
  serialFractions,
  type ComparedSweep
} from '../../../src/renderer/src/charts/compareScaling'
import {
  clampView,
  panView,
  sharedExtent,
  stackedHeight,
  stackOptions,
  zoomView
} from '../../../src/renderer/src/charts/compareTimeline'
import { buildTimelineOption, emptyWindow } from '../../../src/renderer/src/charts/timeline'
import { amdahlTime, around, fixtureResult } from './sweepFixture'

type Series = { name: string; type: string; symbol?: string; data: number[][]; lineStyle?: { type?: string } }
const seriesOf = (option: EChartsOption) => option.series as unknown as Series[]

// Sweep A: serial fraction 0.1 at 1, 2, 4 threads; sweep B: 0.3, on threads and processes.
const sweepA: ComparedSweep = {
  name: 'before',
  result: fixtureResult([1, 2, 4].map((n) => ({ threads: n, samples: around(amdahlTime(400, 0.1, n)) })))
}
const sweepB: ComparedSweep = {
  name: 'after',
  result: fixtureResult(
    (['threads', 'processes'] as const).flatMap((backend) =>
      [1, 2, 4].map((n) => ({ threads: n, backend, samples: around(amdahlTime(400, 0.3, n)) }))
    )
  )
}

describe('the overlaid speedup chart', () => {
  const option = buildCompareScalingOption({ a: sweepA, b: sweepB })
  const series = seriesOf(option)

  it('draws each (sweep, back end) with its own marker and label', () => {
    const measured = series.filter((s) => s.symbol !== undefined)
    expect(measured.map((s) => [s.name, s.symbol])).toEqual([
      ['“before” · threads', OVERLAY_SYMBOLS.a.threads],
      ['“after” · threads', OVERLAY_SYMBOLS.b.threads],
      ['“after” · processes', OVERLAY_SYMBOLS.b.processes]
    ])
    expect(new Set(measured.map((s) => s.symbol)).size).toBe(3)
  })

  it('plots the measured speedups: the 1-thread median over each point’s', () => {
    const a = series.find((s) => s.name === '“before” · threads')!
    const analysed = sweepA.result.analysis[0].result!.points
    expect(a.data).toEqual(analysed.map((p) => [p.threads, p.speedup]))
    // Amdahl with f = 0.1 at 4 threads: 1 / (0.1 + 0.9 / 4) = 3.08; the samples scatter ±1%.
    expect(a.data[2][1]).toBeCloseTo(1 / (0.1 + 0.9 / 4), 1)
    const b = series.find((s) => s.name === '“after” · threads')!
    expect(b.data[2][1]).toBeCloseTo(1 / (0.3 + 0.7 / 4), 1)
  })

  it('draws each Amdahl fit over the measured range, named with its serial fraction', () => {
    const fits = series.filter((s) => s.name.includes('Amdahl'))
    expect(fits).toHaveLength(3)
    const fa = fits[0]
    expect(fa.name).toMatch(/^“before” · threads · Amdahl f = 0\.(09|10|11)\d$/)
    expect(fa.data[0][0]).toBe(1)
    expect(fa.data.at(-1)![0]).toBe(4)
    // Processes' fit dashed, threads' solid.
    expect(fits.map((s) => s.lineStyle?.type)).toEqual(['solid', 'solid', 'dashed'])
  })

  it('puts the log₂ axis from 1 to the highest thread count and the ideal line on it', () => {
    const x = option.xAxis as { type: string; logBase: number; min: number; max: number }
    expect([x.type, x.logBase, x.min, x.max]).toEqual(['log', 2, 1, 4])
    const ideal = series.find((s) => s.name === 'ideal (S = N)')!
    expect(ideal.data[0]).toEqual([1, 1])
    expect(ideal.data[1][0]).toBe(ideal.data[1][1])
  })

  it('gives the serial fractions side by side, with their intervals', () => {
    const rows = serialFractions(sweepA, sweepB)
    expect(rows.map((r) => [r.side, r.name, r.backend])).toEqual([
      ['a', 'before', 'threads'],
      ['b', 'after', 'threads'],
      ['b', 'after', 'processes']
    ])
    expect(rows[0].value).toBeCloseTo(0.1, 1)
    expect(rows[1].value).toBeCloseTo(0.3, 1)
    expect(rows[0].value).toBe(sweepA.result.analysis[0].result!.fits.amdahl.params[0].value)
    expect(rows[0].note).toBe('fitted')
    expect(rows[0].ci).toEqual(sweepA.result.analysis[0].result!.fits.amdahl.params[0].ci)
    expect(rows[0].ci!.low).toBeLessThanOrEqual(rows[0].value!)
  })

  it('says why a sweep has no fraction', () => {
    const noBaseline: ComparedSweep = {
      name: 'no one',
      result: {
        ...sweepA.result,
        analysis: [{ backend: 'threads', result: null, error: 'no 1-thread run finished' }]
      }
    }
    expect(serialFractions(noBaseline, sweepA)[0]).toMatchObject({
      value: null,
      note: 'no 1-thread run finished'
    })
  })
})

describe('the shared time axis', () => {
  it('runs from job zero to the longer wall time', () => {
    expect(sharedExtent([12.5, 30])).toEqual({ from: 0, to: 30 })
  })

  it('zooms and pans inside it, and a view as wide as it is no zoom', () => {
    const extent = { from: 0, to: 100 }
    expect(zoomView(extent, extent, 0.5, 0.5)).toEqual({ from: 25, to: 75 })
    expect(zoomView(extent, extent, 0.5, 0)).toEqual({ from: 0, to: 50 })
    expect(zoomView(extent, { from: 25, to: 75 }, 4)).toBeNull()
    expect(panView(extent, { from: 25, to: 75 }, 0.2)).toEqual({ from: 35, to: 85 })
    // Past the end: kept inside.
    expect(panView(extent, { from: 25, to: 75 }, 1)).toEqual({ from: 50, to: 100 })
    expect(clampView(extent, -10, 20)).toEqual({ from: 0, to: 30 })
  })

  it('stacks both timelines in one option, each on its own grid and axes over the same range', () => {
    const view = sharedExtent([5, 9])
    const charts = [
      {
        option: buildTimelineOption({ window: { ...emptyWindow(2), now: 5, to: 5 }, view }),
        title: 'A',
        height: 200
      },
      {
        option: buildTimelineOption({ window: { ...emptyWindow(1), now: 9, to: 9 }, view }),
        title: 'B',
        height: 150
      }
    ]
    const stacked = stackOptions(charts) as unknown as {
      grid: { top: number; height: number }[]
      xAxis: { gridIndex: number; min: number; max: number }[]
      yAxis: { gridIndex: number }[]
      series: { xAxisIndex: number; yAxisIndex: number }[]
      title: { text: string; top: number }[]
    }
    expect(stacked.title.map((t) => [t.text, t.top])).toEqual([
      ['A', 0],
      ['B', 226]
    ])
    // Each grid below its title, within its own height (the timeline's top 22 and bottom 40 margins).
    expect(stacked.grid.map((g) => [g.top, g.height])).toEqual([
      [26 + 22, 200 - 62],
      [226 + 26 + 22, 150 - 62]
    ])
    expect(stacked.xAxis.map((x) => [x.gridIndex, x.min, x.max])).toEqual([
      [0, 0, 9],
      [1, 0, 9]
    ])
    expect(stacked.yAxis.map((y) => y.gridIndex)).toEqual([0, 1])
    const perChart = seriesOf(charts[0].option).length
    expect(stacked.series.slice(0, perChart).every((s) => s.xAxisIndex === 0 && s.yAxisIndex === 0)).toBe(
      true
    )
    expect(stacked.series.slice(perChart).every((s) => s.xAxisIndex === 1 && s.yAxisIndex === 1)).toBe(true)
    expect(stackedHeight(charts)).toBe(226 + 176)
  })
})
