import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { ChunkReply } from '../../chunkProtocol'
import type {
  Backend,
  BackendJob,
  BackendOptions,
  ChunkRun,
  ChunkWork,
  LaneLabel,
  LiveCounts,
  RunningTask
} from '../backend'
import { sumLiveCounts } from '../backend'
import { DEFAULT_HEAP_LIMIT_MB } from '../threads'
import type { ChildCounts, ErrorData, FromChild, RelayedBeat, ToChild } from './messages'
import { isolatedChildFlags } from './permissions'

/** The bundled child entry, looked for next to the worker file. */
export const CHILD_FILE_NAME = 'processChild.cjs'
/** How long a child may take to stop its tasks after a cancel before it is killed and replaced. */
export const CANCEL_GRACE_MS = 2000
/** How long a child may take to exit when asked to before it is killed. */
export const EXIT_GRACE_MS = 1000
/** How long a child may take to start, load its worker and answer. */
export const START_TIMEOUT_MS = 20_000
/** Clock probes per child at start-up; the one with the shortest round trip gives the offset. */
const CLOCK_PROBES = 7
/** Chunks sent to one child at a time: the one it runs and the next, so it never waits for the parent. */
const CHUNKS_PER_CHILD = 2
/** A lane whose replacement fails to start this many times in a row is given up. */
const MAX_START_FAILURES = 3

const now = (): number => performance.timeOrigin + performance.now()

/** Where the child entry of a worker file is: beside it (out/node, out/main, app.asar). */
export function childFileFor(workerFile: string): string {
  return join(dirname(workerFile), CHILD_FILE_NAME)
}

function errorFrom(data: ErrorData): Error {
  const error = new Error(data.message)
  error.name = data.name
  if (data.code !== undefined) (error as Error & { code?: string }).code = data.code
  return error
}

/** What copying replies across the process boundary has cost so far. */
export interface TransferStats {
  replies: number
  /** Bytes of the replies' typed arrays and packed tuples. */
  bytes: number
  /** Sum over replies of the time from the child's send to the parent's receipt, ms. */
  ms: number
}

/** One chunk on its way: in the parent's queue, at a child, or settled. */
interface PendingChunk {
  readonly id: number
  readonly job: ProcessesJob
  readonly work: ChunkWork
  resolve(reply: ChunkReply & { lane: number }): void
  reject(error: Error): void
  child: Child | null
  started: boolean
  settled: boolean
  withdrawing: boolean
  beat: RelayedBeat | null
}

function runningOf(beat: RelayedBeat | null): RunningTask | null {
  return beat && beat.task >= 0 ? { index: beat.task, since: beat.since, progress: beat.progress } : null
}

/** One child process: one lane. */
class Child {
  state: 'starting' | 'ready' | 'gone' = 'starting'
  threadId = -1
  clockOffsetMs = 0
  clockRttMs = 0
  /** Chunks sent and not answered, in the order sent (the child runs them in that order). */
  readonly outstanding: PendingChunk[] = []
  /** Resolves once the child has loaded its worker and its clock is measured. */
  ready: Promise<void> = Promise.resolve()
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
  private onPong: ((seq: number, childNow: number) => void) | null = null

  constructor(
    readonly lane: number,
    readonly process: ChildProcess
  ) {
    this.exited = new Promise((resolve) => {
      process.once('exit', () => resolve())
      // A process that could not be spawned emits 'error' and never 'exit'.
      process.once('error', () => {
        if (process.pid === undefined) resolve()
      })
    })
  }

  get pid(): number {
    return this.process.pid ?? -1
  }

  send(message: ToChild): void {
    if (this.state === 'gone' || !this.process.connected) return
    try {
      this.process.send(message)
    } catch {
      // The channel closed under us: the 'exit' handler deals with the child.
    }
  }

  pong(seq: number, childNow: number): void {
    this.onPong?.(seq, childNow)
  }

  /** Measures how far the child's clock is ahead of ours: the probe with the shortest round trip wins. */
  async measureClock(): Promise<void> {
    let best = { rtt: Infinity, offset: 0 }
    for (let seq = 0; seq < CLOCK_PROBES; seq++) {
      const sentAt = now()
      const childNow = await new Promise<number>((resolve) => {
        this.onPong = (answered, at) => {
          if (answered === seq) resolve(at)
        }
        this.send({ kind: 'ping', seq })
      })
      const receivedAt = now()
      const rtt = receivedAt - sentAt
      if (rtt < best.rtt) best = { rtt, offset: childNow - (sentAt + receivedAt) / 2 }
    }
    this.onPong = null
    this.clockOffsetMs = best.offset
    this.clockRttMs = best.rtt
  }

