import { cpus, hostname } from 'node:os'
import { Worker, type Job as QueueJob } from 'bullmq'
import type { Redis } from 'ioredis'
import type { BackendJob } from '../engine/backends/backend'
import {
  AGENTS_SET,
  AGENT_BEAT_MS,
  AGENT_TTL_MS,
  CANCEL_CHANNEL,
  CHUNK_QUEUE,
  RESULT_TTL_MS,
  agentKey,
  cancelKey,
  doneChannel,
  encodeReply,
  workOf,
  type AgentInfo,
  type ChunkData,
  type DoneMessage
} from '../engine/backends/cluster/protocol'
import { connect, queueConnection } from '../engine/backends/cluster/connection'
import { measureRedisClock, type ClockOffset } from '../engine/backends/cluster/redisClock'
import { ThreadsBackend } from '../engine/backends/threads'

/**
 * How long an agent's hold on a chunk lasts without renewal, and how often agents look for chunks
 * whose hold lapsed. BullMQ's defaults (30 s each) would leave the chunk of an agent killed with
 * `kill -9` unclaimed for up to a minute; an agent's event loop never runs a kernel (its threads
 * back end does), so it renews every lockDuration / 2 = 2 s without fail, and a lapse means the
 * agent is gone. A chunk then goes back to the queue within about lockDuration + stalledInterval.
 */
export const LOCK_DURATION_MS = 4000
export const STALLED_INTERVAL_MS = 2000
/** A chunk may be handed on this many times after its agent died before it fails. */
export const MAX_STALLED_COUNT = 2
/** How often the clock offset is measured again (clocks drift; the registration carries the latest). */
const CLOCK_PERIOD_MS = 10_000
/** How long stopping waits for the queue's worker to close. */
const STOP_GRACE_MS = 2000
/** Local job state (cancel flag, counters) kept for this many recent jobs. */
const JOBS_KEPT = 8

export interface AgentOptions {
  /** redis:// or rediss:// URL (a password in the URL is used, never printed). */
  redis: string
  threads: number
  /** How the agent is named in Redis and on the timeline; the host name and pid by default. */
  name?: string
  /** The bundled worker (worker.cjs) the local threads back end loads. */
  workerFile: string
  onError?: (error: Error) => void
}

/**
 * A PoolScope agent: takes chunks from the cluster queue and runs them on a local `threads` back
 * end (the same kernels), so its own event loop only moves messages and keeps its BullMQ locks
 * renewed; a kernel on it would block lock renewal and get its chunk declared stalled.
 */
export class Agent {
  readonly name: string
  private chunksDone = 0
  private clock: ClockOffset = { offsetMs: 0, uncertaintyMs: 0 }
  private readonly jobs = new Map<string, BackendJob>()
  private readonly cancelled = new Set<string>()
  private worker: Worker | null = null
  /** Every connection the queue's worker was given or made (see queueConnection). */
  private readonly workerConnections: Redis[] = []
  private beatTimer: NodeJS.Timeout | null = null
  private clockTimer: NodeJS.Timeout | null = null
  private stopped = false

  private constructor(
    private readonly options: AgentOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly threads: ThreadsBackend
  ) {
    this.name = options.name ?? `${hostname()}-${process.pid}`
  }

  /** Connects, warms the threads, measures the clock, registers and starts taking chunks. */
  static async start(options: AgentOptions): Promise<Agent> {
    const redis = await connect(options.redis)
    let subscriber: Redis | null = null
    let threads: ThreadsBackend | null = null
    try {
      subscriber = await connect(options.redis)
      threads = await ThreadsBackend.create({
        workerFile: options.workerFile,
        lanes: options.threads,
        onError: options.onError
      })
      const agent = new Agent(options, redis, subscriber, threads)
      await agent.begin()
      return agent
    } catch (err) {
      await threads?.dispose()
      subscriber?.disconnect()
      redis.disconnect()
      throw err
    }
  }

