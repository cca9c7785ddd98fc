import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { TASK_STATUS, COLUMN_BYTES_PER_TASK, type ChunkReply } from '../../chunkProtocol'
import type {
  Backend,
  BackendJob,
  BackendOptions,
  ChunkRun,
  ChunkActivity,
  ChunkWork,
  LaneLabel,
  LiveCounts,
  RunningTask
} from '../backend'
import { sumLiveCounts } from '../backend'
import { DEFAULT_HEAP_LIMIT_MB } from '../threads'
import { connect, queueConnection, redactRedisUrl } from './connection'
import {
  AGENTS_SET,
  CANCEL_CHANNEL,
  CANCEL_TTL_S,
  CHUNK_QUEUE,
  CODE_CHUNK_QUEUE,
  STOP_CHANNEL,
  agentKey,
  cancelKey,
  chunkData,
  decodeDone,
  decodeReply,
  doneChannel,
  liveChannel,
  type AgentInfo,
  type LiveChunk,
  type LiveMessage
} from './protocol'
import { measureRedisClock, type ClockOffset } from './redisClock'

/**
 * How long the coordinator waits for a lost Redis connection to come back before it fails every
 * chunk under way: a job must end (failed, with what was filed kept), never hang.
 */
export const REDIS_LOST_MS = 5000

/** One agent thread as a lane of this back end. */
interface LaneSlot {
  agent: AgentInfo
  /** The thread's lane on its agent. */
  local: number
}

/** A chunk on its way through Redis. */
interface PendingChunk {
  id: string
  firstTask: number
  tasks: number
  job: ClusterJob
  settled: boolean
  /** What the agent running it said last (see LiveMessage), and which agent that is. */
  live: (LiveChunk & { agent: string }) | null
  resolve(reply: ChunkReply & { lane: number; retried?: boolean }): void
  reject(error: Error): void
}

/** What crossing Redis has cost and what it delivered twice. */
export interface ClusterStats {
  /** Replies filed, and replies of chunks already filed that were dropped. */
  filed: number
  duplicates: number
  /** Replies filed that were too large to travel inside their message, read from a key of their own. */
  stored: number
  /** Chunks a cancel took off the queue before any agent had them. */
  withdrawn: number
  /** Chunks stopped on the agent running them (a task timeout, a cancel of custom code). */
  stopped: number
  /** First tasks of the chunks filed after BullMQ handed them on from an agent that went silent. */
  retried: number[]
}

const slotKey = (agent: string, local: number): string => `${agent}\n${local}`

/** The agents that take a pool's chunks: those started with --allow-code for custom code, else all. */
function takersOf(agents: AgentInfo[], forCode: boolean): AgentInfo[] {
  // An agent registered by an older PoolScope has no allowCode: it takes no code.
  return forCode ? agents.filter((agent) => agent.allowCode === true) : agents
}

/** An agent heard from before its registration was read: its name only, until the next refresh. */
function unregistered(name: string): AgentInfo {
  return {
    name,
    host: name,
    pid: -1,
    threads: 0,
    threadIds: [],
    allowCode: false,
    codeThreadIds: [],
    cpuModel: '',
    node: '',
    clockOffsetMs: 0,
    clockUncertaintyMs: 0,
    chunksDone: 0,
    seenAt: 0
  }
}

/** The agents registered now (their registration has not expired), sorted by name. */
export async function registeredAgents(redis: Redis): Promise<AgentInfo[]> {
  const names = await redis.smembers(AGENTS_SET)
  if (names.length === 0) return []
  const values = await redis.mget(names.map(agentKey))
  const agents: AgentInfo[] = []
  const gone: string[] = []
  values.forEach((value, i) => {
    if (value === null) gone.push(names[i])
    else agents.push(JSON.parse(value) as AgentInfo)
  })
  if (gone.length > 0) await redis.srem(AGENTS_SET, ...gone)
  return agents.sort((a, b) => a.name.localeCompare(b.name))
}

/** How often the registered agents are read again while chunks are under way (agents come and go). */
const AGENTS_REFRESH_MS = 1000

