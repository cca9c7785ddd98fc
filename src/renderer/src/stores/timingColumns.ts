import type { TimingBatch } from '../../../shared/protocol'

/**
 * Every task timing of one job, columnar and growable. Batches arrive many times a second and a job
 * may have millions of tasks, so this is plain typed arrays that double in size, never reactive.
 */
export class TimingColumns {
  task = new Int32Array(0)
  start = new Float64Array(0)
  end = new Float64Array(0)
  lane = new Uint16Array(0)
  cpu = new Int16Array(0)
  length = 0
  /** Largest end time seen, milliseconds since the job started. */
  maxEnd = 0
  /** Highest lane index seen plus one. */
  laneCount = 0

  /**
   * `expected` tasks, when known, are reserved at once (up to `MAX_RESERVED`): a million-task job
   * then never copies its columns to grow them, nor leaves the old ones to the garbage collector.
   */
  constructor(expected = 0) {
    if (expected > 0) this.reserve(Math.min(expected, TimingColumns.MAX_RESERVED))
  }

  static readonly MAX_RESERVED = 2_000_000

  append(batch: Pick<TimingBatch, 'task' | 'start' | 'end' | 'lane' | 'cpu'>): void {
    const count = batch.task.length
    if (count === 0) return
    this.reserve(this.length + count)
    this.task.set(batch.task, this.length)
    this.start.set(batch.start, this.length)
    this.end.set(batch.end, this.length)
    this.lane.set(batch.lane, this.length)
    this.cpu.set(batch.cpu, this.length)
    for (let i = 0; i < count; i++) {
      if (batch.end[i] > this.maxEnd) this.maxEnd = batch.end[i]
      if (batch.lane[i] + 1 > this.laneCount) this.laneCount = batch.lane[i] + 1
    }
    this.length += count
  }

  clear(): void {
    this.length = 0
    this.maxEnd = 0
    this.laneCount = 0
  }

  private reserve(capacity: number): void {
    if (capacity <= this.task.length) return
    const size = this.length === 0 ? capacity : Math.max(capacity, this.task.length * 2, 1024)
    this.task = grow(this.task, new Int32Array(size), this.length)
    this.start = grow(this.start, new Float64Array(size), this.length)
    this.end = grow(this.end, new Float64Array(size), this.length)
    this.lane = grow(this.lane, new Uint16Array(size), this.length)
    this.cpu = grow(this.cpu, new Int16Array(size), this.length)
  }
}

function grow<T extends Int32Array | Float64Array | Uint16Array | Int16Array>(
  old: T,
  next: T,
  used: number
): T {
  next.set(old.subarray(0, used))
  return next
}
