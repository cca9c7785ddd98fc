import { describe, expect, it } from 'vitest'
import {
  bootstrapMedianCi,
  findOutliers,
  mad,
  median,
  modifiedZScores,
  shouldStopSampling,
  summarizeSamples
} from '../../../src/shared/experiments/samples'
import { quantileSorted } from '../../../src/shared/experiments/distributions'
import { randomIndex, seededRandom } from '../../../src/shared/experiments/random'

/** Standard normal draws by Box–Muller, from the seeded generator. */
function normals(seed: number): () => number {
  const random = seededRandom(seed)
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

describe('median and MAD', () => {
  it('match hand-computed values for odd and even counts', () => {
    // Sorted 10, 10.5, 11, 12, 50: median 11; |x − 11| = 1, 1, 0, 39, 0.5 → sorted 0, 0.5, 1, 1, 39: MAD 1.
    expect(median([10, 12, 11, 50, 10.5])).toBe(11)
    expect(mad([10, 12, 11, 50, 10.5])).toBe(1)
    // Sorted 1, 2, 3, 4: median 2.5; deviations 1.5, 0.5, 0.5, 1.5: MAD (0.5 + 1.5) / 2 = 1.
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(mad([4, 1, 3, 2])).toBe(1)
    expect(median([7])).toBe(7)
    expect(mad([7])).toBe(0)
  })
})

describe('modified z-scores and outliers', () => {
  it('score 0.6745 · (x − median) / MAD', () => {
    const z = modifiedZScores([10, 12, 11, 50, 10.5])
    expect(z[0]).toBeCloseTo(-0.6745, 12)
    expect(z[1]).toBeCloseTo(0.6745, 12)
    expect(z[2]).toBe(0)
    expect(z[3]).toBeCloseTo(0.6745 * 39, 12)
    expect(z[4]).toBeCloseTo(-0.33725, 12)
  })

  it('flag only scores beyond 3.5 in either direction, by their run index', () => {
    expect(findOutliers([10, 12, 11, 50, 10.5])).toEqual([
      { index: 3, value: 50, z: expect.closeTo(26.3055, 9) }
    ])
    // Median 100, MAD 1: 94.8 scores −3.5078 (out), 105.1 scores 3.4400 (in).
    const outliers = findOutliers([100, 101, 99, 100, 101, 99, 94.8, 105.1])
    expect(outliers.map((o) => o.index)).toEqual([6])
    expect(outliers[0].z).toBeCloseTo((0.6745 * -5.2) / 1, 12)
  })

  it('fall back to the mean absolute deviation when the MAD is 0', () => {
    // Median 10, MAD 0; mean |x − 10| = 2 / 5 = 0.4, so z(12) = 2 / (1.2533 · 0.4) = 3.98947.
    const z = modifiedZScores([10, 10, 10, 10, 12])
    expect(z[4]).toBeCloseTo(2 / (1.2533 * 0.4), 12)
    expect(z.slice(0, 4)).toEqual([0, 0, 0, 0])
    expect(findOutliers([10, 10, 10, 10, 12]).map((o) => o.index)).toEqual([4])
  })

  it('score every sample 0 when all are equal', () => {
    expect(modifiedZScores([5, 5, 5])).toEqual([0, 0, 0])
    expect(findOutliers([5, 5, 5])).toEqual([])
  })
})

describe('bootstrapMedianCi', () => {
  const samples = [101, 99.5, 100.2, 103, 98.7, 100.9, 99.9, 104.2, 100.1, 99.2, 100.4]

  it('is reproducible for a seed and changes with it', () => {
    const a = bootstrapMedianCi(samples, { seed: 7 })
    expect(bootstrapMedianCi(samples, { seed: 7 })).toEqual(a)
    expect(a).toMatchObject({ level: 0.95, resamples: 2000, seed: 7 })
    // The ends are order statistics of 2,000 medians, so they mostly land on the same sample values
    // whatever the seed; with few resamples they interpolate, and the seed shows.
    const few = (seed: number) => bootstrapMedianCi(samples, { seed, resamples: 100 })
    expect(few(7)).toEqual(few(7))
    expect([8, 9, 10].some((seed) => few(seed).low !== few(7).low || few(seed).high !== few(7).high)).toBe(
      true
    )
  })

  it('equals a plain resample-sort-take-the-median bootstrap drawing the same indices', () => {
    for (const xs of [samples, samples.slice(0, 10), [3, 1, 2], [5, 9]]) {
      const sorted = [...xs].sort((a, b) => a - b)
      const random = seededRandom(99)
      const medians = Array.from({ length: 500 }, () => {
        const resample = Array.from({ length: xs.length }, () => sorted[randomIndex(random, xs.length)])
        return median(resample)
      }).sort((a, b) => a - b)
      expect(bootstrapMedianCi(xs, { seed: 99, resamples: 500 })).toEqual({
        low: quantileSorted(medians, 0.025),
        high: quantileSorted(medians, 0.975),
        level: 0.95,
        resamples: 500,
        seed: 99
      })
    }
  })

  it('brackets the median within the sample range', () => {
    const ci = bootstrapMedianCi(samples)
    expect(ci.low).toBeGreaterThanOrEqual(98.7)
    expect(ci.low).toBeLessThan(median(samples))
    expect(ci.high).toBeGreaterThan(median(samples))
    expect(ci.high).toBeLessThanOrEqual(104.2)
  })

  it('is [min, max] for five samples, where a resample median leaves the middle three only 5.8% of the time each way', () => {
    expect(bootstrapMedianCi([10, 11, 12, 13, 14])).toMatchObject({ low: 10, high: 14 })
  })

  it('covers the true median of a skewed distribution at about the nominal 95%', () => {
    // Log-normal times: median exp(0) · 100 = 100 exactly, right-skewed like real timings.
    const draw = normals(2024)
    const trials = 300
    let covered = 0
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 15 }, () => 100 * Math.exp(0.2 * draw()))
      const ci = bootstrapMedianCi(xs, { seed: t, resamples: 1000 })
      if (ci.low <= 100 && 100 <= ci.high) covered++
    }
    // Percentile intervals of a median at n = 15 run near nominal; the binomial sd of 300 trials is 1.3%.
    expect(covered / trials).toBeGreaterThan(0.88)
    expect(covered / trials).toBeLessThan(0.995)
  })

  it('rejects bad inputs and options clearly', () => {
    expect(() => bootstrapMedianCi([])).toThrow('need at least one sample')
    expect(() => bootstrapMedianCi([1, NaN])).toThrow(
      'sample 1 is NaN; every time must be a finite number > 0'
    )
    expect(() => bootstrapMedianCi([1, 0])).toThrow('sample 1 is 0')
    expect(() => bootstrapMedianCi([1, -2])).toThrow('sample 1 is -2')
    expect(() => bootstrapMedianCi([1, Infinity])).toThrow('sample 1 is Infinity')
    expect(() => bootstrapMedianCi([1, 2], { resamples: 10 })).toThrow(
      'resamples must be a whole number ≥ 100'
    )
    expect(() => bootstrapMedianCi([1, 2], { level: 1 })).toThrow('level must be within (0, 1)')
    expect(() => bootstrapMedianCi([1, 2], { seed: 1.5 })).toThrow('seed must be a safe integer')
  })
})

