import { cpus, hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Worker, type Job as QueueJob } from 'bullmq'
import type { Redis } from 'ioredis'
import type { BackendJob, ChunkRun } from '../engine/backends/backend'
import {
  AGENTS_SET,
  AGENT_BEAT_MS,
  AGENT_TTL_MS,
  CANCEL_CHANNEL,
  CHUNK_QUEUE,
  CODE_CHUNK_QUEUE,
  INLINE_REPLY_BYTES,
  LIVE_PERIOD_MS,
  RESULT_TTL_MS,
  STOP_CHANNEL,
  agentKey,
  cancelKey,
  doneChannel,
  encodeDone,
  encodeReply,
  liveChannel,
  workOf,
  type AgentInfo,
  type ChunkData,
  type DoneMessage,
  type LiveMessage
} from '../engine/backends/cluster/protocol'
import { connect, queueConnection } from '../engine/backends/cluster/connection'
import { measureRedisClock, type ClockOffset } from '../engine/backends/cluster/redisClock'
import { ThreadsBackend } from '../engine/backends/threads'
import { CUSTOM_HEAP_LIMIT_MB } from '../engine/engine'

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
/** Stops heard for chunks this agent does not hold (yet): kept for this many chunks. */
const STOPS_KEPT = 1024

/** An error's code (Node's `ERR_…`), when it has one. */
const codeOf = (error: Error): unknown => (error as Error & { code?: unknown }).code

export interface AgentOptions {
  /** redis:// or rediss:// URL (a password in the URL is used, never printed). */
  redis: string
  threads: number
  /** How the agent is named in Redis and on the timeline; the host name and pid by default. */
  name?: string
  /** The bundled worker (worker.cjs) the local threads back end loads. */
  workerFile: string
  /**
   * Takes custom-code chunks too (`--allow-code`), on threads of their own with custom code's
   * heap limit. Without it the agent never runs custom code: it does not take from that queue, and
   * refuses a chunk with code that came any other way.
   */
  allowCode?: boolean
  /** Largest JS heap of one of its kernel threads, MB (the threads back end's default when absent). */
  heapLimitMb?: number
  onError?: (error: Error) => void
}

/** A job's local state on this agent: its channel to the threads and its clock's zero here. */
interface LocalJob {
  channel: BackendJob
  /** The job clock's zero on this agent's clock, epoch ms. */
  origin: number
}

/** A chunk this agent holds: taken from the queue, running or about to. */
interface HeldChunk {
  data: ChunkData
  job: LocalJob
  /** Its run on the local threads, once handed to them. */
  run: ChunkRun | null
  /** Its coordinator stopped it: no reply is sent (the coordinator has already given up on it). */
  stopped: boolean
}

/**
 * A PoolScope agent: takes chunks from the cluster queue and runs them on a local `threads` back
 * end (the same kernels), so its own event loop only moves messages and keeps its BullMQ locks
 * renewed; a kernel on it would block lock renewal and get its chunk declared stalled. While it
 * runs chunks it reports them and its counters to their coordinators every LIVE_PERIOD_MS.
 */
export class Agent {
  readonly name: string
  private chunksDone = 0
  private clock: ClockOffset = { offsetMs: 0, uncertaintyMs: 0 }
  private readonly jobs = new Map<string, LocalJob>()
  private readonly cancelled = new Set<string>()
  /** When each cancel was heard (epoch ms), for the jobs in `cancelled`. */
  private readonly cancelHeardAt = new Map<string, number>()
  private readonly held = new Map<string, HeldChunk>()
  private readonly stops = new Set<string>()
  /**
   * Jobs whose cancel key was read (and not set) while the cancel channel was subscribed, by the
   * subscription's epoch: until that subscription drops, a cancel of theirs comes by the channel,
   * so their later chunks skip the read. The epoch moves on whenever the subscriber disconnects.
   */
  private readonly cancelRead = new Map<string, number>()
  private subscriptionEpoch = 0
  private subscribed = false
  private worker: Worker | null = null
  private codeWorker: Worker | null = null
  /** Every connection the queues' workers were given or made (see queueConnection). */
  private readonly workerConnections: Redis[] = []
  private beatTimer: NodeJS.Timeout | null = null
  private clockTimer: NodeJS.Timeout | null = null
  private liveTimer: NodeJS.Timeout | null = null
  private reporting = false
  private stopped = false

