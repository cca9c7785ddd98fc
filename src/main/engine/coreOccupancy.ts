import type { Slicer } from './slicer'

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
  /** 1 for each task that ran; without it, a task ran when its start is a number. */
  ran?: Uint8Array
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
 * The tasks that ran, grouped by lane (a counting sort) and in time order within each lane: for
 * timings whose task order is not time order within a lane. The engine's is (it hands out chunks
 * in order and a worker runs one at a time), but the result should never depend on that.
 */
function tasksByLane(tasks: TaskTimes, lanes: number): { order: Uint32Array } {
  const { start, lane, ran } = tasks
  const n = start.length
  const counted = (i: number): boolean => (ran ? ran[i] === 1 : start[i] === start[i]) && lane[i] < lanes
  const first = new Uint32Array(lanes + 1)
  for (let i = 0; i < n; i++) if (counted(i)) first[lane[i] + 1]++
  for (let l = 0; l < lanes; l++) first[l + 1] += first[l]
  const order = new Uint32Array(first[lanes])
  const fill = first.slice(0, lanes)
  for (let i = 0; i < n; i++) if (counted(i)) order[fill[lane[i]]++] = i
  for (let l = 0; l < lanes; l++) {
    const own = order.subarray(first[l], first[l + 1])
    for (let j = 1; j < own.length; j++) {
      if (start[own[j]] < start[own[j - 1]]) {
        own.sort((a, b) => start[a] - start[b])
        break
      }
    }
  }
  return { order }
}

/** The core with the most time in the scratch row (−1 none), clearing the row for the next interval. */
function busiest(scratch: Float64Array, row: number, touched: number[]): number {
  let best = -1
  let bestMs = 0
  for (const core of touched) {
    if (scratch[row + core] > bestMs) {
      best = core
      bestMs = scratch[row + core]
    }
    scratch[row + core] = 0
  }
  touched.length = 0
  return best
}

/**
 * Adds every task's time to its core's interval sums and picks each lane's busiest core per
 * interval, visiting tasks in `order` (all, in task order, when null). Each lane's tasks must come
 * in time order, so that its intervals come one after another: the interval a task starts in is
 * found by walking on from the lane's last one, and the lane's time per core is summed for one
 * interval at a time in a scratch row, cleared as the walk moves on. Returns false, having stopped,
 * when a lane's task starts before the one before it. Yields every `STEP_TASKS` tasks, so that a
 * caller can hand the event loop back between steps.
 */
function* walkLanes(
  { cores, at }: SampleIntervals,
  from: number,
  tasks: TaskTimes,
  lanes: number,
  order: Uint32Array | null,
  workersMs: Float64Array,
  unplacedMs: Float64Array,
  laneCore: Int16Array
): Generator<void, boolean, void> {
  const samples = at.length
  const { start, end, cpu, lane, ran } = tasks
  /** Per lane: the interval its last task started in (−1 before any), and that task's start. */
  const walkAt = new Int32Array(lanes).fill(-1)
  const lastStart = new Float64Array(lanes).fill(-Infinity)
  /** Per lane: the interval whose time per core `scratch[lane × cores + core]` holds, −1 none. */
  const current = new Int32Array(lanes).fill(-1)
  const scratch = new Float64Array(lanes * cores)
  const touched: number[][] = Array.from({ length: lanes }, () => [])
  const settle = (l: number): void => {
    if (current[l] < 0) return
    laneCore[l * samples + current[l]] = busiest(scratch, l * cores, touched[l])
  }
  const count = order ? order.length : start.length
  for (let j = 0; j < count; j++) {
    if (j % STEP_TASKS === STEP_TASKS - 1) yield
    const task = order ? order[j] : j
    const l = lane[task]
    const a = start[task]
    const b = end[task]
    if (ran ? ran[task] !== 1 : a !== a) continue
    if (l >= lanes || !(b > a)) continue
    if (a < lastStart[l]) return false
    lastStart[l] = a
    let s = walkAt[l] < 0 ? firstIntervalAfter(at, a) : walkAt[l]
    while (s < samples && at[s] <= a) s++
    walkAt[l] = s
    if (s === samples) continue
    const core = cpu[task]
    const placed = core >= 0 && core < cores
    const row = l * cores
    // Most tasks lie inside one interval, the one their lane was already in.
    if (placed && s === current[l] && b <= at[s] && (s > 0 ? at[s - 1] : from) <= a) {
      const ms = b - a
      workersMs[core * samples + s] += ms
      if (scratch[row + core] === 0) touched[l].push(core)
      scratch[row + core] += ms
      continue
    }
    // The intervals the task overlaps, from the one it starts in.
    for (let k = s; k < samples; k++) {
      const lo = k === 0 ? from : at[k - 1]
      if (lo >= b) break
      const ms = Math.min(b, at[k]) - Math.max(a, lo)
      if (!(ms > 0)) continue
      if (!placed) {
        unplacedMs[k] += ms
        continue
      }
      workersMs[core * samples + k] += ms
      if (k !== current[l]) {
        settle(l)
        current[l] = k
      }
      if (scratch[row + core] === 0) touched[l].push(core)
      scratch[row + core] += ms
    }
  }
  for (let l = 0; l < lanes; l++) settle(l)
  return true
}

