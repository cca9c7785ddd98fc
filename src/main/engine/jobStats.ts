import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type { JobStats, JobStatus, LaneTime } from '../../shared/protocol'
import type { Job } from './job'

/**
 * A job's statistics (`job.stats`), computed from its columns: the per-task timings, the chunk log
 * and each lane's time. The functions here are pure over those columns, so they are tested on
 * synthetic timings; `statsOfJob` reads them from an ended job and keeps the answer.
 *
 * Only tasks that ran count: a task with timings (done, or failed inside its chunk). Tasks a cancel
 * stopped midway have no timings; their time is reported apart (`stoppedTaskMs`), not counted.
 */

/** Most histogram bins: about the 30–40 a chart shows as a readable shape. */
export const MAX_HISTOGRAM_BINS = 36
/** Durations spanning this ratio (two decades) or more are binned on a log scale. */
export const LOG_SPAN_RATIO = 100
/** How many of the slowest tasks are named. */
export const SLOWEST_KEPT = 5
/** Tukey's "far out" multiple of the interquartile range. */
const FENCE_IQR = 3
/**
 * A fence is at least this factor from the median: a tight cluster (busy_wait at 1 ms has an IQR
 * of a few microseconds) would otherwise flag every task a scheduler tick late.
 */
const FENCE_MIN_FACTOR = 2

/** Everything `jobStats` reads: a job's columns and totals, from a `Job` or made up in a test. */
export interface StatsInput {
  jobId: string
  status: JobStatus
  threads: number
  taskCount: number
  wallMs: number
  poolStartupMs: number
  poolReused: boolean
  /** Per task, ms on the job clock; a task that did not run inside a filed chunk has NaN. */
  start: Float64Array
  end: Float64Array
  lane: Uint16Array
  /** Filed chunks: their first task, task count, and when they were sent, arrived back and filed. */
  chunks: {
    length: number
    firstTask: Int32Array
    count: Int32Array
    sentAt: Float64Array
    arrivedAt: Float64Array
    filedAt: Float64Array
  }
  /** Each lane's wall time split (`JobSummary.laneTime`): its bookkeeping and stopped tasks. */
  laneTime: readonly LaneTime[]
  /** Main-thread time spent handing chunks to the back end, ms. */
  sendingMs: number
}

/** Nearest-rank percentile of `p` (0 < p ≤ 100) of n values: the value of rank ⌈p·n/100⌉. */
export function nearestRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1
}

/**
 * Puts the k-th smallest of `a[lo..hi)` at index k, smaller ones before it and larger after
 * (Hoare's selection, median-of-three pivot): expected linear time, so percentiles of a million
 * values cost a few passes rather than a sort.
 */
export function selectInPlace(a: Float64Array, k: number, lo = 0, hi = a.length): number {
  let left = lo
  let right = hi - 1
  while (right > left) {
    const mid = (left + right) >>> 1
    // Median of three as pivot, so sorted or constant runs do not go quadratic.
    if (a[mid] < a[left]) swap(a, mid, left)
    if (a[right] < a[left]) swap(a, right, left)
    if (a[right] < a[mid]) swap(a, right, mid)
    const pivot = a[mid]
    let i = left
    let j = right
    while (i <= j) {
      while (a[i] < pivot) i++
      while (a[j] > pivot) j--
      if (i <= j) {
        swap(a, i, j)
        i++
        j--
      }
    }
    if (k <= j) right = j
    else if (k >= i) left = i
    else break
  }
  return a[k]
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]
  a[i] = a[j]
  a[j] = t
}

/**
 * The values of the given nearest-rank percentiles (ascending) of `a`, which is reordered. Each
 * selection works on the part above the previous rank, where every larger value already is.
 */
export function percentiles(a: Float64Array, ps: readonly number[]): number[] {
  const n = a.length
  let lo = 0
  return ps.map((p) => {
    const k = nearestRank(p, n)
    const value = selectInPlace(a, k, Math.min(lo, k), n)
    lo = k
    return value
  })
}

/** Bins for n durations: Rice's rule (2∛n), at most `MAX_HISTOGRAM_BINS`. */
export function binCountFor(n: number): number {
  return Math.max(1, Math.min(MAX_HISTOGRAM_BINS, Math.ceil(2 * Math.cbrt(n))))
}

type Histogram = NonNullable<JobStats['durations']>['histogram']
type Outliers = NonNullable<JobStats['durations']>['outliers']

/**
 * Tukey's far-out fences for durations with quartiles q1, q3 and median m. On log durations when
 * q1 > 0 (durations are skewed: a task twice as slow is as far above as one twice as fast is
 * below), on the durations themselves otherwise; never closer to the median than a factor 2.
 */
