import type { TimingBatch } from '../../shared/protocol'
import { TASK_STATUS, type ChunkReply } from './chunkProtocol'

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

  /** Records the tasks of a chunk that ran; returns their task indices. */
  addChunk(reply: ChunkReply, lane: number): number[] {
    const recorded: number[] = []
    for (let i = 0; i < reply.status.length; i++) {
      const status = reply.status[i]
      if (status !== TASK_STATUS.done && status !== TASK_STATUS.failed) continue
      const task = reply.firstTask + i
      const start = reply.times[2 * i]
      const end = reply.times[2 * i + 1]
      this.start[task] = start
      this.end[task] = end
      this.lane[task] = lane
      this.cpu[task] = reply.cpu[i]
      this.tid[task] = reply.tid
      this.busyMsPerLane[lane] += end - start
      recorded.push(task)
    }
    return recorded
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
}
