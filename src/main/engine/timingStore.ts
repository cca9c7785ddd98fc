import { BusyTimeBins } from '../../shared/busyBins'
import type { TimingBatch } from '../../shared/protocol'
import type { ChunkReply } from './chunkProtocol'

/**
 * Per-task timings of a job, columnar and indexed by task. Times are milliseconds since the job
 * clock's zero. Tasks that never ran have NaN times.
 */
export class TimingStore {
  readonly start: Float64Array
  readonly end: Float64Array
  readonly lane: Uint16Array
  readonly cpu: Int16Array
  readonly tid: Int32Array
  readonly busyMsPerLane: number[]
  /** The busy-time bins of every recorded task, once asked for; dropped when a chunk is added. */
  private bins: BusyTimeBins | null = null

  constructor(
    readonly jobId: string,
    taskCount: number,
    threads: number
  ) {
    this.start = new Float64Array(taskCount).fill(NaN)
    this.end = new Float64Array(taskCount).fill(NaN)
    this.lane = new Uint16Array(taskCount)
    this.cpu = new Int16Array(taskCount).fill(-1)
    this.tid = new Int32Array(taskCount).fill(-1)
    this.busyMsPerLane = new Array<number>(threads).fill(0)
  }

  /**
   * Records a chunk's timings with bulk copies (a chunk may hold a hundred thousand tasks and the
   * main thread must hand the worker its next chunk quickly). Tasks that did not run keep NaN.
   */
  addChunk(reply: ChunkReply, lane: number): void {
    this.bins = null
    const first = reply.firstTask
    const count = reply.status.length
    this.start.set(reply.start, first)
    this.end.set(reply.end, first)
    this.cpu.set(reply.cpu, first)
    this.lane.fill(lane, first, first + count)
    this.tid.fill(reply.tid, first, first + count)
    let busy = 0
    for (let i = 0; i < count; i++) {
      const span = reply.end[i] - reply.start[i]
      if (span === span) busy += span // NaN (did not run) is the only value unequal to itself
    }
    this.busyMsPerLane[lane] += busy
  }

  /** Bytes of the per-task tables: what `HOST_BYTES_PER_TASK` budgets. */
  get tableBytes(): number {
    return [this.start, this.end, this.lane, this.cpu, this.tid].reduce(
      (sum, table) => sum + table.byteLength,
      0
    )
  }

  /** Whether a task ran (done or failed), so it has timings. */
  ran(task: number): boolean {
    return !Number.isNaN(this.start[task])
  }

  /** A batch of the given tasks (in the order given). */
  batch(tasks: readonly number[]): TimingBatch {
    const size = tasks.length
    const batch: TimingBatch = {
      jobId: this.jobId,
      task: new Int32Array(size),
      start: new Float64Array(size),
      end: new Float64Array(size),
      lane: new Uint16Array(size),
      cpu: new Int16Array(size),
      tid: new Int32Array(size)
    }
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

  /** The recorded tasks among task indices offset..offset+limit-1, in task order. */
  page(offset: number, limit: number): TimingBatch {
    const tasks: number[] = []
    const stop = Math.min(this.start.length, offset + limit)
    for (let task = offset; task < stop; task++) if (!Number.isNaN(this.start[task])) tasks.push(task)
    return this.batch(tasks)
  }

  /**
   * Busy-time bins of every recorded task, per lane (the timeline of a job with too many tasks to
   * draw one bar each). Tasks are binned in blocks of task indices, copied out without the ones that
   * never ran, so the cost is one pass over the job and a few small arrays. Kept until the next chunk.
   */
  busyBins(): BusyTimeBins {
    if (this.bins) return this.bins
    const bins = new BusyTimeBins(this.busyMsPerLane.length)
    const block = Math.min(BINNING_BLOCK, this.start.length)
    const start = new Float64Array(block)
    const end = new Float64Array(block)
    const lane = new Uint16Array(block)
    for (let from = 0; from < this.start.length; from += block) {
      const stop = Math.min(this.start.length, from + block)
      let n = 0
      for (let task = from; task < stop; task++) {
        if (Number.isNaN(this.start[task])) continue
        start[n] = this.start[task]
        end[n] = this.end[task]
        lane[n] = this.lane[task]
        n++
      }
      bins.add({ start, end, lane }, 0, n)
    }
    this.bins = bins
    return bins
  }
}

/** Task indices binned per block by `busyBins`. */
const BINNING_BLOCK = 65_536
