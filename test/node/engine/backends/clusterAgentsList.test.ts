// `cluster.agents` through the EngineHost, as every front door asks it: the agents registered at a
// real (throwaway) Redis with their threads and clock offsets, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../../src/main/cluster/agent'
import { EngineHost } from '../../../../src/main/host/engineHost'
import { workerFile } from '../../../paths'
import { freePort, redisAvailable, redisRequired, startRedis, type RedisServer } from './redisServer'

const available = redisAvailable()

describe.runIf(!available && redisRequired())('cluster agents list requirement', () => {
  it('has a redis-server to run, since POOLSCOPE_REQUIRE_REDIS=1', () => {
    throw new Error('POOLSCOPE_REQUIRE_REDIS=1 but no redis-server was found; apt-get install redis-server')
  })
})

describe.skipIf(!available)(`cluster.agents${available ? '' : ' (skipped: no redis-server on PATH)'}`, () => {
  let redis: RedisServer
  let agents: Agent[] = []
  let host: EngineHost
  beforeAll(async () => {
    redis = await startRedis()
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
  }, 30_000)
  afterAll(async () => {
    await host?.dispose()
    await Promise.all(agents.map((agent) => agent.stop()))
    await redis?.stop()
  })

  it('lists no agent at a Redis nobody registered at', async () => {
    const outcome = await host.call('cluster.agents', { redis: redis.url })
    expect(outcome).toMatchObject({ ok: true, result: { url: `${redis.url}`, agents: [], threads: 0 } })
  })

  it('lists each agent with its threads, clock offset within its uncertainty, and when it was last seen', async () => {
    agents = await Promise.all([
      Agent.start({ redis: redis.url, threads: 2, name: 'lab-b', workerFile }),
      Agent.start({ redis: redis.url, threads: 1, name: 'lab-a', workerFile })
    ])
    const outcome = await host.call('cluster.agents', { redis: redis.url })
    if (!outcome.ok) throw new Error(outcome.error.message)
    const list = outcome.result as {
      roundTripMs: number
      threads: number
      agents: Array<Record<string, unknown> & { clockOffsetMs: number; clockUncertaintyMs: number }>
    }
    expect(list.threads).toBe(3)
    expect(list.roundTripMs).toBeGreaterThan(0)
    expect(list.agents.map((a) => [a.name, a.threads, a.pid, a.allowCode])).toEqual([
      ['lab-a', 1, process.pid, false],
      ['lab-b', 2, process.pid, false]
    ])
    for (const agent of list.agents) {
      // Same machine, same clock: the offset is zero within what was measured (+1 ms of scheduling).
      expect(Math.abs(agent.clockOffsetMs)).toBeLessThanOrEqual(agent.clockUncertaintyMs + 1)
      expect(agent.lastSeenMs).toBeGreaterThanOrEqual(0)
      expect(agent.lastSeenMs).toBeLessThan(2500)
      expect(agent.chunksDone).toBe(0)
    }
  })

  it('drops an agent once it stops', async () => {
    await agents[0].stop()
    const outcome = await host.call('cluster.agents', { redis: redis.url })
    if (!outcome.ok) throw new Error(outcome.error.message)
    expect((outcome.result as { agents: Array<{ name: string }> }).agents.map((a) => a.name)).toEqual([
      'lab-a'
    ])
  })

  it('says when Redis cannot be reached, under the redis field, with the password hidden', async () => {
    const port = await freePort()
    const outcome = await host.call('cluster.agents', { redis: `redis://:hunter2@127.0.0.1:${port}` })
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.error.code).toBe('POOL_FAILED')
    expect(outcome.error.path).toEqual(['redis'])
    expect(outcome.error.message).toMatch(
      new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)
    )
    expect(outcome.error.message).not.toContain('hunter2')
  })

  it('uses a Redis password to connect and keeps it out of the job: summary, exports', async () => {
    const locked = await startRedis({ password: 'hunter2' })
    const agent = await Agent.start({ redis: locked.url, threads: 1, name: 'locked-agent', workerFile })
    try {
      expect(locked.url).toContain(':hunter2@')
      const hidden = locked.url.replace(':hunter2@', ':***@')
      const listed = await host.call('cluster.agents', { redis: locked.url })
      expect(listed).toMatchObject({ ok: true, result: { url: hidden } })
      const started = await host.call('job.start', {
        spec: {
          workload: 'combinations',
          style: 'map',
          inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 2 },
          threads: 1,
          backend: 'cluster',
          redis: locked.url
        }
      })
      if (!started.ok) throw new Error(started.error.message)
      const { jobId } = started.result as { jobId: string }
      await host.engine.job(jobId).done
      expect((started.result as { spec: { redis: string } }).spec.redis).toBe(hidden)
      const summary = await host.call('job.summary', { jobId })
      expect(summary).toMatchObject({ ok: true, result: { status: 'done', spec: { redis: hidden } } })
      for (const format of ['json', 'trace'] as const) {
        const file = await host.call('job.export', { jobId, format })
        if (!file.ok) throw new Error(file.error.message)
        expect(JSON.stringify(file.result)).not.toContain('hunter2')
      }
    } finally {
      await agent.stop()
      await locked.stop()
    }
  })

  it('refuses what is not a Redis URL before connecting anywhere', async () => {
    const outcome = await host.call('cluster.agents', { redis: 'http://127.0.0.1:6379' })
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: expect.stringContaining('redis must be a redis:// or rediss:// URL')
      }
    })
  })
})
