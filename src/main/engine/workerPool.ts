import { performance } from 'node:perf_hooks'
import { Piscina } from 'piscina'
import type { ChunkMessage, ChunkReply, WarmupMessage, WarmupReply } from './chunkProtocol'

export interface WorkerPoolOptions {
  /** Absolute path of the bundled worker (a CommonJS file with a default export). */
  workerFile: string
  threads: number
  /** Largest JS heap of one worker thread, MB: a task that needs more fails instead of the machine swapping. */
  heapLimitMb?: number
  /** Called with errors the pool reports outside any task, so none goes unheard. */
  onError?: (error: Error) => void
}

/**
 * Old-generation heap per worker thread by default. Kernels keep their results in ArrayBuffers,
 * outside the heap; a task that fills a gigabyte of heap is broken, and fails alone.
 */
export const DEFAULT_HEAP_LIMIT_MB = 1024

/**
 * A fixed-size Piscina pool, warmed before use, that maps each worker thread to a stable lane
 * 0..threads-1. A worker that dies is replaced by Piscina; its replacement takes over its lane.
 */
export class WorkerPool {
  readonly threads: number
  readonly heapLimitMb: number
  /** Milliseconds from creation until every thread had loaded the worker and answered. */
  startupMs = 0
  private readonly piscina: Piscina
  private readonly laneByThread = new Map<number, number>()
  private destroyed = false

  private constructor(options: WorkerPoolOptions) {
    this.threads = options.threads
    this.heapLimitMb = options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB
    this.piscina = new Piscina({
      filename: options.workerFile,
      minThreads: options.threads,
      maxThreads: options.threads,
      // Threads stay up between jobs: a reused pool is what makes repeated runs comparable.
      idleTimeout: 60 * 60 * 1000,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb }
    })
    this.piscina.on('error', (error: Error) => options.onError?.(error))
  }

  /** Creates the pool and waits until every thread has loaded the worker module. */
  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const started = performance.now()
    const pool = new WorkerPool(options)
    try {
      await pool.warm()
    } catch (err) {
      await pool.destroy()
      throw err
    }
    pool.startupMs = performance.now() - started
    return pool
  }

  private async warm(): Promise<void> {
    const barrier = new SharedArrayBuffer(4)
    const message: WarmupMessage = { kind: 'warmup', barrier, threads: this.threads }
    const replies = (await Promise.all(
      Array.from({ length: this.threads }, () => this.piscina.run(message))
    )) as WarmupReply[]
    for (const reply of replies) this.laneOf(reply.threadId)
  }

  /**
   * Runs one chunk; rejects when its worker dies, when `signal` aborts it (Piscina then stops the
   * worker thread and starts a new one) or when the pool is destroyed.
   */
  async runChunk(message: ChunkMessage, signal?: AbortSignal): Promise<ChunkReply & { lane: number }> {
    if (this.destroyed) throw new Error('the worker pool has been shut down')
    const reply = (await this.piscina.run(message, signal ? { signal } : {})) as ChunkReply
    return { ...reply, lane: this.laneOf(reply.threadId) }
  }

  /**
   * The lane of a worker thread. A thread seen for the first time takes the lowest lane whose
   * thread is no longer alive (a replaced worker), so lanes stay within 0..threads-1.
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
      while (taken.has(lane) && lane < this.threads - 1) lane++
      this.laneByThread.set(threadId, lane)
    }
    return lane
  }

  get isDestroyed(): boolean {
    return this.destroyed
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    await this.piscina.destroy()
  }
}
