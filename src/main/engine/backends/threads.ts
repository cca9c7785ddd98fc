import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Piscina } from 'piscina'
import {
  CONTROL,
  COUNTERS,
  HEARTBEAT,
  beatTask,
  newHeartbeat,
  type ChunkMessage,
  type ChunkReply,
  type WarmupMessage,
  type WarmupReply
} from '../chunkProtocol'
import type {
  Backend,
  BackendJob,
  BackendOptions,
  ChunkRun,
  ChunkWork,
  LaneLabel,
  LiveCounts
} from './backend'

/**
 * Old-generation heap per worker thread by default. Kernels keep their results in ArrayBuffers,
 * outside the heap; a task that fills a gigabyte of heap is broken, and fails alone.
 */
export const DEFAULT_HEAP_LIMIT_MB = 1024

/**
 * The `threads` back end: a fixed-size Piscina pool of worker threads in this process, warmed
 * before use, each thread a stable lane 0..lanes-1. A worker that dies is replaced by Piscina; its
 * replacement takes over its lane. Jobs talk to the threads through shared memory: a control array
 * (cancel flag, live counters) per job and a heartbeat per chunk.
 */
export class ThreadsBackend implements Backend {
  readonly kind = 'threads'
  readonly lanes: number
  readonly heapLimitMb: number
  readonly forCode: boolean
  startupMs = 0
  private readonly piscina: Piscina
  private readonly laneByThread = new Map<number, number>()
  private disposed = false

  private constructor(options: BackendOptions) {
    this.lanes = options.lanes
    this.heapLimitMb = options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB
    this.forCode = options.isolateCode ?? false
    this.piscina = new Piscina({
      filename: options.workerFile,
      minThreads: options.lanes,
      maxThreads: options.lanes,
      // Threads stay up between jobs: a reused pool is what makes repeated runs comparable.
      idleTimeout: 60 * 60 * 1000,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb }
    })
    this.piscina.on('error', (error: Error) => options.onError?.(error))
  }

  /** Creates the pool and waits until every thread has loaded the worker module. */
  static async create(options: BackendOptions): Promise<ThreadsBackend> {
    const started = performance.now()
    const backend = new ThreadsBackend(options)
    try {
      await backend.warm()
    } catch (err) {
      await backend.dispose()
      throw err
    }
    backend.startupMs = performance.now() - started
    return backend
  }

  private async warm(): Promise<void> {
    const barrier = new SharedArrayBuffer(4)
    const message: WarmupMessage = { kind: 'warmup', barrier, threads: this.lanes }
    const replies = (await Promise.all(
      Array.from({ length: this.lanes }, () => this.piscina.run(message))
    )) as WarmupReply[]
    for (const reply of replies) this.laneOf(reply.threadId)
  }

  laneLabels(): LaneLabel[] {
    const host = hostname()
    const labels: LaneLabel[] = []
    for (const [threadId, lane] of this.laneByThread) {
      labels.push({ lane, host, pid: process.pid, threadId, clockOffsetMs: 0 })
    }
    return labels.sort((a, b) => a.lane - b.lane)
  }

  openJob(origin: number): BackendJob {
    return new ThreadsJob(this, origin)
  }

  /**
   * Runs one chunk message; rejects when its worker dies, when `signal` aborts it (Piscina then
   * stops the worker thread and starts a new one) or when the pool is shut down.
   */
  async run(message: ChunkMessage, signal: AbortSignal): Promise<ChunkReply & { lane: number }> {
    if (this.disposed) throw new Error('the worker pool has been shut down')
    const transferList = message.columns ? [message.columns] : undefined
    const reply = (await this.piscina.run(message, { signal, transferList })) as ChunkReply
    return { ...reply, lane: this.laneOf(reply.threadId) }
  }

  /**
   * The lane of a worker thread. A thread seen for the first time takes the lowest lane whose
   * thread is no longer alive (a replaced worker), so lanes stay within 0..lanes-1.
   */
  laneOf(threadId: number): number {
    let lane = this.laneByThread.get(threadId)
    if (lane === undefined) {
      const alive = new Set(this.piscina.threads.map((worker) => worker.threadId))
      const taken = new Set<number>()
      for (const [thread, owned] of this.laneByThread) {
        if (alive.has(thread)) taken.add(owned)
        else this.laneByThread.delete(thread)
      }
      lane = 0
      while (taken.has(lane) && lane < this.lanes - 1) lane++
      this.laneByThread.set(threadId, lane)
    }
    return lane
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    await this.piscina.destroy()
  }
}

/** One job on the thread pool: its control array, shared by every chunk, and its tuple counter. */
class ThreadsJob implements BackendJob {
  private readonly control = new SharedArrayBuffer(4 * CONTROL.length)
  private readonly tuples = new SharedArrayBuffer(8 * COUNTERS.length)
  /** Column buffers of filed replies, handed to the next chunks (see ChunkMessage.columns). */
  private readonly spareColumns: ArrayBuffer[] = []

  constructor(
    private readonly backend: ThreadsBackend,
    private readonly origin: number
  ) {}

  runChunk(work: ChunkWork): ChunkRun {
    const message: ChunkMessage = {
      kind: 'chunk',
      ...work,
      control: this.control,
      tuples: this.tuples,
      jobOrigin: this.origin,
      heartbeat: newHeartbeat(),
      columns: this.spareColumns.pop()
    }
    const beat = new Float64Array(message.heartbeat)
    const controller = new AbortController()
    let settled = false
    const reply = this.backend.run(message, controller.signal)
    const done = (): void => {
      settled = true
    }
    reply.then(done, done)
    return {
      reply,
      running: () => beatTask(beat),
      activity: () => {
        const receivedAt = beat[HEARTBEAT.received]
        if (receivedAt !== receivedAt || settled) return null
        // A thread that replaced a dead one (a timeout, a heap exhausted) gets its lane here, as its
        // reply would: until then its running chunk would not show, and on a cluster agent not be
        // reported at all, so no task timeout could reach it.
        const lane = this.backend.laneOf(beat[HEARTBEAT.thread])
        return { lane, receivedAt, task: beatTask(beat) }
      },
      stop: (reason) => controller.abort(reason)
    }
  }

  release(reply: ChunkReply): void {
    // As many as there are chunks in flight at once, at most: two per lane.
    const buffer = reply.produced.buffer
    if (buffer instanceof ArrayBuffer && this.spareColumns.length < 2 * this.backend.lanes)
      this.spareColumns.push(buffer)
  }

  cancel(): void {
    Atomics.store(new Int32Array(this.control), CONTROL.cancel, 1)
  }

  live(): LiveCounts {
    const control = new Int32Array(this.control)
    return {
      tasksDone: Atomics.load(control, CONTROL.tasksDone),
      tasksFailed: Atomics.load(control, CONTROL.tasksFailed),
      tuples: Number(Atomics.load(new BigInt64Array(this.tuples), COUNTERS.tuples)),
      work: Number(Atomics.load(new BigInt64Array(this.tuples), COUNTERS.work))
    }
  }
}
