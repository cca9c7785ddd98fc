// The workers' occupancy of each core per CPU sample interval, on synthetic timings and sample
// times with hand-computed answers: each task's time put on its recorded CPU, split over the
// intervals it overlaps; the core each worker lane spent most of an interval on; worker time whose
// core is unknown (no CPU recorded, chunks still running) counted apart.
import { describe, expect, it, vi } from 'vitest'
import { coreOccupancy, coreOccupancySliced, type TaskTimes } from '../../../src/main/engine/coreOccupancy'
import { Slicer } from '../../../src/main/engine/slicer'

/** Tasks from rows `[start, end, lane, cpu]`; a NaN start is a task that did not run. */
function tasksOf(rows: [number, number, number, number][]): TaskTimes {
  return {
    start: Float64Array.from(rows.map((r) => r[0])),
    end: Float64Array.from(rows.map((r) => r[1])),
    lane: Uint16Array.from(rows.map((r) => r[2])),
    cpu: Int16Array.from(rows.map((r) => r[3]))
  }
}

const rounded = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 1e6) / 1e6)

// Three 100 ms intervals on two cores: [0,100], [100,200], [200,300].
const intervals = { cores: 2, from: 0, at: Float64Array.from([100, 200, 300]) }
const rows: [number, number, number, number][] = [
  [10, 60, 0, 0], // interval 0: 50 ms on core 0
  [60, 150, 0, 1], // interval 0: 40 ms, interval 1: 50 ms on core 1
  [120, 250, 1, 0], // interval 1: 80 ms, interval 2: 50 ms on core 0
  [250, 280, 1, -1], // interval 2: 30 ms, core unknown
  [NaN, NaN, 1, 0], // did not run
  [290, 350, 0, 1] // interval 2: 10 ms on core 1; after the last reading, nothing
]