/**
 * The `cluster` back end: chunks go on a BullMQ queue in Redis and PoolScope agents (`poolscope
 * agent`) on any machine run them on their own worker threads. Lanes are the agents' threads,
 * labelled by agent and thread, given out in name order at start-up and then to agents as they
 * register (an agent thread beyond the job's lanes shares a lane, round robin). With no agent a job
 * waits, and says so. Every timestamp lands on this process's clock: the agents and this
 * coordinator each measure their offset to the Redis server's clock.
 */
export class ClusterBackend implements Backend {
  readonly kind = 'cluster'
  readonly lanes: number
  readonly heapLimitMb: number
  readonly forCode: boolean
  startupMs = 0
  readonly id = randomUUID()
  private readonly pending = new Map<string, PendingChunk>()
  /** Each lane's agent thread; null for a lane no agent thread has been given yet. */
  private readonly slots: Array<LaneSlot | null>
  private readonly laneOfSlot = new Map<string, number>()
  /** Agent threads placed beyond the lanes, sharing them round robin. */
  private shared = 0
  /** The agents that take this pool's chunks, as last read from Redis. */
  private agents: AgentInfo[] = []
  private refreshTimer: NodeJS.Timeout | null = null
  /** The refresh under way, which a reply from an agent not yet read waits for. */
  private refreshing: Promise<void> | null = null
  /** The worker-thread ids of an agent's threads that run this pool's chunks. */
  private readonly threadIdsOf: (agent: AgentInfo) => number[]
  private nextChunk = 1
  private disposed = false
  /** Set while a connection has been down longer than REDIS_LOST_MS: new chunks fail at once. */
  private lost: Error | null = null
  private readonly stats: ClusterStats = {
    filed: 0,
    duplicates: 0,
    stored: 0,
    withdrawn: 0,
    stopped: 0,
    retried: []
  }
  /** Chunks stopped while an agent may hold them: a reply of theirs is dropped, not counted twice. */
  private readonly stoppedIds = new Set<string>()
  private readonly jobs = new Map<string, ClusterJob>()

  private constructor(
    private readonly options: BackendOptions,
    readonly url: string,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly queue: Queue,
    private readonly queueConnections: Redis[],
    readonly clock: ClockOffset,
    agents: AgentInfo[]
  ) {
    this.lanes = options.lanes
    this.heapLimitMb = options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB
    this.forCode = options.isolateCode ?? false
    this.slots = Array.from({ length: this.lanes }, () => null)
    this.threadIdsOf = (agent) => (this.forCode ? agent.codeThreadIds : agent.threadIds)
    this.place(agents)
    this.refreshTimer = setInterval(() => void this.refreshAgents(), AGENTS_REFRESH_MS)
    this.refreshTimer.unref()
  }

  /**
   * Gives each thread of these agents not placed yet the first lane without one, or a shared lane
   * once every lane has its own; keeps the agents' latest registrations (clock offsets, threads).
   */
  private place(agents: AgentInfo[]): void {
    this.agents = agents
    for (const agent of agents) {
      for (let local = 0; local < agent.threads; local++) this.placeThread(agent, local)
    }
    // Labels follow the latest registration of each placed agent.
    const latest = new Map(agents.map((agent) => [agent.name, agent]))
    this.slots.forEach((slot) => {
      const agent = slot && latest.get(slot.agent.name)
      if (slot && agent) slot.agent = agent
    })
  }

  private placeThread(agent: AgentInfo, local: number): number {
    const key = slotKey(agent.name, local)
    const placed = this.laneOfSlot.get(key)
    if (placed !== undefined) return placed
    const free = this.slots.indexOf(null)
    const lane = free >= 0 ? free : this.shared++ % this.lanes
    if (free >= 0) this.slots[free] = { agent, local }
    this.laneOfSlot.set(key, lane)
    return lane
  }

  /**
   * Reads the registered agents again while chunks are under way (or when `now`), placing
   * newcomers.
   */
  private refreshAgents(now = false): Promise<void> {
    if (this.refreshing) return this.refreshing
    if (this.disposed || (!now && this.pending.size === 0) || this.redis.status !== 'ready')
      return Promise.resolve()
    this.refreshing = registeredAgents(this.redis)
      .then((agents) => this.place(takersOf(agents, this.forCode)))
      .catch(() => {
        // Redis errors are the connection watch's business; the next refresh tries again.
      })
      .finally(() => {
        this.refreshing = null
      })
    return this.refreshing
  }

