// The job statistics on synthetic timings, every figure hand-computed: utilization, imbalance,
// speedup, nearest-rank percentiles, histogram bins and the log switch, outlier fences, and the
// engine's own cost; then the selection behind the percentiles against a sort.
import { describe, expect, it } from 'vitest'
import {
  binCountFor,
  binOf,
  fencesOf,
  histogramEdges,
  jobStats,
  nearestRank,
  percentiles,
  selectInPlace,
  type StatsInput
} from '../../../src/main/engine/jobStats'
import type { LaneTime } from '../../../src/shared/protocol'

/** One task: [start, end, lane]; NaN start for a task that did not run. */
type Task = [number, number, number]
/** One chunk: [first task, count, sentAt, arrivedAt, filedAt]. */
type Chunk = [number, number, number, number, number]

const lanePart = (bookkeepingMs: number, stoppedMs = 0): LaneTime => ({
  tasksMs: 0,
  stoppedMs,
  bookkeepingMs,
  awaitingWorkMs: 0,
  idleAtEndMs: 0
})

function input(tasks: Task[], chunks: Chunk[], extra: Partial<StatsInput> = {}): StatsInput {
  return {
    jobId: 'job-1',
    status: 'done',
    threads: 2,
    taskCount: tasks.length,
    wallMs: 10,
    poolStartupMs: 0,
    poolReused: true,
    start: Float64Array.from(tasks, (t) => t[0]),
    end: Float64Array.from(tasks, (t) => t[1]),
    lane: Uint16Array.from(tasks, (t) => t[2]),
    chunks: {
      length: chunks.length,
      firstTask: Int32Array.from(chunks, (c) => c[0]),
      count: Int32Array.from(chunks, (c) => c[1]),
      sentAt: Float64Array.from(chunks, (c) => c[2]),
      arrivedAt: Float64Array.from(chunks, (c) => c[3]),
      filedAt: Float64Array.from(chunks, (c) => c[4])
    },
    laneTime: [lanePart(0), lanePart(0)],
    sendingMs: 0,
    ...extra
  }
}

/** Tasks of the given durations on lane 0, each from 0 (so end − start is the duration exactly), one chunk. */
function durationsJob(durations: number[]): StatsInput {
  const tasks = durations.map((d): Task => [0, d, 0])
  const wall = Math.max(...durations)
  return input(tasks, [[0, tasks.length, 0, wall, wall]], { threads: 1, wallMs: wall })
}

describe('jobStats on a small synthetic job', () => {
  // Two lanes, a 10 ms job. Lane 0 runs tasks 0–1 (2 ms, 1 ms), lane 1 tasks 2–3 (1 ms, 0.5 ms).
  const stats = jobStats(
    input(
      [
        [1, 3, 0],
        [3, 4, 0],
        [1, 2, 1],
        [2, 2.5, 1]
      ],
      [
        [0, 2, 0, 5, 5.5],
        [2, 2, 0.5, 9, 9.25]
      ],
      { laneTime: [lanePart(0.2), lanePart(0.2)], sendingMs: 0.1, poolStartupMs: 40, poolReused: false }
    )
  )

  it('sums task time, and gives utilization, imbalance and speedup from it', () => {
    expect(stats.tasksTimed).toBe(4)
    expect(stats.totalTaskMs).toBe(4.5)
    expect(stats.taskMsPerLane).toEqual([3, 1.5])
    expect(stats.utilization).toBeCloseTo(4.5 / 20, 12)
    // Busiest lane 3 ms over the mean lane's 2.25 ms.
    expect(stats.loadImbalance).toBeCloseTo(4 / 3, 12)
    expect(stats.speedup).toBeCloseTo(0.45, 12)
    expect(stats.poolStartupMs).toBe(40)
    expect(stats.wallMs).toBe(10)
  })

  it('measures queue wait from the chunk’s send to the task’s start, as nearest-rank percentiles', () => {
    // Waits 1, 3, 0.5, 1.5 → sorted 0.5, 1, 1.5, 3: p50 is rank 2, p90 and p99 rank 4.
    expect(stats.queueWait).toEqual({
      method: 'nearest-rank',
      p50Ms: 1,
      p90Ms: 3,
      p99Ms: 3,
      maxMs: 3,
      meanMs: 1.5
    })
  })

  it('bins four durations spanning 4× linearly, in Rice’s four bins', () => {
    const { histogram, ...rest } = stats.durations!
    expect(histogram.scale).toBe('linear')
    expect(histogram.edges).toEqual([0.5, 0.875, 1.25, 1.625, 2])
    expect(histogram.counts).toEqual([1, 2, 0, 1])
    expect(histogram.outlierCounts).toEqual([0, 0, 0, 0])
    // Durations 0.5, 1, 1, 2: p90 is rank ⌈0.9 × 4⌉ = 4.
    expect(rest).toMatchObject({
      minMs: 0.5,
      q1Ms: 0.5,
      medianMs: 1,
      q3Ms: 1,
      p90Ms: 2,
      meanMs: 1.125,
      maxMs: 2
    })
    // Fences: (Q3/Q1)³ = 8 around the quartiles; the low one under half the median.
    expect(rest.outliers).toMatchObject({ scale: 'log', lowFenceMs: 0.0625, highFenceMs: 8, slowCount: 0 })
    expect(rest.slowest.map((t) => [t.task, t.ms, t.lane, t.outlier])).toEqual([
      [0, 2, 0, false],
      [1, 1, 0, false],
      [2, 1, 1, false],
      [3, 0.5, 1, false]
    ])
  })

  it('splits the engine’s own cost per task: bookkeeping on workers, filing and sending on main', () => {
    expect(stats.engineCost.bookkeepingMs).toBeCloseTo(0.4, 12)
    expect(stats.engineCost.filingMs).toBeCloseTo(0.75, 12)
    expect(stats.engineCost.sendingMs).toBe(0.1)
    expect(stats.engineCost.bookkeepingNsPerTask).toBeCloseTo(100_000, 6)
    expect(stats.engineCost.filingNsPerTask).toBeCloseTo(187_500, 6)
    expect(stats.engineCost.sendingNsPerTask).toBeCloseTo(25_000, 6)
    expect(stats.engineCost.totalNsPerTask).toBeCloseTo(312_500, 6)
  })
})

