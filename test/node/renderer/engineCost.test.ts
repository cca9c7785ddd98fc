// PoolScope's own cost as the timeline's own track: hand-computed on synthetic windows (detail and
// bins), its totals against the job's own bookkeeping and filing on a real job, and the track's
// drawing and tooltip.
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { timelineWindow } from '../../../src/main/engine/timelineWindow'
import { CATEGORY_COLORS } from '../../../src/renderer/src/charts/categories'
import { engineCostTrack } from '../../../src/renderer/src/charts/engineCost'
import {
  buildTimelineOption,
  emptyWindow,
  engineCostTooltip
} from '../../../src/renderer/src/charts/timeline'
import type { JobSummary, TimelineWindow } from '../../../src/shared/protocol'
import { SEGMENT } from '../../../src/shared/timeline'
import { busyWaitSpec } from '../../fixtures/specs'
import { workerFile } from '../../paths'

const KINDS = Object.keys(SEGMENT).length

/**
 * One worker and the main thread over 0–10 ms. Worker: a chunk 0–10 ms with tasks 1–4 and 5–9
 * (bookkeeping: 0–1, 4–5, 9–10), and a task stopped 9.5–10 inside it. Main thread: filing 4–6 ms.
 */
function detailWindow(): TimelineWindow {
  const segs: [number, number, number, number][] = [
    [0, SEGMENT.bookkeeping, 0, 10],
    [0, SEGMENT.stopped, 9.5, 10],
    [1, SEGMENT.filing, 4, 6],
    [1, SEGMENT.queued, 3, 4]
  ]
  const tasks: [number, number][] = [
    [1, 4],
    [5, 9]
  ]
  return {
    ...emptyWindow(1),
    jobId: 'job-1',
    now: 10,
    from: 0,
    to: 10,
    tasksInWindow: 2,
    segments: {
      lane: Uint16Array.from(segs, (s) => s[0]),
      kind: Uint8Array.from(segs, (s) => s[1]),
      from: Float64Array.from(segs, (s) => s[2]),
      to: Float64Array.from(segs, (s) => s[3]),
      chunk: Int32Array.from(segs, () => 0)
    },
    tasks: {
      task: Int32Array.from([0, 1]),
      start: Float64Array.from(tasks, (t) => t[0]),
      end: Float64Array.from(tasks, (t) => t[1]),
      lane: new Uint16Array(2),
      cpu: new Int16Array(2),
      tid: new Int32Array(2),
      output: new Float64Array(2),
      readyAt: new Float64Array(2),
      running: new Uint8Array(2),
      progress: new Float64Array(2),
      call: new Int32Array(2)
    }
  }
}

