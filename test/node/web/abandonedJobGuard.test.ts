import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbandonedJobGuard, abandonedReason } from '../../../src/main/web/abandonedJobGuard'

describe('AbandonedJobGuard', () => {
  let reasons: string[]
  let guard: AbandonedJobGuard
  beforeEach(() => {
    vi.useFakeTimers()
    reasons = []
    guard = new AbandonedJobGuard(async (reason) => reasons.push(reason), 5000)
  })
  afterEach(() => {
    guard.dispose()
    vi.useRealTimers()
  })

  it('cancels the running job once the last client has been gone for the grace period', () => {
    guard.clientConnected()
    guard.clientDisconnected()
    vi.advanceTimersByTime(4999)
    expect(reasons).toEqual([])
    vi.advanceTimersByTime(1)
    expect(reasons).toEqual(['cancelled: no client was connected for 5 s'])
  })

  it('does not cancel when a client reconnects within the grace period, as a reload does', () => {
    guard.clientConnected()
    guard.clientDisconnected()
    vi.advanceTimersByTime(3000)
    guard.clientConnected()
    vi.advanceTimersByTime(10_000)
    expect(reasons).toEqual([])
  })

  it('waits while another client is still connected', () => {
    guard.clientConnected()
    guard.clientConnected()
    guard.clientDisconnected()
    vi.advanceTimersByTime(10_000)
    expect(reasons).toEqual([])
  })

  it('never cancels after dispose', () => {
    guard.clientConnected()
    guard.clientDisconnected()
    guard.dispose()
    vi.advanceTimersByTime(10_000)
    expect(reasons).toEqual([])
  })
})

describe('abandonedReason', () => {
  it('states the grace period in seconds', () => {
    expect(abandonedReason(5000)).toBe('cancelled: no client was connected for 5 s')
    expect(abandonedReason(250)).toBe('cancelled: no client was connected for 0.25 s')
  })
})