describe('jobStats on a cancelled job', () => {
  it('counts only the tasks that ran; a stopped task’s time is reported apart', () => {
    // Chunk of tasks 0–2: task 0 ran, task 1 was stopped midway (no timing), task 2 never ran.
    // Tasks 3–4 were never sent (no chunk).
    const stats = jobStats(
      input(
        [
          [1, 4, 0],
          [NaN, NaN, 0],
          [NaN, NaN, 0],
          [0, 0, 0],
          [0, 0, 0]
        ],
        [[0, 3, 0.5, 9, 9.5]],
        { status: 'cancelled', laneTime: [lanePart(1, 5), lanePart(0)] }
      )
    )
    expect(stats.status).toBe('cancelled')
    expect(stats.taskCount).toBe(5)
    expect(stats.tasksTimed).toBe(1)
    expect(stats.totalTaskMs).toBe(3)
    expect(stats.stoppedTaskMs).toBe(5)
    expect(stats.taskMsPerLane).toEqual([3, 0])
    expect(stats.loadImbalance).toBe(2)
    expect(stats.queueWait).toMatchObject({ p50Ms: 0.5, maxMs: 0.5 })
    expect(stats.durations!.histogram).toMatchObject({ edges: [3, 3], counts: [1] })
    expect(stats.engineCost.bookkeepingNsPerTask).toBe(1e6)
  })

  it('has no durations, waits or per-task cost when no task ran, and no imbalance', () => {
    const stats = jobStats(input([[NaN, NaN, 0]], [[0, 1, 0, 1, 1]], { status: 'cancelled' }))
    expect(stats.tasksTimed).toBe(0)
    expect(stats.durations).toBeNull()
    expect(stats.queueWait).toBeNull()
    expect(stats.loadImbalance).toBeNull()
    expect(stats.utilization).toBe(0)
    expect(stats.engineCost.totalNsPerTask).toBeNull()
  })

  it('gives no utilization or speedup for a job with no wall time', () => {
    const stats = jobStats(input([], [], { wallMs: 0 }))
    expect(stats.utilization).toBeNull()
    expect(stats.speedup).toBeNull()
  })
})

