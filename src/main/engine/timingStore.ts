import type { TimingBatch } from '../../shared/protocol'
import type { ChunkReply } from './chunkProtocol'

/** What an ended job's timing store holds (a history record keeps it; `restore` puts it back). */
export interface TimingColumns {
  start: Float64Array
  end: Float64Array
  lane: Uint16Array
  cpu: Int16Array
  tid: Int32Array
  ran: Uint8Array
  busyMsPerLane: number[]
}

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
  }

  /**
   * Records a chunk's timings with bulk copies (a chunk may hold tens of thousands of tasks, and the
   * main thread must hand the workers their next chunks without taking a core from them). When every
   * task of the chunk ran, the common case, nothing here walks the tasks; otherwise one pass marks
   * the tasks that ran. Tasks that did not run have NaN times.
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
      return
    }
    for (let i = 0; i < count; i++) {
      const began = reply.start[i]
      if (began === began) this.ranFlag[first + i] = 1 // NaN: the task did not run
    }
  }

  /** The columns as they are (not copied): read them, never write them. */
  columns(): TimingColumns {
    const { start, end, lane, cpu, tid, ranFlag: ran, busyMsPerLane } = this
    return { start, end, lane, cpu, tid, ran, busyMsPerLane }
  }

  /** Fills an empty store of the same size with columns a `columns()` call gave (a restored job). */
  restore(columns: TimingColumns): void {
    const tasks = this.start.length
    for (const [name, column] of Object.entries(columns)) {
      if (name !== 'busyMsPerLane' && (column as ArrayLike<number>).length !== tasks) {
        throw new RangeError(
          `timing column ${name} has ${(column as ArrayLike<number>).length} values, not ${tasks}`
        )
      }
    }
    if (columns.busyMsPerLane.length !== this.busyMsPerLane.length) {
      throw new RangeError(
        `busyMsPerLane has ${columns.busyMsPerLane.length} lanes, not ${this.busyMsPerLane.length}`
      )
    }
    this.start.set(columns.start)
    this.end.set(columns.end)
    this.lane.set(columns.lane)
    this.cpu.set(columns.cpu)
    this.tid.set(columns.tid)
    this.ranFlag.set(columns.ran)
    this.busyMsPerLane.splice(0, this.busyMsPerLane.length, ...columns.busyMsPerLane)
  }

  /** Bytes of the per-task tables: what `HOST_BYTES_PER_TASK` budgets. */
  get tableBytes(): number {
    const tables = [this.start, this.end, this.lane, this.cpu, this.tid, this.ranFlag]
    return tables.reduce((sum, table) => sum + table.byteLength, 0)
  }

  /** 1 for each task that ran, by task: read-only, for walks over every task (`coreOccupancy`). */
  get ranFlags(): Uint8Array {
    return this.ranFlag
  }

  /** Whether a task ran (done or failed), so it has timings. */
  ran(task: number): boolean {
    return this.ranFlag[task] === 1
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
    for (let task = offset; task < stop; task++) if (this.ranFlag[task] === 1) tasks.push(task)
    return this.batch(tasks)
  }
}