describe('summarizeSamples', () => {
  it('keeps every sample in run order with hand-checked statistics', () => {
    const s = summarizeSamples([10, 12, 11, 50, 10.5])
    expect(s).toMatchObject({
      samples: [10, 12, 11, 50, 10.5],
      count: 5,
      median: 11,
      mad: 1,
      min: 10,
      max: 50,
      mean: 18.7,
      highVariation: true,
      tooShort: true
    })
    // Σ(x − 18.7)² = 75.69 + 44.89 + 59.29 + 979.69 + 67.24 = 1226.8; / 4 = 306.7.
    expect(s.stddev).toBeCloseTo(Math.sqrt(306.7), 12)
    expect(s.cv).toBeCloseTo(Math.sqrt(306.7) / 18.7, 12)
    expect(s.outliers.map((o) => o.index)).toEqual([3])
    expect(s.medianCi).toMatchObject({ low: 10, high: 50 })
  })

  it('warns only above 10% CV and only below the minimum run time', () => {
    // Mean 200, sd 10: CV 5%.
    const calm = summarizeSamples([190, 200, 210])
    expect(calm.cv).toBeCloseTo(0.05, 12)
    expect(calm).toMatchObject({ highVariation: false, tooShort: false })
    expect(summarizeSamples([190, 200, 210], { minRunMs: 250 }).tooShort).toBe(true)
  })

  it('gives a single sample no spread and no interval', () => {
    expect(summarizeSamples([120])).toMatchObject({ count: 1, median: 120, stddev: 0, cv: 0, medianCi: null })
  })
})