  private constructor(
    private readonly options: AgentOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly threads: ThreadsBackend,
    /** Threads for custom code (`--allow-code` only), apart from those that run the kernels. */
    private readonly codeThreads: ThreadsBackend | null
  ) {
    this.name = options.name ?? `${hostname()}-${process.pid}`
  }

  /** Connects, warms the threads, measures the clock, registers and starts taking chunks. */
  static async start(options: AgentOptions): Promise<Agent> {
    const redis = await connect(options.redis)
    let subscriber: Redis | null = null
    let threads: ThreadsBackend | null = null
    let codeThreads: ThreadsBackend | null = null
    try {
      subscriber = await connect(options.redis)
      threads = await ThreadsBackend.create({
        workerFile: options.workerFile,
        lanes: options.threads,
        heapLimitMb: options.heapLimitMb,
        onError: options.onError
      })
      if (options.allowCode) {
        // As the engine runs custom code on its own threads: a smaller heap, marked for code.
        codeThreads = await ThreadsBackend.create({
          workerFile: options.workerFile,
          lanes: options.threads,
          heapLimitMb: CUSTOM_HEAP_LIMIT_MB,
          isolateCode: true,
          onError: options.onError
        })
      }
      const agent = new Agent(options, redis, subscriber, threads, codeThreads)
      await agent.begin()
      return agent
    } catch (err) {
      await threads?.dispose()
      await codeThreads?.dispose()
      subscriber?.disconnect()
      redis.disconnect()
      throw err
    }
  }