  /**
   * Why chunks under way are not moving, when no agent that takes them is registered: the job
   * waits for one (a cancel ends it), and says so.
   */
  waiting(): string | null {
    if (this.pending.size === 0 || this.agents.length > 0) return null
    const url = redactRedisUrl(this.url)
    return (
      `waiting for a PoolScope agent: none ${this.forCode ? 'that runs custom code ' : ''}is registered at ${url}; ` +
      `start one with poolscope agent --redis ${url}${this.forCode ? ' --allow-code' : ''}`
    )
  }

  /**
   * Connects to Redis, measures the clock and reads the registered agents. Refuses at once, with
   * nothing started, when Redis cannot be reached, and a pool for custom code when agents are
   * registered but none takes custom code (only agents started with `--allow-code` do; the pool's
   * lanes are theirs). With no agent registered at all it starts, and its chunks wait for one.
   */
  static async create(options: BackendOptions): Promise<ClusterBackend> {
    const started = performance.now()
    const url = options.redis
    if (!url) throw new Error('the cluster back end needs a Redis URL (redis://host:port)')
    const redis = await connect(url)
    let subscriber: Redis | null = null
    let queue: Queue | null = null
    // The queue's connections: BullMQ leaves a connection it was given open (and its duplicates).
    const queueConnections: Redis[] = []
    try {
      const registered = await registeredAgents(redis)
      const forCode = options.isolateCode ?? false
      const agents = takersOf(registered, forCode)
      // With no agent at all the job waits for one (see waiting()); agents that are there but do
      // not take custom code are a setup to change, said at once.
      if (agents.length === 0 && registered.length > 0) {
        throw new Error(
          `none of the ${registered.length} PoolScope agent${registered.length === 1 ? '' : 's'} registered at ` +
            `${redactRedisUrl(url)} runs custom code; start agents that may with ` +
            `poolscope agent --redis ${redactRedisUrl(url)} --allow-code`
        )
      }
      const clock = await measureRedisClock(redis)
      subscriber = await connect(url)
      queue = new Queue(forCode ? CODE_CHUNK_QUEUE : CHUNK_QUEUE, {
        connection: queueConnection(redis, queueConnections)
      })
      queue.on('error', (error) => options.onError?.(error))
      const backend = new ClusterBackend(
        options,
        url,
        redis,
        subscriber,
        queue,
        queueConnections,
        clock,
        agents
      )
      backend.watchConnection(redis)
      backend.watchConnection(subscriber)
      const done = doneChannel(backend.id)
      await subscriber.subscribe(done, liveChannel(backend.id))
      subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
        if (channel.toString() === done) {
          backend.onDone(message).catch((err: unknown) => options.onError?.(err as Error))
        } else {
          backend.onLive(JSON.parse(message.toString()) as LiveMessage)
        }
      })
      backend.startupMs = performance.now() - started
      return backend
    } catch (err) {
      await queue?.close().catch(() => undefined)
      for (const connection of queueConnections) connection.disconnect()
      subscriber?.disconnect()
      redis.disconnect()
      throw err
    }
  }

  /** Fails the chunks under way when a connection stays down for REDIS_LOST_MS. */
  private watchConnection(connection: Redis): void {
    let timer: NodeJS.Timeout | null = null
    connection.on('close', () => {
      if (this.disposed || timer) return
      timer = setTimeout(() => {
        timer = null
        const lost = new Error(
          `lost the connection to Redis at ${redactRedisUrl(this.url)} for ${REDIS_LOST_MS / 1000} s`
        )
        this.lost = lost
        for (const chunk of [...this.pending.values()]) chunk.reject(lost)
      }, REDIS_LOST_MS)
      timer.unref()
    })
    connection.on('ready', () => {
      if (timer) clearTimeout(timer)
      timer = null
      this.lost = null
    })
  }

  laneLabels(): LaneLabel[] {
    const labels: LaneLabel[] = []
    for (let lane = 0; lane < this.lanes; lane++) {
      const slot = this.slots[lane]
      labels.push(
        slot
          ? {
              lane,
              host: slot.agent.name,
              pid: slot.agent.pid,
              threadId: this.threadIdsOf(slot.agent)[slot.local] ?? -1,
              clockOffsetMs: slot.agent.clockOffsetMs - this.clock.offsetMs,
              clockUncertaintyMs: slot.agent.clockUncertaintyMs + this.clock.uncertaintyMs
            }
          : {
              lane,
              host: '(no agent yet)',
              pid: -1,
              threadId: -1,
              clockOffsetMs: 0,
              clockUncertaintyMs: 0
            }
      )
    }
    return labels
  }

  /** Each lane's clock offset to this process and its uncertainty (both sides' half round trips), ms. */
  clocks(): Array<{ lane: number; offsetMs: number; uncertaintyMs: number }> {
    return this.slots.flatMap((slot, lane) =>
      slot
        ? [
            {
              lane,
              offsetMs: slot.agent.clockOffsetMs - this.clock.offsetMs,
              uncertaintyMs: slot.agent.clockUncertaintyMs + this.clock.uncertaintyMs
            }
          ]
        : []
    )
  }

  counts(): ClusterStats {
    return { ...this.stats, retried: [...this.stats.retried] }
  }

  openJob(origin: number): BackendJob {
    const job = new ClusterJob(this, randomUUID(), origin)
    this.jobs.set(job.id, job)
    return job
  }

  /** Puts a chunk on the queue; see ClusterJob.runChunk. */
  run(job: ClusterJob, work: ChunkWork): ChunkRun {
    const id = `${this.id}-${this.nextChunk++}`
    let resolve!: PendingChunk['resolve']
    let reject!: PendingChunk['reject']
    const reply = new Promise<ChunkReply & { lane: number; retried?: boolean }>((res, rej) => {
      resolve = res
      reject = rej
    })
    const chunk: PendingChunk = {
      id,
      firstTask: work.firstTask,
      tasks: work.planIndex.length,
      job,
      settled: false,
      live: null,
      resolve: (value) => {
        if (chunk.settled) return
        chunk.settled = true
        this.pending.delete(id)
        resolve(value)
      },
      reject: (error) => {
        if (chunk.settled) return
        chunk.settled = true
        this.pending.delete(id)
        reject(error)
      }
    }
    if (this.disposed) {
      chunk.reject(new Error('the cluster back end has been shut down'))
    } else if (this.lost) {
      chunk.reject(this.lost)
    } else if (work.code !== undefined && !this.forCode) {
      // Never on the queue every agent takes from: only --allow-code agents take custom chunks.
      chunk.reject(new Error('custom code runs only on a cluster pool made for it (isolateCode)'))
    } else {
      this.pending.set(id, chunk)
      // The job clock's zero on the Redis server's clock: each agent adds its own offset.
      const originOnRedis = job.origin - this.clock.offsetMs
      this.queue
        .add('chunk', chunkData(this.id, job.id, id, originOnRedis, work), {
          jobId: id,
          removeOnComplete: true,
          removeOnFail: true
        })
        .catch((err: unknown) =>
          chunk.reject(new Error(`could not queue the chunk: ${(err as Error).message}`))
        )
    }
    return {
      reply,
      running: () => this.running(chunk),
      activity: () => this.activity(chunk),
      stop: (reason) => {
        if (chunk.settled) return
        chunk.reject(reason)
        this.stopOnAgent(chunk).catch((err: unknown) => this.options.onError?.(err as Error))
      }
    }
  }

  /**
   * The chunk's task running on its agent, as the agent last reported it, with `since` moved on by
   * the report's age: the task is known to have run `at - since` when the agent looked, and no
   * more can be told, so a task timeout never fires on a task that may have ended meanwhile (it
   * fires up to a report period and a network hop late instead).
   */
  private running(chunk: PendingChunk): RunningTask | null {
    const live = chunk.live
    // Kept once the chunk has ended, as the threads' heartbeat is: a lost chunk's failures name it.
    if (!live?.task) return null
    const age = Math.max(0, chunk.job.now() - live.at)
    return { ...live.task, since: live.task.since + age }
  }

  /** Where the chunk runs, as its agent last reported it (null until an agent's thread has taken it). */
  private activity(chunk: PendingChunk): ChunkActivity | null {
    const live = chunk.live
    if (chunk.settled || !live) return null
    return { lane: this.laneOf(live.agent, live.lane), receivedAt: live.receivedAt, task: live.task }
  }

  private laneOf(agent: string, local: number): number {
    const lane = this.laneOfSlot.get(slotKey(agent, local))
    if (lane !== undefined) return lane
    // An agent heard from before the refresh that reads its registration: its thread gets a lane
    // now (a chunk's lane is kept), labelled by name until that refresh.
    void this.refreshAgents()
    return this.placeThread(this.agents.find((info) => info.name === agent) ?? unregistered(agent), local)
  }

  /**
   * Stops a chunk: takes it off the queue if no agent has it yet, or else tells the agent holding
   * it (every agent hears the stop channel and remembers recent stops, for a chunk still on its
   * way to it), which stops the chunk's worker there.
   */
  private async stopOnAgent(chunk: PendingChunk): Promise<void> {
    this.stoppedIds.add(chunk.id)
    if (await this.withdraw(chunk)) {
      this.stoppedIds.delete(chunk.id)
      return
    }
    if (this.lost || this.redis.status !== 'ready') return
    this.stats.stopped++
    await this.redis.publish(STOP_CHANNEL, chunk.id)
  }

  /** An agent's report between replies: where its chunks of this coordinator run, and its counters. */
  onLive(message: LiveMessage): void {
    for (const { job, counts } of message.jobs) this.jobs.get(job)?.note(message.agent, counts)
    for (const live of message.chunks) {
      const chunk = this.pending.get(live.chunk)
      if (!chunk || chunk.settled) continue
      // Reports of one agent come in order; one from another agent (a chunk handed on) replaces it.
      chunk.live = { ...live, agent: message.agent }
    }
  }

  /**
   * Files an agent's reply (inline or under a key): the first complete one of a chunk wins; later
   * ones are dropped and counted. A reply of a chunk stopped meanwhile is dropped uncounted.
   */
  async onDone(published: Buffer): Promise<void> {
    const { message, reply: inline } = decodeDone(published)
    const chunk = this.pending.get(message.chunk)
    chunk?.job.note(message.agent, message.counts)
    if (!chunk || chunk.settled) {
      if (!this.stoppedIds.delete(message.chunk)) this.stats.duplicates++
      if (message.ok && message.key !== null) await this.redis.del(message.key)
      return
    }
    if (!message.ok) {
      const { name, code, heapLimitMb } = message.error
      const error = Object.assign(new Error(message.error.message), { code, heapLimitMb })
      error.name = name
      // The task the agent was running when the chunk failed, for its failure message: a live
      // report may not have come before the failure did.
      if (message.running) {
        chunk.live = {
          chunk: chunk.id,
          lane: message.lane,
          receivedAt: chunk.live?.receivedAt ?? message.running.since,
          task: message.running,
          at: chunk.job.now(),
          agent: message.agent
        }
      }
      chunk.reject(error)
      return
    }
    // Claimed now, before any read: a duplicate announced meanwhile finds it settled.
    this.pending.delete(chunk.id)
    let bytes = inline
    if (message.key !== null) {
      const [[, stored]] = (await this.redis.multi().getBuffer(message.key).del(message.key).exec()) as [
        [Error | null, Buffer | null]
      ]
      bytes = stored
      this.stats.stored++
    }
    if (!bytes) {
      chunk.reject(new Error(`the reply of chunk ${chunk.id} expired in Redis before it was read`))
      return
    }
    const reply = decodeReply(bytes)
    // The first reply of an agent that registered since the last refresh: its lane is labelled
    // from its registration, read now.
    if (!this.agents.some((agent) => agent.name === message.agent)) await this.refreshAgents(true)
    const lane = this.laneOf(message.agent, message.lane)
    this.stats.filed++
    if (message.retries > 0) this.stats.retried.push(chunk.firstTask)
    chunk.resolve({ ...reply, lane, retried: message.retries > 0 })
  }

  /** Takes a chunk off the queue if no agent has it yet; true when it was removed. */
  async withdraw(chunk: PendingChunk): Promise<boolean> {
    // Without Redis nothing can be taken off, and the queue would wait for it for ever.
    if (this.lost || this.redis.status !== 'ready') return false
    try {
      return (await this.queue.remove(chunk.id)) === 1
    } catch {
      // An agent holds it (BullMQ refuses to remove a locked chunk): it runs, cancelled.
      return false
    }
  }

  /**
   * Ends the job's chunks no agent has taken yet, then raises its cancel flag for every agent.
   * In that order: an agent that hears the cancel ends its chunk at once and would take a waiting
   * one straight away (BullMQ hands the next chunk with the finish), only to run it cancelled.
   */
  async cancel(job: ClusterJob): Promise<void> {
    const waiting = [...this.pending.values()].filter((chunk) => chunk.job === job)
    await Promise.all(
      waiting.map(async (chunk) => {
        if (await this.withdraw(chunk)) {
          this.stats.withdrawn++
          chunk.resolve({ ...cancelledReply(chunk, job.now()), lane: 0 })
        }
      })
    )
    await this.redis
      .multi()
      .set(cancelKey(job.id), '1', 'EX', CANCEL_TTL_S)
      .publish(CANCEL_CHANNEL, job.id)
      .exec()
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    if (this.refreshTimer) clearInterval(this.refreshTimer)
    const shutDown = new Error('the cluster back end has been shut down')
    for (const chunk of [...this.pending.values()]) {
      await this.withdraw(chunk)
      chunk.reject(shutDown)
    }
    await this.queue.close().catch(() => undefined)
    // Left open, they would keep a `poolscope run` process alive after its job.
    for (const connection of this.queueConnections) connection.disconnect()
    this.subscriber.disconnect()
    this.redis.disconnect()
  }
}

