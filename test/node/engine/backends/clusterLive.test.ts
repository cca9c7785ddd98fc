// The cluster back end between replies, on a real Redis with in-process agents that load the
// fault-injecting worker (test/fixtures/faultyWorker.ts: 19 elements sleep 20 ms a task, 29 never
// end): live counts and the running chunk's lane before any reply, task timeouts and stops that
// reach the agent holding the chunk, how fast a cancel reaches every agent, and custom code only
// on agents started with --allow-code.
import { performance } from 'node:perf_hooks'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../../src/main/cluster/agent'
import type { Backend } from '../../../../src/main/engine/backends/backend'
import type { ClusterBackend } from '../../../../src/main/engine/backends/cluster/cluster'
import {
  AGENTS_SET,
  CHUNK_QUEUE,
  agentKey,
  cancelKey,
  decodeDone,
  doneChannel,
  type AgentInfo,
  type ChunkData
} from '../../../../src/main/engine/backends/cluster/protocol'
import { Engine } from '../../../../src/main/engine/engine'
import type { Job } from '../../../../src/main/engine/job'
import type { JobSpecInput } from '../../../../src/shared/spec'
import { faultyWorkerFile } from '../../../paths'
import { redisAvailable, startRedis, type RedisServer } from './redisServer'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const available = redisAvailable()
const nowMs = (): number => performance.timeOrigin + performance.now()

function poolOf(engine: Engine): ClusterBackend {
  const pool = (engine as unknown as { pool: Backend | null }).pool
  if (!pool) throw new Error('the engine has no pool')
  return pool as ClusterBackend
}

/** The id agents know the job by (the cluster back end's job). */
function clusterJobId(job: Job): string {
  return (job as unknown as { channel: { id: string } }).channel.id
}

