// The cluster back end on a real Redis (a throwaway redis-server on a random loopback port) with
// two agents of one thread each: the same digests as the threads back end (Python's), lanes named
// by agent, timestamps on the coordinator's clock, cancel, and the refusals at start.
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../../src/main/cluster/agent'
import type { Backend } from '../../../../src/main/engine/backends/backend'
import { REDIS_LOST_MS, type ClusterBackend } from '../../../../src/main/engine/backends/cluster/cluster'
import {
  AGENTS_SET,
  CHUNK_QUEUE,
  doneChannel,
  encodeDone,
  type DoneMessage
} from '../../../../src/main/engine/backends/cluster/protocol'
import { Engine } from '../../../../src/main/engine/engine'
import type { Job } from '../../../../src/main/engine/job'
import { mapCellSpec, starmapCellSpec } from '../../../../src/main/cli/notebookCommand'
import type { JobSpecInput } from '../../../../src/shared/spec'
import type { ProgressEvent } from '../../../../src/shared/protocol'
import { workerFile } from '../../../paths'
import { golden, type ArgsCase } from '../../cli/cliHarness'
import { freePort, redisAvailable, redisRequired, startRedis, type RedisServer } from './redisServer'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const LANES = 2
const available = redisAvailable()
const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest

function digestOf(job: Job): string {
  const hash = createHash('sha256')
  for (const slice of job.results.jsonChunks()) hash.update(slice)
  return hash.digest('hex')
}

function poolOf(engine: Engine): Backend {
  const pool = (engine as unknown as { pool: Backend | null }).pool
  if (!pool) throw new Error('the engine has no pool')
  return pool
}

describe.runIf(!available && redisRequired())('cluster suite requirement', () => {
  it('has a redis-server to run, since POOLSCOPE_REQUIRE_REDIS=1', () => {
    throw new Error(
      'POOLSCOPE_REQUIRE_REDIS=1 but no redis-server was found; install it (apt-get install redis-server)'
    )
  })
})