describe('engineCostTrack', () => {
  it('takes the time between a detailed chunk’s tasks as bookkeeping, and the main thread’s filing', () => {
    const track = engineCostTrack(detailWindow(), 2)
    expect(track).toMatchObject({ from: 0, binMs: 5, count: 2 })
    // Bin 0–5: bookkeeping 0–1 and 4–5 = 2 ms of 5; filing 4–5. Bin 5–10: bookkeeping 9–9.5 (the
    // stopped task is the workload's); filing 5–6. Waiting for the main thread (queued) is not cost.
    expect([...track.bookkeeping].map((x) => +x.toFixed(12))).toEqual([0.4, 0.1])
    expect([...track.filing].map((x) => +x.toFixed(12))).toEqual([0.2, 0.2])
    expect(track.peak).toBeCloseTo(0.6, 12)
  })

  it('sums a binned window’s bookkeeping over every worker, plus the main thread’s filing', () => {
    const count = 2
    const threads = 2
    const ms = new Float64Array((threads + 1) * KINDS * count)
    const at = (lane: number, kind: number, bin: number) => (lane * KINDS + kind) * count + bin
    ms[at(0, SEGMENT.bookkeeping, 0)] = 1
    ms[at(1, SEGMENT.bookkeeping, 0)] = 3
    ms[at(1, SEGMENT.bookkeeping, 1)] = 2
    ms[at(0, SEGMENT.task, 1)] = 4 // the workload: not counted
    ms[at(2, SEGMENT.filing, 1)] = 1.5
    ms[at(2, SEGMENT.queued, 0)] = 2 // a reply waiting: not counted
    const window: TimelineWindow = {
      ...emptyWindow(threads),
      from: 0,
      to: 10,
      detail: 'bins',
      segments: null,
      bins: { count, binMs: 5, kinds: KINDS, ms, tasks: new Uint32Array((threads + 1) * count) }
    }
    const track = engineCostTrack(window)
    expect([...track.bookkeeping]).toEqual([0.8, 0.4])
    expect([...track.filing]).toEqual([0, 0.3])
    expect(track.peak).toBeCloseTo(0.8, 12)
  })

  it('draws the track stacked in the bookkeeping and filing colours, scaled to one thread', () => {
    const window = detailWindow()
    const option = buildTimelineOption({ window, pointerTime: () => 7 }) as unknown as {
      yAxis: { data: string[] }
      series: {
        name: string
        data: number[][]
        renderItem: (p: CustomSeriesRenderItemParams, a: CustomSeriesRenderItemAPI) => unknown
      }[]
      tooltip: { formatter: (p: unknown) => string }
    }
    const series = option.series.find((s) => s.name === 'engine cost')!
    expect(series.data).toEqual([[0, 10, 2]])
    expect(option.yAxis.data[2]).toBe("PoolScope's own cost")
    // 1 ms is 10 px from x = 100; rows 40 px apart: the track's band is 18 px (0.45 of a row).
    const api = {
      value: (dim: number) => series.data[0][dim],
      coord: ([x, row]: number[]) => [100 + x * 10, 20 + row * 40],
      size: () => [0, 40]
    } as unknown as CustomSeriesRenderItemAPI
    const params = {
      coordSys: { x: 100, y: 0, width: 100, height: 400 }
    } as unknown as CustomSeriesRenderItemParams
    const drawn = series.renderItem(params, api) as {
      children: { shape: { points: number[][] }; style: { fill: string } }[]
    }
    expect(drawn.children.map((c) => c.style.fill)).toEqual([
      CATEGORY_COLORS.light.bookkeeping,
      CATEGORY_COLORS.light.filing
    ])
    // The band is 100 ± 9 px. At 4–5 ms a worker's bookkeeping and the main thread's filing are
    // both busy: the peak is 2 threads, so one thread is half the band. The first bin (0–0.05 ms)
    // is one thread of bookkeeping: from 109 px up to 100 px.
    const [bookkeeping] = drawn.children
    expect(bookkeeping.shape.points[0][0]).toBe(100)
    expect(bookkeeping.shape.points[0][1]).toBeCloseTo(100, 9)
    expect(bookkeeping.shape.points.at(-1)).toEqual([100, 109])
    const tip = option.tooltip.formatter({ seriesName: 'engine cost', value: series.data[0] })
    expect(tip).toContain("PoolScope's own cost")
    // At 7 ms: inside a task, the main thread idle: nothing of the engine's.
    expect(tip).toContain('0.000 engine threads busy')
  })

  it('says in its tooltip how many engine threads were busy, and where', () => {
    const track = engineCostTrack(detailWindow(), 2)
    expect(engineCostTooltip(track, 4.5)).toContain(
      '0.60 engine threads busy: bookkeeping on the workers 0.40, filing replies on the main thread 0.20'
    )
  })
})

describe('the track on a real job', () => {
  let engine: Engine
  let job: Job
  let summary: JobSummary
  beforeAll(async () => {
    engine = new Engine({ workerFile, hardwareThreads: 2 })
    job = await engine.start(busyWaitSpec(8, 3))
    summary = await job.done
  })
  afterAll(() => engine.dispose())

  it('adds up to the job’s bookkeeping and filing, in detail and in bins', () => {
    const bookkeepingMs = summary.laneTime.reduce((sum, lane) => sum + lane.bookkeepingMs, 0)
    let filingMs = 0
    const { arrivedAt, filedAt } = job.chunks.times
    for (let c = 0; c < job.chunks.length; c++) filingMs += filedAt[c] - arrivedAt[c]
    const detail = timelineWindow(job)
    const binned = timelineWindow(job, { maxTasks: 0, bins: 300 })
    expect(detail.detail).toBe('tasks')
    expect(binned.detail).toBe('bins')
    for (const window of [detail, binned]) {
      const track = engineCostTrack(window)
      const total = (values: Float64Array) => values.reduce((a, b) => a + b, 0) * track.binMs
      expect(total(track.bookkeeping)).toBeCloseTo(bookkeepingMs, 3)
      expect(total(track.filing)).toBeCloseTo(filingMs, 3)
    }
  })
})
