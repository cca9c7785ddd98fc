import { describe, expect, it } from 'vitest'
import { binomial, binomialSafe } from '../../../src/shared/binomial'

/** Pascal's rule, independent of the multiplicative formula under test. */
function pascal(n: number, k: number): bigint {
  let row = [1n]
  for (let i = 0; i < n; i++) row = [1n, ...row.slice(1).map((v, j) => v + row[j]), 1n]
  return k < 0 || k > n ? 0n : row[k]
}

describe('binomial', () => {
  it('matches Pascal’s triangle for every n up to 70', () => {
    for (let n = 0; n <= 70; n++) {
      for (let k = -1; k <= n + 1; k++) expect(binomial(n, k)).toBe(pascal(n, k))
    }
  })

  it('is exact beyond 2^53', () => {
    expect(binomial(100, 50)).toBe(100891344545564193334812497256n)
    expect(binomial(67, 33)).toBe(14226520737620288370n)
    expect(binomial(1000, 3)).toBe(166167000n)
  })

  it('gives 0 when k exceeds n, as itertools yields nothing', () => {
    expect(binomial(3, 4)).toBe(0n)
  })

  it('returns null from binomialSafe when the value is not exactly representable', () => {
    expect(binomialSafe(30, 7)).toBe(2035800)
    expect(binomialSafe(100, 50)).toBeNull()
  })
})
