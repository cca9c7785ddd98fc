import { describe, expect, it } from 'vitest'
import { planJob } from '../../../src/shared/plan'
import { formatEstimate, largeJobNote } from '../../../src/shared/progress'

function noteOf(spec: object, threads: number): string | null {
  const plan = planJob({ ...spec, threads }, 2)
  const unit = plan.workload.layout === 'values' ? 'values' : 'tuples'
  return largeJobNote({ ...plan, unit }, 'Ctrl-C')
}

describe('the warning before a large or long job', () => {
  it('estimates a timed workload from its durations: the busiest thread, at least the longest task', () => {
    const spec = { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [3000], tasks: 8 } }
    expect(planJob({ ...spec, threads: 2 }, 2).estimatedMs).toBe(12_000)
    expect(planJob({ ...spec, threads: 8 }, 2).estimatedMs).toBe(3000)
    expect(noteOf(spec, 2)).toBe(
      'A large job: 8 values, estimated at about 12 s on 2 threads, may take a while. ' +
        'Ctrl-C cancels and keeps what is done.'
    )
    expect(noteOf(spec, 8)).toBeNull()
  })

  it('warns of many tuples even when they are quick, with the estimate', () => {
    const spec = {
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'recipe', elements: Array.from({ length: 30 }, (_, i) => i), n: [7], tasks: 8 }
    }
    expect(noteOf(spec, 2)).toMatch(/^A large job: 16,286,400 tuples \(over 10,000,000\), estimated at /)
  })

  it('estimates count_primes higher for the top of a span than for its bottom', () => {
    const plan = planJob(
      {
        workload: 'count_primes',
        style: 'starmap',
        inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
      },
      2
    )
    const costs = plan.calls.map((call) => plan.workload.costNs(call))
    expect(costs).toHaveLength(8)
    for (let i = 1; i < 8; i++) expect(costs[i]).toBeGreaterThan(costs[i - 1])
    // [0, 10^6) took 66 ms on one core when measured; the estimate is within a factor of two.
    const total = costs.reduce((a, b) => a + b, 0) / 1e6
    expect(total).toBeGreaterThan(33)
    expect(total).toBeLessThan(132)
  })

  it('rounds estimates as estimates', () => {
    expect(formatEstimate(400)).toBe('under a second')
    expect(formatEstimate(12_400)).toBe('about 12 s')
    expect(formatEstimate(185_000)).toBe('about 3 min')
    expect(formatEstimate(2 * 3_600_000)).toBe('about 2.0 h')
  })
})