/** Tasks walked between two chances to hand the event loop back (well under a ms, uncontended). */
const STEP_TASKS = 1 << 12

/**
 * The workers' occupancy of every core over the sample intervals (see `CoreOccupancy`): one pass
 * over the tasks that ran, each visiting the intervals it overlaps from where its lane's last task
 * was: O(tasks + lanes × samples).
 */
export function coreOccupancy(
  intervals: SampleIntervals,
  tasks: TaskTimes,
  lanes: number,
  unreported: readonly UnreportedSpan[] = []
): CoreOccupancy {
  const steps = occupancySteps(intervals, tasks, lanes, unreported)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * The same, handing the event loop back whenever `slicer` says so: a million tasks take tens of
 * milliseconds, which the main thread of a running job owes to filing its workers' replies. Tasks
 * filed meanwhile may or may not be counted (a later call counts them); the samples are the ones
 * given.
 */
export async function coreOccupancySliced(
  intervals: SampleIntervals,
  tasks: TaskTimes,
  lanes: number,
  unreported: readonly UnreportedSpan[],
  slicer: Slicer
): Promise<CoreOccupancy> {
  const steps = occupancySteps(intervals, tasks, lanes, unreported)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    if (slicer.due) await slicer.pause()
  }
}

function* occupancySteps(
  intervals: SampleIntervals,
  tasks: TaskTimes,
  lanes: number,
  unreported: readonly UnreportedSpan[]
): Generator<void, CoreOccupancy, void> {
  const { cores, at } = intervals
  const samples = at.length
  const unplacedMs = new Float64Array(samples)
  const laneCore = new Int16Array(lanes * samples).fill(-1)
  const from = intervals.from
  if (from === null || samples === 0) {
    return {
      lanes,
      workers: new Float32Array(cores * samples),
      laneCore,
      unplaced: new Float32Array(samples)
    }
  }

  // Usually one pass in task order, which is time order within each lane; a lane found out of
  // order (never seen from the engine) has the walk done again over the tasks sorted.
  const fresh = () => ({ workersMs: new Float64Array(cores * samples), laneCore: laneCore.fill(-1) })
  let sums = fresh()
  if (!(yield* walkLanes(intervals, from, tasks, lanes, null, sums.workersMs, unplacedMs, sums.laneCore))) {
    sums = fresh()
    unplacedMs.fill(0)
    const { order } = tasksByLane(tasks, lanes)
    yield* walkLanes(intervals, from, tasks, lanes, order, sums.workersMs, unplacedMs, sums.laneCore)
  }
  const { workersMs } = sums
  for (const span of unreported) {
    for (let k = firstIntervalAfter(at, span.from); k < samples; k++) {
      const lo = k === 0 ? from : at[k - 1]
      if (lo >= span.to) break
      const ms = Math.min(span.to, at[k]) - Math.max(span.from, lo)
      if (ms > 0) unplacedMs[k] += ms
    }
  }

  const workers = new Float32Array(cores * samples)
  const unplaced = new Float32Array(samples)
  for (let s = 0; s < samples; s++) {
    const length = at[s] - (s === 0 ? from : at[s - 1])
    if (!(length > 0)) continue
    unplaced[s] = unplacedMs[s] / length
    for (let core = 0; core < cores; core++)
      workers[core * samples + s] = workersMs[core * samples + s] / length
  }
  return { lanes, workers, laneCore, unplaced }
}
