import { describe, expect, it } from 'vitest'
import { BusyTimeBins, MAX_BINS, binWidthFor, busyBins, type BusyBin } from '../../../src/shared/busyBins'

/** A repeatable pseudo-random source (mulberry32), so failures can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Tasks {
  length: number
  start: Float64Array
  end: Float64Array
  lane: Uint16Array
}

/** Tasks that start at increasing times, as a job's do, with short and a few very long durations. */
function jobTasks(count: number, lanes: number, seed: number): Tasks {
  const next = random(seed)
  const tasks = {
    length: count,
    start: new Float64Array(count),
    end: new Float64Array(count),
    lane: new Uint16Array(count)
  }
  let clock = 0
  for (let i = 0; i < count; i++) {
    clock += next() * 0.05
    const long = next() < 0.01
    tasks.start[i] = clock
    tasks.end[i] = clock + (long ? next() * 40 : next() * 0.2)
    tasks.lane[i] = Math.floor(next() * lanes)
  }
  // Edge cases: a task ending exactly on a bin edge, one of zero length, one at time zero.
  tasks.end[0] = 0
  tasks.start[0] = 0
  return tasks
}

function slice(tasks: Tasks, from: number, to: number): Tasks {
  return {
    length: to - from,
    start: tasks.start.subarray(from, to),
    end: tasks.end.subarray(from, to),
    lane: tasks.lane.subarray(from, to)
  }
}

function expectSameBins(actual: BusyBin[], expected: BusyBin[]): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((bin, i) => {
    const [from, to, lane, fraction, tasks] = expected[i]
    expect([bin[0], bin[1], bin[2], bin[4]]).toEqual([from, to, lane, tasks])
    expect(bin[3]).toBeCloseTo(fraction, 9)
  })
}

describe('busy-time bins', () => {
  it('picks the least power-of-two width that keeps every end inside the bins', () => {
    expect(binWidthFor(10, 4)).toBe(4)
    expect(binWidthFor(8, 4)).toBe(4)
    expect(binWidthFor(7.99, 4)).toBe(2)
    expect(binWidthFor(1000)).toBe(2)
    expect(MAX_BINS * binWidthFor(1000)).toBeGreaterThan(1000)
  })

  it('binned batch by batch equals binning every task at once', () => {
    const tasks = jobTasks(20_000, 3, 7)
    const incremental = new BusyTimeBins(3)
    const next = random(11)
    for (let from = 0; from < tasks.length;) {
      const to = Math.min(tasks.length, from + 1 + Math.floor(next() * 2_000))
      incremental.add(slice(tasks, from, to))
      from = to
    }
    expect(incremental.length).toBe(tasks.length)
    expectSameBins(incremental.toBins(), busyBins(tasks, 3))
  })

  it('stays equal across many widenings, from a first batch of one short task', () => {
    const tasks = jobTasks(5_000, 2, 3)
    const incremental = new BusyTimeBins(2, 16)
    for (let i = 0; i < tasks.length; i++) incremental.add(slice(tasks, i, i + 1))
    expect(incremental.width).toBe(binWidthFor(incremental.maxEnd, 16))
    expectSameBins(incremental.toBins(), busyBins(tasks, 2, 16))
  })

  it('counts a task that spans merged bins once, and one ending on a bin edge not in the next bin', () => {
    const bins = new BusyTimeBins(1, 4)
    bins.add({ start: Float64Array.from([1.5]), end: Float64Array.from([2]), lane: Uint16Array.from([0]) })
    bins.add({ start: Float64Array.from([0]), end: Float64Array.from([15]), lane: Uint16Array.from([0]) })
    // Width 4 now: the first task sits in bin 0 only; the second touches bins 0..3.
    expect(bins.toBins().map((bin) => bin[4])).toEqual([2, 1, 1, 1])
  })

  it('adds lanes it has not seen yet', () => {
    const bins = new BusyTimeBins(1, 4)
    bins.add({ start: Float64Array.from([0]), end: Float64Array.from([1]), lane: Uint16Array.from([2]) })
    expect(new Set(bins.toBins().map((bin) => bin[2]))).toEqual(new Set([2]))
  })

  it('copies its bins into one row-major array per quantity and back, unchanged', () => {
    const tasks = jobTasks(3_000, 3, 5)
    const bins = new BusyTimeBins(3, 64)
    bins.add(tasks)
    const state = bins.toState()
    expect(state).toMatchObject({
      laneCount: 3,
      maxBins: 64,
      binMs: bins.width,
      maxEnd: bins.maxEnd,
      tasks: 3_000
    })
    expect([state.busy.length, state.touched.length, state.cross.length]).toEqual([192, 192, 192])
    // Lane 1's bins are the second row.
    const lane1 = bins.toBins().filter((bin) => bin[2] === 1)
    expect(lane1.map((bin) => bin[4])).toEqual(
      Array.from(state.touched.subarray(64, 128)).filter((tasksInBin) => tasksInBin > 0)
    )
    const back = BusyTimeBins.fromState(state)
    expect(back.length).toBe(3_000)
    expect(back.laneCount).toBe(3)
    expect(back.toBins()).toEqual(bins.toBins())
    expect(back.toState()).toEqual(state)
  })

  it('carries on from a state as if it had binned every batch itself', () => {
    const tasks = jobTasks(8_000, 2, 9)
    const first = new BusyTimeBins(2, 32)
    first.add(slice(tasks, 0, 1_000))
    const resumed = BusyTimeBins.fromState(first.toState())
    resumed.add(slice(tasks, 1_000, tasks.length))
    expect(resumed.length).toBe(8_000)
    expectSameBins(resumed.toBins(), busyBins(tasks, 2, 32))
  })

  it('has empty rows for lanes no task ran on, and no bins before the first task', () => {
    const bins = new BusyTimeBins(1, 4)
    expect(bins.toState()).toMatchObject({ laneCount: 1, binMs: 0, tasks: 0 })
    bins.add({ start: Float64Array.from([0]), end: Float64Array.from([1]), lane: Uint16Array.from([2]) })
    const state = bins.toState()
    expect(state.laneCount).toBe(3)
    // Width 0.5 ms: the task covers lane 2's first two bins; lanes 0 and 1 are empty rows.
    expect(state.binMs).toBe(0.5)
    expect(Array.from(state.touched)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0])
    expect(BusyTimeBins.fromState(state).toBins()).toEqual(bins.toBins())
  })

  it('refuses a state whose arrays do not match its lanes and bins', () => {
    const state = new BusyTimeBins(2, 8).toState()
    expect(() => BusyTimeBins.fromState({ ...state, laneCount: 3 })).toThrow(
      'busy bins of 3 lanes × 8 bins do not match their arrays'
    )
    expect(() => BusyTimeBins.fromState({ ...state, touched: new Uint32Array(15) })).toThrow(RangeError)
  })
})
