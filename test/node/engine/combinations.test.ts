import { describe, expect, it } from 'vitest'
import { combinations } from '../../../src/main/engine/kernels/combinations'

/** The textbook recursive definition, independent of the iterative kernel under test. */
function oracle(n: number, k: number): number[][] {
  if (k === 0) return [[]]
  const out: number[][] = []
  const walk = (start: number, prefix: number[]) => {
    if (prefix.length === k) {
      out.push(prefix)
      return
    }
    for (let i = start; i < n; i++) walk(i + 1, [...prefix, i])
  }
  walk(0, [])
  return out
}

function run(n: number, k: number, keep = -1) {
  const count = oracle(n, k).length
  const stored = keep < 0 ? count : Math.min(keep, count)
  const out = new Uint8Array(stored * k)
  const produced = combinations(
    { kernel: 'combinations', layout: 'positions', n, k },
    keep,
    out,
    0,
    new Uint32Array(1024),
    () => true
  )
  const tuples: number[][] = []
  for (let i = 0; i < stored; i++) tuples.push(Array.from(out.subarray(i * k, i * k + k)))
  return { produced, tuples }
}

describe('combinations kernel', () => {
  it('produces every k-combination in itertools order for n up to 9', () => {
    for (let n = 0; n <= 9; n++) {
      for (let k = 0; k <= n + 1; k++) {
        const expected = oracle(n, k)
        const { produced, tuples } = run(n, k)
        expect(produced).toBe(expected.length)
        expect(tuples).toEqual(expected)
      }
    }
  })

  it('keeps only the first N tuples yet still produces them all', () => {
    const { produced, tuples } = run(6, 2, 3)
    expect(produced).toBe(15)
    expect(tuples).toEqual([
      [0, 1],
      [0, 2],
      [0, 3]
    ])
  })

  it('counts without storing when keep is zero', () => {
    expect(run(20, 5, 0)).toEqual({ produced: 15504, tuples: [] })
  })

  it('stops at a checkpoint that says so and reports -1', () => {
    let calls = 0
    const out = new Uint8Array(0)
    const produced = combinations(
      { kernel: 'combinations', layout: 'positions', n: 40, k: 6 },
      0,
      out,
      0,
      new Uint32Array(1024),
      () => {
        calls++
        return false
      }
    )
    expect(produced).toBe(-1)
    expect(calls).toBe(1)
  })
})