describe.skipIf(!available)('the cluster back end between replies', () => {
  let redis: RedisServer
  let agents: Agent[]
  let engine: Engine
  beforeAll(async () => {
    redis = await startRedis()
    agents = await Promise.all(
      ['live-a', 'live-b'].map((name) =>
        Agent.start({ redis: redis.url, threads: 1, name, workerFile: faultyWorkerFile })
      )
    )
    engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 2 })
  }, 30_000)
  afterAll(async () => {
    await engine?.dispose()
    await Promise.all((agents ?? []).map((agent) => agent.stop()))
    await redis?.stop()
  })

  /** Tasks whose element counts pick the faulty worker's behaviour, on the cluster. */
  const tasksOf = (sizes: number[], extra: Partial<JobSpecInput> = {}): JobSpecInput => ({
    workload: 'combinations',
    style: 'map',
    threads: 2,
    chunkSize: 1,
    backend: 'cluster',
    redis: redis.url,
    inputs: { kind: 'args', args: sizes.map(range) },
    ...extra
  })

  const agentNamed = (name: string): Agent => {
    const agent = agents.find((candidate) => candidate.name === name)
    if (!agent) throw new Error(`no agent ${name}`)
    return agent
  }

  it('counts tasks done on the agents before any chunk has replied', async () => {
    // Two chunks of 25 tasks of 20 ms each: half a second before the first reply.
    const job = await engine.start(tasksOf(Array(50).fill(19), { chunkSize: 25 }))
    const seen: number[] = []
    while (job.isRunning && poolOf(engine).counts().filed === 0) {
      const done = job.progress().tasksDone
      if (done > 0 && done !== seen.at(-1)) seen.push(done)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const summary = await job.done
    expect(summary).toMatchObject({ status: 'done', tasksDone: 50 })
    // Several readings, growing, before the first reply was filed.
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(seen.at(-1)).toBeLessThan(50)
  })

  it('names the lane of the agent thread running a chunk, with its task, on the job clock', async () => {
    // One chunk of 30 tasks of 20 ms: whichever agent takes it runs it alone.
    const job = await engine.start(tasksOf(Array(30).fill(19), { chunkSize: 30 }))
    const [flight] = [...job.inFlight.values()]
    await expect
      .poll(() => flight.run.activity()?.task?.index ?? -1, { timeout: 5000, interval: 10 })
      .toBeGreaterThan(0)
    const activity = flight.run.activity()
    const queue = new Queue(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } })
    let holder: string | undefined
    try {
      holder = (await queue.getActive())[0]?.processedBy
    } finally {
      await queue.close()
    }
    const lanes = job.laneLabels()
    expect(lanes.map((label) => label.host)).toEqual(['live-a', 'live-b'])
    expect(holder).toBeDefined()
    expect(activity?.lane).toBe(lanes.findIndex((label) => label.host === holder))
    const now = nowMs() - (job as unknown as { origin: number }).origin
    expect(activity?.receivedAt).toBeGreaterThan(0)
    expect(activity?.receivedAt).toBeLessThan(now)
    expect(activity?.task?.since).toBeGreaterThanOrEqual(activity?.receivedAt ?? Infinity)
    expect(flight.run.running()?.index).toBeGreaterThan(0)
    expect((await job.done).status).toBe('done')
    // Ended: nothing runs any more.
    expect(flight.run.activity()).toBeNull()
  })

  it('fails a task that overruns the task timeout on an agent, and stops it there', async () => {
    const job = await engine.start(tasksOf([6, 29, 7], { taskTimeoutMs: 300 }))
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.tasksDone).toBe(2)
    expect(summary.failures).toEqual([
      {
        task: 1,
        message: 'ran longer than the 300 ms task timeout; it was stopped and its worker thread replaced'
      }
    ])
    expect(summary.wallMs).toBeGreaterThan(300)
    expect(summary.wallMs).toBeLessThan(2000)
    await expect.poll(() => poolOf(engine).counts().stopped, { timeout: 1000 }).toBe(1)
    // The endless task does not run on: its agent stopped its thread (a new one takes its place).
    await expect.poll(() => agents.map((agent) => agent.busy), { timeout: 2000 }).toEqual([0, 0])
    const next = await (await engine.start(tasksOf([6, 6, 6, 6]))).done
    expect(next).toMatchObject({ status: 'done', tuplesProduced: 60 })
  })

  it('stops a chunk on the agent holding it, rejecting at once', async () => {
    // Two lanes, one per agent, and one chunk: the lane names the agent holding it.
    const job = await engine.start(tasksOf([29]))
    const [flight] = [...job.inFlight.values()]
    await expect.poll(() => flight.run.running(), { timeout: 5000, interval: 10 }).not.toBeNull()
    const holder = agents[flight.run.activity()?.lane ?? -1]
    expect(holder.busy).toBe(1)
    const stoppedAt = performance.now()
    flight.run.stop(new Error('stopped on purpose'))
    await expect(flight.run.reply).rejects.toThrow('stopped on purpose')
    expect(performance.now() - stoppedAt).toBeLessThan(50)
    const summary = await job.done
    expect(summary.status).toBe('failed')
    expect(summary.failures[0].message).toBe('the worker stopped while running this task: stopped on purpose')
    await expect.poll(() => holder.busy, { timeout: 2000 }).toBe(0)
    await expect.poll(() => poolOf(engine).counts().stopped, { timeout: 1000 }).toBe(1)
    // The agent said nothing of it afterwards: no reply was counted as a duplicate.
    expect(poolOf(engine).counts().duplicates).toBe(0)
    const next = await (await engine.start(tasksOf([6, 6]))).done
    expect(next).toMatchObject({ status: 'done', tuplesProduced: 30 })
  })

  it('gets a cancel to every agent within 200 ms', async () => {
    const job = await engine.start(tasksOf(Array(400).fill(19)))
    await expect.poll(() => job.progress().tasksDone, { timeout: 10_000, interval: 10 }).toBeGreaterThan(2)
    const id = clusterJobId(job)
    const cancelledAt = nowMs()
    job.cancel()
    await expect
      .poll(() => agents.every((agent) => agent.cancelHeard(id) !== undefined), {
        timeout: 2000,
        interval: 1
      })
      .toBe(true)
    const heard = Math.max(...agents.map((agent) => (agent.cancelHeard(id) ?? Infinity) - cancelledAt))
    const summary = await job.done
    const ended = nowMs() - cancelledAt
    console.log(
      `cancel reached both agents ${heard.toFixed(1)} ms after job.cancel(); the job ended cancelled after ${ended.toFixed(1)} ms`
    )
    expect(summary.status).toBe('cancelled')
    // The goal is 200 ms on any network; on loopback it takes about a millisecond (the bound leaves room for a loaded machine).
    expect(heard).toBeLessThan(200)
    expect(ended).toBeLessThan(1000)
  })

  describe('custom code', () => {
    const custom = (code: string, extra: Partial<JobSpecInput> = {}): JobSpecInput => ({
      workload: 'custom',
      style: 'map',
      threads: 2,
      chunkSize: 1,
      backend: 'cluster',
      redis: redis.url,
      inputs: { kind: 'recipe', tasks: 4 },
      code,
      ...extra
    })

    it('is refused when no agent was started with --allow-code, saying how', async () => {
      await expect(engine.start(custom('(i) => i * 2'))).rejects.toThrow(
        `could not start a pool of 2 cluster: none of the 2 PoolScope agents registered at ${redis.url} ` +
          `runs custom code; start agents that may with poolscope agent --redis ${redis.url} --allow-code`
      )
    })

    it('never runs on an agent without --allow-code, even when put on its queue', async () => {
      const client = new Redis(redis.url)
      const listener = new Redis(redis.url)
      const queue = new Queue<ChunkData>(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } })
      try {
        // What a forged chunk would look like: code on the queue every agent takes from.
        const replies = new Promise<Buffer>((resolve) =>
          listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => resolve(message))
        )
        await listener.subscribe(doneChannel('forger'))
        await queue.add('chunk', {
          coordinator: 'forger',
          job: 'forged-job',
          chunk: 'forged-1',
          originOnRedis: Date.now(),
          firstTask: 0,
          plans: [],
          planIndex: '',
          keep: -1,
          code: '() => globalThis.process.exit(9)'
        })
        const { message } = decodeDone(await replies)
        expect(message.ok).toBe(false)
        if (!message.ok) {
          expect(message.error.message).toMatch(
            /^agent live-[ab] runs no custom code: only agents started with --allow-code take custom chunks, from the poolscope-code-chunks queue$/
          )
        }
      } finally {
        await queue.close()
        client.disconnect()
        listener.disconnect()
      }
    })

    it('runs on --allow-code agents only, where a task timeout and a cancel stop code that never returns', async () => {
      const coder = await Agent.start({
        redis: redis.url,
        threads: 1,
        name: 'code-c',
        workerFile: faultyWorkerFile,
        allowCode: true
      })
      try {
        expect(coder.info()).toMatchObject({ allowCode: true })
        expect(coder.info().codeThreadIds).toHaveLength(1)
        expect(agentNamed('live-a').info()).toMatchObject({ allowCode: false, codeThreadIds: [] })
        const plainBefore = agents.map((agent) => agent.info().chunksDone)
        const job = await engine.start(custom('(i) => i * 2'))
        const summary = await job.done
        expect(summary).toMatchObject({ status: 'done', tasksDone: 4 })
        expect(JSON.parse(Buffer.concat([...job.results.jsonChunks()]).toString())).toEqual([0, 2, 4, 6])
        // Its lanes are the code agent's code threads (2 lanes on its 1 thread).
        expect(job.laneLabels().map((label) => [label.host, label.threadId])).toEqual([
          ['code-c', coder.info().codeThreadIds[0]],
          ['(no agent yet)', -1]
        ])
        expect(agents.map((agent) => agent.info().chunksDone)).toEqual(plainBefore)

        const endless = await engine.start(
          custom('(i) => { if (i === 1) for (;;) {} return i }', { taskTimeoutMs: 400 })
        )
        const timedOut = await endless.done
        expect(timedOut.failures).toEqual([
          {
            task: 1,
            message: 'ran longer than the 400 ms task timeout; it was stopped and its worker thread replaced'
          }
        ])
        expect(timedOut.tasksDone).toBe(3)

        const forever = await engine.start(custom('() => { for (;;) {} }', { taskTimeoutMs: 60_000 }))
        await expect.poll(() => coder.busy, { timeout: 5000 }).toBe(1)
        const cancelledAt = performance.now()
        forever.cancel()
        const cancelled = await forever.done
        expect(cancelled.status).toBe('cancelled')
        expect(performance.now() - cancelledAt).toBeLessThan(1000)
        await expect.poll(() => coder.busy, { timeout: 2000 }).toBe(0)
      } finally {
        await coder.stop()
      }
    }, 30_000)
  })
})