describe.skipIf(!available)(
  `the cluster back end${available ? '' : ' (skipped: no redis-server on PATH; apt-get install redis-server, or POOLSCOPE_REQUIRE_REDIS=1 to fail)'}`,
  () => {
    let redis: RedisServer
    let agents: Agent[]
    let engine: Engine
    let local: Engine
    beforeAll(async () => {
      redis = await startRedis()
      agents = await Promise.all(
        ['agent-a', 'agent-b'].map((name) => Agent.start({ redis: redis.url, threads: 1, name, workerFile }))
      )
      engine = new Engine({ workerFile, hardwareThreads: LANES })
      local = new Engine({ workerFile, hardwareThreads: LANES })
    }, 30_000)
    afterAll(async () => {
      await engine?.dispose()
      await local?.dispose()
      await Promise.all((agents ?? []).map((agent) => agent.stop()))
      await redis?.stop()
    })

    const onCluster = (spec: JobSpecInput): JobSpecInput => ({
      ...spec,
      backend: 'cluster',
      redis: redis.url
    })

    async function both(spec: JobSpecInput): Promise<{ cluster: Job; threads: Job }> {
      const cluster = await engine.start(onCluster(spec))
      await cluster.done
      const threads = await local.start({ ...spec, backend: 'threads' })
      await threads.done
      return { cluster, threads }
    }

    it("gives the notebook's map cell Python's digest, lanes named by agent", async () => {
      const { cluster } = await both(mapCellSpec(LANES))
      expect(cluster.summary().failures).toEqual([])
      expect(cluster.summary()).toMatchObject({ status: 'done', tasksDone: 4, tuplesProduced: 60 })
      expect(digestOf(cluster)).toBe(mapDigest)
      const labels = poolOf(engine).laneLabels()
      expect(labels.map((label) => [label.lane, label.host])).toEqual([
        [0, 'agent-a'],
        [1, 'agent-b']
      ])
      expect(cluster.summary().lanes).toEqual(labels)
      // Small replies travel inside their message: none was stored.
      expect((poolOf(engine) as ClusterBackend).counts()).toMatchObject({ filed: 2, stored: 0 })
      for (const label of labels) {
        expect(label.pid).toBe(process.pid)
        expect(label.threadId).toBeGreaterThan(0)
        // One machine, one clock: the offsets measured through Redis are within a few ms of zero.
        expect(Math.abs(label.clockOffsetMs)).toBeLessThan(5)
      }
    })

    it("gives the notebook's starmap cells and count_primes the threads back end's digests", async () => {
      for (const seed of [0, 42, 2023]) {
        const { cluster, threads } = await both(starmapCellSpec(LANES, seed))
        expect(cluster.summary().status).toBe('done')
        expect(digestOf(cluster), `seed ${seed}`).toBe(digestOf(threads))
      }
      const primes = await both({
        workload: 'count_primes',
        style: 'starmap',
        threads: LANES,
        inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
      })
      const counts = JSON.parse(
        Buffer.concat([...primes.cluster.results.jsonChunks()]).toString()
      ) as number[]
      expect(counts).toEqual([11734, 10310, 9860, 9634, 9448, 9252, 9210, 9050])
      expect(digestOf(primes.cluster)).toBe(digestOf(primes.threads))
    })

    it('gives a combinations job of 316,008 tuples the same digest and timings on the job clock', async () => {
      // 12 tasks of all 5-combinations of range(22), 26,334 each, in chunks of 2.
      const spec: JobSpecInput = {
        workload: 'combinations_n',
        style: 'starmap',
        threads: LANES,
        chunkSize: 2,
        inputs: { kind: 'recipe', elements: range(22), n: [5], tasks: 12 }
      }
      const { cluster, threads } = await both(spec)
      const summary = await cluster.done
      expect(summary).toMatchObject({ status: 'done', tasksDone: 12, tuplesProduced: 316_008 })
      expect(digestOf(cluster)).toBe(digestOf(threads))
      const { start, end, lane } = cluster.timings
      const lanes = new Set<number>()
      for (let task = 0; task < 12; task++) {
        expect(start[task]).toBeGreaterThanOrEqual(-1)
        expect(end[task]).toBeGreaterThanOrEqual(start[task])
        expect(end[task]).toBeLessThanOrEqual(summary.wallMs + 1)
        lanes.add(lane[task])
      }
      expect([...lanes].sort()).toEqual([0, 1])
      const backend = poolOf(engine) as ClusterBackend
      // Replies of 2 × 26,334 five-element tuples are too large to travel inside their message: each
      // was stored under a key, read and deleted.
      expect(backend.counts()).toEqual({
        filed: 6,
        duplicates: 0,
        stored: 6,
        withdrawn: 0,
        stopped: 0,
        retried: []
      })
      const client = new Redis(redis.url)
      try {
        expect(await client.keys('poolscope:result:*')).toEqual([])
      } finally {
        client.disconnect()
      }
      for (const clock of backend.clocks()) {
        expect(Math.abs(clock.offsetMs)).toBeLessThanOrEqual(clock.uncertaintyMs + 1)
      }
    })

    it('files a chunk once: a second reply of a filed chunk is dropped, counted and deleted', async () => {
      const job = await engine.start(onCluster(mapCellSpec(LANES)))
      await job.done
      const backend = poolOf(engine) as ClusterBackend
      const before = backend.counts()
      expect(before.duplicates).toBe(0)
      // What an agent that was thought dead, and whose chunk another agent ran, would send.
      const client = new Redis(redis.url)
      try {
        const key = 'poolscope:result:late-duplicate'
        await client.set(key, Buffer.alloc(64))
        const late: DoneMessage = {
          chunk: `${backend.id}-1`,
          agent: 'agent-a',
          lane: 0,
          retries: 0,
          counts: { tasksDone: 2, tasksFailed: 0, tuples: 30, work: 0 },
          ok: true,
          key
        }
        await client.publish(doneChannel(backend.id), encodeDone(late))
        await expect.poll(() => backend.counts().duplicates, { timeout: 2000 }).toBe(1)
        expect(await client.exists(key)).toBe(0)
        expect(backend.counts().filed).toBe(before.filed)
        expect(digestOf(job)).toBe(mapDigest)
      } finally {
        client.disconnect()
      }
    })

    it('cancels promptly: agents stop their tasks, waiting chunks leave the queue', async () => {
      // 400 tasks of all 7-combinations of range(30), counted only, in chunks of 1: many seconds.
      const job = await engine.start(
        onCluster({
          workload: 'combinations_n',
          style: 'starmap',
          threads: LANES,
          chunkSize: 1,
          keep: 'count',
          inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 400 }
        })
      )
      await expect.poll(() => job.progress().tasksDone, { timeout: 10_000, interval: 10 }).toBeGreaterThan(1)
      const cancelledAt = performance.now()
      job.cancel()
      const summary = await job.done
      expect(performance.now() - cancelledAt).toBeLessThan(1000)
      expect(summary).toMatchObject({ status: 'cancelled', tasksFailed: 0 })
      expect(summary.tasksDone).toBeLessThan(400)
      // Two chunks ran, two waited (two in flight per lane): those waiting never reached an agent.
      const backend = poolOf(engine) as ClusterBackend
      expect(backend.counts().withdrawn).toBeGreaterThan(0)
      const queue = new Queue(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } })
      try {
        const { waiting, active } = await queue.getJobCounts('waiting', 'active')
        expect({ waiting, active }).toEqual({ waiting: 0, active: 0 })
      } finally {
        await queue.close()
      }
      // The agents take the next job at once.
      const next = await (await engine.start(onCluster(mapCellSpec(LANES)))).done
      expect(next).toMatchObject({ status: 'done', tuplesProduced: 60 })
    })

    it('refuses, with nothing started, when Redis cannot be reached', async () => {
      const port = await freePort()
      await expect(
        engine.start({ ...mapCellSpec(LANES), backend: 'cluster', redis: `redis://127.0.0.1:${port}` })
      ).rejects.toThrow(
        new RegExp(
          `^could not start a pool of 2 cluster: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`
        )
      )
    })

    it('waits when no agent is registered, says so, and runs once an agent registers, on its lanes', async () => {
      const empty = await startRedis()
      const progress: ProgressEvent[] = []
      let late: Agent | null = null
      try {
        const job = await engine.start(
          { ...mapCellSpec(LANES), backend: 'cluster', redis: empty.url },
          { progress: (event) => progress.push(event) }
        )
        const waiting =
          `waiting for a PoolScope agent: none is registered at ${empty.url}; ` +
          `start one with poolscope agent --redis ${empty.url}`
        await expect.poll(() => job.progress().waiting, { timeout: 5000 }).toBe(waiting)
        expect(job.laneLabels().map((label) => label.host)).toEqual(['(no agent yet)', '(no agent yet)'])
        late = await Agent.start({ redis: empty.url, threads: 2, name: 'late-agent', workerFile })
        const summary = await job.done
        expect(summary).toMatchObject({ status: 'done', tasksDone: 4 })
        expect(digestOf(job)).toBe(mapDigest)
        expect(job.progress().waiting).toBeUndefined()
        expect(progress.some((event) => event.waiting === waiting)).toBe(true)
        // The late agent's two threads took the two lanes, and are named on them.
        expect(job.laneLabels().map((label) => [label.host, label.pid])).toEqual([
          ['late-agent', process.pid],
          ['late-agent', process.pid]
        ])
      } finally {
        await late?.stop()
        await empty.stop()
      }
    })

    it('ends a job waiting for an agent at once when cancelled, leaving nothing on the queue', async () => {
      const empty = await startRedis()
      try {
        const job = await engine.start({ ...mapCellSpec(LANES), backend: 'cluster', redis: empty.url })
        await expect
          .poll(() => job.progress().waiting, { timeout: 5000 })
          .toMatch(/^waiting for a PoolScope agent/)
        const cancelledAt = performance.now()
        job.cancel()
        expect((await job.done).status).toBe('cancelled')
        expect(performance.now() - cancelledAt).toBeLessThan(1000)
        const queue = new Queue(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: empty.port } })
        try {
          expect(await queue.getJobCounts('waiting', 'active')).toMatchObject({ waiting: 0, active: 0 })
        } finally {
          await queue.close()
        }
      } finally {
        await empty.stop()
      }
    })

    it('forgets an agent that stopped', async () => {
      const extra = await Agent.start({ redis: redis.url, threads: 1, name: 'agent-c', workerFile })
      const client = new Redis(redis.url)
      try {
        expect(await client.smembers(AGENTS_SET)).toContain('agent-c')
        await extra.stop()
        expect(await client.smembers(AGENTS_SET)).not.toContain('agent-c')
      } finally {
        client.disconnect()
      }
    })
  }
)

