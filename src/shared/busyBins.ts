/**
 * Busy time per worker lane in equal time bins, for timelines with too many tasks to draw one bar
 * each. A bin says how much of its time the lane spent in tasks and how many tasks touched it.
 *
 * Bin widths are powers of two (in ms), the smallest for which every task ends inside `maxBins`
 * bins. When later tasks end past the last bin, the width doubles and neighbouring bins merge, which
 * is exact: a power-of-two division is exact in floating point, so a task falls in the merged bins
 * that a fresh binning would put it in, and the tasks that touched both halves of a merged bin are
 * counted apart (`cross`) so they are not counted twice. That makes `BusyTimeBins` incremental:
 * each live batch costs time in its own size, never in the size of the whole job, and the result
 * equals `busyBins` over all tasks at once (busy sums up to rounding).
 *
 * Pure TypeScript, shared: the engine host bins a finished job's timings with it (`job.busyBins`)
 * and the renderer bins live batches with it, so both draw the same bins.
 */

/** The columns binning reads: one entry per finished task. */
export interface BinnedColumns {
  length: number
  start: ArrayLike<number>
  end: ArrayLike<number>
  lane: ArrayLike<number>
}

/** One bin of merged tasks: `[binStart, binEnd, lane, busyFraction, tasks]`. */
export type BusyBin = [number, number, number, number, number]

/** Most bins per lane; between half and all of them are in use once the first task has ended. */
export const MAX_BINS = 512
/** The narrowest bin, 2^-20 ms (about a nanosecond): below any clock's resolution. */
const MIN_WIDTH = 2 ** -20

/** The bin width for tasks ending at most at `maxEnd`: the least power of two with `maxEnd < width × maxBins`. */
export function binWidthFor(maxEnd: number, maxBins = MAX_BINS): number {
  let width = MIN_WIDTH
  while (maxEnd >= width * maxBins) width *= 2
  return width
}

interface LaneBins {
  /** Busy milliseconds per bin. */
  busy: Float64Array
  /** Tasks that touched each bin. */
  touched: Uint32Array
  /** Tasks that touched both bin b and bin b + 1. */
  cross: Uint32Array
}

function newLane(maxBins: number): LaneBins {
  return {
    busy: new Float64Array(maxBins),
    touched: new Uint32Array(maxBins),
    cross: new Uint32Array(maxBins)
  }
}

/** Adds one task, already clamped (0 ≤ start ≤ end < width × bins), to its lane's bins. */
function addTask(bins: LaneBins, start: number, end: number, width: number): void {
  const first = Math.floor(start / width)
  // A task that ends exactly on a bin edge does not touch the next bin.
  const last = Math.max(first, Math.ceil(end / width) - 1)
  for (let b = first; b <= last; b++) {
    const overlap = Math.min(end, (b + 1) * width) - Math.max(start, b * width)
    if (overlap > 0) bins.busy[b] += overlap
    bins.touched[b]++
    if (b < last) bins.cross[b]++
  }
}

function binsOfLanes(lanes: readonly (LaneBins | undefined)[], width: number, maxBins: number): BusyBin[] {
  const out: BusyBin[] = []
  lanes.forEach((bins, lane) => {
    if (!bins) return
    for (let b = 0; b < maxBins; b++) {
      const tasks = bins.touched[b]
      if (tasks === 0) continue
      out.push([b * width, (b + 1) * width, lane, Math.min(1, bins.busy[b] / width), tasks])
    }
  })
  return out
}

/** Lane, start and end of task `i`, clamped the way binning needs them (start ≥ 0, end ≥ start). */
function clamped(columns: BinnedColumns, i: number): [number, number] {
  const start = Math.max(0, columns.start[i])
  return [start, Math.max(start, columns.end[i])]
}

/**
 * Bins every task at once. Lanes are `0..threads-1`, or more when a task names a higher lane; bins
 * no task touched are left out.
 */