describe('shouldStopSampling', () => {
  const tight = [100, 100.4, 99.8, 100.2, 99.9]
  const loose = [80, 120, 95, 130, 70]

  it('keeps going below the minimum, whatever the limits', () => {
    expect(shouldStopSampling([], 0)).toMatchObject({ stop: false, reason: 'below-minimum', summary: null })
    const d = shouldStopSampling(tight.slice(0, 4), 1e9, { maxElapsedMs: 1 })
    expect(d).toMatchObject({ stop: false, reason: 'below-minimum' })
  })

  it('stops as precise once the farther CI end is within ±5% of the median', () => {
    const d = shouldStopSampling(tight, 0)
    expect(d).toMatchObject({ stop: true, reason: 'precise' })
    // Five samples: the interval is [min, max] = [99.8, 100.4] around 100: the farther end is 0.4%.
    expect(d.relativeHalfWidth).toBeCloseTo(0.004, 12)
  })

  it('continues while imprecise, then stops at the sample or time limit and says which', () => {
    expect(shouldStopSampling(loose, 10)).toMatchObject({ stop: false, reason: 'imprecise' })
    // Median 95; the interval [70, 130] reaches 35 / 95 = 36.8% away.
    expect(shouldStopSampling(loose, 10).relativeHalfWidth).toBeCloseTo(35 / 95, 12)
    expect(shouldStopSampling(loose, 10, { maxSamples: 5 })).toMatchObject({
      stop: true,
      reason: 'sample-limit'
    })
    expect(shouldStopSampling(loose, 10, { maxElapsedMs: 10 })).toMatchObject({
      stop: true,
      reason: 'time-limit'
    })
    expect(shouldStopSampling(loose, 9, { maxElapsedMs: 10 })).toMatchObject({
      stop: false,
      reason: 'imprecise'
    })
  })

  it('honours a custom minimum and precision', () => {
    expect(shouldStopSampling(tight.slice(0, 3), 0, { minSamples: 3 })).toMatchObject({
      stop: true,
      reason: 'precise'
    })
    expect(shouldStopSampling(tight, 0, { relativePrecision: 0.001 })).toMatchObject({
      stop: false,
      reason: 'imprecise'
    })
  })

  it('rejects a rule that makes no sense', () => {
    expect(() => shouldStopSampling(tight, 0, { minSamples: 0 })).toThrow(
      'minSamples must be a whole number ≥ 1'
    )
    expect(() => shouldStopSampling(tight, 0, { minSamples: 5, maxSamples: 4 })).toThrow(
      'maxSamples must be a whole number ≥ minSamples (5)'
    )
    expect(() => shouldStopSampling(tight, 0, { maxElapsedMs: 0 })).toThrow('maxElapsedMs must be > 0')
    expect(() => shouldStopSampling(tight, 0, { relativePrecision: 0 })).toThrow(
      'relativePrecision must be within (0, 1)'
    )
    expect(() => shouldStopSampling(tight, -1)).toThrow('elapsedMs must be ≥ 0')
    expect(() => shouldStopSampling([1, NaN], 0)).toThrow('sample 1 is NaN')
  })
})
