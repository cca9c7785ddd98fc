/**
 * Where the job's workers were, per CPU sample interval: the share of each interval that the
 * workers' tasks spent on each core, and the core each worker lane spent most of it on. Set against
 * the sampled utilization of the same intervals, what remains of a core's busy share is load that
 * was not the job's tasks (other programs, the engine's own main thread).
 *
 * A task's core is the CPU its thread last ran on, read as the task ended (Linux): the whole task
 * is put on that core. A thread the OS moved midway is counted on its last core, so a core's
 * workers' share can read above what the OS measured for it; the page shows the lesser.
 */

/** The sample intervals: the first starts at `from`, each ends at its `at` (ms, job clock). */
export interface SampleIntervals {
  cores: number
  from: number | null
  at: Float64Array
}

/** Per-task timings as the timing store keeps them; a task that did not run has a NaN start. */
export interface TaskTimes {
  start: Float64Array
  end: Float64Array
  lane: Uint16Array
  /** The CPU the task's thread last ran on, -1 when unknown. */
  cpu: Int16Array
}

/** A lane's time in a chunk still running: its tasks' cores come back with its reply. */
export interface UnreportedSpan {
  lane: number
  from: number
  to: number
}

export interface CoreOccupancy {
  /** Worker lanes. */
  lanes: number
  /** `workers[core × at.length + sample]`: the share of the interval workers' tasks spent on the core. */
  workers: Float32Array
  /** `laneCore[lane × at.length + sample]`: the core the lane's tasks spent most of the interval on, −1 none. */
  laneCore: Int16Array
  /**
   * Per sample: worker time in tasks whose core is not known, in cores (ms ÷ the interval's ms):
   * tasks of a platform that does not report it, and chunks still running.
   */
  unplaced: Float32Array
}

/** The first interval index whose end is after `t`: where a span starting at `t` falls. */
function firstIntervalAfter(at: Float64Array, t: number): number {
  let lo = 0
  let hi = at.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (at[mid] > t) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * Calls `add(sample, ms)` for every interval [start, end] overlaps, in time order. A span before
 * the first interval or after the last reading adds nothing there: nothing was sampled.
 */
function overlapIntervals(
  at: Float64Array,
  from: number,
  start: number,
  end: number,
  add: (sample: number, ms: number) => void
): void {
  if (!(end > start)) return
  for (let s = firstIntervalAfter(at, start); s < at.length; s++) {
    const lo = s === 0 ? from : at[s - 1]
    if (lo >= end) break
    const ms = Math.min(end, at[s]) - Math.max(start, lo)
    if (ms > 0) add(s, ms)
  }
}

/**
 * The tasks that ran, grouped by lane (a counting sort: O(tasks)) and in time order within each lane.
 * Task order is time order within a lane as the engine hands out chunks in order and a worker runs
 * one at a time; a lane found out of order is sorted, so the result never depends on that.
 */
function tasksByLane(tasks: TaskTimes, lanes: number): { order: Uint32Array; first: Uint32Array } {
  const { start, lane } = tasks
  const n = start.length
  const first = new Uint32Array(lanes + 1)
  for (let i = 0; i < n; i++) if (start[i] === start[i] && lane[i] < lanes) first[lane[i] + 1]++
  for (let l = 0; l < lanes; l++) first[l + 1] += first[l]
  const order = new Uint32Array(first[lanes])
  const fill = first.slice(0, lanes)
  for (let i = 0; i < n; i++) if (start[i] === start[i] && lane[i] < lanes) order[fill[lane[i]]++] = i
  for (let l = 0; l < lanes; l++) {
    const own = order.subarray(first[l], first[l + 1])
    for (let j = 1; j < own.length; j++) {
      if (start[own[j]] < start[own[j - 1]]) {
        own.sort((a, b) => start[a] - start[b])
        break
      }
    }
  }
  return { order, first }
}

/**
 * The workers' occupancy of every core over the sample intervals (see `CoreOccupancy`): one pass
 * over the tasks that ran, each visiting the intervals it overlaps (found by binary search), so a
 * million tasks of a few ms cost about a million short walks.
 */
export function coreOccupancy(
  intervals: SampleIntervals,
  tasks: TaskTimes,
  lanes: number,
  unreported: readonly UnreportedSpan[] = []
): CoreOccupancy {
  const { cores, at } = intervals
  const samples = at.length
  const workersMs = new Float64Array(cores * samples)
  const unplacedMs = new Float64Array(samples)
  const laneCore = new Int16Array(lanes * samples).fill(-1)
  const from = intervals.from
  if (from === null || samples === 0) {
    return { lanes, workers: new Float32Array(cores * samples), laneCore, unplaced: new Float32Array(samples) }
  }

  // Per lane in time order, so each lane's intervals come one after another: the lane's time per
  // core is summed for one interval at a time, in a scratch row that is cleared as it moves on.
  const { order, first } = tasksByLane(tasks, lanes)
  const scratch = new Float64Array(cores)
  const touched: number[] = []
  for (let l = 0; l < lanes; l++) {
    let current = -1
    const settle = (): void => {
      if (current < 0) return
      let best = -1
      let bestMs = 0
      for (const core of touched) {
        if (scratch[core] > bestMs) {
          best = core
          bestMs = scratch[core]
        }
        scratch[core] = 0
      }
      touched.length = 0
      laneCore[l * samples + current] = best
    }
    for (let j = first[l]; j < first[l + 1]; j++) {
      const task = order[j]
      const core = tasks.cpu[task]
      const placed = core >= 0 && core < cores
      overlapIntervals(at, from, tasks.start[task], tasks.end[task], (s, ms) => {
        if (!placed) {
          unplacedMs[s] += ms
          return
        }
        workersMs[core * samples + s] += ms
        if (s !== current) {
          settle()
          current = s
        }
        if (scratch[core] === 0) touched.push(core)
        scratch[core] += ms
      })
    }
    settle()
  }
  for (const span of unreported) {
    overlapIntervals(at, from, span.from, span.to, (s, ms) => {
      unplacedMs[s] += ms
    })
  }

  const workers = new Float32Array(cores * samples)
  const unplaced = new Float32Array(samples)
  for (let s = 0; s < samples; s++) {
    const length = at[s] - (s === 0 ? from : at[s - 1])
    if (!(length > 0)) continue
    unplaced[s] = unplacedMs[s] / length
    for (let core = 0; core < cores; core++) workers[core * samples + s] = workersMs[core * samples + s] / length
  }
  return { lanes, workers, laneCore, unplaced }
}
