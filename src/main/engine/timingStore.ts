import { BusyTimeBins } from '../../shared/busyBins'
import type { TimingBatch } from '../../shared/protocol'
import type { ChunkReply } from './chunkProtocol'

/**
 * Per-task timings of a job, columnar and indexed by task. Times are milliseconds since the job
 * clock's zero. Only tasks that ran (`ran`) have timings. Nothing is filled in advance: a job of ten
 * million tasks gets its tables without touching half a gigabyte before it starts; each chunk's
 * range is written when the chunk returns.
 */
export class TimingStore {
  readonly start: Float64Array
  readonly end: Float64Array
  readonly lane: Uint16Array
  readonly cpu: Int16Array
  readonly tid: Int32Array
  /** 1 for each task that ran (done or failed inside its chunk), so it has timings. */
  private readonly ranFlag: Uint8Array
  readonly busyMsPerLane: number[]
  /** Busy-time bins of every recorded task, kept up to date chunk by chunk. */
  private readonly bins: BusyTimeBins
  /** Per lane, a column of that lane's number for binning (see laneColumn). */
  private readonly laneColumns: Uint16Array[] = []

  constructor(
    readonly jobId: string,
    taskCount: number,
    threads: number
  ) {
    this.start = new Float64Array(taskCount)
    this.end = new Float64Array(taskCount)
    this.lane = new Uint16Array(taskCount)
    this.cpu = new Int16Array(taskCount)
    this.tid = new Int32Array(taskCount)
    this.ranFlag = new Uint8Array(taskCount)
    this.busyMsPerLane = new Array<number>(threads).fill(0)
    this.bins = new BusyTimeBins(threads)
  }

  /**
   * Records a chunk's timings with bulk copies (a chunk may hold tens of thousands of tasks, and the
   * main thread must hand the workers their next chunks without taking a core from them). When every
   * task of the chunk ran, the common case, nothing here walks the tasks but the binning; otherwise
   * one pass marks the tasks that ran and bins them. Tasks that did not run have NaN times.
   */
  addChunk(reply: ChunkReply, lane: number): void {
    const first = reply.firstTask
    const count = reply.status.length
    this.start.set(reply.start, first)
    this.end.set(reply.end, first)
    this.cpu.set(reply.cpu, first)
    this.lane.fill(lane, first, first + count)
    this.tid.fill(reply.tid, first, first + count)
    const { done, failed, busyMs } = reply.totals
    this.busyMsPerLane[lane] += busyMs
    if (done + failed === count) {
      this.ranFlag.fill(1, first, first + count)
      this.bins.add({ start: reply.start, end: reply.end, lane: this.laneColumn(lane, count) }, 0, count)
      return
    }
    const start = new Float64Array(count)
    const end = new Float64Array(count)
    let ran = 0
    for (let i = 0; i < count; i++) {
      const began = reply.start[i]
      if (began !== began) continue // NaN: the task did not run
      start[ran] = began
      end[ran] = reply.end[i]
      ran++
      this.ranFlag[first + i] = 1
    }
    this.bins.add({ start, end, lane: this.laneColumn(lane, ran) }, 0, ran)
  }

  /** `count` copies of `lane`, from a column kept per lane and grown as needed (never per chunk). */
  private laneColumn(lane: number, count: number): Uint16Array {
    let column = this.laneColumns[lane]
    if (!column || column.length < count) {
      column = new Uint16Array(Math.max(count, column?.length ?? 0)).fill(lane)
      this.laneColumns[lane] = column
    }
    return column.subarray(0, count)
  }

  /** Bytes of the per-task tables: what `HOST_BYTES_PER_TASK` budgets. */
  get tableBytes(): number {
    const tables = [this.start, this.end, this.lane, this.cpu, this.tid, this.ranFlag]
    return tables.reduce((sum, table) => sum + table.byteLength, 0)
  }

  /** Whether a task ran (done or failed), so it has timings. */
  ran(task: number): boolean {
    return this.ranFlag[task] === 1
  }

  /** A batch of `size` timings, its columns zeroed, for this job. */
  private emptyBatch(size: number): TimingBatch {
    return {
      jobId: this.jobId,
      task: new Int32Array(size),
      start: new Float64Array(size),
      end: new Float64Array(size),
      lane: new Uint16Array(size),
      cpu: new Int16Array(size),
      tid: new Int32Array(size)
    }
  }

  /** A batch of the given tasks (in the order given). */
  batch(tasks: readonly number[]): TimingBatch {
    const size = tasks.length
    const batch = this.emptyBatch(size)
    tasks.forEach((task, i) => {
      batch.task[i] = task
      batch.start[i] = this.start[task]
      batch.end[i] = this.end[task]
      batch.lane[i] = this.lane[task]
      batch.cpu[i] = this.cpu[task]
      batch.tid[i] = this.tid[task]
    })
    return batch
  }

  /**
   * A batch of the tasks that ran in the given ranges of tasks, in the order given, at most
   * `limit`. A range whose tasks all ran is copied with bulk copies: gathered into a list and
   * copied task by task through a callback, the live batches (20,000 timings every 100 ms) took
   * about 5% of the main thread's time in a 1,000,000-task job on 2 threads (CPU profile of the
   * job's span), where the main thread has no core of its own; now about 0.3%.
   */
  batchOfRanges(ranges: readonly (readonly [first: number, count: number])[], limit: number): TimingBatch {
    const parts: Array<[first: number, count: number]> = []
    let size = 0
    for (const [first, count] of ranges) {
      if (size >= limit) break
      const whole = Math.min(count, limit - size)
      if (this.ranFlag.subarray(first, first + whole).indexOf(0) < 0) {
        parts.push([first, whole])
        size += whole
        continue
      }
      for (let task = first; task < first + count && size < limit; task++) {
        if (this.ranFlag[task] === 1) {
          parts.push([task, 1])
          size++
        }
      }
    }
    const batch = this.emptyBatch(size)
    let at = 0
    for (const [first, count] of parts) {
      for (let i = 0; i < count; i++) batch.task[at + i] = first + i
      batch.start.set(this.start.subarray(first, first + count), at)
      batch.end.set(this.end.subarray(first, first + count), at)
      batch.lane.set(this.lane.subarray(first, first + count), at)
      batch.cpu.set(this.cpu.subarray(first, first + count), at)
      batch.tid.set(this.tid.subarray(first, first + count), at)
      at += count
    }
    return batch
  }

  /** The recorded tasks among task indices offset..offset+limit-1, in task order. */
  page(offset: number, limit: number): TimingBatch {
    const tasks: number[] = []
    const stop = Math.min(this.start.length, offset + limit)
    for (let task = offset; task < stop; task++) if (this.ranFlag[task] === 1) tasks.push(task)
    return this.batch(tasks)
  }

  /**
   * Busy-time bins of every recorded task, per lane (the timeline of a job with too many tasks to
   * draw one bar each), binned as chunks arrive: asking costs a copy of a few small arrays, never a
   * pass over the job.
   */
  busyBins(): BusyTimeBins {
    return this.bins
  }
}