  /** The channel keeps the parent's event loop alive only while the child has work or is starting. */
  holdEventLoop(hold: boolean): void {
    const channel = this.process.channel as { ref?(): void; unref?(): void } | undefined | null
    if (hold) {
      this.process.ref()
      channel?.ref?.()
    } else {
      this.process.unref()
      channel?.unref?.()
    }
  }
}

/**
 * The `processes` back end: a pool of Node child processes, the model `multiprocessing.Pool` uses.
 * Each lane is one child; each child runs chunks on one worker thread of its own, loading the same
 * worker and speaking the same chunk protocol as the threads back end, while its main thread
 * relays. Chunks and replies are copied across the process boundary (structured clone over the
 * IPC channel). A cancel is a message; a child that does not stop within CANCEL_GRACE_MS, or
 * whose chunk is stopped, is killed and replaced. Every child's clock offset is measured at start
 * and every timestamp it reports is on the engine's clock.
 */
export class ProcessesBackend implements Backend {
  readonly kind = 'processes'
  readonly lanes: number
  readonly heapLimitMb: number
  readonly forCode: boolean
  startupMs = 0
  private readonly children: Child[] = []
  /** Every child not yet exited, replaced ones included: dispose waits for them all. */
  private readonly alive = new Set<Child>()
  private readonly queue: PendingChunk[] = []
  private readonly pending = new Map<number, PendingChunk>()
  private readonly startFailures: number[]
  private readonly childFile: string
  /**
   * Node flags of every child: none, or for a pool that runs custom code the permission model's
   * (see permissions.ts) and the heap limit.
   */
  private readonly childFlags: string[]
  /** Whether the children run under Node's permission model. */
  readonly isolated: boolean
  private nextChunkId = 1
  private nextJobId = 1
  private disposed = false
  private readonly transferStats: TransferStats = { replies: 0, bytes: 0, ms: 0 }

  private constructor(private readonly options: BackendOptions) {
    this.lanes = options.lanes
    this.heapLimitMb = options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB
    this.forCode = options.isolateCode ?? false
    this.childFile = childFileFor(options.workerFile)
    this.startFailures = new Array<number>(options.lanes).fill(0)
    const permissions = options.isolateCode ? isolatedChildFlags(this.childFile, options.workerFile) : null
    this.isolated = permissions !== null
    this.childFlags = options.isolateCode
      ? [...(permissions ?? []), `--max-old-space-size=${this.heapLimitMb}`]
      : []
  }

  /**
   * Why child processes cannot run here, or null. Electron's RunAsNode fuse is off in the packaged
   * app (electron-builder.yml), so its binary cannot be forked as Node: the child would start a
   * second app instead.
   */
  static unavailableReason(): string | null {
    return isPackagedElectron()
      ? 'child processes are not available in the packaged desktop app; use threads (or the CLI)'
      : null
  }

  /** Starts every child in parallel and waits until each has loaded its worker and its clock is measured. */
  static async create(options: BackendOptions): Promise<ProcessesBackend> {
    const started = performance.now()
    const backend = new ProcessesBackend(options)
    if (!existsSync(backend.childFile)) {
      throw new Error(`the child process entry ${CHILD_FILE_NAME} is missing beside the worker`)
    }
    const unavailable = ProcessesBackend.unavailableReason()
    if (unavailable) throw new Error(unavailable)
    try {
      for (let lane = 0; lane < options.lanes; lane++) backend.children.push(backend.launch(lane))
      await Promise.all(backend.children.map((child) => child.ready))
    } catch (err) {
      await backend.dispose()
      throw err
    }
    backend.startupMs = performance.now() - started
    return backend
  }