describe('coreOccupancy', () => {
  it('puts each task on its recorded core, split over the intervals it overlaps', () => {
    const got = coreOccupancy(intervals, tasksOf(rows), 2)
    // core-major: core 0's three intervals, then core 1's.
    expect(rounded(got.workers)).toEqual([0.5, 0.8, 0.5, 0.4, 0.5, 0.1])
    expect(got.lanes).toBe(2)
  })

  it('names the core each lane spent most of each interval on, −1 where it ran no task', () => {
    const got = coreOccupancy(intervals, tasksOf(rows), 2)
    // lane 0: 50 ms core 0 against 40 ms core 1; then core 1; then core 1 (10 ms).
    // lane 1: nothing; core 0; core 0 (50 ms; its 30 ms on an unknown core do not count).
    expect(Array.from(got.laneCore)).toEqual([0, 1, 1, -1, 0, 0])
  })

  it('counts time on an unknown core, and chunks still running, apart, in cores', () => {
    const got = coreOccupancy(intervals, tasksOf(rows), 2, [{ lane: 0, from: 150, to: 170 }])
    expect(rounded(got.unplaced)).toEqual([0, 0.2, 0.3])
    // The running chunk is nobody's core: the placed shares are unchanged.
    expect(rounded(got.workers)).toEqual([0.5, 0.8, 0.5, 0.4, 0.5, 0.1])
  })

  it('does not depend on the order of the tasks, even when a lane’s tasks are out of time order', () => {
    const shuffled = [rows[5], rows[2], rows[0], rows[4], rows[3], rows[1]]
    const a = coreOccupancy(intervals, tasksOf(rows), 2)
    const b = coreOccupancy(intervals, tasksOf(shuffled), 2)
    expect(rounded(b.workers)).toEqual(rounded(a.workers))
    expect(Array.from(b.laneCore)).toEqual(Array.from(a.laneCore))
  })

  it('divides by each interval’s own length, and clips tasks to the sampled span', () => {
    // Intervals of 50 and 200 ms from −10; a task from −30 (before the baseline) to 90.
    const uneven = { cores: 1, from: -10, at: Float64Array.from([40, 240]) }
    const got = coreOccupancy(uneven, tasksOf([[-30, 90, 0, 0]]), 1)
    expect(rounded(got.workers)).toEqual([50 / 50, 50 / 200])
    expect(Array.from(got.laneCore)).toEqual([0, 0])
  })

  it('treats a CPU number beyond the sampled cores as unknown, and a lane beyond the lanes as none', () => {
    const got = coreOccupancy(
      intervals,
      tasksOf([
        [0, 100, 0, 7],
        [0, 100, 5, 0]
      ]),
      2
    )
    expect(rounded(got.workers)).toEqual([0, 0, 0, 0, 0, 0])
    expect(rounded(got.unplaced)).toEqual([1, 0, 0])
    expect(Array.from(got.laneCore)).toEqual([-1, -1, -1, -1, -1, -1])
  })

  it('leaves out tasks the ran flags say did not run, whatever their (unfilled) times', () => {
    // An unfilled row of a running job's tables: zeros, on lane 0, core 0.
    const tasks = {
      ...tasksOf([...rows.slice(0, 4), [0, 0, 0, 0], [0, 100, 0, 0]]),
      ran: Uint8Array.of(1, 1, 1, 1, 0, 0)
    }
    const got = coreOccupancy(intervals, tasks, 2)
    expect(rounded(got.workers)).toEqual([0.5, 0.8, 0.5, 0.4, 0.5, 0])
  })

  it('answers before the baseline reading with empty, correctly sized arrays', () => {
    const got = coreOccupancy({ cores: 4, from: null, at: new Float64Array(0) }, tasksOf(rows), 2)
    expect(got.workers).toHaveLength(0)
    expect(got.laneCore).toHaveLength(0)
    expect(got.unplaced).toHaveLength(0)
  })

  it('adds up two lanes on one core (a thread the OS moved), so the share may pass 1', () => {
    const got = coreOccupancy(
      { cores: 1, from: 0, at: Float64Array.from([100]) },
      tasksOf([
        [0, 100, 0, 0],
        [0, 60, 1, 0]
      ]),
      2
    )
    expect(rounded(got.workers)).toEqual([1.6])
    expect(Array.from(got.laneCore)).toEqual([0, 0])
  })

  it('gives the same answer worked out in slices, handing the event loop back between them', async () => {
    // 200,000 tasks of 0.4 ms on 4 lanes moving between 3 cores, over 100 intervals of 200 ms.
    const n = 200_000
    const tasks: TaskTimes = {
      start: new Float64Array(n),
      end: new Float64Array(n),
      lane: new Uint16Array(n),
      cpu: new Int16Array(n)
    }
    for (let i = 0; i < n; i++) {
      const lane = i % 4
      const t = Math.floor(i / 4) * 0.4
      tasks.start[i] = t
      tasks.end[i] = t + 0.3
      tasks.lane[i] = lane
      tasks.cpu[i] = (lane + Math.floor(t / 150)) % 3
    }
    const many = { cores: 3, from: 0, at: Float64Array.from({ length: 100 }, (_, k) => (k + 1) * 200) }
    const whole = coreOccupancy(many, tasks, 4, [{ lane: 1, from: 50, to: 450 }])
    // A slicer whose slice is always used up: every step hands the event loop back.
    const slicer = new Slicer(0)
    const pause = vi.spyOn(slicer, 'pause')
    const sliced = await coreOccupancySliced(many, tasks, 4, [{ lane: 1, from: 50, to: 450 }], slicer)
    expect(Array.from(sliced.workers)).toEqual(Array.from(whole.workers))
    expect(Array.from(sliced.laneCore)).toEqual(Array.from(whole.laneCore))
    expect(Array.from(sliced.unplaced)).toEqual(Array.from(whole.unplaced))
    // 200,000 tasks in steps of 4,096: 48 hand-backs.
    expect(pause).toHaveBeenCalledTimes(48)
    // Four lanes in a task 0.3 ms of every 0.4 ms, over all 100 intervals: 4 × 0.75 × 100.
    const busy = Array.from(whole.workers).reduce((a, b) => a + b, 0)
    expect(busy).toBeCloseTo(300, 6)
  })
})
