// What the Scaling section writes (scalingReport.ts) and how the sweep setup's fields become
// options (stores/sweepForm.ts): rows with their flags, fits in words, predictions, and the
// fields' messages from the host's own schema.
import { describe, expect, it } from 'vitest'
import {
  fitReport,
  fitReports,
  pointFlags,
  pointRows,
  predictionRows
} from '../../../src/renderer/src/scalingReport'
import {
  defaultSweepFields,
  readSweepFields,
  type SweepFields
} from '../../../src/renderer/src/stores/sweepForm'
import { amdahlTime, around, fixtureResult } from './sweepFixture'

describe('pointRows', () => {
  it('gives each point its median, interval, runs, CV, speedup, efficiency and Karp–Flatt', () => {
    const result = fixtureResult(
      [1, 2, 4].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.2, n)) })),
      { hardwareThreads: 4 }
    )
    const rows = pointRows(result)
    const analysis = result.analysis[0].result!
    expect(rows.map((r) => r.key)).toEqual(['threads:1', 'threads:2', 'threads:4'])
    const two = rows[1]
    const point = result.points[1]
    expect(two.median).toBe(`${point.summary!.median.toFixed(0)} ms`)
    expect(two.median).toBe('600 ms')
    expect(two.ci).toBe(
      `${point.summary!.medianCi!.low.toFixed(0)} – ${point.summary!.medianCi!.high.toFixed(0)} ms`
    )
    expect(two.samples).toBe(5)
    expect(two.cv).toBe(`${(point.summary!.cv * 100).toFixed(1)}%`)
    expect(two.speedup).toBe(`${analysis.points[1].speedup.toFixed(2)}×`)
    expect(two.speedup).toBe('1.67×')
    expect(two.efficiency).toBe('83%')
    // Karp–Flatt recovers the serial fraction the times were made with.
    expect(two.karpFlatt).toBe('0.200')
    expect(rows[0].karpFlatt).toBe('—')
    expect(two.flags).toEqual([])
  })

  it('lists threads before processes, thread counts ascending', () => {
    const result = fixtureResult([
      { threads: 2, samples: around(600) },
      { threads: 1, backend: 'processes', samples: around(1200) },
      { threads: 1, samples: around(1000) },
      { threads: 2, backend: 'processes', samples: around(800) }
    ])
    expect(pointRows(result).map((r) => r.key)).toEqual([
      'threads:1',
      'threads:2',
      'processes:1',
      'processes:2'
    ])
  })
})

describe('pointFlags', () => {
  it('flags a busy machine, short runs with the suggested tasks, re-run outliers, high CV and the time limit', () => {
    const result = fixtureResult(
      [
        { threads: 1, samples: around(50) },
        {
          threads: 2,
          samples: [40, 52, 60, 30, 45],
          busy: [0, 3],
          replaced: 1,
          stopReason: 'time-limit',
          relativeHalfWidth: 0.21
        }
      ],
      { hardwareThreads: 2, taskCount: 8 }
    )
    const point = result.points[1]
    const analysed = result.analysis[0].result!.points[1]
    expect(point.summary!.tooShort).toBe(true)
    expect(point.summary!.highVariation).toBe(true)
    expect(pointFlags(point, analysed, null)).toEqual([
      'busy machine (2 of 6 runs)',
      `too short (< 100 ms): try ${Math.ceil((8 * 100) / point.summary!.median)} tasks`,
      '1 outlier re-run',
      'high CV (> 10%)',
      'time limit reached at ± 21%'
    ])
  })

  it('flags points beyond the hardware threads as not fitted, and beyond the physical cores as SMT', () => {
    const result = fixtureResult(
      [1, 2, 4, 8].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.1, Math.min(n, 4))) })),
      { hardwareThreads: 4 }
    )
    const rows = pointRows(result, 2)
    expect(rows.map((r) => r.flags)).toEqual([
      [],
      [],
      ['beyond the physical cores (SMT)'],
      ['oversubscribed: not fitted']
    ])
  })

  it('says a point is still measuring, or was never measured', () => {
    const result = fixtureResult([
      { threads: 1, samples: around(1000) },
      { threads: 2, samples: around(500), stopReason: null },
      { threads: 4, samples: [], stopReason: 'cancelled' }
    ])
    const rows = pointRows(result)
    expect(rows[1].flags).toEqual(['measuring'])
    expect(rows[2]).toMatchObject({ median: '—', ci: '', cv: '—', speedup: '—', flags: ['not measured'] })
  })
})