/** The reply of a chunk a cancel took off the queue: no task of it ran. */
function cancelledReply(chunk: PendingChunk, at: number): ChunkReply {
  const n = chunk.tasks
  const columns = new ArrayBuffer(n * COLUMN_BYTES_PER_TASK)
  return {
    firstTask: chunk.firstTask,
    threadId: -1,
    tid: -1,
    produced: new Float64Array(columns, 0, n),
    kept: new Float64Array(columns, n * 8, n),
    offset: new Float64Array(columns, n * 16, n),
    start: new Float64Array(columns, n * 24, n).fill(NaN),
    end: new Float64Array(columns, n * 32, n).fill(NaN),
    cpu: new Int16Array(columns, n * 40, n).fill(-1),
    status: new Uint8Array(columns, n * 42, n).fill(TASK_STATUS.cancelled),
    width: new Uint8Array(columns, n * 43, n).fill(1),
    receivedAt: at,
    repliedAt: at,
    data: new ArrayBuffer(0),
    errors: [],
    stopped: null,
    totals: { done: 0, failed: 0, produced: 0, kept: 0, busyMs: 0 }
  }
}

/** One job on the cluster: its id (the agents' key to its cancel flag) and counts of filed chunks. */
class ClusterJob implements BackendJob {
  private cancelled = false
  /** Each agent's latest counters for this job. */
  private readonly counts = new Map<string, LiveCounts>()

  constructor(
    private readonly backend: ClusterBackend,
    readonly id: string,
    readonly origin: number
  ) {}

  now(): number {
    return performance.timeOrigin + performance.now() - this.origin
  }

  runChunk(work: ChunkWork): ChunkRun {
    return this.backend.run(this, work)
  }

  /**
   * An agent's counters for this job, as it sent them with a reply or in its report between
   * replies (every LIVE_PERIOD_MS while it runs chunks).
   */
  note(agent: string, counts: LiveCounts): void {
    const last = this.counts.get(agent)
    if (!last) {
      this.counts.set(agent, { ...counts })
      return
    }
    // Replies of one agent's threads may arrive out of order: counters only grow.
    last.tasksDone = Math.max(last.tasksDone, counts.tasksDone)
    last.tasksFailed = Math.max(last.tasksFailed, counts.tasksFailed)
    last.tuples = Math.max(last.tuples, counts.tuples)
    last.work = Math.max(last.work, counts.work)
  }

  cancel(): void {
    if (this.cancelled) return
    this.cancelled = true
    void this.backend.cancel(this)
  }

  live(): LiveCounts {
    return sumLiveCounts(this.counts.values())
  }
}
