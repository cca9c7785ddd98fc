import { describe, expect, it } from 'vitest'
import { planJob } from '../../../src/shared/plan'
import { PythonRandom } from '../../../src/shared/pythonRandom'
import { WORKLOADS, workloadInfos } from '../../../src/shared/workloads'
import { planError } from './planError'

function argsOf(spec: unknown): unknown[] {
  const plan = planJob(spec, 2)
  return Array.from(plan.callIndex, (call) => plan.calls[call].args)
}

describe('recipes of the workloads beside combinations', () => {
  it('count_primes splits a half-open span into equal-width pieces that cover it exactly', () => {
    const spec = {
      workload: 'count_primes',
      style: 'starmap',
      inputs: { kind: 'recipe', span: [10, 33], tasks: 4 }
    }
    expect(argsOf(spec)).toEqual([
      [10, 15],
      [15, 21],
      [21, 27],
      [27, 33]
    ])
  })

  it('busy_wait draws each task’s duration with random.choice and the seed, as Python does', () => {
    const ms = [1, 5, 20]
    const spec = {
      workload: 'busy_wait',
      style: 'map',
      inputs: { kind: 'recipe', ms, tasks: 12, seed: 2023 }
    }
    const random = new PythonRandom(2023)
    const expected = Array.from({ length: 12 }, () => [ms[random.randbelow(3)]])
    expect(argsOf(spec)).toEqual(expected)
    // One duration: every task the same, and no seed in the resolved spec.
    const fixed = planJob({ ...spec, inputs: { kind: 'recipe', ms: [5], tasks: 3 } }, 2)
    expect(Array.from(fixed.callIndex)).toEqual([0, 0, 0])
    expect(fixed.spec.inputs).toEqual({ kind: 'recipe', ms: [5], tasks: 3 })
  })

  it('sizes values workloads at one value per task, 8 bytes each kept', () => {
    const plan = planJob(
      { workload: 'sleep', style: 'map', inputs: { kind: 'recipe', ms: [1], tasks: 5 } },
      2
    )
    expect(plan.totalTuples).toBe(5n)
    expect(plan.keptBytes).toBe(40n)
  })

  it.each([
    [
      { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [-1] } },
      ['inputs', 'ms', 0],
      /ms must be a number of milliseconds from 0 to 60000/
    ],
    [
      { workload: 'sleep', style: 'map', inputs: { kind: 'recipe', ms: [60_001] } },
      ['inputs', 'ms', 0],
      /\(got 60001\)/
    ],
    [
      { workload: 'count_primes', style: 'starmap', inputs: { kind: 'recipe', span: [5, 2] } },
      ['inputs', 'span'],
      /lo ≤ hi/
    ],
    [
      { workload: 'count_primes', style: 'starmap', inputs: { kind: 'recipe', span: [0, 1.5] } },
      ['inputs', 'span', 1],
      /whole numbers/
    ],
    [
      { workload: 'count_primes', style: 'map', inputs: { kind: 'recipe', span: [0, 10] } },
      ['style'],
      /use the starmap call style/
    ],
    [
      { workload: 'count_primes', style: 'starmap', inputs: { kind: 'recipe', span: [0, 10], ms: [1] } },
      ['inputs'],
      /ms/
    ],
    [{ workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe' } }, ['inputs', 'ms'], /inputs\.ms/],
    [
      {
        workload: 'count_primes',
        style: 'starmap',
        inputs: {
          kind: 'args',
          args: [
            [0, 10],
            [-1, 5]
          ]
        }
      },
      ['inputs', 'args', 1],
      /task 1: lo must be a whole number ≥ 0, got -1/
    ],
    [
      { workload: 'busy_wait', style: 'map', inputs: { kind: 'args', args: [5, 'x'] } },
      ['inputs', 'args', 1],
      /task 1: ms must be a number of milliseconds/
    ]
  ])('refuses %j at %j', (spec, path, message) => {
    const error = planError(spec)
    expect(error.path).toEqual(path)
    expect(error.message).toMatch(message)
  })

  it('describes every workload with its layout and its fields, as menus and forms need them', () => {
    const infos = workloadInfos()
    expect(infos.map((w) => [w.name, w.layout, w.fields.map((f) => f.key)])).toEqual([
      ['combinations', 'positions', ['elements']],
      ['combinations_n', 'positions', ['elements', 'n']],
      ['permutations', 'positions', ['elements', 'n']],
      ['product', 'positions', ['elements', 'n']],
      ['powerset', 'positions', ['elements']],
      ['busy_wait', 'values', ['ms']],
      ['sleep', 'values', ['ms']],
      ['count_primes', 'values', ['span']],
      ['monte_carlo_pi', 'values', ['samples', 'first_seed']],
      ['mandelbrot_rows', 'values', ['width', 'height', 'max_iter']],
      ['fibonacci', 'values', ['n']],
      ['stream', 'values', ['mb', 'passes']],
      ['custom', 'json', []]
    ])
    // Each says what it shows and what to look for, in a sentence or two.
    for (const info of infos) expect(info.lookFor.length, info.name).toBeGreaterThan(60)
    // Every field's default text is read by its own parser and accepted by its workload's schema.
    for (const workload of WORKLOADS.values()) {
      const recipe: Record<string, unknown> = {}
      for (const field of workload.fields) {
        const parsed = field.parse(field.defaultText)
        expect(parsed.ok).toBe(true)
        if (parsed.ok) recipe[field.key] = parsed.value
      }
      expect(workload.recipeSchema.safeParse(recipe).success).toBe(true)
    }
  })
})

describe('automatic chunks for values workloads', () => {
  it('gives long values tasks a chunk each, and groups instant ones', () => {
    const primes = planJob(
      {
        workload: 'count_primes',
        style: 'starmap',
        inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
      },
      2
    )
    expect(primes.chunkSize).toBe(1)
    const spins = planJob(
      { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [5], tasks: 40 } },
      2
    )
    expect(spins.chunkSize).toBe(5) // Pool.map's rule, four chunks per thread: 40 / 8
    const instant = planJob(
      { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [0], tasks: 100_000 } },
      2
    )
    expect(instant.chunkSize).toBe(12_500) // Pool.map's rule again: 100,000 / 8
  })
})
