// What the Scaling section and the sweep setup say about a scaled sweep (tasks growing with the
// threads): the size in words, the explanation, the tasks per point, Gustafson's fit in words, and
// the `scaled` field as an option and back.
import { describe, expect, it } from 'vitest'
import {
  fitReports,
  pointRows,
  predictedModels,
  scaledText,
  scalingExplanation
} from '../../../src/renderer/src/scalingReport'
import {
  defaultSweepFields,
  fieldsOfSweepOptions,
  readSweepFields
} from '../../../src/renderer/src/stores/sweepForm'
import { buildScalingOption } from '../../../src/renderer/src/charts/scaling'
import { jobFileText, readJobFile } from '../../../src/shared/jobFile'
import { around, fixtureResult } from './sweepFixture'

/** Gustafson's time at n threads for N times the 1-thread work: T1 · n / (n − f(n − 1)). */
function gustafsonTime(t1: number, f: number, n: number): number {
  return (t1 * n) / (n - f * (n - 1))
}

describe('a scaled sweep in words', () => {
  const result = fixtureResult(
    [1, 2, 4, 8].map((n) => ({ threads: n, samples: around(gustafsonTime(400, 0.1, n)) })),
    { hardwareThreads: 8, taskCount: 16, scaled: true }
  )

  it('says how many tasks each thread ran, and shows each point’s tasks', () => {
    expect(scaledText(result)).toBe('scaled: 16 tasks per thread')
    expect(pointRows(result).map((r) => [r.threads, r.tasks])).toEqual([
      [1, '16'],
      [2, '32'],
      [4, '64'],
      [8, '128']
    ])
    // One task per thread is singular.
    const one = fixtureResult([{ threads: 1, samples: around(100) }], { taskCount: 1, scaled: true })
    expect(scaledText(one)).toBe('scaled: 1 task per thread')
    // Told the mode, the analysis knows a scaled sweep even before a second point (equal work).
    expect(one.analysis[0].result!.mode).toBe('scaled')
    expect(one.analysis[0].result!.fits.gustafson.applies).toBe(true)
    // A fixed-size sweep says nothing of the kind.
    expect(scaledText(fixtureResult([{ threads: 1, samples: around(100) }]))).toBeNull()
  })

  it('explains speedup as a throughput ratio', () => {
    expect(scalingExplanation('speedup', true)).toMatch(
      /^The tasks grow with the threads, so speedup is work per second at N threads over work per second at 1 thread \(Gustafson\)/
    )
    expect(scalingExplanation('efficiency', true)).toMatch(/^Efficiency is scaled speedup over threads/)
    expect(scalingExplanation('speedup', false)).toMatch(
      /^Speedup is the 1-thread median time over the N-thread median/
    )
  })

  it('names the chart’s axis as a throughput ratio and draws Gustafson’s curve', () => {
    const option = buildScalingOption({ result, hardwareThreads: 8 }) as unknown as {
      yAxis: { name: string }
      series: { name: string }[]
    }
    expect(option.yAxis.name).toBe('scaled speedup (work/s at N ÷ at 1)')
    expect(option.series.some((s) => s.name === 'Gustafson fit')).toBe(true)
    expect(option.series.some((s) => s.name === 'Amdahl fit')).toBe(false)
    const fixed = buildScalingOption({
      result: fixtureResult([{ threads: 1, samples: around(100) }]),
      hardwareThreads: 8
    })
    expect((fixed as unknown as { yAxis: { name: string } }).yAxis.name).toBe('speedup (T₁ / T_N)')
  })

  it('reports Gustafson’s serial fraction (and the USL), not Amdahl’s, recovering f = 0.1', () => {
    const analysis = result.analysis[0].result!
    expect(analysis.mode).toBe('scaled')
    // Speedup is the throughput ratio: 8 × the work in gustafsonTime(8) against 1 × in gustafsonTime(1).
    expect(analysis.points[3].speedup).toBeCloseTo(8 - 0.1 * 7, 2)
    const reports = fitReports(analysis)
    expect(reports.map((r) => r.model)).toEqual(['usl', 'gustafson'])
    const gustafson = reports.find((r) => r.model === 'gustafson')!
    expect(gustafson.label).toBe('Gustafson')
    expect(gustafson.status).toBe('fitted')
    const [, value, low, high] =
      /^serial fraction f = (\d\.\d{3}) \(95% CI (\d\.\d{3}) – (\d\.\d{3})\)$/.exec(gustafson.params[0])!
    expect(Number(value)).toBeCloseTo(0.1, 2)
    expect(Number(low)).toBeLessThanOrEqual(0.1)
    expect(Number(high)).toBeGreaterThanOrEqual(0.1)
    expect(predictedModels(analysis)).toEqual(['usl', 'gustafson'])
  })
})

describe('the scaled field', () => {
  it('is off by default, sent only when ticked, and read back from options', () => {
    const fields = defaultSweepFields(2, 'threads')
    expect(fields.scaled).toBe(false)
    expect(readSweepFields(fields, 2).options).not.toHaveProperty('scaled')
    expect(readSweepFields({ ...fields, scaled: true }, 2).options).toEqual({
      threads: [1, 2, 4],
      backends: ['threads'],
      repeat: 5,
      maxSeconds: 60,
      scaled: true
    })
    expect(fieldsOfSweepOptions({ threads: [1, 2], scaled: true }).scaled).toBe(true)
    // A saved sweep or preset from before scaled sweeps is fixed-size.
    expect(fieldsOfSweepOptions({ threads: [1, 2] }).scaled).toBe(false)
  })

  it('goes into a preset and comes back; a bad value is refused, saying so', () => {
    const spec = {
      workload: 'busy_wait',
      style: 'map' as const,
      inputs: { kind: 'recipe' as const, ms: [5], tasks: 8 }
    }
    const text = jobFileText(spec, {
      threads: [1, 2],
      backends: ['threads'],
      repeat: 2,
      maxSeconds: 3,
      scaled: true
    })
    expect(JSON.parse(text).sweep.scaled).toBe(true)
    expect(readJobFile(text).sweep).toEqual({
      threads: [1, 2],
      backends: ['threads'],
      repeat: 2,
      maxSeconds: 3,
      scaled: true
    })
    const bad = JSON.stringify({
      format: 'poolscope-job',
      version: 1,
      spec,
      sweep: { threads: [1, 2], scaled: 'yes' }
    })
    expect(() => readJobFile(bad, 'The file')).toThrow(
      'The file holds sweep settings that are not valid: sweep.scaled: scaled must be true or false (true: the tasks grow with the threads; false: every point runs the same tasks).'
    )
  })
})
