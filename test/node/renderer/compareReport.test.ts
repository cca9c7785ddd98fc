import { describe, expect, it } from 'vitest'
import type { JobStats } from '../../../src/shared/protocol'
import {
  compareRows,
  compareVerdict,
  formatDifference,
  formatFigure,
  formatRatio
} from '../../../src/renderer/src/compareReport'

/** A job's statistics with the compared figures given; the rest as the host would fill them. */
function stats(figures: {
  wallMs: number
  utilization: number | null
  speedup: number | null
  loadImbalance: number | null
  median: number
  p90: number
  wait: [number, number, number]
  costNs: number | null
}): JobStats {
  return {
    jobId: 'job',
    status: 'done',
    taskCount: 4,
    tasksTimed: 4,
    threads: 2,
    wallMs: figures.wallMs,
    poolStartupMs: 30,
    poolReused: false,
    totalTaskMs: 1,
    stoppedTaskMs: 0,
    taskMsPerLane: [0.5, 0.5],
    utilization: figures.utilization,
    loadImbalance: figures.loadImbalance,
    speedup: figures.speedup,
    durations: {
      minMs: 0.1,
      q1Ms: 0.1,
      medianMs: figures.median,
      q3Ms: figures.p90,
      p90Ms: figures.p90,
      meanMs: figures.median,
      maxMs: figures.p90,
      histogram: { scale: 'linear', edges: [0, 1], counts: [4], outlierCounts: [0], zeroCount: 0 },
      outliers: { rule: 'r', scale: 'linear', lowFenceMs: 0, highFenceMs: 10, slowCount: 0, fastCount: 0 },
      slowest: []
    },
    queueWait: {
      method: 'nearest-rank',
      p50Ms: figures.wait[0],
      p90Ms: figures.wait[1],
      p99Ms: figures.wait[2],
      maxMs: figures.wait[2],
      meanMs: figures.wait[0]
    },
    engineCost: {
      bookkeepingMs: 0,
      filingMs: 0,
      sendingMs: 0,
      bookkeepingNsPerTask: null,
      filingNsPerTask: null,
      sendingNsPerTask: null,
      totalNsPerTask: figures.costNs
    }
  }
}

// One thread against two: B took 1.2 ms of A's 2 ms.
const one = stats({
  wallMs: 2,
  utilization: 0.9,
  speedup: 0.9,
  loadImbalance: 1,
  median: 0.4,
  p90: 0.5,
  wait: [0.2, 0.8, 1.6],
  costNs: 4000
})
const two = stats({
  wallMs: 1.2,
  utilization: 0.75,
  speedup: 1.5,
  loadImbalance: 1.25,
  median: 0.5,
  p90: 0.6,
  wait: [0.1, 0.4, 0.4],
  costNs: 5000
})

