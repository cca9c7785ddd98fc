import { describe, expect, it } from 'vitest'
import {
  analyzeScaling,
  karpFlatt,
  scaledSerialFraction,
  predictSpeedup,
  type ScalingPointInput
} from '../../../src/shared/experiments/fits'
import { seededRandom } from '../../../src/shared/experiments/random'

const amdahlTime = (f: number) => (n: number) => 1000 * (f + (1 - f) / n)
const uslTime = (sigma: number, kappa: number) => (n: number) =>
  (1000 * (1 + sigma * (n - 1) + kappa * n * (n - 1))) / n

function sweep(time: (n: number) => number, ns: readonly number[]): ScalingPointInput[] {
  return ns.map((threads) => ({ threads, timeMs: time(threads) }))
}

/** Standard normal draws by Box–Muller, from the seeded generator. */
function normals(seed: number): () => number {
  const random = seededRandom(seed)
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Each time multiplied by (1 + 3% noise), as repeated runs on a busy machine scatter. */
function noisy(points: ScalingPointInput[], seed: number, sd = 0.03): ScalingPointInput[] {
  const draw = normals(seed)
  return points.map((p) => ({ ...p, timeMs: p.timeMs * (1 + sd * draw()) }))
}

const WIDE = [1, 2, 4, 8, 16, 32, 64]

describe('speedup, efficiency and Karp–Flatt', () => {
  it('computes the measured figures by hand-checkable ratios', () => {
    const a = analyzeScaling([
      { threads: 2, timeMs: 600 },
      { threads: 1, timeMs: 1000 },
      { threads: 4, timeMs: 400 }
    ])
    expect(a.points.map((p) => p.threads)).toEqual([1, 2, 4])
    expect(a.points.map((p) => p.speedup)).toEqual([1, 1000 / 600, 2.5])
    expect(a.points.map((p) => p.efficiency)).toEqual([1, 1000 / 600 / 2, 0.625])
    // e(4) = (1/2.5 − 1/4) / (1 − 1/4) = 0.15 / 0.75 = 0.2; e(2) = (0.6 − 0.5) / 0.5 = 0.2.
    expect(a.points[0].karpFlatt).toBeNull()
    expect(a.points[1].karpFlatt).toBeCloseTo(0.2, 12)
    expect(a.points[2].karpFlatt).toBeCloseTo(0.2, 12)
    expect(a.mode).toBe('fixed')
  })

  it('equals the serial fraction at every N on exact Amdahl data', () => {
    const a = analyzeScaling(sweep(amdahlTime(0.1), [1, 2, 3, 4, 6, 8, 16, 64]))
    for (const p of a.points.slice(1)) expect(p.karpFlatt).toBeCloseTo(0.1, 12)
    expect(karpFlatt(1 / 0.55, 2)).toBeCloseTo(0.1, 12)
    expect(() => karpFlatt(1, 1)).toThrow('Karp–Flatt needs more than 1 thread')
  })

  it('gives a scaled sweep Gustafson’s per-point serial fraction, (N − S)/(N − 1)', () => {
    // Gustafson with f = 0.1: N threads do N times the work at a throughput ratio S = N − f(N − 1).
    const f = 0.1
    const a = analyzeScaling(
      [1, 2, 4, 8].map((n) => ({ threads: n, work: n, timeMs: (1000 * n) / (n - f * (n - 1)) })),
      { mode: 'scaled' }
    )
    expect(a.mode).toBe('scaled')
    expect(a.points[0].karpFlatt).toBeNull()
    for (const p of a.points.slice(1)) expect(p.karpFlatt).toBeCloseTo(f, 12)
    expect(scaledSerialFraction(3.7, 4)).toBeCloseTo(0.1, 12)
    expect(() => scaledSerialFraction(1, 1)).toThrow('a serial fraction needs more than 1 thread')
  })

  it('gives the speedup an interval from both time intervals at their extremes', () => {
    const a = analyzeScaling([
      { threads: 1, timeMs: 1000, ciLowMs: 980, ciHighMs: 1030 },
      { threads: 2, timeMs: 500, ciLowMs: 490, ciHighMs: 520 }
    ])
    expect(a.points[0].speedupCi).toBeNull()
    expect(a.points[1].speedupCi!.low).toBeCloseTo(980 / 520, 12)
    expect(a.points[1].speedupCi!.high).toBeCloseTo(1030 / 490, 12)
  })

  it('reads a scaled job’s speedup as a throughput ratio', () => {
    // Twice the work in 1.25× the time at 2 threads: throughput ratio 2 / 1.25 = 1.6.
    const a = analyzeScaling([
      { threads: 1, timeMs: 1000, work: 100 },
      { threads: 2, timeMs: 1250, work: 200 }
    ])
    expect(a.mode).toBe('scaled')
    expect(a.points[1].speedup).toBeCloseTo(1.6, 12)
  })
})

describe('fits on exact synthetic data', () => {
  it('recover Amdahl’s f = 0.1 and predict 1 / (f + (1 − f)/N)', () => {
    const a = analyzeScaling(sweep(amdahlTime(0.1), WIDE))
    const fit = a.fits.amdahl
    expect(fit.status).toBe('fitted')
    expect(fit.params[0].name).toBe('serialFraction')
    expect(fit.params[0].value).toBeCloseTo(0.1, 9)
    expect(fit.fittedBaselineMs).toBeCloseTo(1000, 6)
    expect(fit.r2).toBeCloseTo(1, 12)
    expect(fit.predictions.map((p) => p.threads)).toEqual([4, 8, 16, 64])
    for (const p of fit.predictions) expect(p.speedup).toBeCloseTo(1 / (0.1 + 0.9 / p.threads), 8)
    // Amdahl is the USL with κ = 0: the USL finds σ = f, κ = 0, and the simpler law wins.
    expect(a.fits.usl.params[0].value).toBeCloseTo(0.1, 8)
    expect(a.fits.usl.params[1].value).toBeCloseTo(0, 8)
    expect(a.fits.usl.peakThreads).toBeNull()
    expect(a.comparison).toMatchObject({ best: 'amdahl', undecided: false })
  })

  it('recover the USL’s σ = 0.05, κ = 0.001 and its peak at sqrt(0.95 / 0.001) ≈ 30.8 threads', () => {
    const a = analyzeScaling(sweep(uslTime(0.05, 0.001), [1, 2, 4, 8, 16, 32, 64, 128]))
    const fit = a.fits.usl
    expect(fit.params.map((p) => p.name)).toEqual(['contention', 'coherency'])
    expect(fit.params[0].value).toBeCloseTo(0.05, 9)
    expect(fit.params[1].value).toBeCloseTo(0.001, 11)
    expect(fit.peakThreads).toBeCloseTo(Math.sqrt(0.95 / 0.001), 6)
    expect(fit.peakThreads).toBeCloseTo(30.8, 1)
    expect(a.comparison.best).toBe('usl')
    // Retrograde scaling is beyond Amdahl: it cannot pass through these points.
    expect(a.fits.amdahl.r2!).toBeLessThan(0.99)
  })

  it('recover Gustafson’s f = 0.2 from a scaled job, and only then consider it', () => {
    // Work grows with N; scaled speedup N − 0.2 (N − 1), so T(N) = N · 1000 / S(N).
    const points = [1, 2, 4, 8, 16].map((n) => ({
      threads: n,
      work: n,
      timeMs: (n * 1000) / (n - 0.2 * (n - 1))
    }))
    const a = analyzeScaling(points)
    expect(a.mode).toBe('scaled')
    expect(a.fits.gustafson).toMatchObject({ applies: true, status: 'fitted' })
    expect(a.fits.gustafson.params[0].value).toBeCloseTo(0.2, 9)
    expect(a.fits.amdahl.applies).toBe(false)
    expect(analyzeScaling(sweep(amdahlTime(0.1), WIDE)).fits.gustafson.applies).toBe(false)
  })
})

describe('fits on noisy data', () => {
  it('match SciPy’s curve_fit on the same points (golden numbers)', () => {
    // scipy.optimize.curve_fit of log(1/T) = c + log S(N) with these bounds, then t.ppf(0.975, df).
    const ns = [1, 2, 4, 6, 8, 12, 16, 24, 32]
    const ts = [1000.0, 546.0, 328.0, 270.0, 219.8, 192.3, 175.1, 163.4, 161.3]
    const a = analyzeScaling(ns.map((threads, i) => ({ threads, timeMs: ts[i] })))
    const amdahl = a.fits.amdahl
    expect(amdahl.params[0].value).toBeCloseTo(0.13132009554340046, 7)
    expect(amdahl.params[0].standardError!).toBeCloseTo(0.005855786630752169, 7)
    expect(amdahl.sse!).toBeCloseTo(0.008715970951109092, 10)
    expect(amdahl.tQuantile!).toBeCloseTo(2.364624251592784, 9)
    expect(amdahl.fittedBaselineMs!).toBeCloseTo(Math.exp(6.871207356658256), 3)
    const usl = a.fits.usl
    expect(usl.params[0].value).toBeCloseTo(0.10946124373886329, 7)
    expect(usl.params[1].value).toBeCloseTo(0.000796966898895311, 9)
    expect(usl.params[0].standardError!).toBeCloseTo(0.005972813859671301, 7)
    expect(usl.params[1].standardError!).toBeCloseTo(0.00019096628913587284, 9)
    expect(usl.sse!).toBeCloseTo(0.002295522622955398, 10)
    expect(usl.params[0].ci!.low).toBeCloseTo(
      0.10946124373886329 - 2.4469118511449786 * 0.005972813859671301,
      7
    )
  })

  it('hold the true parameters inside their reported 95% intervals', () => {
    const a = analyzeScaling(noisy(sweep(amdahlTime(0.1), [1, 2, 4, 6, 8, 12, 16]), 1))
    const f = a.fits.amdahl.params[0]
    expect(f.ci!.low).toBeLessThan(0.1)
    expect(f.ci!.high).toBeGreaterThan(0.1)
    expect(f.value).toBeGreaterThan(0.05)
    expect(f.value).toBeLessThan(0.15)
    const u = analyzeScaling(noisy(sweep(uslTime(0.05, 0.001), [1, 2, 4, 8, 16, 24, 32, 48, 64]), 2)).fits.usl
    expect(u.params[0].ci!.low).toBeLessThan(0.05)
    expect(u.params[0].ci!.high).toBeGreaterThan(0.05)
    expect(u.params[1].ci!.low).toBeLessThan(0.001)
    expect(u.params[1].ci!.high).toBeGreaterThan(0.001)
    expect(u.peakThreadsCi!.low).toBeLessThan(30.8)
    expect(u.peakThreadsCi!.high).toBeGreaterThan(30.8)
  })

  it('cover the true values at about the nominal rate, 1-thread noise included', () => {
    const ns = [1, 2, 4, 6, 8, 12, 16]
    const trials = 150
    let amdahlCovered = 0
    let uslCovered = 0
    for (let t = 0; t < trials; t++) {
      const f = analyzeScaling(noisy(sweep(amdahlTime(0.1), ns), 100 + t)).fits.amdahl.params[0].ci!
      if (f.low <= 0.1 && 0.1 <= f.high) amdahlCovered++
      const [s, k] = analyzeScaling(noisy(sweep(uslTime(0.05, 0.001), ns), 500 + t)).fits.usl.params
      if (s.ci!.low <= 0.05 && 0.05 <= s.ci!.high && k.ci!.low <= 0.001 && 0.001 <= k.ci!.high) uslCovered++
    }
    // 95% nominal each; binomial sd of 150 trials about 1.8%. The USL needs both, so lower.
    expect(amdahlCovered / trials).toBeGreaterThan(0.87)
    expect(uslCovered / trials).toBeGreaterThan(0.82)
  })

  it('put a prediction interval around the curve that widens beyond the measured range', () => {
    const fit = analyzeScaling(noisy(sweep(amdahlTime(0.1), [1, 2, 3, 4, 6, 8]), 3)).fits.amdahl
    const [p8, p64] = predictSpeedup(fit, [8, 64])
    expect(p8.ci!.low).toBeLessThan(p8.speedup)
    expect(p8.ci!.high).toBeGreaterThan(p8.speedup)
    expect(p64.ci!.high - p64.ci!.low).toBeGreaterThan(p8.ci!.high - p8.ci!.low)
    expect(() => predictSpeedup(fit, [0])).toThrow('predict: thread counts must be numbers ≥ 1, got 0')
  })
})

describe('honest limits', () => {
  it('say when only two thread counts were measured: exact, no interval', () => {
    const a = analyzeScaling([
      { threads: 1, timeMs: 1820 },
      { threads: 2, timeMs: 1010 }
    ])
    expect(a.fits.amdahl.status).toBe('exact')
    expect(a.fits.amdahl.params[0].ci).toBeNull()
    // Two points fix f exactly: it is the Karp–Flatt value at N = 2.
    expect(a.fits.amdahl.params[0].value).toBeCloseTo(a.points[1].karpFlatt!, 9)
    expect(a.fits.amdahl.verdict).toContain('no interval and no test of the law')
    expect(a.fits.usl.status).toBe('insufficient')
    expect(a.fits.usl.params).toEqual([])
    expect(a.fits.usl.verdict).toBe(
      'USL: too few thread counts for a 2-parameter law (1 above 1; needs 2 to determine it and 3 for an interval).'
    )
    expect(a.verdicts[0]).toBe(
      'Only two thread counts were measured (1 and 2): one speedup ratio fixes a serial fraction exactly, ' +
        'with no interval and no test of any law. Measure more thread counts to fit.'
    )
    expect(a.comparison).toMatchObject({ best: null, undecided: true })
  })

  it('say when the laws cannot be told apart (ΔAICc < 2)', () => {
    // Amdahl-like with a touch of coherency cost (κ = 0.003) hidden in ±3% alternating noise.
    const ns = [1, 2, 3, 4, 6, 8, 12, 16]
    const wobble = [0, 0.03, -0.03, 0.03, -0.03, 0.03, -0.03, 0.03]
    const a = analyzeScaling(
      ns.map((n, i) => ({ threads: n, timeMs: uslTime(0.1, 0.003)(n) * (1 + wobble[i]) }))
    )
    expect(a.comparison.undecided).toBe(true)
    expect(a.comparison.ranking[1].delta).toBeLessThan(2)
    expect(a.comparison.verdict).toMatch(
      /^The data cannot tell (Amdahl and USL|USL and Amdahl) apart \(ΔAICc 0\.\d < 2\)/
    )
    expect(a.verdicts).toContain(a.comparison.verdict)
  })

  it('say when too few points allow no comparison, and fit the 2-parameter law without an interval', () => {
    const a = analyzeScaling(sweep(amdahlTime(0.2), [1, 2, 4]))
    expect(a.fits.amdahl.status).toBe('fitted')
    expect(a.fits.amdahl.aicc).toBeNull()
    expect(a.fits.usl.status).toBe('exact')
    expect(a.comparison.verdict).toMatch(
      /^Too few thread counts to compare Amdahl and USL for a fixed-size job/
    )
  })

  it('say when no law describes the data, e.g. a memory-bound plateau', () => {
    // Speedup rises to 2.5 and stops dead: bandwidth, not a serial fraction; intervals ±1%.
    const points = [1, 2, 3, 4, 6, 8, 12, 16].map((n) => {
      const t = 1000 / Math.min(n, 2.5)
      return { threads: n, timeMs: t, ciLowMs: t * 0.99, ciHighMs: t * 1.01 }
    })
    const a = analyzeScaling(points)
    expect(a.fits.amdahl.describesData).toBe(false)
    expect(a.fits.usl.describesData).toBe(false)
    expect(a.fits.amdahl.verdict).toContain('this law does not describe these data')
    expect(a.verdicts).toContain(
      'None of the fitted laws (Amdahl, USL) describes these data: the curve may be limited by something else ' +
        '(memory bandwidth, a lock, the machine being busy).'
    )
    // The same shape as a smooth Amdahl curve with the same intervals passes.
    const smooth = sweep(amdahlTime(0.3), [1, 2, 3, 4, 6, 8, 12, 16]).map((p) => ({
      ...p,
      ciLowMs: p.timeMs * 0.99,
      ciHighMs: p.timeMs * 1.01
    }))
    expect(analyzeScaling(smooth).fits.amdahl.describesData).toBe(true)
  })

  it('flag oversubscribed and SMT points, and leave the oversubscribed ones out of the fits', () => {
    // This machine: 2 hardware threads. CPU-bound: 2× at 2 threads, flat beyond.
    const a = analyzeScaling(
      [
        { threads: 1, timeMs: 1820 },
        { threads: 2, timeMs: 915 },
        { threads: 4, timeMs: 920 }
      ],
      { hardwareThreads: 2, physicalCores: 1 }
    )
    expect(a.points.map((p) => [p.threads, p.oversubscribed, p.beyondPhysicalCores, p.fitted])).toEqual([
      [1, false, false, true],
      [2, false, true, true],
      [4, true, true, false]
    ])
    expect(a.fits.amdahl.status).toBe('exact')
    expect(a.fits.amdahl.params[0].value).toBeCloseTo(karpFlatt(1820 / 915, 2), 9)
    expect(a.verdicts).toEqual([
      'Only 1 thread count above 1 can be fitted: a serial fraction follows from it exactly, with no interval and no test of any law.',
      'Points beyond the 2 hardware threads (4) are shown but not fitted: the scaling laws describe parallel ' +
        'hardware, not threads time-slicing on the same CPUs.',
      'Thread counts beyond the 1 physical cores (2) share cores (SMT): expect smaller gains there than the laws ' +
        'assume for independent processors.'
    ])
    const all = analyzeScaling(
      [
        { threads: 1, timeMs: 1820 },
        { threads: 2, timeMs: 915 },
        { threads: 4, timeMs: 920 }
      ],
      { hardwareThreads: 2, fitOversubscribed: true }
    )
    expect(all.points.every((p) => p.fitted)).toBe(true)
    expect(all.fits.amdahl.status).toBe('fitted')
  })

  it('say when speedup is superlinear, which no serial-fraction law can follow', () => {
    const a = analyzeScaling([
      { threads: 1, timeMs: 1000 },
      { threads: 2, timeMs: 450 },
      { threads: 4, timeMs: 230 }
    ])
    expect(a.fits.amdahl.params[0]).toMatchObject({ value: 0, atBound: true })
    expect(a.fits.amdahl.verdict).toMatch(/^Amdahl: serialFraction = 0 \(at its bound\)/)
    expect(a.verdicts[0]).toBe(
      'Speedup above the thread count at 2, 4 threads (superlinear: more cache for the same data, or a slow ' +
        '1-thread run): no serial-fraction law describes that, so the fits pin the serial fraction at 0.'
    )
  })
})

describe('bad inputs', () => {
  const ok = { threads: 1, timeMs: 100 }
  it('say what was wrong and what is allowed', () => {
    expect(() => analyzeScaling([])).toThrow('scaling: need at least one point, got none')
    expect(() => analyzeScaling([{ threads: 1, timeMs: NaN }])).toThrow(
      'scaling: point 0 has time NaN ms; times must be finite and > 0'
    )
    expect(() => analyzeScaling([ok, { threads: 2, timeMs: 0 }])).toThrow('point 1 has time 0 ms')
    expect(() => analyzeScaling([ok, { threads: 2, timeMs: -5 }])).toThrow('point 1 has time -5 ms')
    expect(() => analyzeScaling([ok, { threads: 2, timeMs: 50 }, { threads: 2, timeMs: 60 }])).toThrow(
      'scaling: point 2 repeats threads 2; give one point per thread count (its median)'
    )
    expect(() => analyzeScaling([ok, { threads: 0, timeMs: 50 }])).toThrow(
      'point 1 has threads 0; threads must be a whole number ≥ 1'
    )
    expect(() => analyzeScaling([ok, { threads: 2.5, timeMs: 50 }])).toThrow('point 1 has threads 2.5')
    expect(() => analyzeScaling([{ threads: 2, timeMs: 50 }])).toThrow(
      'scaling: need a 1-thread point: speedup is measured against it'
    )
    expect(() => analyzeScaling([ok, { threads: 2, timeMs: 50, work: 0 }])).toThrow('point 1 has work 0')
    expect(() => analyzeScaling([{ ...ok, ciLowMs: 90 }])).toThrow('point 0 has only one end of its interval')
    expect(() => analyzeScaling([{ ...ok, ciLowMs: 110, ciHighMs: 120 }])).toThrow(
      'point 0: its interval must satisfy 0 < ciLowMs ≤ timeMs ≤ ciHighMs'
    )
    expect(() => analyzeScaling([ok], { hardwareThreads: 0 })).toThrow(
      'hardwareThreads must be a whole number ≥ 1, got 0'
    )
    expect(() => analyzeScaling([ok], { physicalCores: 1.5 })).toThrow(
      'physicalCores must be a whole number ≥ 1'
    )
  })

  it('answer a single 1-thread point with nothing to fit', () => {
    const a = analyzeScaling([ok])
    expect(a.fits.amdahl.status).toBe('insufficient')
    expect(a.verdicts).toEqual([
      'Only one thread count was measured: there is no speedup to show and nothing to fit.'
    ])
  })
})