  private async begin(): Promise<void> {
    this.clock = await measureRedisClock(this.redis)
    await this.subscriber.subscribe(CANCEL_CHANNEL)
    this.subscriber.on('message', (_channel: string, job: string) => this.cancel(job))
    await this.beat()
    this.beatTimer = setInterval(() => {
      this.beat().catch((err: unknown) => this.options.onError?.(err as Error))
    }, AGENT_BEAT_MS)
    this.clockTimer = setInterval(() => {
      measureRedisClock(this.redis).then(
        (clock) => (this.clock = clock),
        (err: unknown) => this.options.onError?.(err as Error)
      )
    }, CLOCK_PERIOD_MS)
    this.worker = new Worker<ChunkData>(CHUNK_QUEUE, (job) => this.process(job), {
      connection: queueConnection(this.redis, this.workerConnections),
      // Shown on the chunks it holds (BullMQ's processedBy), so an operator sees who has what.
      name: this.name,
      concurrency: this.options.threads,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 }
    })
    this.worker.on('error', (error) => this.options.onError?.(error))
  }

  info(): AgentInfo {
    return {
      name: this.name,
      host: hostname(),
      pid: process.pid,
      threads: this.options.threads,
      threadIds: this.threads.laneLabels().map((label) => label.threadId),
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      node: process.versions.node,
      clockOffsetMs: this.clock.offsetMs,
      clockUncertaintyMs: this.clock.uncertaintyMs,
      chunksDone: this.chunksDone,
      seenAt: Date.now()
    }
  }

  private async beat(): Promise<void> {
    await this.redis
      .multi()
      .set(agentKey(this.name), JSON.stringify(this.info()), 'PX', AGENT_TTL_MS)
      .sadd(AGENTS_SET, this.name)
      .exec()
  }

  /** The job's local state: its cancel flag and counters on this agent's threads. */
  private jobOf(data: ChunkData): BackendJob {
    let job = this.jobs.get(data.job)
    if (!job) {
      // The job clock's zero on this agent's clock: the timestamps the kernels write are then
      // already on the coordinator's clock (both offsets are against the same Redis server).
      job = this.threads.openJob(data.originOnRedis + this.clock.offsetMs)
      this.jobs.set(data.job, job)
      if (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value as string)
    }
    return job
  }

  private cancel(job: string): void {
    this.cancelled.add(job)
    if (this.cancelled.size > 4 * JOBS_KEPT)
      this.cancelled.delete(this.cancelled.values().next().value as string)
    this.jobs.get(job)?.cancel()
  }

  private async process(queued: QueueJob<ChunkData>): Promise<void> {
    const data = queued.data
    const job = this.jobOf(data)
    // A cancel published before this agent subscribed (or before the chunk came) is read from its key.
    if (!this.cancelled.has(data.job) && (await this.redis.exists(cancelKey(data.job)))) this.cancel(data.job)
    if (this.cancelled.has(data.job)) job.cancel()
    let message: DoneMessage
    const attempt = `${queued.attemptsStarted}-${queued.stalledCounter}`
    // BullMQ counts a chunk handed on from a silent agent as stalled; each start as an attempt.
    const retries = Math.max(queued.stalledCounter, queued.attemptsStarted - 1)
    try {
      const reply = await job.runChunk(workOf(data)).reply
      const key = `poolscope:result:${data.coordinator}:${data.chunk}:${this.name}:${attempt}`
      await this.redis.set(key, encodeReply(reply), 'PX', RESULT_TTL_MS)
      message = {
        chunk: data.chunk,
        agent: this.name,
        lane: reply.lane,
        retries,
        counts: job.live(),
        ok: true,
        key
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      message = {
        chunk: data.chunk,
        agent: this.name,
        lane: -1,
        retries,
        counts: job.live(),
        ok: false,
        error: { name: error.name, message: error.message }
      }
    }
    this.chunksDone++
    await this.redis.publish(doneChannel(data.coordinator), JSON.stringify(message))
  }

  /** Stops taking chunks, deregisters and shuts the threads down. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    if (this.clockTimer) clearInterval(this.clockTimer)
    // A worker whose Redis is gone may never finish closing (its connections retry for ever): it
    // gets STOP_GRACE_MS, then its connections are cut.
    const closed = await Promise.race([
      (this.worker?.close(true) ?? Promise.resolve()).then(
        () => true,
        () => false
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS).unref())
    ])
    if (!closed) for (const connection of this.workerConnections) connection.disconnect()
    if (this.redis.status === 'ready') {
      await this.redis
        .multi()
        .del(agentKey(this.name))
        .srem(AGENTS_SET, this.name)
        .exec()
        .catch(() => undefined)
    }
    this.subscriber.disconnect()
    this.redis.disconnect()
    await this.threads.dispose()
  }
}
