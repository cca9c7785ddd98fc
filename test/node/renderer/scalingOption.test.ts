// The scaling chart's option from a sweep's result (charts/scaling.ts): the axes, the ideal line,
// each back end's points with their intervals and marker shape, the fitted curves (solid over the
// fitted points, fainter beyond to 64 threads), the oversubscribed region and the physical-cores
// mark, efficiency, and the error bars' drawing.
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import { describe, expect, it } from 'vitest'
import {
  BACKEND_SYMBOLS,
  buildScalingOption,
  curveGrid,
  measuredSeries,
  niceCeil,
  pointTooltip
} from '../../../src/renderer/src/charts/scaling'
import { amdahlTime, around, fixtureResult } from './sweepFixture'

interface Series {
  type: string
  name: string
  data: number[][]
  symbol?: string
  lineStyle?: { opacity?: number; type?: string; color?: string }
  itemStyle?: { color?: string }
  renderItem?: (p: CustomSeriesRenderItemParams, a: CustomSeriesRenderItemAPI) => unknown
}
type Option = {
  xAxis: { type: string; logBase: number; min: number; max: number }
  yAxis: { min: number; max: number; name: string }
  legend: { data: { name: string; icon?: string }[] }
  series: Series[]
  tooltip: { formatter: (p: unknown) => string }
}

const F = 0.1
/** An Amdahl job (f = 0.1, 1 s on one thread) at 1, 2, 4, 8 threads on an 8-thread machine. */
const amdahl = () =>
  fixtureResult([1, 2, 4, 8].map((n) => ({ threads: n, samples: around(amdahlTime(1000, F, n)) })))

function build(input: Partial<Parameters<typeof buildScalingOption>[0]> = {}): Option {
  return buildScalingOption({ result: amdahl(), hardwareThreads: 8, ...input }) as unknown as Option
}

const named = (option: Option, name: string) => option.series.filter((s) => s.name === name)

