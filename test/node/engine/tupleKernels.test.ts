import { describe, expect, it } from 'vitest'
import type { PositionsPlan } from '../../../src/shared/workloads/entry'
import { positionsCount } from '../../../src/shared/workloads/positionsCount'
import { CHECK_EVERY } from '../../../src/main/engine/kernels/combinations'
import { permutations } from '../../../src/main/engine/kernels/permutations'
import { powerset } from '../../../src/main/engine/kernels/powerset'
import { product } from '../../../src/main/engine/kernels/product'

// Oracles written the textbook way, recursively, independent of the iterative kernels under test
// (the CLI golden tests hold the same kernels to Python's itertools itself).
function permutationsOracle(n: number, k: number): number[][] {
  const out: number[][] = []
  const walk = (prefix: number[]) => {
    if (prefix.length === k) return void out.push(prefix)
    for (let i = 0; i < n; i++) if (!prefix.includes(i)) walk([...prefix, i])
  }
  if (k <= n) walk([])
  return out
}

function productOracle(n: number, k: number): number[][] {
  if (k === 0) return [[]]
  return productOracle(n, k - 1).flatMap((prefix) => Array.from({ length: n }, (_, i) => [...prefix, i]))
}

function powersetOracle(n: number): number[][] {
  // Every subset as a bit mask, ordered by size, then lexicographically, as the recipe gives.
  const subsets: number[][] = []
  for (let mask = 0; mask < 2 ** n; mask++) {
    subsets.push(Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i)))
  }
  const lexicographic = (a: number[], b: number[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]
    return 0
  }
  return subsets.sort((a, b) => a.length - b.length || lexicographic(a, b))
}

type Kernel = typeof permutations

/** Runs a kernel into a buffer the way the worker lays one out, and reads its tuples back. */
function run(
  kernel: Kernel,
  plan: PositionsPlan,
  keep = -1,
  checkpoint: (since: number) => boolean = () => true
) {
  const count = Number(positionsCount(plan))
  const stored = keep < 0 ? count : Math.min(keep, count)
  const out = new Uint8Array(stored * plan.k)
  const produced = kernel(plan, keep, out, 0, new Uint32Array(1000), checkpoint)
  const tuples: number[][] = []
  for (let i = 0; i < stored; i++) {
    const places = Array.from(out.subarray(i * plan.k, (i + 1) * plan.k))
    // A ragged tuple ends at its first place holding n.
    const end = plan.ragged ? places.indexOf(plan.n) : -1
    tuples.push(end < 0 ? places : places.slice(0, end))
  }
  return { produced, tuples }
}

const plan = (kernel: string, n: number, k: number): PositionsPlan => ({ kernel, layout: 'positions', n, k })
const powersetPlan = (n: number): PositionsPlan => ({
  kernel: 'powerset',
  layout: 'positions',
  n,
  k: n,
  ragged: true
})

describe('permutations kernel', () => {
  it('produces every k-permutation in itertools order, n up to 6, k up to n + 1', () => {
    for (let n = 0; n <= 6; n++) {
      for (let k = 0; k <= n + 1; k++) {
        const expected = permutationsOracle(n, k)
        const { produced, tuples } = run(permutations, plan('permutations', n, k))
        expect(produced).toBe(expected.length)
        expect(tuples).toEqual(expected)
      }
    }
  })

  it('starts the next task afresh after one stopped midway', () => {
    expect(run(permutations, plan('permutations', 12, 6), 0, () => false).produced).toBe(-1)
    expect(run(permutations, plan('permutations', 4, 3)).tuples).toEqual(permutationsOracle(4, 3))
  })
})

describe('product kernel', () => {
  it('produces every k-tuple in itertools.product(repeat=k) order, n up to 5, k up to 4', () => {
    for (let n = 0; n <= 5; n++) {
      for (let k = 0; k <= 4; k++) {
        const expected = productOracle(n, k)
        const { produced, tuples } = run(product, plan('product', n, k))
        expect(produced).toBe(expected.length)
        expect(tuples).toEqual(expected)
      }
    }
  })
})

describe('powerset kernel', () => {
  it('produces every subset, shortest first, in the recipe order, n up to 8', () => {
    for (let n = 0; n <= 8; n++) {
      const expected = powersetOracle(n)
      const { produced, tuples } = run(powerset, powersetPlan(n))
      expect(produced).toBe(2 ** n)
      expect(tuples).toEqual(expected)
    }
  })
})

describe('every tuple kernel', () => {
  const cases: Array<[string, Kernel, PositionsPlan]> = [
    ['permutations', permutations, plan('permutations', 10, 6)],
    ['product', product, plan('product', 8, 6)],
    ['powerset', powerset, powersetPlan(18)]
  ]
  for (const [name, kernel, shape] of cases) {
    it(`${name}: keeps the first N, still produces them all and reports every block`, () => {
      const total = Number(positionsCount(shape))
      expect(total).toBeGreaterThan(2 * CHECK_EVERY)
      const reports: number[] = []
      const whole = run(kernel, shape)
      const kept = run(kernel, shape, 3, (since: number) => {
        reports.push(since)
        return true
      })
      expect(kept.produced).toBe(total)
      expect(kept.tuples).toEqual(whole.tuples.slice(0, 3))
      expect(reports.reduce((a, b) => a + b, 0)).toBe(total)
      expect(reports.slice(0, -1).every((since) => since === CHECK_EVERY)).toBe(true)
    })

    it(`${name}: stops at the first checkpoint that says so`, () => {
      let calls = 0
      const stopped = run(kernel, shape, 0, () => {
        calls++
        return false
      })
      expect(stopped.produced).toBe(-1)
      expect(calls).toBe(1)
    })
  }
})