describe.skipIf(!available)('the cluster back end when Redis goes away mid-job', () => {
  it('ends the job failed, with what was filed kept, instead of hanging', async () => {
    const server = await startRedis()
    const agent = await Agent.start({ redis: server.url, threads: 1, name: 'lonely', workerFile })
    const engine = new Engine({ workerFile, hardwareThreads: LANES })
    try {
      const job = await engine.start({
        workload: 'combinations_n',
        style: 'starmap',
        threads: 1,
        chunkSize: 1,
        keep: 'count',
        backend: 'cluster',
        redis: server.url,
        inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 400 }
      })
      await expect.poll(() => job.progress().tasksDone, { timeout: 10_000, interval: 10 }).toBeGreaterThan(1)
      await server.stop()
      const lostAt = performance.now()
      const summary = await job.done
      expect(performance.now() - lostAt).toBeLessThan(REDIS_LOST_MS + 2000)
      expect(summary.status).toBe('failed')
      expect(summary.tasksDone).toBeGreaterThan(1)
      expect(summary.tasksDone + summary.tasksFailed).toBe(400)
      expect(summary.failures[0].message).toContain(
        `lost the connection to Redis at ${server.url} for ${REDIS_LOST_MS / 1000} s`
      )
    } finally {
      await engine.dispose()
      await agent.stop()
    }
  }, 30_000)
})