export function fencesOf(q1: number, median: number, q3: number): Omit<Outliers, 'slowCount' | 'fastCount'> {
  if (q1 > 0) {
    const spread = (q3 / q1) ** FENCE_IQR
    return {
      rule:
        'Tukey’s far-out fences on log durations: slower than Q3 × (Q3/Q1)³ or faster than Q1 ÷ (Q3/Q1)³, ' +
        'and at least 2× from the median',
      scale: 'log',
      lowFenceMs: Math.min(q1 / spread, median / FENCE_MIN_FACTOR),
      highFenceMs: Math.max(q3 * spread, median * FENCE_MIN_FACTOR)
    }
  }
  const iqr = q3 - q1
  return {
    rule: 'Tukey’s far-out fence: slower than Q3 + 3 × IQR, and at least 2× the median (Q1 is 0, so no log scale)',
    scale: 'linear',
    lowFenceMs: 0,
    highFenceMs: Math.max(q3 + FENCE_IQR * iqr, median * FENCE_MIN_FACTOR)
  }
}

/**
 * Bin edges for durations from `min` to `max` (`minPositive`: the least above zero): log-spaced
 * when they span `LOG_SPAN_RATIO` or more, else linear. A zero duration (below the clock's
 * resolution) falls in the first bin.
 */
export function histogramEdges(
  n: number,
  min: number,
  minPositive: number,
  max: number
): Pick<Histogram, 'scale' | 'edges'> {
  if (n === 0) return { scale: 'linear', edges: [] }
  if (max === min) return { scale: 'linear', edges: [min, max] }
  const count = binCountFor(n)
  if (minPositive > 0 && max / minPositive >= LOG_SPAN_RATIO) {
    const lo = Math.log10(minPositive)
    const step = (Math.log10(max) - lo) / count
    const edges = Array.from({ length: count + 1 }, (_, i) => 10 ** (lo + i * step))
    edges[0] = minPositive
    edges[count] = max
    return { scale: 'log', edges }
  }
  const step = (max - min) / count
  const edges = Array.from({ length: count + 1 }, (_, i) => min + i * step)
  edges[count] = max
  return { scale: 'linear', edges }
}

/**
 * The bin of `d` among `edges` (ascending; the last bin holds its upper edge, anything below the
 * first edge falls in the first bin): a binary search, no logarithm per task.
 */
