// The per-core view's chart option, from synthetic samples and timeline windows with hand-computed
// answers: cores grouped into rows, each row's load split into the job's tasks, tasks on a core not
// known yet and other load; the workers on each row; how many workers were in a task over time and
// its grade against the physical cores; the option's axes lined up with the worker timeline's.
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import { describe, expect, it } from 'vitest'
import {
  activeWorkers,
  averageOver,
  buildCoresOption,
  CORE_COLORS,
  coreRows,
  gradeCpuUse,
  rowLabel,
  rowShares,
  rowTooltip,
  runText,
  sampleAt,
  workerRuns
} from '../../../src/renderer/src/charts/cores'
import { buildTimelineOption, emptyWindow } from '../../../src/renderer/src/charts/timeline'
import type { CpuSamples, TimelineWindow } from '../../../src/shared/protocol'
import { SEGMENT } from '../../../src/shared/timeline'

/** Two cores over three 100 ms intervals from 0, two worker lanes. */
function samplesOf(overrides: Partial<CpuSamples> = {}): CpuSamples {
  return {
    jobId: 'job-1',
    cores: 2,
    intervalMs: 100,
    source: 'proc-stat',
    from: 0,
    at: Float64Array.from([100, 200, 300]),
    // core-major: core 0's three samples, then core 1's.
    busy: Float32Array.from([1, 0.8, 0.5, 0.5, 0.5, 0]),
    lanes: 2,
    workers: Float32Array.from([0.9, 1.2, 0.2, 0, 0.3, 0]),
    laneCore: Int16Array.from([0, 0, 1, -1, 1, 1]),
    unplaced: Float32Array.from([0, 0, 0.1]),
    ...overrides
  }
}

const rounded = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 1e4) / 1e4)

/** A window of two lanes with bins: `ms[lane][kind]` per bin. */
function binnedWindow(
  binMs: number,
  ms: Record<number, Partial<Record<number, number[]>>>,
  count: number
): TimelineWindow {
  const kinds = Object.keys(SEGMENT).length
  const threads = 2
  const table = new Float64Array((threads + 1) * kinds * count)
  for (const [lane, byKind] of Object.entries(ms))
    for (const [kind, values] of Object.entries(byKind))
      values!.forEach((v, b) => (table[(Number(lane) * kinds + Number(kind)) * count + b] = v))
  return {
    ...emptyWindow(threads),
    jobId: 'job-1',
    now: 20,
    to: binMs * count,
    detail: 'bins',
    segments: null,
    bins: { count, binMs, kinds, ms: table, tasks: new Uint32Array((threads + 1) * count) }
  }
}