describe('the spec of a cluster job', () => {
  const engine = new Engine({ workerFile, hardwareThreads: LANES })
  afterAll(() => engine.dispose())

  it("plans a cluster job wider than this machine's thread cap (the agents' machines carry it)", async () => {
    const wide = { ...mapCellSpec(LANES), threads: 64 }
    await expect(engine.plan(wide)).rejects.toThrow('threads must be at most 8 on this machine')
    const { plan } = await engine.plan({ ...wide, backend: 'cluster', redis: 'redis://127.0.0.1:1' })
    expect(plan.threads).toBe(64)
    // 256 lanes of threads here would need 3 GiB of pool: on a cluster they hold nothing here.
    const widest = {
      ...mapCellSpec(LANES),
      threads: 256,
      backend: 'cluster' as const,
      redis: 'redis://127.0.0.1:1'
    }
    const { summary } = await engine.plan(widest)
    expect(summary.overBudget).toBeNull()
    expect(BigInt(summary.memoryBytes)).toBeLessThan(1024n * 1024n)
  })

  it('keeps custom code off the agents where code must run isolated (the web host)', async () => {
    const web = new Engine({
      workerFile,
      hardwareThreads: LANES,
      customCode: { allowed: true, backends: ['processes'], isolatedOnly: true }
    })
    await expect(
      web.start({
        workload: 'custom',
        style: 'map',
        threads: LANES,
        backend: 'cluster',
        redis: 'redis://127.0.0.1:1',
        code: '(x) => x',
        inputs: { kind: 'args', args: [1, 2] }
      })
    ).rejects.toThrow(
      'custom code runs here only on processes, where Node’s permission model isolates it; choose the processes back end'
    )
    await web.dispose()
  })

  it('needs a Redis URL for the cluster back end and refuses one for the others', async () => {
    await expect(engine.plan({ ...mapCellSpec(LANES), backend: 'cluster' })).rejects.toThrow(
      'the cluster back end needs redis: the URL of the Redis server its agents use, such as redis://127.0.0.1:6379'
    )
    await expect(engine.plan({ ...mapCellSpec(LANES), redis: 'redis://127.0.0.1:6379' })).rejects.toThrow(
      'redis is only for the cluster back end; threads runs on this machine'
    )
    await expect(
      engine.plan({ ...mapCellSpec(LANES), backend: 'cluster', redis: 'http://x' })
    ).rejects.toThrow('redis: redis must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379')
  })
})
