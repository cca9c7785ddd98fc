import { describe, expect, it } from 'vitest'
import { quantileSorted, studentTCdf, studentTQuantile } from '../../../src/shared/experiments/distributions'

describe('studentTQuantile', () => {
  it('matches SciPy’s stats.t.ppf(0.975, df)', () => {
    // Golden values from scipy 1.17: [stats.t.ppf(0.975, d) for d in (1, 2, 3, 5, 10, 30)].
    const golden: [number, number][] = [
      [1, 12.706204736174694],
      [2, 4.302652729749462],
      [3, 3.1824463052837078],
      [5, 2.5705818356363146],
      [10, 2.228138851986274],
      [30, 2.0422724563012378]
    ]
    for (const [df, t] of golden) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 9)
  })

  it('is symmetric and inverts the CDF', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-studentTQuantile(0.975, 4), 12)
    expect(studentTQuantile(0.5, 7)).toBe(0)
    expect(studentTCdf(studentTQuantile(0.9, 3), 3)).toBeCloseTo(0.9, 12)
    // df = 1 is the Cauchy distribution: P(T ≤ 1) = 3/4.
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12)
  })

  it('rejects levels and degrees of freedom outside its domain', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('t quantile level must be within (0, 1)')
    expect(() => studentTQuantile(0.975, 0)).toThrow('t quantile needs at least 1 degree of freedom')
  })
})

describe('quantileSorted', () => {
  it('interpolates between order statistics as NumPy’s percentile does', () => {
    // np.percentile([1, 2, 3, 4, 10], [0, 25, 50, 90, 100]) = [1, 2, 3, 7.6, 10].
    const xs = [1, 2, 3, 4, 10]
    expect([0, 0.25, 0.5, 0.9, 1].map((p) => quantileSorted(xs, p))).toEqual([
      1,
      2,
      3,
      expect.closeTo(7.6, 12),
      10
    ])
    expect(() => quantileSorted([], 0.5)).toThrow('quantile of no values')
  })
})
