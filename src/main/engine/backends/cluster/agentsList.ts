import { performance } from 'node:perf_hooks'
import type { ClusterAgents } from '../../../../shared/payloads'
import { registeredAgents } from './cluster'
import { connect, redactRedisUrl } from './connection'
import { measureRedisClock } from './redisClock'

/**
 * The agents registered at a Redis server, as the app lists them: each one's clock offset to this
 * engine (both measured against the server's `TIME`), how long ago it renewed its registration and
 * what it has run. A short-lived connection: the list is asked for every few seconds while the
 * cluster back end is chosen, and a Redis that went away must not leave a connection retrying.
 */
export async function listClusterAgents(url: string): Promise<ClusterAgents> {
  const redis = await connect(url)
  try {
    const pingFrom = performance.now()
    await redis.ping()
    const roundTripMs = performance.now() - pingFrom
    const clock = await measureRedisClock(redis)
    const agents = await registeredAgents(redis)
    // Now and each agent's last beat, both on the Redis server's clock.
    const serverNow = performance.timeOrigin + performance.now() - clock.offsetMs
    return {
      url: redactRedisUrl(url),
      roundTripMs,
      threads: agents.reduce((sum, agent) => sum + agent.threads, 0),
      agents: agents.map((agent) => ({
        name: agent.name,
        host: agent.host,
        pid: agent.pid,
        threads: agent.threads,
        cpuModel: agent.cpuModel,
        node: agent.node,
        clockOffsetMs: agent.clockOffsetMs - clock.offsetMs,
        clockUncertaintyMs: agent.clockUncertaintyMs + clock.uncertaintyMs,
        chunksDone: agent.chunksDone,
        lastSeenMs: Math.max(0, serverNow - (agent.seenAt - agent.clockOffsetMs)),
        allowCode: agent.allowCode ?? false
      }))
    }
  } finally {
    redis.disconnect()
  }
}
