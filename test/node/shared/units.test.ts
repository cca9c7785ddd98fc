import { describe, expect, it } from 'vitest'
import { formatNanoseconds } from '../../../src/shared/units'

describe('formatNanoseconds', () => {
  it.each([
    [640, '640 ns'],
    [9_999.4, '9999 ns'],
    [12_500, '12.5 µs'],
    [999_940, '999.9 µs'],
    [1_355_500, '1.36 ms'],
    [572_557_000, '572.6 ms'],
    [12_400_000_000, '12.40 s']
  ])('writes %d ns as %s', (ns, text) => {
    expect(formatNanoseconds(ns)).toBe(text)
  })
})
