import type { ChunkSpan } from './laneTime'

/** One chunk's trip, every time in ms on the job clock. */
export interface ChunkTrip {
  lane: number
  firstTask: number
  count: number
  /** OS thread id of the worker that ran it, -1 where unknown. */
  tid: number
  /** The main thread handed it to the back end. */
  sentAt: number
  /** A worker took it. */
  receivedAt: number
  /** The worker finished it and replied. */
  repliedAt: number
  /** The main thread got to the reply (it may have been busy filing another). */
  arrivedAt: number
  /** The main thread had filed its results and timings. */
  filedAt: number
  /** The task a cancel stopped midway, from its start to when it stopped; NaN when none. */
  stoppedFrom: number
  stoppedTo: number
}

/** The time columns of a chunk trip, in the order a history record lists them. */
export const CHUNK_TIME_FIELDS = [
  'sentAt',
  'receivedAt',
  'repliedAt',
  'arrivedAt',
  'filedAt',
  'stoppedFrom',
  'stoppedTo'
] as const
const FIELDS = CHUNK_TIME_FIELDS
export type ChunkTimeField = (typeof FIELDS)[number]
type TimeField = ChunkTimeField

/**
 * Every filed chunk of a job, columnar and growable (a job may have hundreds of thousands of
 * chunks), with each lane's chunks in the order the lane ran them: a worker runs one chunk at a
 * time and replies in order, so filing order is time order within a lane. The timeline reads it
 * to draw what each worker did between tasks and what the main thread did for them.
 */
export class ChunkLog {
  length = 0
  lane = new Uint16Array(16)
  firstTask = new Int32Array(16)
  count = new Int32Array(16)
  tid = new Int32Array(16)
  readonly times: Record<TimeField, Float64Array> = Object.fromEntries(
    FIELDS.map((field) => [field, new Float64Array(16)])
  ) as Record<TimeField, Float64Array>
  /** Per lane, the indices of its chunks in time order. */
  private readonly byLane: { index: Int32Array; length: number }[]

  constructor(lanes: number) {
    this.byLane = Array.from({ length: lanes }, () => ({ index: new Int32Array(16), length: 0 }))
  }

  get lanes(): number {
    return this.byLane.length
  }

  add(trip: ChunkTrip): void {
    if (this.length === this.lane.length) this.grow()
    const i = this.length++
    this.lane[i] = trip.lane
    this.firstTask[i] = trip.firstTask
    this.count[i] = trip.count
    this.tid[i] = trip.tid
    for (const field of FIELDS) this.times[field][i] = trip[field]
    const own = this.byLane[trip.lane]
    if (!own) return
    if (own.length === own.index.length) {
      const bigger = new Int32Array(own.index.length * 2)
      bigger.set(own.index)
      own.index = bigger
    }
    own.index[own.length++] = i
  }

  /** Chunk `i`'s trip, as `add` took it. */
  trip(i: number): ChunkTrip {
    const trip = { lane: this.lane[i], firstTask: this.firstTask[i], count: this.count[i], tid: this.tid[i] }
    for (const field of FIELDS) (trip as Record<string, number>)[field] = this.times[field][i]
    return trip as ChunkTrip
  }

  /** The indices of a lane's chunks, in time order. */
  ofLane(lane: number): Int32Array {
    const own = this.byLane[lane]
    return own ? own.index.subarray(0, own.length) : new Int32Array(0)
  }

  /** A lane's chunks as [received, replied] spans (what `laneTime` splits). */
  spansOf(lane: number): ChunkSpan[] {
    const { receivedAt, repliedAt } = this.times
    return Array.from(this.ofLane(lane), (i) => [receivedAt[i], repliedAt[i]] as const)
  }

  private grow(): void {
    const size = this.lane.length * 2
    const grown = <T extends Uint16Array | Int32Array | Float64Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.lane = grown(this.lane, new Uint16Array(size))
    this.firstTask = grown(this.firstTask, new Int32Array(size))
    this.count = grown(this.count, new Int32Array(size))
    this.tid = grown(this.tid, new Int32Array(size))
    for (const field of FIELDS) this.times[field] = grown(this.times[field], new Float64Array(size))
  }
}