describe.skipIf(!available)('an agent that starts after its job was cancelled', () => {
  it('reads the cancel it never heard from the job’s key, and runs its chunks cancelled', async () => {
    const redis = await startRedis()
    const engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: 1 })
    const client = new Redis(redis.url)
    const queue = new Queue<ChunkData>(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } })
    let late: Agent | null = null
    try {
      // An agent registered but not taking chunks: the job's chunks wait in the queue.
      const ghost: AgentInfo = {
        name: 'ghost',
        host: 'nowhere',
        pid: 1,
        threads: 1,
        threadIds: [1],
        allowCode: false,
        codeThreadIds: [],
        cpuModel: 'none',
        node: process.versions.node,
        clockOffsetMs: 0,
        clockUncertaintyMs: 0,
        chunksDone: 0,
        seenAt: Date.now()
      }
      await client.multi().set(agentKey('ghost'), JSON.stringify(ghost)).sadd(AGENTS_SET, 'ghost').exec()
      const job = await engine.start({
        workload: 'combinations',
        style: 'map',
        threads: 1,
        chunkSize: 1,
        backend: 'cluster',
        redis: redis.url,
        inputs: { kind: 'args', args: [range(6), range(6), range(6), range(6)] }
      })
      await expect.poll(async () => (await queue.getWaiting()).length, { timeout: 5000 }).toBe(2)
      const id = (await queue.getWaiting())[0].data.job
      // Cancelled while no agent listened: only the key says so.
      await client.set(cancelKey(id), '1')
      late = await Agent.start({ redis: redis.url, threads: 1, name: 'late', workerFile: faultyWorkerFile })
      const summary = await job.done
      expect(late.cancelHeard(id)).toBeDefined()
      expect(summary.tasksDone).toBe(0)
      expect(job.results.row(0)).toMatchObject({ status: 'cancelled' })
    } finally {
      await engine.dispose()
      await late?.stop()
      await queue.close()
      client.disconnect()
      await redis.stop()
    }
  })
})