export function binOf(d: number, edges: Float64Array): number {
  let lo = 0
  let hi = edges.length - 2
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (d >= edges[mid]) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** The job's statistics from its columns (see `JobStats`). */
export function jobStats(input: StatsInput): JobStats {
  const { threads, wallMs, chunks, start, end, lane } = input
  // One pass over the filed chunks' tasks: durations, queue waits, per-lane task time, the slowest.
  let n = 0
  for (let c = 0; c < chunks.length; c++) n += chunks.count[c]
  const durations = new Float64Array(n)
  const waits = new Float64Array(n)
  const taskMsPerLane = new Array<number>(threads).fill(0)
  const slowest: { task: number; ms: number; lane: number }[] = []
  let timed = 0
  let min = Infinity
  let minPositive = Infinity
  let max = -Infinity
  let totalTaskMs = 0
  let waitSum = 0
  let filingMs = 0
  for (let c = 0; c < chunks.length; c++) {
    filingMs += Math.max(0, chunks.filedAt[c] - chunks.arrivedAt[c])
    const sentAt = chunks.sentAt[c]
    const first = chunks.firstTask[c]
    const stop = first + chunks.count[c]
    for (let task = first; task < stop; task++) {
      const began = start[task]
      if (began !== began) continue // NaN: the task did not run
      const d = end[task] - began
      durations[timed] = d
      const wait = began - sentAt
      waits[timed++] = wait
      waitSum += wait
      totalTaskMs += d
      if (lane[task] < threads) taskMsPerLane[lane[task]] += d
      if (d < min) min = d
      if (d > max) max = d
      if (d > 0 && d < minPositive) minPositive = d
      if (slowest.length < SLOWEST_KEPT || d > slowest[slowest.length - 1].ms) {
        let at = slowest.length < SLOWEST_KEPT ? slowest.length : SLOWEST_KEPT - 1
        while (at > 0 && slowest[at - 1].ms < d) at--
        slowest.splice(at, 0, { task, ms: d, lane: lane[task] })
        if (slowest.length > SLOWEST_KEPT) slowest.pop()
      }
    }
  }
  const tasks = durations.subarray(0, timed)
  const waited = waits.subarray(0, timed)

  const bookkeepingMs = input.laneTime.reduce((sum, part) => sum + part.bookkeepingMs, 0)
  const stoppedTaskMs = input.laneTime.reduce((sum, part) => sum + part.stoppedMs, 0)
  const perTask = (ms: number) => (timed > 0 ? (ms * 1e6) / timed : null)
  const meanLaneMs = threads > 0 ? totalTaskMs / threads : 0
  const busiestLaneMs = taskMsPerLane.reduce((a, b) => Math.max(a, b), 0)

  return {
    jobId: input.jobId,
    status: input.status,
    taskCount: input.taskCount,
    tasksTimed: timed,
    threads,
    wallMs,
    poolStartupMs: input.poolReused ? 0 : input.poolStartupMs,
    poolReused: input.poolReused,
    totalTaskMs,
    stoppedTaskMs,
    taskMsPerLane,
    utilization: threads > 0 && wallMs > 0 ? totalTaskMs / (threads * wallMs) : null,
    loadImbalance: meanLaneMs > 0 ? busiestLaneMs / meanLaneMs : null,
    speedup: wallMs > 0 ? totalTaskMs / wallMs : null,
    durations: timed > 0 ? durationStats(tasks, min, minPositive, max, totalTaskMs, slowest) : null,
    queueWait: timed > 0 ? queueWaitStats(waited, waitSum) : null,
    engineCost: {
      bookkeepingMs,
      filingMs,
      sendingMs: input.sendingMs,
      bookkeepingNsPerTask: perTask(bookkeepingMs),
      filingNsPerTask: perTask(filingMs),
      sendingNsPerTask: perTask(input.sendingMs),
      totalNsPerTask: perTask(bookkeepingMs + filingMs + input.sendingMs)
    }
  }
}

/** Quartiles, fences, histogram and outliers of `d` (reordered), whose extremes are given. */
function durationStats(
  d: Float64Array,
  min: number,
  minPositive: number,
  max: number,
  sum: number,
  slowest: { task: number; ms: number; lane: number }[]
): NonNullable<JobStats['durations']> {
  const n = d.length
  const [q1, median, q3, p90] = percentiles(d, [25, 50, 75, 90])
  const fences = fencesOf(q1, median, q3)
  const { scale, edges } = histogramEdges(n, min, minPositive, max)
  const count = Math.max(0, edges.length - 1)
  const counts = new Array<number>(count).fill(0)
  const outlierCounts = new Array<number>(count).fill(0)
  const edgeArray = Float64Array.from(edges)
  let slowCount = 0
  let fastCount = 0
  let zeroCount = 0
  for (let i = 0; i < n; i++) {
    const x = d[i]
    const bin = binOf(x, edgeArray)
    counts[bin]++
    if (x <= 0) zeroCount++
    const out = x > fences.highFenceMs ? 1 : x < fences.lowFenceMs ? -1 : 0
    if (out !== 0) {
      outlierCounts[bin]++
      if (out > 0) slowCount++
      else fastCount++
    }
  }
  return {
    minMs: min,
    q1Ms: q1,
    medianMs: median,
    q3Ms: q3,
    p90Ms: p90,
    meanMs: sum / n,
    maxMs: max,
    histogram: { scale, edges, counts, outlierCounts, zeroCount },
    outliers: { ...fences, slowCount, fastCount },
    slowest: slowest.map((task) => ({ ...task, outlier: task.ms > fences.highFenceMs }))
  }
}

/** Queue-wait percentiles (nearest rank) of `w` (reordered). */
function queueWaitStats(w: Float64Array, sum: number): NonNullable<JobStats['queueWait']> {
  const [p50Ms, p90Ms, p99Ms, maxMs] = percentiles(w, [50, 90, 99, 100])
  return { method: 'nearest-rank', p50Ms, p90Ms, p99Ms, maxMs, meanMs: sum / w.length }
}

/** Each ended job's statistics, computed once: a job's timings never change after it ends. */
const cache = new WeakMap<Job, JobStats>()

/**
 * An ended job's statistics (cached). A running job is refused: its chunks in flight have no
 * timings yet, so its utilization and waits would read low, and its figures would change by the
 * next request.
 */
export function statsOfJob(job: Job): JobStats {
  const known = cache.get(job)
  if (known) return known
  if (job.isRunning) {
    throw new PoolScopeError(
      ErrorCodes.JOB_RUNNING,
      `job ${job.id} is still running; its statistics are measured once it has ended (done, cancelled or failed)`
    )
  }
  const stats = jobStats(statsInputOf(job))
  cache.set(job, stats)
  return stats
}

/** What `jobStats` reads from a job: its columns, in place (nothing is copied). */
export function statsInputOf(job: Job): StatsInput {
  const summary = job.summary()
  const { chunks, timings } = job
  return {
    jobId: job.id,
    status: summary.status,
    threads: summary.threads,
    taskCount: summary.taskCount,
    wallMs: summary.wallMs,
    poolStartupMs: summary.poolStartupMs,
    poolReused: summary.poolReused,
    start: timings.start,
    end: timings.end,
    lane: timings.lane,
    chunks: {
      length: chunks.length,
      firstTask: chunks.firstTask,
      count: chunks.count,
      sentAt: chunks.times.sentAt,
      arrivedAt: chunks.times.arrivedAt,
      filedAt: chunks.times.filedAt
    },
    laneTime: summary.laneTime,
    sendingMs: job.sendingMs
  }
}