describe('the duration histogram', () => {
  it('switches to log-spaced bins when durations span two decades', () => {
    const stats = jobStats(durationsJob([0.01, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1]))
    const { histogram } = stats.durations!
    expect(histogram.scale).toBe('log')
    const expected = [-2, -1.5, -1, -0.5, 0].map((e) => 10 ** e)
    histogram.edges.forEach((edge, i) => expect(edge).toBeCloseTo(expected[i], 12))
    expect(histogram.counts).toEqual([1, 0, 6, 1])
  })

  it('stays linear just under two decades', () => {
    const stats = jobStats(durationsJob([0.0101, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1]))
    const { histogram } = stats.durations!
    expect(histogram.scale).toBe('linear')
    expect(histogram.edges[1]).toBeCloseTo(0.0101 + (1 - 0.0101) / 4, 12)
    expect(histogram.counts).toEqual([7, 0, 0, 1])
  })

  it('uses Rice’s rule for the bin count, at most 36', () => {
    expect([1, 8, 1000, 5832, 1_000_000].map(binCountFor)).toEqual([2, 4, 20, 36, 36])
    expect(histogramEdges(0, 0, 0, 0).edges).toEqual([])
  })

  it('finds a duration’s bin by its edges: lower edge in, the last bin holding its upper edge', () => {
    const edges = Float64Array.from([1, 2, 4, 8])
    expect([0.5, 1, 1.99, 2, 4, 7.9, 8, 9].map((d) => binOf(d, edges))).toEqual([0, 0, 0, 1, 2, 2, 2, 2])
    expect(binOf(3, Float64Array.from([3, 3]))).toBe(0)
  })

  it('puts durations timed at zero in the first bin and counts them', () => {
    const stats = jobStats(durationsJob([0, 0, 0, 0, 1, 1, 1, 10]))
    const d = stats.durations!
    expect(d.histogram).toMatchObject({ scale: 'linear', edges: [0, 2.5, 5, 7.5, 10], counts: [7, 0, 0, 1] })
    expect(d.histogram.zeroCount).toBe(4)
    // Q1 is 0: no log fence; Q3 + 3 × IQR = 1 + 3 = 4, so the 10 ms task is an outlier.
    expect(d.outliers).toMatchObject({ scale: 'linear', highFenceMs: 4, slowCount: 1, fastCount: 0 })
    expect(d.histogram.outlierCounts).toEqual([0, 0, 0, 1])
  })
})

describe('outliers', () => {
  // 18 tasks of 1 ms, one of 1.2 ms, one of 50 ms (task 19), one of 0.1 ms (task 20).
  const durations = [...Array<number>(18).fill(1), 1.2, 50, 0.1]
  const d = jobStats(durationsJob(durations)).durations!

  it('flags tasks beyond the far-out fences on log durations, at least 2× from the median', () => {
    // Quartiles all 1 ms: the fences fall back to the median ÷ 2 and × 2.
    expect(d).toMatchObject({ q1Ms: 1, medianMs: 1, q3Ms: 1 })
    expect(d.outliers).toMatchObject({
      scale: 'log',
      lowFenceMs: 0.5,
      highFenceMs: 2,
      slowCount: 1,
      fastCount: 1
    })
    expect(d.outliers.rule).toMatch(/Q3 × \(Q3\/Q1\)³/)
  })

  it('marks them in their bins and names the slowest tasks', () => {
    // 0.1 to 50 ms: log bins, six by Rice's rule.
    expect(d.histogram.scale).toBe('log')
    expect(d.histogram.counts).toEqual([1, 0, 19, 0, 0, 1])
    expect(d.histogram.outlierCounts).toEqual([1, 0, 0, 0, 0, 1])
    expect(d.slowest.map((t) => [t.task, t.ms, t.outlier])).toEqual([
      [19, 50, true],
      [18, 1.2, false],
      [0, 1, false],
      [1, 1, false],
      [2, 1, false]
    ])
  })

  it('puts the fences (Q3/Q1)³ out when the quartiles spread', () => {
    expect(fencesOf(1, 2, 4)).toMatchObject({ lowFenceMs: 1 / 64, highFenceMs: 256 })
    expect(fencesOf(0, 0, 2)).toMatchObject({ scale: 'linear', lowFenceMs: 0, highFenceMs: 8 })
  })
})

describe('percentiles by selection', () => {
  it('uses nearest rank: the value of rank ⌈p·n/100⌉', () => {
    expect([50, 90, 99, 100].map((p) => nearestRank(p, 10))).toEqual([4, 8, 9, 9])
    expect(nearestRank(1, 1000)).toBe(9)
    expect(nearestRank(0.01, 3)).toBe(0)
    // Rank ⌈1.2⌉ = 2, not the nearest whole rank 1.
    expect(nearestRank(10, 12)).toBe(1)
  })

  it('agrees with a sort on random data with many duplicates', () => {
    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (const n of [1, 2, 3, 7, 100, 1001, 20_000]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * (n / 3 + 1)) / 7)
      const sorted = Float64Array.from(values).sort()
      const ps = [1, 25, 50, 75, 90, 99, 100]
      expect(percentiles(Float64Array.from(values), ps)).toEqual(ps.map((p) => sorted[nearestRank(p, n)]))
      const k = Math.floor(random() * n)
      expect(selectInPlace(Float64Array.from(values), k)).toBe(sorted[k])
    }
  })

  it('stays correct on sorted, reversed and constant input', () => {
    const n = 5000
    const up = Float64Array.from({ length: n }, (_, i) => i)
    expect(percentiles(Float64Array.from(up), [50, 99])).toEqual([2499, 4949])
    expect(percentiles(up.reverse(), [50, 99])).toEqual([2499, 4949])
    expect(percentiles(new Float64Array(n).fill(3), [50, 100])).toEqual([3, 3])
  })
})