describe('rows of cores', () => {
  it('gives each core its own row up to 32, then groups neighbours and says which', () => {
    expect(coreRows(2)).toEqual({ perRow: 1, rows: 2 })
    expect(coreRows(32)).toEqual({ perRow: 1, rows: 32 })
    expect(coreRows(128)).toEqual({ perRow: 4, rows: 32 })
    expect(coreRows(33)).toEqual({ perRow: 2, rows: 17 })
    expect(rowLabel(1, coreRows(128), 128)).toBe('cpu 4–7')
    expect(rowLabel(16, coreRows(33), 33)).toBe('cpu 32')
    expect(rowLabel(3, coreRows(8), 8)).toBe('cpu 3')
  })

  it('splits each core’s load: tasks at most what the OS measured, tasks elsewhere, the rest other load', () => {
    const shares = rowShares(samplesOf(), coreRows(2))
    // Row 0 (core 0): tasks 0.9, 0.8 (1.2 claimed, 0.8 measured), 0.2; row 1 (core 1): 0, 0.3, 0.
    expect(rounded(shares.workers)).toEqual([0.9, 0.8, 0.2, 0, 0.3, 0])
    // Sample 1: core 0's 0.4 claimed beyond its load ran elsewhere: core 1's whole rest (0.2).
    // Sample 2: 0.1 cores of worker time on an unknown core, out of the rest (core 0's 0.3).
    expect(rounded(shares.unplaced)).toEqual([0, 0, 0.1, 0, 0.2, 0])
    expect(rounded(shares.other)).toEqual([0.1, 0, 0.2, 0.5, 0, 0])
  })

  it('averages the cores of a row, and leaves out a core the OS did not list', () => {
    const shares = rowShares(samplesOf(), coreRows(2, 1))
    expect(rounded(shares.workers)).toEqual([0.45, 0.55, 0.1])
    expect(rounded(shares.other)).toEqual([0.3, 0, 0.1])
    const offline = samplesOf({ busy: Float32Array.from([1, 0.8, 0.5, NaN, NaN, NaN]) })
    expect(rounded(rowShares(offline, coreRows(2, 1)).workers)).toEqual([0.9, 0.8, 0.2])
    expect(rowShares(offline, coreRows(2)).other[3]).toBeNaN()
  })

  it('finds the workers on each row as runs of samples with the same workers', () => {
    // lane 0: core 0, 0, 1; lane 1: none, core 1, core 1.
    expect(workerRuns(samplesOf(), coreRows(2))).toEqual([
      { row: 0, first: 0, last: 1, lanes: [0] },
      { row: 1, first: 1, last: 1, lanes: [1] },
      { row: 1, first: 2, last: 2, lanes: [0, 1] }
    ])
    expect(runText([0, 1])).toBe('w0 w1')
    expect(runText([0, 1, 5])).toBe('3 workers')
  })

  it('finds the sample of a moment, −1 outside the sampled span', () => {
    const samples = samplesOf()
    expect([-1, 0, 50, 100, 100.5, 300, 301].map((t) => sampleAt(samples, t))).toEqual([
      -1, 0, 0, 0, 1, 2, -1
    ])
  })
})

describe('workers in a task', () => {
  it('adds up task, stopped and running-chunk time across worker lanes in a binned window', () => {
    const window = binnedWindow(
      10,
      {
        0: { [SEGMENT.task]: [10, 5], [SEGMENT.bookkeeping]: [0, 5] },
        1: { [SEGMENT.task]: [5, 0], [SEGMENT.unreported]: [0, 10], [SEGMENT.waiting]: [5, 0] },
        // The main thread's lane is not a worker.
        2: { [SEGMENT.filing]: [10, 10] }
      },
      2
    )
    const series = activeWorkers(window, { from: 0, to: 20 })
    expect(Array.from(series.active)).toEqual([1.5, 1.5])
    expect(series.binMs).toBe(10)
  })

  it('bins a detailed window’s tasks over the view, a running task counted once with its chunk', () => {
    const window: TimelineWindow = {
      ...emptyWindow(2),
      now: 20,
      to: 20,
      segments: {
        lane: Uint16Array.of(1),
        kind: Uint8Array.of(SEGMENT.unreported),
        from: Float64Array.of(5),
        to: Float64Array.of(20),
        chunk: Int32Array.of(0)
      },
      tasks: {
        task: Int32Array.of(0, 1),
        start: Float64Array.of(0, 5),
        end: Float64Array.of(10, 20),
        lane: Uint16Array.of(0, 1),
        cpu: Int16Array.of(0, 1),
        tid: Int32Array.of(1, 2),
        output: Float64Array.of(0, 0),
        readyAt: Float64Array.of(0, 0),
        running: Uint8Array.of(0, 1),
        progress: Float64Array.of(0, 0),
        call: Int32Array.of(0, 0)
      }
    }
    const series = activeWorkers(window, { from: 0, to: 20 }, 2)
    expect(Array.from(series.active)).toEqual([1.5, 1])
    expect(averageOver(series, 0, 20)).toBe(1.25)
    expect(averageOver(series, 5, 15)).toBe(1.25)
    expect(averageOver(series, 100, 200)).toBeNaN()
  })

  it('grades the average against the physical cores as VTune does: ≤50% poor, to 85% OK, above ideal', () => {
    expect(gradeCpuUse(1, 2)).toEqual({ share: 0.5, percent: 50, grade: 'poor' })
    // Graded by the whole percentage shown: 50.4% reads 50%, poor; 50.5% reads 51%, OK.
    expect(gradeCpuUse(1.008, 2)).toMatchObject({ percent: 50, grade: 'poor' })
    expect(gradeCpuUse(1.01, 2)).toMatchObject({ percent: 51, grade: 'ok' })
    expect(gradeCpuUse(1.71, 2)).toMatchObject({ percent: 86, grade: 'ideal' })
    expect(gradeCpuUse(1.02, 2).grade).toBe('ok')
    expect(gradeCpuUse(1.7, 2).grade).toBe('ok')
    expect(gradeCpuUse(1.72, 2).grade).toBe('ideal')
    expect(gradeCpuUse(3, 2)).toEqual({ share: 1.5, percent: 150, grade: 'ideal' })
  })
})

