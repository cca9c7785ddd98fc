import type { CustomSeriesRenderItem, EChartsOption, SeriesOption } from 'echarts'
import { predictSpeedup, type ModelFit, type ModelName } from '../../../shared/experiments/fits'
import type { SweepResult } from '../../../shared/protocol'
import type { BackendKind } from '../../../shared/spec'

/**
 * The scaling chart's option, from a sweep's result: measured speedup (or efficiency) against
 * threads with each point's 95% interval as an error bar, the ideal line, the fitted laws drawn
 * through the measured range and fainter beyond it up to 64 threads, the region beyond the
 * hardware threads shaded as oversubscribed and a mark at the physical cores. Both back ends share
 * the chart, told apart by marker shape and name (never colour alone). Pure, so it is tested in
 * Node and drawn again in the light theme for a PNG.
 */

export type ScalingMetric = 'speedup' | 'efficiency'
type Backend = BackendKind

export interface ScalingChartInput {
  result: SweepResult
  metric?: ScalingMetric
  hardwareThreads: number
  /** Physical cores of this machine (engine info), when known. */
  physicalCores?: number | null
  dark?: boolean
  /** A title drawn on the chart (for a PNG, which has no page around it). */
  title?: string
  /** The curves reach this many threads (default 64, or further when a point lies beyond). */
  extendTo?: number
}

/** Markers per back end: shape tells them apart, then colour. */
export const BACKEND_SYMBOLS: Record<Backend, string> = {
  threads: 'circle',
  processes: 'triangle',
  cluster: 'rect'
}
export const BACKEND_COLORS: Record<'light' | 'dark', Record<Backend, string>> = {
  light: { threads: '#2f6fde', processes: '#bc4c00', cluster: '#9a6700' },
  dark: { threads: '#5b93f5', processes: '#f0883e', cluster: '#d29922' }
}
/** The fitted laws' colours (their names are in the legend and at each curve's tooltip). */
export const MODEL_COLORS: Record<'light' | 'dark', Record<ModelName, string>> = {
  light: { amdahl: '#1a7f37', usl: '#8250df', gustafson: '#1b7c83' },
  dark: { amdahl: '#3fb950', usl: '#a371f7', gustafson: '#39c5cf' }
}
export const MODEL_LABELS: Record<ModelName, string> = {
  amdahl: 'Amdahl',
  usl: 'USL',
  gustafson: 'Gustafson'
}
/** Fits of the processes back end are dotted, the cluster's dashed, the threads back end's solid. */
const BACKEND_LINE: Record<Backend, 'solid' | 'dotted' | 'dashed'> = {
  threads: 'solid',
  processes: 'dotted',
  cluster: 'dashed'
}

export const DEFAULT_EXTEND_TO = 64
/** Points along a fitted curve per doubling of threads: smooth on the log axis. */
const CURVE_STEPS_PER_DOUBLING = 8

/** One measured point as chart data: `[threads, value, ciLow, ciHigh, medianMs, samples]`. */
export type PointDatum = [number, number, number | null, number | null, number, number]

export interface MeasuredSeries {
  backend: Backend
  data: PointDatum[]
}

/** The measured points of each back end, as the chart plots them for `metric`. */
export function measuredSeries(result: SweepResult, metric: ScalingMetric = 'speedup'): MeasuredSeries[] {
  const out: MeasuredSeries[] = []
  for (const { backend, result: analysis } of result.analysis) {
    if (!analysis) continue
    const data = analysis.points.map((p): PointDatum => {
      const scale = metric === 'efficiency' ? 1 / p.threads : 1
      const samples = result.points.find((q) => q.backend === backend && q.threads === p.threads)?.samples
      return [
        p.threads,
        p.speedup * scale,
        p.speedupCi ? p.speedupCi.low * scale : null,
        p.speedupCi ? p.speedupCi.high * scale : null,
        p.timeMs,
        samples?.length ?? 0
      ]
    })
    out.push({ backend, data })
  }
  return out
}

