import { performance } from 'node:perf_hooks'
import type { Redis } from 'ioredis'

/** Probes per estimate; the one with the shortest round trip gives the offset. */
const CLOCK_PROBES = 9

/** This process's clock minus the Redis server's, with its uncertainty (half the best round trip), ms. */
export interface ClockOffset {
  offsetMs: number
  uncertaintyMs: number
}

const now = (): number => performance.timeOrigin + performance.now()

/**
 * Estimates how far this process's clock is ahead of the Redis server's, from its `TIME` (seconds
 * and microseconds). The server read its clock somewhere inside the round trip: assuming the middle
 * errs by at most half of it, so the probe with the shortest round trip is kept. Every agent and the
 * coordinator measure against the same server, so their offsets to each other follow.
 */
export async function measureRedisClock(redis: Redis, probes = CLOCK_PROBES): Promise<ClockOffset> {
  let best = { rtt: Infinity, offset: 0 }
  for (let i = 0; i < probes; i++) {
    const sentAt = now()
    const [seconds, micros] = await redis.time()
    const receivedAt = now()
    const serverMs = Number(seconds) * 1000 + Number(micros) / 1000
    const rtt = receivedAt - sentAt
    if (rtt < best.rtt) best = { rtt, offset: (sentAt + receivedAt) / 2 - serverMs }
  }
  return { offsetMs: best.offset, uncertaintyMs: best.rtt / 2 }
}
