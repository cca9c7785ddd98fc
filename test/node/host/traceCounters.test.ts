// The trace's counter arithmetic against hand-computed values.
import { describe, expect, it } from 'vitest'
import { addBusy, intervalBounds, meanLanes, rounded } from '../../../src/main/host/traceCounters'

describe('interval bounds', () => {
  it('are the baseline, then each sample end; none without a baseline or a sample', () => {
    expect([...intervalBounds({ from: -0.5, at: new Float64Array([100, 200]) })]).toEqual([-0.5, 100, 200])
    expect(intervalBounds({ from: null, at: new Float64Array([100]) })).toHaveLength(0)
    expect(intervalBounds({ from: 0, at: new Float64Array(0) })).toHaveLength(0)
  })
})

describe('busy time per interval', () => {
  const bounds = new Float64Array([0, 100, 200, 300])

  it('splits a task across the intervals it spans and skips tasks that did not run', () => {
    // Tasks 0..3: [10, 30], [90, 250] (spans three intervals), NaN (did not run), [260, 400] (past the end).
    const start = new Float64Array([10, 90, NaN, 260])
    const end = new Float64Array([30, 250, NaN, 400])
    const out = new Float64Array(3)
    const cursor = addBusy(start, end, 0, 4, bounds, out, 0)
    expect([...out]).toEqual([20 + 10, 100, 50 + 40])
    expect(cursor).toBe(2)
  })

  it('carries its cursor from one chunk of a lane to the next, and adds lanes up', () => {
    const start = new Float64Array([0, 150, 0])
    const end = new Float64Array([100, 300, 300])
    const out = new Float64Array(3)
    // Lane 0 ran tasks 0 and 1 as two chunks; lane 1 ran task 2.
    const cursor = addBusy(start, end, 0, 1, bounds, out, 0)
    expect(cursor).toBe(0)
    expect(addBusy(start, end, 1, 1, bounds, out, cursor)).toBe(1)
    addBusy(start, end, 2, 1, bounds, out, 0)
    expect([...out]).toEqual([200, 150, 200])
    expect([...meanLanes(out, bounds)]).toEqual([2, 1.5, 2])
  })

  it('reads an empty interval as no lanes busy', () => {
    expect([...meanLanes(new Float64Array([5]), new Float64Array([3, 3]))]).toEqual([0])
  })
})

it('rounds a counter value to its decimals without trailing zeros', () => {
  expect(rounded(37.25, 1)).toBe('37.3')
  expect(rounded(100, 1)).toBe('100')
  expect(rounded(1.23456, 3)).toBe('1.235')
})