/** The fits worth drawing: meant for this sweep (Amdahl and USL fixed-size, Gustafson scaled) and estimated. */
export function drawnFits(fits: Record<ModelName, ModelFit>): ModelFit[] {
  return (['amdahl', 'usl', 'gustafson'] as const)
    .map((name) => fits[name])
    .filter((fit) => fit.applies && fit.status !== 'insufficient')
}

/** Thread counts from 1 to `to` evenly spaced on a log axis, with `to` itself. */
export function curveGrid(to: number): number[] {
  const steps = Math.ceil(Math.log2(to) * CURVE_STEPS_PER_DOUBLING)
  const grid: number[] = []
  for (let i = 0; i <= steps; i++) grid.push(Math.min(to, 2 ** (i / CURVE_STEPS_PER_DOUBLING)))
  return [...new Set(grid)]
}

/** The power of two at or above n. */
function powerOfTwoAtLeast(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)))
}

interface CartesianRect {
  x: number
  y: number
  width: number
  height: number
}

/** Vertical bars from `[x, low, high]`, with caps. */
function errorBarItem(color: string): CustomSeriesRenderItem {
  return (_params, api) => {
    const low = api.value(2)
    const high = api.value(3)
    if (
      typeof low !== 'number' ||
      typeof high !== 'number' ||
      !Number.isFinite(low) ||
      !Number.isFinite(high)
    )
      return null
    const [x, y0] = api.coord([api.value(0), low])
    const [, y1] = api.coord([api.value(0), high])
    const style = { stroke: color, lineWidth: 1.5 }
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: x, y1: y0, x2: x, y2: y1 }, style },
        { type: 'line', shape: { x1: x - 5, y1: y0, x2: x + 5, y2: y0 }, style },
        { type: 'line', shape: { x1: x - 5, y1: y1, x2: x + 5, y2: y1 }, style }
      ]
    }
  }
}

/** The oversubscribed region: from `[from, to]` shaded over the plot's height, named at its top. */
function regionItem(fill: string, text: string, label: string): CustomSeriesRenderItem {
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const x0 = Math.max(grid.x, api.coord([api.value(0), 1])[0])
    const x1 = Math.min(grid.x + grid.width, api.coord([api.value(1), 1])[0])
    if (!(x1 > x0)) return null
    return {
      type: 'group',
      children: [
        { type: 'rect', shape: { x: x0, y: grid.y, width: x1 - x0, height: grid.height }, style: { fill } },
        {
          type: 'text',
          x: x0 + 6,
          y: grid.y + 6,
          style: {
            text: label,
            fill: text,
            fontSize: 11,
            align: 'left',
            verticalAlign: 'top',
            width: Math.max(0, x1 - x0 - 12),
            overflow: 'truncate'
          }
        }
      ]
    }
  }
}

/** A dashed vertical line at `[x]`, named inside the plot's top, left of the line. */
function markItem(color: string, label: string): CustomSeriesRenderItem {
  return (params, api) => {
    const grid = params.coordSys as unknown as CartesianRect
    const x = api.coord([api.value(0), 1])[0]
    if (x < grid.x - 1 || x > grid.x + grid.width + 1) return null
    return {
      type: 'group',
      children: [
        {
          type: 'line',
          shape: { x1: x, y1: grid.y, x2: x, y2: grid.y + grid.height },
          style: { stroke: color, lineWidth: 1.5, lineDash: [4, 3] }
        },
        {
          type: 'text',
          x: x - 4,
          y: grid.y + 6,
          style: { text: label, fill: color, fontSize: 11, align: 'right', verticalAlign: 'top' }
        }
      ]
    }
  }
}

function fmt(value: number, digits = 2): string {
  return value.toFixed(digits)
}