describe('fit reports', () => {
  it('gives the serial fraction with its interval and the fit quality', () => {
    const result = fixtureResult(
      [1, 2, 3, 4, 6, 8].map((n) => ({
        threads: n,
        samples: around(amdahlTime(1000, 0.1, n) * (n % 2 === 0 ? 1.003 : 0.997))
      }))
    )
    const fit = result.analysis[0].result!.fits.amdahl
    const report = fitReport(fit)
    const [f] = fit.params
    expect(report.status).toBe('fitted')
    expect(report.params).toEqual([
      `serial fraction f = ${f.value.toFixed(3)} (95% CI ${f.ci!.low.toFixed(3)} – ${f.ci!.high.toFixed(3)})`
    ])
    expect(f.ci!.low).toBeLessThan(0.1)
    expect(f.ci!.high).toBeGreaterThan(0.1)
    expect(report.quality).toBe(
      `R² ${fit.r2!.toFixed(3)} · typical miss ${(fit.residualStandardError! * 100).toFixed(1)}% · AICc ${fit.aicc!.toFixed(1)} · 6 thread counts`
    )
    expect(report.verdict).toBe(fit.verdict)
  })

  it('says when a law misses the measured intervals', () => {
    // Flat beyond 2 threads (a memory-bound job): no serial fraction explains both 2× and then nothing.
    const result = fixtureResult(
      [1, 2, 3, 4, 6, 8].map((n) => ({ threads: n, samples: around(n === 1 ? 1000 : 500) }))
    )
    const fit = result.analysis[0].result!.fits.amdahl
    expect(fit.describesData).toBe(false)
    expect(fitReport(fit).quality).toMatch(/ · misses the measured intervals$/)
  })

  it('gives the USL’s σ, κ and its peak, or says there is none', () => {
    const usl = (n: number) => 1000 / (n / (1 + 0.05 * (n - 1) + 0.02 * n * (n - 1)))
    const result = fixtureResult([1, 2, 3, 4, 6, 8].map((n) => ({ threads: n, samples: around(usl(n)) })))
    const fit = result.analysis[0].result!.fits.usl
    const report = fitReport(fit)
    expect(report.params[0]).toMatch(/^contention σ = 0\.0\d\d \(95% CI /)
    expect(report.params[1]).toMatch(/^coherency κ = 0\.0[12]\d\d \(95% CI /)
    expect(report.params[2]).toMatch(/^peak concurrency N\* = \d\.\d threads/)
    // N* = sqrt((1 − σ)/κ) ≈ 6.7 for σ = 0.05, κ = 0.02.
    expect(fit.peakThreads!).toBeCloseTo(Math.sqrt(0.95 / 0.02), 0)
  })

  it('says an exact fit of two points tests nothing, and an insufficient one why it has no figures', () => {
    const result = fixtureResult(
      [1, 2].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.2, n)) }))
    )
    const analysis = result.analysis[0].result!
    const [amdahl, usl] = fitReports(analysis)
    expect(amdahl.status).toBe('exact')
    expect(amdahl.params).toEqual(['serial fraction f = 0.200'])
    expect(amdahl.quality).toBe('exact: as many thread counts as parameters, so nothing tests it')
    expect(usl).toMatchObject({ model: 'usl', status: 'insufficient', params: [] })
    expect(usl.quality).toBe('not fitted: 2 thread counts used')
    expect(analysis.verdicts[0]).toMatch(/^Only two thread counts were measured \(1 and 2\)/)
  })

  it('predicts at 4, 8, 16 and 64 threads, one column per law it could estimate', () => {
    const result = fixtureResult(
      [1, 2].map((n) => ({ threads: n, samples: around(amdahlTime(1000, 0.2, n)) }))
    )
    const rows = predictionRows(result.analysis[0].result!)
    expect(rows.map((r) => r.threads)).toEqual([4, 8, 16, 64])
    const at = (n: number) => (1 / (0.2 + 0.8 / n)).toFixed(2)
    expect(rows.map((r) => r.cells)).toEqual(
      [4, 8, 16, 64].map((n) => [{ model: 'amdahl', text: `${at(n)}×` }])
    )
  })
})

describe('sweep setup fields', () => {
  const fields = (over: Partial<SweepFields> = {}): SweepFields => ({
    ...defaultSweepFields(2, 'threads'),
    ...over
  })

  it('defaults to 1, 2, 4 … twice the hardware threads, 5 repeats and 60 s', () => {
    expect(defaultSweepFields(2, 'threads')).toEqual({
      threads: '1, 2, 4',
      backend: 'threads',
      repeat: '5',
      maxSeconds: '60',
      scaled: false
    })
    expect(defaultSweepFields(6, 'processes').threads).toBe('1, 2, 4, 6, 8, 12')
  })

  it('reads the fields into sweep.start options', () => {
    expect(
      readSweepFields(fields({ threads: '4 2,1', backend: 'both', repeat: '3', maxSeconds: '1.5' }), 2)
    ).toEqual({
      options: { threads: [1, 2, 4], backends: ['threads', 'processes'], repeat: 3, maxSeconds: 1.5 },
      errors: {}
    })
  })

  it.each([
    [{ threads: '1, two' }, 'threads', '"two" is not a thread count: list whole numbers, e.g. 1, 2, 4'],
    [{ threads: '' }, 'threads', 'threads needs at least one thread count'],
    [{ threads: '2, 4' }, 'threads', 'threads must include 1: speedup is measured against one thread'],
    [{ threads: '1, 2, 2' }, 'threads', 'threads lists a thread count twice; list each once'],
    [{ threads: '1, 0' }, 'threads', 'each thread count must be at least 1'],
    [{ repeat: '0' }, 'repeat', 'repeat must be at least 1'],
    [{ repeat: '2.5' }, 'repeat', 'repeat must be a whole number'],
    [{ repeat: 'x' }, 'repeat', 'repeat must be a number'],
    [{ maxSeconds: '0' }, 'maxSeconds', 'maxSeconds must be more than 0'],
    [{ maxSeconds: 'soon' }, 'maxSeconds', 'maxSeconds must be a number of seconds']
  ] as const)('refuses %o under %s', (over, field, message) => {
    const read = readSweepFields(fields(over), 2)
    expect(read.options).toBeNull()
    expect(read.errors).toEqual({ [field]: message })
  })

  it('bounds the thread counts as the host does on this machine', () => {
    const read = readSweepFields(fields({ threads: '1, 9' }), 2)
    expect(read.errors.threads).toMatch(/^threads must be at most 8 on this machine/)
    expect(readSweepFields(fields({ threads: '1, 8' }), 2).errors).toEqual({})
  })
})