describe('compareRows', () => {
  const rows = compareRows(one, two)
  const row = (key: string) => rows.find((r) => r.key === key)!

  it('lists every compared figure, each with its meaning, in order', () => {
    expect(rows.map((r) => r.key)).toEqual([
      'wall',
      'utilization',
      'speedup',
      'imbalance',
      'durationMedian',
      'durationP90',
      'waitP50',
      'waitP90',
      'waitP99',
      'engineCost'
    ])
    for (const r of rows) expect(r.meaning.length).toBeGreaterThan(20)
  })

  it('computes B − A and B ÷ A', () => {
    // Wall: 1.2 − 2 = −0.8 ms; 1.2 / 2 = 0.6.
    expect(row('wall').difference).toBeCloseTo(-0.8, 12)
    expect(row('wall').ratio).toBeCloseTo(0.6, 12)
    // Utilization: 0.75 − 0.9 = −0.15 (−15.0 pp); 0.75 / 0.9 = 0.8333…
    expect(row('utilization').difference).toBeCloseTo(-0.15, 12)
    expect(row('utilization').ratio).toBeCloseTo(0.833333, 5)
    // Speedup 1.5 / 0.9 = 1.6667; imbalance 1.25 − 1 = 0.25.
    expect(row('speedup').ratio).toBeCloseTo(1.666667, 5)
    expect(row('imbalance').difference).toBeCloseTo(0.25, 12)
    // Durations: median 0.5 / 0.4 = 1.25, p90 0.6 − 0.5 = 0.1.
    expect(row('durationMedian').ratio).toBeCloseTo(1.25, 12)
    expect(row('durationP90').difference).toBeCloseTo(0.1, 12)
    // Waits: 0.1 / 0.2 = 0.5, 0.4 / 0.8 = 0.5, 0.4 / 1.6 = 0.25.
    expect([row('waitP50').ratio, row('waitP90').ratio, row('waitP99').ratio]).toEqual([0.5, 0.5, 0.25])
    // Cost: 5000 − 4000 = 1000 ns.
    expect(row('engineCost').difference).toBe(1000)
  })

  it('writes each figure, difference and ratio in its unit', () => {
    expect([row('wall').aText, row('wall').bText]).toEqual(['2.00 ms', '1.20 ms'])
    expect(row('wall').differenceText).toBe('−800 µs')
    expect(row('wall').ratioText).toBe('0.600×')
    expect([row('utilization').aText, row('utilization').differenceText]).toEqual(['90%', '−15.0 pp'])
    expect([row('speedup').bText, row('speedup').differenceText, row('speedup').ratioText]).toEqual([
      '1.50×',
      '+0.60×',
      '1.67×'
    ])
    expect([row('imbalance').bText, row('imbalance').differenceText]).toEqual(['1.25', '+0.25'])
    expect([row('engineCost').aText, row('engineCost').differenceText]).toEqual(['4000 ns', '+1000 ns'])
  })

  it('marks the shorter wall time better, and nothing else', () => {
    expect(row('wall').better).toBe('b')
    expect(compareRows(two, one).find((r) => r.key === 'wall')!.better).toBe('a')
    for (const r of rows.filter((r) => r.key !== 'wall')) expect(r.better).toBeNull()
    expect(compareRows(one, one).find((r) => r.key === 'wall')!.better).toBeNull()
  })

  it('leaves a missing figure out of the difference and ratio, and a ratio over 0 undefined', () => {
    const none = stats({
      ...{ wallMs: 0 },
      utilization: null,
      speedup: null,
      loadImbalance: null,
      median: 0,
      p90: 0,
      wait: [0, 0, 0],
      costNs: null
    })
    const rows2 = compareRows(none, two)
    const wall = rows2.find((r) => r.key === 'wall')!
    expect(wall.difference).toBe(1.2)
    expect(wall.ratio).toBeNull()
    expect(wall.ratioText).toBe('—')
    const util = rows2.find((r) => r.key === 'utilization')!
    expect([util.aText, util.difference, util.differenceText]).toEqual(['—', null, '—'])
  })
})

describe('compareVerdict', () => {
  it('names the faster run and how much sooner it finished', () => {
    const rows = compareRows(one, two)
    // 2 / 1.2 = 1.67× as fast, 0.8 ms sooner.
    expect(compareVerdict(rows, 'one thread', 'two threads')).toBe(
      '“two threads” finished 800 µs sooner than “one thread”: 1.67× as fast.'
    )
  })

  it('says a difference under 5% may be noise', () => {
    const close = stats({
      ...{ wallMs: 2.05 },
      utilization: 1,
      speedup: 1,
      loadImbalance: 1,
      median: 1,
      p90: 1,
      wait: [0, 0, 0],
      costNs: 1
    })
    expect(compareVerdict(compareRows(one, close), 'a', 'b')).toBe(
      '“a” finished 50.0 µs sooner than “b”: 1.02× as fast. Under 5% apart, one run each: on a shared machine that may be noise.'
    )
  })
})

describe('the formats', () => {
  it('writes a true minus sign, pp for shares, and big ratios whole', () => {
    expect(formatDifference(-0.001, 'percent')).toBe('−0.1 pp')
    expect(formatDifference(0, 'time')).toBe('0')
    expect(formatRatio(123.4)).toBe('123×')
    expect(formatFigure(0.05, 'percent')).toBe('5.0%')
    expect(formatFigure(null, 'time')).toBe('—')
    expect(formatFigure(0.0123, 'times')).toBe('0.012×')
    expect(formatDifference(-0.0017, 'times')).toBe('−0.0017×')
    expect(formatDifference(0.004, 'ratio')).toBe('+0.0040')
  })
})