describe('buildScalingOption', () => {
  it('plots threads on a log₂ axis to 64 and the ideal line S = N', () => {
    const option = build()
    expect(option.xAxis).toMatchObject({ type: 'log', logBase: 2, min: 1, max: 64 })
    expect(named(option, 'ideal (S = N)')[0].data).toEqual([
      [1, 1],
      [64, 64]
    ])
    expect(option.yAxis.min).toBe(0)
  })

  it('reaches past a point beyond 64 threads, to the next power of two', () => {
    const result = fixtureResult(
      [1, 100].map((n) => ({ threads: n, samples: around(amdahlTime(1000, F, n)) })),
      { hardwareThreads: 128 }
    )
    const option = buildScalingOption({ result, hardwareThreads: 128 }) as unknown as Option
    expect(option.xAxis.max).toBe(128)
  })

  it('plots the measured speedups with their 95% intervals, as the analysis gives them', () => {
    const result = amdahl()
    const analysis = result.analysis[0].result!
    const option = build({ result })
    const [scatter] = named(option, 'measured, threads').filter((s) => s.type === 'scatter')
    expect(scatter.symbol).toBe('circle')
    expect(scatter.data.map((d) => d[0])).toEqual([1, 2, 4, 8])
    expect(scatter.data.map((d) => d[1])).toEqual(analysis.points.map((p) => p.speedup))
    // Close to Amdahl's 1/(f + (1 − f)/N) for the medians of the runs.
    expect(scatter.data[3][1]).toBeCloseTo(1 / (F + (1 - F) / 8), 1)
    expect(scatter.data[2][2]).toBe(analysis.points[2].speedupCi!.low)
    expect(scatter.data[2][3]).toBe(analysis.points[2].speedupCi!.high)
    // The error bars: every point with an interval (not the 1-thread baseline, whose speedup is 1 by definition).
    const [bars] = named(option, 'measured, threads').filter((s) => s.type === 'custom')
    expect(bars.data.map((d) => d[0])).toEqual([2, 4, 8])
  })

  it('draws the fitted laws through the fitted points and fainter beyond them to 64 threads', () => {
    const result = amdahl()
    const fit = result.analysis[0].result!.fits.amdahl
    const f = fit.params[0].value
    expect(f).toBeCloseTo(F, 2)
    const [inside, beyond] = named(build({ result }), 'Amdahl fit')
    expect(inside.data[0]).toEqual([1, 1])
    expect(inside.data.at(-1)![0]).toBe(8)
    expect(beyond.data[0][0]).toBe(8)
    expect(beyond.data.at(-1)![0]).toBe(64)
    expect(beyond.data.at(-1)![1]).toBeCloseTo(1 / (f + (1 - f) / 64), 10)
    expect(inside.lineStyle?.opacity).toBeUndefined()
    expect(beyond.lineStyle?.opacity).toBe(0.45)
    // USL too (it applies to fixed-size jobs); Gustafson only to scaled jobs.
    expect(named(build({ result }), 'USL fit')).toHaveLength(2)
    expect(named(build({ result }), 'Gustafson fit')).toHaveLength(0)
  })

  it('shades the threads beyond the hardware threads and marks the physical cores', () => {
    const option = build({ hardwareThreads: 8, physicalCores: 4 })
    const [region] = named(option, 'oversubscribed')
    expect(region.data).toEqual([[8, 64]])
    const [cores] = named(option, 'physical cores')
    expect(cores.data).toEqual([[4]])
  })

  it('says "= physical cores" on the region when there is no SMT, and draws no second line', () => {
    const option = build({ hardwareThreads: 8, physicalCores: 8 })
    expect(named(option, 'physical cores')).toHaveLength(0)
    const [region] = named(option, 'oversubscribed')
    const text = renderRegionText(region)
    expect(text).toBe('oversubscribed: more threads than the 8 hardware threads (= 8 physical cores)')
  })

  it('draws no region when the machine has as many hardware threads as the axis reaches', () => {
    expect(named(build({ hardwareThreads: 64 }), 'oversubscribed')).toHaveLength(0)
  })

  it('plots efficiency S/N with the ideal at 100%', () => {
    const result = amdahl()
    const analysis = result.analysis[0].result!
    const option = build({ result, metric: 'efficiency' })
    expect(named(option, 'ideal (E = 100%)')[0].data).toEqual([
      [1, 1],
      [64, 1]
    ])
    const [scatter] = named(option, 'measured, threads').filter((s) => s.type === 'scatter')
    expect(scatter.data.map((d) => d[1])).toEqual(analysis.points.map((p) => p.efficiency))
    expect(scatter.data[3][2]).toBeCloseTo(analysis.points[3].speedupCi!.low / 8, 12)
    expect(option.yAxis.name).toBe('efficiency (S / N)')
  })

  it('puts both back ends on one chart, told apart by marker shape and name', () => {
    const result = fixtureResult([
      ...[1, 2, 4].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.1, n)) })),
      ...[1, 2, 4].map((n) => ({
        threads: n,
        backend: 'processes' as const,
        samples: around(amdahlTime(1200, 0.3, n))
      }))
    ])
    const option = buildScalingOption({ result, hardwareThreads: 8 }) as unknown as Option
    const threads = named(option, 'measured, threads').find((s) => s.type === 'scatter')!
    const processes = named(option, 'measured, processes').find((s) => s.type === 'scatter')!
    expect([threads.symbol, processes.symbol]).toEqual(['circle', 'triangle'])
    expect(processes.data[2][1]).toBeCloseTo(1 / (0.3 + 0.7 / 4), 1)
    expect(named(option, 'Amdahl fit (threads)')).toHaveLength(2)
    expect(named(option, 'Amdahl fit (processes)')[0].lineStyle?.type).toBe('dotted')
    const legend = option.legend.data.filter((d) => d.name.startsWith('measured'))
    expect(legend).toEqual([
      { name: 'measured, threads', icon: BACKEND_SYMBOLS.threads },
      { name: 'measured, processes', icon: BACKEND_SYMBOLS.processes }
    ])
  })

  it('draws no curve for a law it cannot estimate, and the exact Amdahl of two points', () => {
    const result = fixtureResult(
      [1, 2].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.2, n)) }))
    )
    const option = buildScalingOption({ result, hardwareThreads: 2 }) as unknown as Option
    expect(result.analysis[0].result!.fits.usl.status).toBe('insufficient')
    expect(named(option, 'USL fit')).toHaveLength(0)
    expect(named(option, 'Amdahl fit')).toHaveLength(2)
  })

  it('keeps the axis on the data when a fit rises far beyond it', () => {
    // Perfect scaling would put 64× on the axis and squash the points; it stops near the data.
    const result = fixtureResult([1, 2, 4].map((n) => ({ threads: n, samples: around(1000 / n) })))
    const option = buildScalingOption({ result, hardwareThreads: 4 }) as unknown as Option
    expect(option.yAxis.max).toBeGreaterThan(4)
    expect(option.yAxis.max).toBeLessThanOrEqual(20)
  })

  it('draws an error bar from the low to the high end with caps', () => {
    const [bars] = named(build(), 'measured, threads').filter((s) => s.type === 'custom')
    const datum = bars.data[0]
    const api = {
      value: (i: number) => datum[i],
      coord: ([x, y]: number[]) => [x * 10, 500 - y * 100]
    } as unknown as CustomSeriesRenderItemAPI
    const drawn = bars.renderItem!({} as CustomSeriesRenderItemParams, api) as {
      children: { shape: { x1: number; y1: number; x2: number; y2: number } }[]
    }
    expect(drawn.children[0].shape).toEqual({
      x1: 20,
      y1: 500 - datum[2] * 100,
      x2: 20,
      y2: 500 - datum[3] * 100
    })
    expect(drawn.children).toHaveLength(3)
  })

  it('describes a point in its tooltip', () => {
    const [scatter] = measuredSeries(amdahl())
    const text = pointTooltip('threads', scatter.data[1], 'speedup')
    const p = scatter.data[1]
    expect(text).toBe(
      `2 threads, threads back end<br>speedup ${p[1].toFixed(2)}× (95% CI ${p[2]!.toFixed(2)}× – ${p[3]!.toFixed(2)}×)<br>` +
        `median ${p[4].toFixed(1)} ms over 5 runs`
    )
  })
})

describe('helpers', () => {
  it('spaces the curve evenly on the log axis and ends at its end', () => {
    const grid = curveGrid(64)
    expect(grid[0]).toBe(1)
    expect(grid.at(-1)).toBe(64)
    expect(grid).toHaveLength(6 * 8 + 1)
    expect(grid[8]).toBeCloseTo(2, 12)
  })

  it('rounds an axis top up to a round number', () => {
    expect([niceCeil(2.2), niceCeil(7.1), niceCeil(64), niceCeil(0)]).toEqual([2.5, 8, 80, 1])
  })
})

/** The text the oversubscribed region draws at its top. */
function renderRegionText(region: Series): string {
  const api = {
    value: (i: number) => region.data[0][i],
    coord: ([x]: number[]) => [Math.log2(x) * 100, 0]
  } as unknown as CustomSeriesRenderItemAPI
  const params = {
    coordSys: { x: 0, y: 0, width: 600, height: 300 }
  } as unknown as CustomSeriesRenderItemParams
  const drawn = region.renderItem!(params, api) as { children: { style: { text?: string } }[] }
  return drawn.children[1].style.text!
}