export function busyBins(columns: BinnedColumns, threads: number, maxBins = MAX_BINS): BusyBin[] {
  if (columns.length === 0) return []
  let maxEnd = 0
  for (let i = 0; i < columns.length; i++) maxEnd = Math.max(maxEnd, clamped(columns, i)[1])
  const width = binWidthFor(maxEnd, maxBins)
  const lanes: LaneBins[] = []
  for (let lane = 0; lane < threads; lane++) lanes.push(newLane(maxBins))
  for (let i = 0; i < columns.length; i++) {
    const [start, end] = clamped(columns, i)
    const lane = columns.lane[i]
    while (lanes.length <= lane) lanes.push(newLane(maxBins))
    addTask(lanes[lane], start, end, width)
  }
  return binsOfLanes(lanes, width, maxBins)
}

/**
 * Everything a `BusyTimeBins` holds, as plain typed arrays that cross IPC and the WebSocket as they
 * are. Bins start at 0 (the job clock's zero); lane `l`'s bin `b` is at index `l × maxBins + b`.
 */
export interface BusyBinsState {
  /** Lanes (rows of the arrays). */
  laneCount: number
  /** Bins per lane (columns of the arrays). */
  maxBins: number
  /** Width of every bin, ms: a power of two, or 0 while no task has been added. */
  binMs: number
  /** Latest task end, ms since the job started. */
  maxEnd: number
  /** Tasks binned. */
  tasks: number
  /** Busy milliseconds per lane and bin, row-major. */
  busy: Float64Array
  /** Tasks that touched each bin. */
  touched: Uint32Array
  /** Tasks that touched both bin `b` and bin `b + 1` of their lane. */
  cross: Uint32Array
}

/**
 * The same bins, kept up to date batch by batch: `add` costs time in the batch's size only. Plain
 * typed arrays, never reactive; the owner signals changes.
 */
export class BusyTimeBins {
  /** Tasks added so far. */
  length = 0
  /** Latest end seen, ms; bins cover 0 to `width × maxBins`. */
  maxEnd = 0
  /** Current bin width, ms; 0 until the first task arrives. */
  width = 0
  private readonly lanes: (LaneBins | undefined)[] = []

  constructor(
    threads = 1,
    readonly maxBins = MAX_BINS
  ) {
    for (let lane = 0; lane < threads; lane++) this.lanes.push(newLane(maxBins))
  }

  /** Adds tasks `from..to-1` of `columns` or of a timing batch (by default all of them). */
  add(
    columns: Omit<BinnedColumns, 'length'> & { length?: number },
    from = 0,
    to = columns.length ?? columns.start.length
  ): void {
    if (to <= from) return
    const { start: starts, end: ends, lane: lanes } = columns
    let batchEnd = this.maxEnd
    for (let i = from; i < to; i++) {
      // Comparisons, not a three-argument Math.max: this loop runs for every task (see below).
      const end = ends[i]
      const start = starts[i]
      if (end > batchEnd) batchEnd = end
      if (start > batchEnd) batchEnd = start
    }
    if (this.width === 0) this.width = binWidthFor(batchEnd, this.maxBins)
    while (batchEnd >= this.width * this.maxBins) this.widen()
    this.maxEnd = batchEnd
    const width = this.width
    // The width is a power of two, so multiplying by its inverse is exact: the same bin indices as
    // dividing, without a division's latency.
    const perMs = 1 / width
    let laneOfBins = -1
    let bins: LaneBins | undefined
    for (let i = from; i < to;) {
      const start = Math.max(0, starts[i])
      const end = Math.max(start, ends[i])
      const lane = lanes[i]
      if (lane !== laneOfBins || bins === undefined) {
        while (this.lanes.length <= lane) this.lanes.push(undefined)
        bins = this.lanes[lane] ??= newLane(this.maxBins)
        laneOfBins = lane
      }
      const first = Math.floor(start * perMs)
      const edge = (first + 1) * width
      if (end > edge) {
        addTask(bins, start, end, width)
        i++
        continue
      }
      // The task lies in bin `first` alone (ending on its right edge does not touch the next). So
      // do the tasks after it on its lane that start no earlier than it ended and end by that edge:
      // a worker's chunk comes in runs of thousands of such tiny tasks, and a run is summed and
      // added to its bin once. This runs on the engine's main thread for every task of every chunk:
      // with addTask per task (two divisions) it took about 5% of that thread's time in a
      // 1,000,000-task job on 2 threads, 22 ns a task in a micro-benchmark of 31 chunks of 32,768
      // tasks; now 6 ns. Counts are the same as addTask's, busy time the same up to rounding.
      let busy = end - start
      let count = 1
      let lastEnd = end
      for (i++; i < to; i++) {
        const nextStart = starts[i]
        const nextEnd = ends[i]
        const inRun =
          lanes[i] === lane &&
          nextStart >= lastEnd &&
          nextStart < edge &&
          nextEnd <= edge &&
          nextEnd >= nextStart
        if (!inRun) break
        busy += nextEnd - nextStart
        count++
        lastEnd = nextEnd
      }
      bins.busy[first] += busy
      bins.touched[first] += count
    }
    this.length += to - from
  }