/** A measured point's tooltip. */
export function pointTooltip(backend: Backend, datum: PointDatum, metric: ScalingMetric): string {
  const [threads, value, low, high, medianMs, samples] = datum
  const name = metric === 'efficiency' ? 'efficiency' : 'speedup'
  const shown = (v: number) => (metric === 'efficiency' ? `${Math.round(v * 100)}%` : `${fmt(v)}×`)
  const ci = low !== null && high !== null ? ` (95% CI ${shown(low)} – ${shown(high)})` : ''
  return (
    `${threads} ${threads === 1 ? 'thread' : 'threads'}, ${backend} back end<br>` +
    `${name} ${shown(value)}${ci}<br>` +
    `median ${fmt(medianMs, 1)} ms over ${samples} ${samples === 1 ? 'run' : 'runs'}`
  )
}

export function buildScalingOption({
  result,
  metric = 'speedup',
  hardwareThreads,
  physicalCores = null,
  dark = false,
  title,
  extendTo = DEFAULT_EXTEND_TO
}: ScalingChartInput): EChartsOption {
  const theme = dark ? 'dark' : 'light'
  const text = dark ? '#c9d1d9' : '#3b4252'
  const muted = dark ? '#8b949e' : '#656d76'
  const line = dark ? '#30363d' : '#e2e6ea'
  const shade = dark ? 'rgba(248, 81, 73, 0.10)' : 'rgba(207, 34, 46, 0.07)'
  const efficiency = metric === 'efficiency'
  const measured = measuredSeries(result, metric)
  const many = measured.length > 1
  const maxMeasured = Math.max(1, ...result.points.map((p) => p.threads))
  const xMax = powerOfTwoAtLeast(Math.max(extendTo, maxMeasured))
  const grid = curveGrid(xMax)
  const series: SeriesOption[] = []
  let top = efficiency ? 1 : 2

  // Physical cores and hardware threads are one line when there is no SMT: it says both.
  const cores = physicalCores !== null && physicalCores >= 1 ? physicalCores : null
  const sameAsCores = cores === hardwareThreads
  if (hardwareThreads < xMax) {
    const more = `more threads than the ${hardwareThreads} hardware threads${sameAsCores ? ` (= ${cores} physical cores)` : ''}`
    series.push({
      type: 'custom',
      name: 'oversubscribed',
      renderItem: regionItem(shade, muted, `oversubscribed: ${more}`),
      encode: { x: [0, 1] },
      data: [[hardwareThreads, xMax]],
      silent: true,
      z: 1
    })
  }
  if (cores !== null && !sameAsCores && cores <= xMax) {
    series.push({
      type: 'custom',
      name: 'physical cores',
      renderItem: markItem(muted, `${cores} physical core${cores === 1 ? '' : 's'}`),
      encode: { x: 0 },
      data: [[cores]],
      silent: true,
      z: 1
    })
  }
  series.push({
    type: 'line',
    name: efficiency ? 'ideal (E = 100%)' : 'ideal (S = N)',
    data: efficiency
      ? [
          [1, 1],
          [xMax, 1]
        ]
      : [
          [1, 1],
          [xMax, xMax]
        ],
    symbol: 'none',
    silent: true,
    lineStyle: { color: muted, type: 'dashed', width: 1.5 },
    itemStyle: { color: muted },
    z: 2
  })

  for (const { backend, result: analysis } of result.analysis) {
    if (!analysis) continue
    const fittedTo = Math.max(1, ...analysis.points.filter((p) => p.fitted).map((p) => p.threads))
    for (const fit of drawnFits(analysis.fits)) {
      const color = MODEL_COLORS[theme][fit.model]
      const name = `${MODEL_LABELS[fit.model]} fit${many ? ` (${backend})` : ''}`
      const values = predictSpeedup(fit, grid).map((p) => [
        p.threads,
        efficiency ? p.speedup / p.threads : p.speedup
      ])
      const inside = values.filter(([n]) => n <= fittedTo + 1e-9)
      const beyond = values.filter(([n]) => n >= (inside.at(-1)?.[0] ?? 1))
      const style = { color, width: 2, type: BACKEND_LINE[backend] }
      series.push({
        type: 'line',
        name,
        data: inside,
        symbol: 'none',
        lineStyle: style,
        itemStyle: { color },
        z: 3
      })
      // Beyond the points the law was fitted to it is a prediction: drawn fainter.
      series.push({
        type: 'line',
        name,
        data: beyond,
        symbol: 'none',
        lineStyle: { ...style, opacity: 0.45 },
        itemStyle: { color },
        z: 3
      })
      // The axis follows the curves only as far as the measured range and a little beyond, so a
      // flat fit does not squash the points; a climbing curve leaves at the top.
      for (const [n, v] of values) if (n <= Math.max(8, 4 * fittedTo)) top = Math.max(top, v)
    }
  }

  for (const { backend, data } of measured) {
    const color = BACKEND_COLORS[theme][backend]
    const name = `measured, ${backend}`
    for (const d of data) top = Math.max(top, d[3] ?? d[1], d[1])
    series.push({
      type: 'custom',
      name,
      renderItem: errorBarItem(color),
      encode: { x: 0, y: [2, 3] },
      data: data.filter((d) => d[2] !== null),
      // The legend takes its colour from the first series of a name: this one.
      itemStyle: { color },
      silent: true,
      z: 4
    })
    series.push({
      type: 'scatter',
      name,
      data,
      symbol: BACKEND_SYMBOLS[backend],
      symbolSize: 10,
      itemStyle: { color, borderColor: dark ? '#0d1117' : '#ffffff', borderWidth: 1 },
      z: 5
    })
  }

  const yMax = efficiency ? Math.max(1.2, Math.ceil(top * 10) / 10 + 0.1) : niceCeil(top * 1.1)
  const legendNames = [
    ...new Set(
      series
        .filter((s) => s.type !== 'custom' || String(s.name).startsWith('measured'))
        .map((s) => String(s.name))
    )
  ]
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    ...(title
      ? { title: { text: title, left: 'center', top: 4, textStyle: { color: text, fontSize: 13 } } }
      : {}),
    legend: {
      data: legendNames.map((name) => ({
        name,
        ...(name.startsWith('measured, ')
          ? { icon: BACKEND_SYMBOLS[name.slice('measured, '.length) as Backend] }
          : {})
      })),
      bottom: 0,
      textStyle: { color: text },
      itemWidth: 18,
      itemHeight: 10
    },
    grid: { left: 56, right: 24, top: title ? 64 : 36, bottom: 84 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        const name = String(item.seriesName ?? '')
        if (item.seriesType === 'scatter' && name.startsWith('measured, ')) {
          return pointTooltip(name.slice('measured, '.length) as Backend, item.value as PointDatum, metric)
        }
        const [n, v] = item.value as number[]
        return `${name}<br>${fmt(n, n < 10 ? 1 : 0)} threads: ${efficiency ? `${Math.round(v * 100)}%` : `${fmt(v)}×`}`
      }
    },
    xAxis: {
      type: 'log',
      logBase: 2,
      min: 1,
      max: xMax,
      name: 'threads (log scale)',
      nameLocation: 'middle',
      nameGap: 26,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text }
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: yMax,
      // A scaled sweep's speedup is a throughput ratio: its times grow with the work.
      name: efficiency
        ? 'efficiency (S / N)'
        : result.options.scaled
          ? 'scaled speedup (work/s at N ÷ at 1)'
          : 'speedup (T₁ / T_N)',
      nameTextStyle: { align: 'left' },
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: {
        color: text,
        formatter: (value: number) => (efficiency ? `${Math.round(value * 100)}%` : `${value}×`)
      }
    },
    series
  }
}

/** A round upper bound for a speedup axis: 1, 2, 2.5, 5 × a power of ten, or a whole number. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])
    if (step * power >= value - 1e-12) return step * power
  return 10 * power
}
