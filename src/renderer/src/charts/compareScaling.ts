import type { EChartsOption, SeriesOption } from 'echarts'
import { predictSpeedup } from '../../../shared/experiments/fits'
import type { SweepResult } from '../../../shared/protocol'
import type { BackendKind } from '../../../shared/spec'
import { curveGrid, measuredSeries, niceCeil } from './scaling'

/**
 * Two sweeps' speedup curves on one chart: each sweep's measured points per back end, the Amdahl
 * law fitted to them through the measured range, and the ideal line. Every (sweep, back end) has
 * its own marker and its own label (the sweep's name and the back end), so they are told apart
 * without colour; sweep A is drawn in blue, sweep B in orange, and a back end's fit is solid for
 * threads and dashed for processes. Pure, tested in Node, drawn again in the light theme for a PNG.
 */

export interface ComparedSweep {
  name: string
  result: SweepResult
}

export type Side = 'a' | 'b'
type Backend = BackendKind

/** Markers: every (sweep, back end) its own shape. */
export const OVERLAY_SYMBOLS: Record<Side, Record<Backend, string>> = {
  a: { threads: 'circle', processes: 'triangle', cluster: 'pin' },
  b: { threads: 'diamond', processes: 'rect', cluster: 'roundRect' }
}
export const OVERLAY_COLORS: Record<'light' | 'dark', Record<Side, string>> = {
  light: { a: '#2f6fde', b: '#bc4c00' },
  dark: { a: '#5b93f5', b: '#f0883e' }
}

/** A series' label: `“name” · threads`. */
export function overlayLabel(name: string, backend: Backend): string {
  return `“${name}” · ${backend}`
}

/** The Amdahl serial fraction of each (sweep, back end), for the table beside the chart. */
export interface SerialFractionRow {
  side: Side
  name: string
  backend: Backend
  /** f, or null when no Amdahl fit was made (say why in `note`). */
  value: number | null
  ci: { low: number; high: number } | null
  /** `fitted`, `exact` (nothing tests it), or why there is none. */
  note: string
}

export function serialFractions(a: ComparedSweep, b: ComparedSweep): SerialFractionRow[] {
  const rows: SerialFractionRow[] = []
  for (const [side, sweep] of [
    ['a', a],
    ['b', b]
  ] as const) {
    for (const { backend, result, error } of sweep.result.analysis) {
      const fit = result?.fits.amdahl
      const base = { side, name: sweep.name, backend }
      if (!result || !fit) rows.push({ ...base, value: null, ci: null, note: error ?? 'not analysed' })
      else if (!fit.applies)
        rows.push({ ...base, value: null, ci: null, note: 'Amdahl does not apply (scaled work)' })
      else if (fit.status === 'insufficient')
        rows.push({ ...base, value: null, ci: null, note: `not fitted: ${fit.pointCount} thread count(s)` })
      else {
        const f = fit.params[0]
        rows.push({
          ...base,
          value: f.value,
          ci: f.ci,
          note:
            fit.status === 'exact' ? 'exact: as many thread counts as parameters, nothing tests it' : 'fitted'
        })
      }
    }
  }
  return rows
}

export interface OverlayInput {
  a: ComparedSweep
  b: ComparedSweep
  dark?: boolean
  /** Drawn on the chart, for a PNG. */
  title?: string
}

/** The highest thread count either sweep measured. */
function maxThreads(a: SweepResult, b: SweepResult): number {
  return Math.max(1, ...[...a.points, ...b.points].map((p) => p.threads))
}

export function buildCompareScalingOption({ a, b, dark = false, title }: OverlayInput): EChartsOption {
  const text = dark ? '#c9d1d9' : '#3b4252'
  const line = dark ? '#30363d' : '#e2e6ea'
  const muted = dark ? '#8b949e' : '#6e7781'
  const colors = OVERLAY_COLORS[dark ? 'dark' : 'light']
  const top = 2 ** Math.ceil(Math.log2(maxThreads(a.result, b.result)))
  const xMax = Math.max(2, top)
  const series: SeriesOption[] = []
  let yHigh = 2
  for (const [side, sweep] of [
    ['a', a],
    ['b', b]
  ] as const) {
    for (const measured of measuredSeries(sweep.result)) {
      const label = overlayLabel(sweep.name, measured.backend)
      for (const d of measured.data) yHigh = Math.max(yHigh, d[3] ?? d[1], d[1])
      series.push({
        type: 'line',
        name: label,
        data: measured.data.map((d) => [d[0], d[1]]),
        symbol: OVERLAY_SYMBOLS[side][measured.backend],
        symbolSize: 10,
        lineStyle: { width: 0 },
        itemStyle: { color: colors[side] },
        z: 4
      })
      const analysis = sweep.result.analysis.find((x) => x.backend === measured.backend)?.result
      const fit = analysis?.fits.amdahl
      if (fit && fit.applies && fit.status !== 'insufficient') {
        const last = Math.max(...measured.data.map((d) => d[0]))
        const curve = predictSpeedup(fit, curveGrid(last))
        for (const p of curve) yHigh = Math.max(yHigh, p.speedup)
        series.push({
          type: 'line',
          name: `${label} · Amdahl f = ${fit.params[0].value.toFixed(3)}`,
          data: curve.map((p) => [p.threads, p.speedup]),
          showSymbol: false,
          smooth: false,
          lineStyle: {
            color: colors[side],
            width: 2,
            type: measured.backend === 'threads' ? 'solid' : 'dashed'
          },
          itemStyle: { color: colors[side] },
          silent: true,
          z: 3
        })
      }
    }
  }
  const yMax = niceCeil(yHigh * 1.1)
  series.push({
    type: 'line',
    name: 'ideal (S = N)',
    data: [
      [1, 1],
      [Math.min(xMax, yMax), Math.min(xMax, yMax)]
    ],
    showSymbol: false,
    lineStyle: { color: muted, width: 1, type: 'dashed' },
    itemStyle: { color: muted },
    silent: true,
    z: 1
  })
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: text },
    ...(title ? { title: { text: title, left: 'center', textStyle: { color: text, fontSize: 14 } } } : {}),
    legend: { top: title ? 28 : 0, textStyle: { color: text }, type: 'scroll' },
    grid: { left: 56, right: 24, top: title ? 84 : 56, bottom: 48 },
    tooltip: {
      trigger: 'item',
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        const [n, s] = item.value as [number, number]
        return `<b>${item.seriesName}</b><br>${n} thread${n === 1 ? '' : 's'}: speedup ${s.toFixed(2)}×`
      }
    },
    xAxis: {
      type: 'log',
      logBase: 2,
      min: 1,
      max: xMax,
      name: 'threads',
      nameLocation: 'middle',
      nameGap: 28,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text }
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: yMax,
      name: 'speedup',
      nameLocation: 'middle',
      nameGap: 36,
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } },
      axisLabel: { color: text }
    },
    series
  }
}