  /** Lanes that have bins so far (0..laneCount-1). */
  get laneCount(): number {
    return this.lanes.length
  }

  /** A copy of the bins as plain typed arrays (see `BusyBinsState`). */
  toState(): BusyBinsState {
    const { maxBins } = this
    const laneCount = this.lanes.length
    const state: BusyBinsState = {
      laneCount,
      maxBins,
      binMs: this.width,
      maxEnd: this.maxEnd,
      tasks: this.length,
      busy: new Float64Array(laneCount * maxBins),
      touched: new Uint32Array(laneCount * maxBins),
      cross: new Uint32Array(laneCount * maxBins)
    }
    this.lanes.forEach((bins, lane) => {
      if (!bins) return
      state.busy.set(bins.busy, lane * maxBins)
      state.touched.set(bins.touched, lane * maxBins)
      state.cross.set(bins.cross, lane * maxBins)
    })
    return state
  }

  /**
   * Bins that carry on from a state (as `toState` or the host's `job.busyBins` made it); the arrays
   * are viewed in place, not copied. Refuses a state whose arrays do not match its sizes.
   */
  static fromState(state: BusyBinsState): BusyTimeBins {
    const { laneCount, maxBins } = state
    const size = laneCount * maxBins
    const sizesMatch =
      Number.isInteger(laneCount) &&
      laneCount >= 0 &&
      Number.isInteger(maxBins) &&
      maxBins >= 2 &&
      maxBins % 2 === 0 &&
      state.busy.length === size &&
      state.touched.length === size &&
      state.cross.length === size
    if (!sizesMatch)
      throw new RangeError(`busy bins of ${laneCount} lanes × ${maxBins} bins do not match their arrays`)
    const bins = new BusyTimeBins(0, maxBins)
    for (let lane = 0; lane < laneCount; lane++) {
      const from = lane * maxBins
      bins.lanes.push({
        busy: state.busy.subarray(from, from + maxBins),
        touched: state.touched.subarray(from, from + maxBins),
        cross: state.cross.subarray(from, from + maxBins)
      })
    }
    bins.width = state.binMs
    bins.maxEnd = state.maxEnd
    bins.length = state.tasks
    return bins
  }

  /** The non-empty bins of every lane, as the chart draws them. */
  toBins(): BusyBin[] {
    return this.length === 0 ? [] : binsOfLanes(this.lanes, this.width, this.maxBins)
  }

  /** Doubles the bin width, merging bins 2j and 2j + 1 into bin j. */
  private widen(): void {
    const half = this.maxBins / 2
    for (const bins of this.lanes) {
      if (!bins) continue
      const { busy, touched, cross } = bins
      for (let j = 0; j < half; j++) {
        busy[j] = busy[2 * j] + busy[2 * j + 1]
        // Tasks in both halves were counted in each: count them once.
        touched[j] = touched[2 * j] + touched[2 * j + 1] - cross[2 * j]
        cross[j] = cross[2 * j + 1]
      }
      busy.fill(0, half)
      touched.fill(0, half)
      cross.fill(0, half)
    }
    this.width *= 2
  }
}