  /** Forks the child of a lane; its `ready` settles once it has answered and its clock is measured. */
  private launch(lane: number): Child {
    // Children that run custom code get no environment of ours: variables may hold secrets (and
    // NODE_OPTIONS could add flags the permission model does not expect).
    const env: NodeJS.ProcessEnv = this.options.isolateCode ? {} : { ...process.env }
    // Under Electron, process.execPath is the Electron binary: run it as plain Node.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1'
    const proc = fork(this.childFile, [], {
      serialization: 'advanced',
      // The parent's own flags (an inspector, a test runner's loader) are not the child's business;
      // a pool for custom code adds its own (the permission model).
      execArgv: this.childFlags,
      env,
      // The child writes nothing to stdout (it may be a CLI's JSON report); its crashes go to stderr.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    })
    const child = new Child(lane, proc)
    this.alive.add(child)
    void child.exited.then(() => this.alive.delete(child))
    let settleStart: ((error: Error | null) => void) | null = null
    child.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => settleStart?.(new Error(`a child process did not answer within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS
      )
      settleStart = (error) => {
        settleStart = null
        clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      }
    })
    proc.on('message', (message: FromChild) => {
      if (message.kind === 'ready') {
        child.threadId = message.threadId
        child
          .measureClock()
          .then(() => {
            if (child.state !== 'starting') return
            child.state = 'ready'
            settleStart?.(null)
            child.holdEventLoop(false)
            this.dispatch()
          })
          .catch((err: unknown) => settleStart?.(err as Error))
        return
      }
      if (message.kind === 'error' && child.state === 'starting') {
        settleStart?.(new Error(message.error.message))
        return
      }
      this.onMessage(child, message)
    })
    // An 'error' is a failed spawn or send; 'exit' follows when there was a process.
    proc.on('error', (error) => {
      if (child.state === 'starting') settleStart?.(error)
    })
    proc.on('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
      const error = new Error(`the worker process ${how}`)
      if (child.state === 'starting') {
        child.state = 'gone'
        settleStart?.(new Error(`a child process ${how} before it was ready`))
        return
      }
      this.lose(child, error, null)
    })
    proc.send({ kind: 'init', workerFile: this.options.workerFile, heapLimitMb: this.heapLimitMb })
    return child
  }

  private onMessage(child: Child, message: FromChild): void {
    if (message.kind === 'pong') {
      child.pong(message.seq, message.now)
      return
    }
    if (message.kind === 'error') {
      this.options.onError?.(errorFrom(message.error))
      return
    }
    if (message.kind === 'ready') return
    const chunk = this.pending.get(message.id)
    if (!chunk || chunk.child !== child) return
    switch (message.kind) {
      case 'started':
        chunk.started = true
        break
      case 'live':
        chunk.beat = message.beat
        chunk.job.note(child, message.counts)
        break
      case 'reply': {
        const receivedAt = now() - chunk.job.origin
        const { reply } = message
        this.transferStats.replies++
        this.transferStats.ms += receivedAt - message.sentAt
        this.transferStats.bytes += reply.data.byteLength + reply.status.length * 44
        child.threadId = reply.threadId
        chunk.job.note(child, message.counts)
        this.release(child, chunk)
        chunk.beat = null
        chunk.resolve({ ...reply, lane: child.lane })
        this.dispatch()
        break
      }
      case 'failed':
        chunk.beat = message.beat
        chunk.job.note(child, message.counts)
        this.release(child, chunk)
        chunk.reject(errorFrom(message.error))
        this.dispatch()
        break
      case 'withdrawn':
        chunk.withdrawing = false
        if (message.ok) {
          this.removeOutstanding(child, chunk)
          chunk.child = null
          this.queue.unshift(chunk)
          this.dispatch()
        }
        break
    }
  }

  private removeOutstanding(child: Child, chunk: PendingChunk): void {
    const at = child.outstanding.indexOf(chunk)
    if (at >= 0) child.outstanding.splice(at, 1)
    if (child.outstanding.length === 0 && child.state === 'ready') child.holdEventLoop(false)
  }

  /** A chunk has its answer: it leaves its child and the table of chunks under way. */
  private release(child: Child, chunk: PendingChunk): void {
    this.removeOutstanding(child, chunk)
    this.pending.delete(chunk.id)
  }

  /**
   * A child is gone (it exited, or we killed it). The chunk it was running fails with `error` (or
   * `stopReason` when we stopped it); chunks it had not started go back to the queue. The lane
   * gets a new child.
   */
  private lose(child: Child, error: Error, stopReason: Error | null): void {
    if (child.state === 'gone') return
    child.state = 'gone'
    const chunks = child.outstanding.splice(0)
    const runningChunk = chunks.find((chunk) => chunk.started) ?? null
    if (!runningChunk && !stopReason && !this.disposed) {
      // A child that dies while idle: say so, as the threads' pool does for a worker's error.
      this.options.onError?.(error)
    }
    for (const chunk of chunks.reverse()) {
      if (chunk === runningChunk) {
        this.pending.delete(chunk.id)
        chunk.reject(stopReason ?? error)
      } else {
        chunk.child = null
        chunk.started = false
        chunk.withdrawing = false
        this.queue.unshift(chunk)
      }
    }
    if (this.disposed) return
    this.replace(child.lane)
  }

  private replace(lane: number): void {
    const child = this.launch(lane)
    this.children[lane] = child
    child.ready.then(
      () => {
        this.startFailures[lane] = 0
      },
      (err: unknown) => {
        child.process.kill('SIGKILL')
        if (this.disposed) return
        const failures = ++this.startFailures[lane]
        this.options.onError?.(err as Error)
        if (failures < MAX_START_FAILURES) this.replace(lane)
        else this.giveUpIfNoLane(err as Error)
      }
    )
  }

  /** When no lane can run anything any more, the queued chunks fail instead of waiting forever. */
  private giveUpIfNoLane(error: Error): void {
    const alive = this.children.some(
      (child, lane) => child.state !== 'gone' && this.startFailures[lane] < MAX_START_FAILURES
    )
    if (alive) return
    for (const chunk of this.queue.splice(0)) {
      this.pending.delete(chunk.id)
      chunk.reject(new Error(`no worker process could be started: ${error.message}`))
    }
  }

  /** Kills a child now; see `lose`. */
  private kill(child: Child, reason: Error): void {
    if (child.state === 'gone') return
    child.process.kill('SIGKILL')
    this.lose(child, reason, reason)
  }

  /**
   * Sends queued chunks to children with room (idle children first), then, when the queue is empty,
   * asks a child holding a chunk it has not started to give it back to an idle one.
   */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let target: Child | null = null
      for (const child of this.children) {
        if (child.state !== 'ready' || child.outstanding.length >= CHUNKS_PER_CHILD) continue
        if (!target || child.outstanding.length < target.outstanding.length) target = child
      }
      if (!target) break
      this.sendChunk(target, this.queue.shift() as PendingChunk)
    }
    if (this.queue.length > 0) return
    for (const idle of this.children) {
      if (idle.state !== 'ready' || idle.outstanding.length > 0) continue
      for (const busy of this.children) {
        const last = busy.outstanding[busy.outstanding.length - 1]
        if (busy.outstanding.length < 2 || !last || last.started || last.withdrawing) continue
        last.withdrawing = true
        busy.send({ kind: 'withdraw', id: last.id })
        break
      }
    }
  }

  private sendChunk(child: Child, chunk: PendingChunk): void {
    chunk.child = child
    chunk.started = false
    if (child.outstanding.length === 0) child.holdEventLoop(true)
    child.outstanding.push(chunk)
    child.send({
      kind: 'chunk',
      id: chunk.id,
      job: chunk.job.id,
      jobOrigin: chunk.job.origin + child.clockOffsetMs,
      cancelled: chunk.job.cancelled,
      work: chunk.work
    })
  }

  /** Queues a chunk of a job; see ProcessesJob.runChunk. */
  run(job: ProcessesJob, work: ChunkWork): ChunkRun {
    const id = this.nextChunkId++
    let resolve!: PendingChunk['resolve']
    let reject!: PendingChunk['reject']
    const reply = new Promise<ChunkReply & { lane: number }>((res, rej) => {
      resolve = res
      reject = rej
    })
    const chunk: PendingChunk = {
      id,
      job,
      work,
      resolve: (value) => {
        if (chunk.settled) return
        chunk.settled = true
        resolve(value)
      },
      reject: (error) => {
        if (chunk.settled) return
        chunk.settled = true
        reject(error)
      },
      child: null,
      started: false,
      settled: false,
      withdrawing: false,
      beat: null
    }
    if (this.disposed) {
      chunk.reject(new Error('the worker pool has been shut down'))
    } else {
      this.pending.set(id, chunk)
      this.queue.push(chunk)
      this.dispatch()
    }
    return {
      reply,
      running: () => runningOf(chunk.beat),
      activity: () => {
        const { beat, child } = chunk
        if (chunk.settled || !child || !beat || beat.received < 0) return null
        return { lane: child.lane, receivedAt: beat.received, task: runningOf(beat) }
      },
      stop: (reason) => this.stop(chunk, reason)
    }
  }

  private stop(chunk: PendingChunk, reason: Error): void {
    if (chunk.settled) return
    const child = chunk.child
    if (child && chunk.started) {
      this.kill(child, reason)
      return
    }
    if (child) {
      // Not started yet: the child drops it if it still can; its answer finds the chunk settled.
      child.send({ kind: 'withdraw', id: chunk.id })
      this.removeOutstanding(child, chunk)
    } else {
      const at = this.queue.indexOf(chunk)
      if (at >= 0) this.queue.splice(at, 1)
    }
    this.pending.delete(chunk.id)
    chunk.reject(reason)
    this.dispatch()
  }

  /** Tells every child to stop the job's tasks; children still running one after the grace period are killed. */
  cancel(job: ProcessesJob): void {
    for (const child of this.children) child.send({ kind: 'cancel', job: job.id })
    const timer = setTimeout(() => {
      for (const child of [...this.children]) {
        const stuck = child.outstanding.find((chunk) => chunk.job === job && chunk.started)
        if (stuck) {
          this.kill(
            child,
            new Error(`it did not stop within ${CANCEL_GRACE_MS} ms of the cancel; its process was killed`)
          )
        }
      }
    }, CANCEL_GRACE_MS)
    timer.unref()
  }

  openJob(origin: number): BackendJob {
    return new ProcessesJob(this, this.nextJobId++, origin)
  }

  laneLabels(): LaneLabel[] {
    const host = hostname()
    return this.children.map((child) => ({
      lane: child.lane,
      host,
      pid: child.pid,
      threadId: child.threadId,
      clockOffsetMs: child.clockOffsetMs
    }))
  }

  /** Each lane's clock offset and the round trip it was measured with (its uncertainty), ms. */
  clocks(): Array<{ lane: number; offsetMs: number; roundTripMs: number }> {
    return this.children.map((child) => ({
      lane: child.lane,
      offsetMs: child.clockOffsetMs,
      roundTripMs: child.clockRttMs
    }))
  }

  /** Process ids of the children alive now. */
  pids(): number[] {
    return this.children.filter((child) => child.state !== 'gone').map((child) => child.pid)
  }

  /** What copying replies from the children has cost since the pool started. */
  transfers(): TransferStats {
    return { ...this.transferStats }
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** Fails what is still under way, asks every child to exit and kills those that do not in time. */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    const shutDown = new Error('the worker pool has been shut down')
    for (const chunk of this.pending.values()) chunk.reject(shutDown)
    this.pending.clear()
    this.queue.length = 0
    await Promise.all(
      [...this.alive].map(async (child) => {
        child.send({ kind: 'exit' })
        const timer = setTimeout(() => child.process.kill('SIGKILL'), EXIT_GRACE_MS)
        await child.exited
        clearTimeout(timer)
      })
    )
  }
}

/** True inside a packaged Electron app, whose binary cannot run as Node (see create). */
function isPackagedElectron(): boolean {
  return Boolean(process.versions.electron) && !(process as { defaultApp?: boolean }).defaultApp
}

/** One job on the children: its id, clock and cancel state, and each child's live counters. */
class ProcessesJob implements BackendJob {
  cancelled = false
  /** The last counters each child (each process, replacements apart) reported for this job. */
  private readonly counts = new Map<Child, ChildCounts>()

  constructor(
    private readonly backend: ProcessesBackend,
    readonly id: number,
    readonly origin: number
  ) {}

  note(child: Child, counts: ChildCounts): void {
    if (counts.job === this.id) this.counts.set(child, counts)
  }

  runChunk(work: ChunkWork): ChunkRun {
    return this.backend.run(this, work)
  }

  cancel(): void {
    if (this.cancelled) return
    this.cancelled = true
    this.backend.cancel(this)
  }

  live(): LiveCounts {
    return sumLiveCounts(this.counts.values())
  }
}