  private async begin(): Promise<void> {
    this.clock = await measureRedisClock(this.redis)
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === STOP_CHANNEL) this.stopChunk(message)
      else this.cancel(message)
    })
    this.subscriber.on('close', () => {
      this.subscribed = false
      this.subscriptionEpoch++
    })
    // ioredis subscribes again after a reconnection, but says `ready` before Redis confirmed it:
    // this subscription's confirmation is what makes skipping the cancel key safe again.
    this.subscriber.on('ready', () => void this.subscribe().catch(() => undefined))
    await this.subscribe()
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
    this.worker = this.takeFrom(CHUNK_QUEUE, false)
    if (this.codeThreads) this.codeWorker = this.takeFrom(CODE_CHUNK_QUEUE, true)
  }

  private async subscribe(): Promise<void> {
    const epoch = this.subscriptionEpoch
    await this.subscriber.subscribe(CANCEL_CHANNEL, STOP_CHANNEL)
    if (epoch === this.subscriptionEpoch) this.subscribed = true
  }

  /** A BullMQ worker on one of the chunk queues. */
  private takeFrom(queue: string, code: boolean): Worker {
    const worker = new Worker<ChunkData>(queue, (job) => this.process(job, code), {
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
    worker.on('error', (error) => this.options.onError?.(error))
    return worker
  }

  info(): AgentInfo {
    return {
      name: this.name,
      host: hostname(),
      pid: process.pid,
      threads: this.options.threads,
      threadIds: this.threads.laneLabels().map((label) => label.threadId),
      allowCode: this.codeThreads !== null,
      codeThreadIds: this.codeThreads?.laneLabels().map((label) => label.threadId) ?? [],
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      node: process.versions.node,
      clockOffsetMs: this.clock.offsetMs,
      clockUncertaintyMs: this.clock.uncertaintyMs,
      chunksDone: this.chunksDone,
      seenAt: Date.now()
    }
  }

  /** Chunks this agent holds now (taken from a queue and not yet answered). */
  get busy(): number {
    return this.held.size
  }

  /** When this agent heard the job's cancel (epoch ms on this machine), if it did. */
  cancelHeard(job: string): number | undefined {
    return this.cancelHeardAt.get(job)
  }

  private async beat(): Promise<void> {
    await this.redis
      .multi()
      .set(agentKey(this.name), JSON.stringify(this.info()), 'PX', AGENT_TTL_MS)
      .sadd(AGENTS_SET, this.name)
      .exec()
  }

  /** The job's local state: its cancel flag and counters on this agent's threads. */
  private jobOf(data: ChunkData, threads: ThreadsBackend): LocalJob {
    let job = this.jobs.get(data.job)
    if (!job) {
      // The job clock's zero on this agent's clock: the timestamps the kernels write are then
      // already on the coordinator's clock (both offsets are against the same Redis server).
      const origin = data.originOnRedis + this.clock.offsetMs
      job = { channel: threads.openJob(origin), origin }
      this.jobs.set(data.job, job)
      if (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value as string)
    }
    return job
  }

  private cancel(job: string): void {
    if (!this.cancelled.has(job)) this.cancelHeardAt.set(job, performance.timeOrigin + performance.now())
    this.cancelled.add(job)
    if (this.cancelled.size > 4 * JOBS_KEPT) {
      const oldest = this.cancelled.values().next().value as string
      this.cancelled.delete(oldest)
      this.cancelHeardAt.delete(oldest)
    }
    this.jobs.get(job)?.channel.cancel()
  }

  /**
   * A coordinator stopped a chunk (a task timeout, or a cancel of custom code): if this agent
   * holds it, its worker thread is stopped (the threads back end replaces it); if not, the stop is
   * remembered, for a chunk BullMQ has handed to this agent but not yet delivered.
   */
  private stopChunk(id: string): void {
    const held = this.held.get(id)
    if (held) {
      held.stopped = true
      held.run?.stop(new Error('stopped by its coordinator'))
      return
    }
    this.stops.add(id)
    if (this.stops.size > STOPS_KEPT) this.stops.delete(this.stops.values().next().value as string)
  }

  /**
   * Whether the job was cancelled before this agent subscribed to the cancel channel (or while the
   * subscription was down): read from the job's key once per subscription, not per chunk.
   */
  private async cancelledBeforeSubscribed(job: string): Promise<boolean> {
    const epoch = this.subscriptionEpoch
    if (this.subscribed && this.cancelRead.get(job) === epoch) return false
    const wasSubscribed = this.subscribed
    const set = (await this.redis.exists(cancelKey(job))) === 1
    if (!set && wasSubscribed && epoch === this.subscriptionEpoch) {
      this.cancelRead.set(job, epoch)
      if (this.cancelRead.size > JOBS_KEPT)
        this.cancelRead.delete(this.cancelRead.keys().next().value as string)
    }
    return set
  }

  private async process(queued: QueueJob<ChunkData>, fromCodeQueue: boolean): Promise<void> {
    const data = queued.data
    // Its coordinator stopped it (and gave up on it) before it got here: nothing to run or say.
    if (this.stops.delete(data.chunk)) return
    const code = data.code !== undefined
    const threads = code && fromCodeQueue ? this.codeThreads : this.threads
    const job = this.jobOf(data, threads ?? this.threads)
    const held: HeldChunk = { data, job, run: null, stopped: false }
    this.held.set(data.chunk, held)
    this.reportWhileBusy()
    let message: DoneMessage
    let encoded: Buffer | null = null
    const attempt = `${queued.attemptsStarted}-${queued.stalledCounter}`
    // BullMQ counts a chunk handed on from a silent agent as stalled; each start as an attempt.
    const retries = Math.max(queued.stalledCounter, queued.attemptsStarted - 1)
    try {
      if (code && (!fromCodeQueue || !threads)) {
        throw new Error(
          `agent ${this.name} runs no custom code: only agents started with --allow-code take custom ` +
            `chunks, from the ${CODE_CHUNK_QUEUE} queue`
        )
      }
      if (!this.cancelled.has(data.job) && (await this.cancelledBeforeSubscribed(data.job))) {
        this.cancel(data.job)
      }
      if (this.cancelled.has(data.job)) job.channel.cancel()
      if (held.stopped) return
      held.run = job.channel.runChunk(workOf(data))
      const reply = await held.run.reply
      encoded = encodeReply(reply)
      message = {
        chunk: data.chunk,
        agent: this.name,
        lane: reply.lane,
        retries,
        counts: job.channel.live(),
        ok: true,
        key: null
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      message = {
        chunk: data.chunk,
        agent: this.name,
        lane: -1,
        retries,
        counts: job.channel.live(),
        ok: false,
        error: {
          name: error.name,
          message: error.message,
          ...(typeof codeOf(error) === 'string' ? { code: codeOf(error) as string } : {}),
          heapLimitMb: threads?.heapLimitMb ?? this.threads.heapLimitMb
        },
        running: held.run?.running() ?? null
      }
    } finally {
      this.held.delete(data.chunk)
    }
    this.chunksDone++
    if (held.stopped) return
    const channel = doneChannel(data.coordinator)
    if (!encoded || !message.ok || encoded.length <= INLINE_REPLY_BYTES) {
      // One PUBLISH carries it all: nothing is stored, nothing is left to read or delete.
      await this.redis.publish(channel, encodeDone(message, encoded))
      return
    }
    const key = `poolscope:result:${data.coordinator}:${data.chunk}:${this.name}:${attempt}`
    await this.redis
      .multi()
      .set(key, encoded, 'PX', RESULT_TTL_MS)
      .publish(channel, encodeDone({ ...message, key }))
      .exec()
  }

  /** Reports every LIVE_PERIOD_MS while this agent holds chunks; stops once it holds none. */
  private reportWhileBusy(): void {
    if (this.liveTimer) return
    this.liveTimer = setInterval(() => {
      if (this.held.size === 0) {
        if (this.liveTimer) clearInterval(this.liveTimer)
        this.liveTimer = null
        return
      }
      this.report()
    }, LIVE_PERIOD_MS)
  }

  /**
   * One message per coordinator: its chunks this agent runs (lane here, since when, the task now,
   * all on the job clock) and this agent's counters for each of its jobs. Best effort: a report
   * lost to a Redis hiccup is replaced by the next; one still under way is not doubled.
   */
  private report(): void {
    if (this.reporting) return
    const messages = new Map<string, LiveMessage>()
    for (const [id, held] of this.held) {
      const coordinator = held.data.coordinator
      let message = messages.get(coordinator)
      if (!message) {
        message = { agent: this.name, jobs: [], chunks: [] }
        messages.set(coordinator, message)
      }
      if (!message.jobs.some((entry) => entry.job === held.data.job)) {
        message.jobs.push({ job: held.data.job, counts: held.job.channel.live() })
      }
      const activity = held.run?.activity()
      if (!activity) continue
      message.chunks.push({
        chunk: id,
        lane: activity.lane,
        receivedAt: activity.receivedAt,
        task: activity.task,
        at: performance.timeOrigin + performance.now() - held.job.origin
      })
    }
    const pipeline = this.redis.pipeline()
    for (const [coordinator, message] of messages)
      pipeline.publish(liveChannel(coordinator), JSON.stringify(message))
    this.reporting = true
    pipeline
      .exec()
      .catch(() => undefined)
      .finally(() => (this.reporting = false))
  }

  /** Stops taking chunks, deregisters and shuts the threads down. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    if (this.clockTimer) clearInterval(this.clockTimer)
    if (this.liveTimer) clearInterval(this.liveTimer)
    // A worker whose Redis is gone may never finish closing (its connections retry for ever): it
    // gets STOP_GRACE_MS, then its connections are cut.
    const closed = await Promise.race([
      Promise.all([this.worker?.close(true), this.codeWorker?.close(true)]).then(
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
    await this.codeThreads?.dispose()
  }
}