interface SeriesLike {
  name: string
  data: number[][]
  xAxisIndex: number
  renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => unknown
  markLine?: { data: { xAxis?: number; yAxis?: number; name: string }[] }
}
interface OptionLike {
  grid: { left: number; right: number }[] | { left: number; right: number }
  xAxis: { min: number; max: number }[]
  yAxis: [{ max: number }, { data: string[] }]
  series: SeriesLike[]
  tooltip: { formatter: (p: unknown) => string }
}

/** A stand-in for ECharts' render API: 1 ms is 2 px from x = 150, each row 20 px tall. */
function renderApi(values: number[]): CustomSeriesRenderItemAPI {
  return {
    value: (dim: number) => values[dim],
    coord: ([x, row]: number[]) => [150 + x * 2, 10 + row * 20],
    size: () => [0, 20]
  } as unknown as CustomSeriesRenderItemAPI
}
const grid = {
  coordSys: { x: 150, y: 0, width: 600, height: 400 }
} as unknown as CustomSeriesRenderItemParams

describe('cores option', () => {
  const window = binnedWindow(
    100,
    { 0: { [SEGMENT.task]: [100, 100, 50] }, 1: { [SEGMENT.task]: [0, 80, 100] } },
    3
  )
  const view = { from: -20, to: 300 }
  const build = (dark = false) =>
    buildCoresOption({
      samples: samplesOf(),
      window: { ...window, now: 280 },
      view,
      physicalCores: 2,
      dark,
      plotWidth: 640,
      pointerTime: () => 150
    }) as unknown as OptionLike

  it('draws on the timeline’s time axis: the same view and the same plot margins', () => {
    const option = build()
    for (const axis of option.xAxis) expect([axis.min, axis.max]).toEqual([-20, 300])
    const timeline = buildTimelineOption({ window: emptyWindow(2) }) as unknown as {
      grid: { left: number; right: number }
    }
    for (const g of option.grid as { left: number; right: number }[]) {
      expect([g.left, g.right]).toEqual([timeline.grid.left, timeline.grid.right])
    }
  })

  it('marks the job’s start and end on both graphs, and the physical cores on the workers graph', () => {
    const option = build()
    const active = option.series.find((s) => s.name === 'active')!
    expect(active.markLine!.data).toEqual([
      { xAxis: 0, name: 'start' },
      { xAxis: 280, name: 'end' },
      expect.objectContaining({ yAxis: 2, name: '2 physical cores' })
    ])
    const cores = option.series.find((s) => s.name === 'cores')!
    expect(cores.markLine!.data).toEqual([
      { xAxis: 0, name: 'start' },
      { xAxis: 280, name: 'end' }
    ])
    expect(option.yAxis[1].data).toEqual(['cpu 0', 'cpu 1'])
    // The workers graph reaches at least the lanes and the physical cores.
    expect(option.yAxis[0].max).toBe(3)
  })

  it('stacks each row’s parts from the bottom, as tall as their shares of the row', () => {
    const option = build()
    const load = option.series.find((s) => s.name === 'load')!
    // Both rows have tasks, tasks on an unknown core and other load.
    expect(load.data.map(([, , row, code]) => [row, code])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2]
    ])
    // Row 0's tasks: band 18 px, bottom at 10 + 9 = 19; samples 0..100, 100..200, 200..300.
    const shape = load.renderItem(grid, renderApi([0, 300, 0, 0])) as {
      shape: { points: number[][] }
      style: { fill: string }
    }
    expect(shape.style.fill).toBe(CORE_COLORS.light.workers)
    const tops = shape.shape.points.slice(0, 6).map(([x, y]) => [x, Math.round(y * 100) / 100])
    expect(tops).toEqual(
      [
        [150, 19 - 0.9 * 18],
        [350, 19 - 0.9 * 18],
        [350, 19 - 0.8 * 18],
        [550, 19 - 0.8 * 18],
        [550, 19 - 0.2 * 18],
        [750, 19 - 0.2 * 18]
      ].map(([x, y]) => [x, Math.round(y * 100) / 100])
    )
    // Other load in row 0, sample 2, sits on tasks (0.2) and unknown-core tasks (0.1).
    const other = load.renderItem(grid, renderApi([0, 300, 0, 2])) as { shape: { points: number[][] } }
    const [x, y] = other.shape.points[4]
    expect([x, Math.round(y * 100) / 100]).toEqual([550, Math.round((19 - 0.3 * 18 - 0.2 * 18) * 100) / 100])
    expect(
      (
        build(true)
          .series.find((s) => s.name === 'load')!
          .renderItem(grid, renderApi([0, 300, 1, 2])) as { style: { fill: string } }
      ).style.fill
    ).toBe(CORE_COLORS.dark.other)
  })

  it('writes the workers on a row over runs wide enough for the names', () => {
    const option = build()
    const workers = option.series.find((s) => s.name === 'workers')!
    expect(workers.data).toEqual([
      [0, 200, 0, 0],
      [100, 200, 1, 1],
      [200, 300, 1, 2]
    ])
    const label = workers.renderItem(grid, renderApi(workers.data[2])) as {
      style: { text: string; x: number }
    }
    expect(label.style.text).toBe('w0 w1')
    expect(label.style.x).toBe(150 + 250 * 2)
    // Squeezed into 10 px, no name fits.
    const narrow = {
      coordSys: { x: 150, y: 0, width: 10, height: 400 }
    } as unknown as CustomSeriesRenderItemParams
    expect(workers.renderItem(narrow, renderApi(workers.data[2]))).toBeNull()
  })

  it('tells in a row’s tooltip its load by part and the workers on it at the pointer', () => {
    const samples = samplesOf()
    const layout = coreRows(2)
    const text = rowTooltip(samples, rowShares(samples, layout), layout, 0, 250)
    expect(text).toContain('<b>cpu 0</b>')
    expect(text).toContain('busy 50%')
    expect(text).toContain('the job’s tasks: 20%')
    expect(text).toContain('the job’s tasks, core not known: 10%')
    expect(text).toContain('other load (not the job’s tasks): 20%')
    expect(rowTooltip(samples, rowShares(samples, layout), layout, 1, 250)).toContain(
      'workers here: worker 0, worker 1'
    )
    expect(rowTooltip(samples, rowShares(samples, layout), layout, 0, 400)).toContain('not sampled here')
    // Through the option, at the pointer (150 ms: sample 1).
    const option = build()
    expect(option.tooltip.formatter({ seriesName: 'cores', value: [0, 300, 1] })).toContain(
      'workers here: worker 1'
    )
    expect(option.tooltip.formatter({ seriesName: 'active', value: [-20, 300, 0] })).toContain(
      '1.80 on average'
    )
  })

  it('draws nothing on the cores before the first reading', () => {
    const option = buildCoresOption({
      samples: samplesOf({
        from: null,
        at: new Float64Array(0),
        busy: new Float32Array(0),
        workers: new Float32Array(0),
        laneCore: new Int16Array(0),
        unplaced: new Float32Array(0)
      }),
      window,
      view,
      physicalCores: 2
    }) as unknown as OptionLike
    for (const name of ['cores', 'load', 'workers'])
      expect(option.series.find((s) => s.name === name)!.data).toEqual([])
  })
})
