import { describe, expect, it } from 'vitest'
import {
  RoundShuffler,
  defaultThreadCounts,
  interleavedSchedule
} from '../../../src/shared/experiments/schedule'

describe('defaultThreadCounts', () => {
  it('gives the powers of two up to twice the hardware threads, plus both when not powers of two', () => {
    expect(defaultThreadCounts(1)).toEqual([1, 2])
    expect(defaultThreadCounts(2)).toEqual([1, 2, 4])
    expect(defaultThreadCounts(4)).toEqual([1, 2, 4, 8])
    expect(defaultThreadCounts(6)).toEqual([1, 2, 4, 6, 8, 12])
    expect(defaultThreadCounts(12)).toEqual([1, 2, 4, 8, 12, 16, 24])
    expect(defaultThreadCounts(16)).toEqual([1, 2, 4, 8, 16, 32])
  })

  it('rejects a hardware thread count that is not a whole number ≥ 1', () => {
    for (const bad of [0, -1, 1.5, NaN, 4096]) {
      expect(() => defaultThreadCounts(bad)).toThrow(/hardware threads must be a whole number from 1 to 2048/)
    }
  })
})

describe('interleavedSchedule', () => {
  const counts = [1, 2, 4, 6, 8, 12]

  it('runs every count exactly once per round', () => {
    const runs = interleavedSchedule(counts, 7, 42)
    expect(runs).toHaveLength(42)
    for (let round = 0; round < 7; round++) {
      const order = runs.filter((r) => r.round === round).map((r) => r.threads)
      expect([...order].sort((a, b) => a - b)).toEqual(counts)
    }
  })

  it('never runs one count twice in a row, not even across a round boundary', () => {
    let repeats = 0
    for (let seed = 0; seed < 50; seed++) {
      const runs = interleavedSchedule([1, 2], 20, seed)
      for (let i = 1; i < runs.length; i++) if (runs[i].threads === runs[i - 1].threads) repeats++
    }
    expect(repeats).toBe(0)
  })

  it('shuffles each round afresh and is reproducible from its seed', () => {
    const runs = interleavedSchedule(counts, 20, 3)
    expect(interleavedSchedule(counts, 20, 3)).toEqual(runs)
    expect(interleavedSchedule(counts, 20, 4)).not.toEqual(runs)
    const orders = new Set(
      Array.from({ length: 20 }, (_, round) =>
        runs
          .filter((r) => r.round === round)
          .map((r) => r.threads)
          .join(',')
      )
    )
    expect(orders.size).toBeGreaterThan(15)
  })

  it('puts each count first about equally often', () => {
    const firsts = new Map<number, number>()
    const runs = interleavedSchedule([1, 2, 4, 8], 4000, 11)
    for (const run of runs.filter((_, i) => i % 4 === 0))
      firsts.set(run.threads, (firsts.get(run.threads) ?? 0) + 1)
    // 1,000 expected each; the boundary rule only nudges it (sd about 27).
    for (const n of [1, 2, 4, 8]) {
      expect(firsts.get(n)).toBeGreaterThan(880)
      expect(firsts.get(n)).toBeLessThan(1120)
    }
  })

  it('keeps a single count working', () => {
    expect(interleavedSchedule([4], 3, 1)).toEqual([
      { round: 0, threads: 4 },
      { round: 1, threads: 4 },
      { round: 2, threads: 4 }
    ])
  })

  it('rejects bad counts and repeats clearly', () => {
    expect(() => interleavedSchedule([], 3, 1)).toThrow('thread counts: need at least one, got none')
    expect(() => interleavedSchedule([1, 2, 2], 3, 1)).toThrow('thread counts: 2 appears twice')
    expect(() => interleavedSchedule([0, 2], 3, 1)).toThrow('thread counts: 0 is not allowed')
    expect(() => interleavedSchedule([1.5], 3, 1)).toThrow('thread counts: 1.5 is not allowed')
    expect(() => interleavedSchedule([NaN], 3, 1)).toThrow('thread counts: NaN is not allowed')
    expect(() => interleavedSchedule([1, 2], 0, 1)).toThrow('repeats must be a whole number ≥ 1, got 0')
    expect(() => interleavedSchedule([1, 2], 2, 0.5)).toThrow('seed must be a safe integer')
  })
})

describe('RoundShuffler', () => {
  it('serves an adaptive runner: each round holds exactly the counts still open', () => {
    const shuffler = new RoundShuffler(9)
    let previousLast: number | null = null
    for (const open of [[1, 2, 4], [2, 4], [2, 4], [4], [1, 4]]) {
      const order = shuffler.next(open)
      expect([...order].sort((a, b) => a - b)).toEqual(open)
      if (open.length > 1) expect(order[0]).not.toBe(previousLast)
      previousLast = order[order.length - 1]
    }
  })
})
