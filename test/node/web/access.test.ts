import { describe, expect, it } from 'vitest'
import { OneTimeCodes, readCookie, sessionCookieName } from '../../../src/main/web/access'

describe('one-time codes', () => {
  it('are redeemed once and then refused', () => {
    const codes = new OneTimeCodes(60_000)
    const code = codes.issue()
    expect(codes.redeem(code)).toBe(true)
    expect(codes.redeem(code)).toBe(false)
  })

  it('are refused once their lifetime has passed', () => {
    let now = 1_000
    const codes = new OneTimeCodes(500, () => now)
    const code = codes.issue()
    now = 1_499
    const other = codes.issue()
    now = 1_500
    expect(codes.redeem(code)).toBe(false)
    expect(codes.redeem(other)).toBe(true)
  })

  it('refuse a code that was never issued', () => {
    const codes = new OneTimeCodes(60_000)
    codes.issue()
    expect(codes.redeem('made-up')).toBe(false)
    expect(codes.redeem('')).toBe(false)
  })

  it('forget the oldest code when 32 are waiting', () => {
    const codes = new OneTimeCodes(60_000)
    const first = codes.issue()
    const rest = Array.from({ length: 32 }, () => codes.issue())
    expect(codes.redeem(first)).toBe(false)
    expect(rest.every((code) => codes.redeem(code))).toBe(true)
  })
})

describe('session cookies', () => {
  it('are named after the port, so hosts on two ports keep separate sessions', () => {
    expect(sessionCookieName(5173)).toBe('poolscope-5173')
    expect(sessionCookieName(5174)).not.toBe(sessionCookieName(5173))
  })

  it('are read from a Cookie header by exact name', () => {
    const header = 'poolscope-51730=x; poolscope-5173=right; other=y'
    expect(readCookie(header, 'poolscope-5173')).toBe('right')
    expect(readCookie(header, 'poolscope-517')).toBeNull()
    expect(readCookie(undefined, 'poolscope-5173')).toBeNull()
    expect(readCookie('garbage;;=;', 'poolscope-5173')).toBeNull()
  })
})
