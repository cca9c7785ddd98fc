import { cut } from '../../shared/excerpt'
import type { TimelineWindow } from '../../shared/payloads'
import type { TimelineRequest } from '../../shared/protocol'
import { MAX_TASK_BARS, MAX_WINDOW_CELLS, SEGMENT, type SegmentCode } from '../../shared/timeline'
import type { ChunkActivity } from './backends/backend'
import type { Job } from './job'

/** Categories per lane in a binned window: every `SEGMENT` code. */
const KINDS = Object.keys(SEGMENT).length
/** Bins and task bars when the request does not say. */
const DEFAULT_BINS = 600
/** The narrowest window measured, ms: a nanosecond. */
const MIN_WIDTH_MS = 1e-6
/** Longest arguments text a window carries per distinct call; the Results table has the rest. */
const MAX_CALL_CHARS = 160

/** One span of a lane's time: a filed chunk, or the chunk a worker is running now. */
interface LaneChunk {
  /** Index in the job's chunk log, or -1 for the running chunk. */
  index: number
  firstTask: number
  count: number
  sentAt: number
  start: number
  end: number
  /** The running chunk's worker, now. */
  live: ChunkActivity | null
}

/**
 * Measures a window of a job's timeline (see `TimelineWindow`). Every worker lane's time from the
 * pool's start-up to now is walked as `laneTime` splits it: waiting before and between chunks,
 * chunks (bookkeeping, with their tasks and stopped tasks inside), idle after the last. Only the
 * chunks and tasks overlapping the window are visited, found by binary search, so zooming into a
 * million-task job costs the tasks shown, not the job.
 */
export function timelineWindow(job: Job, request: TimelineRequest = {}): TimelineWindow {
  const running = job.isRunning
  const now = job.clock()
  const threads = job.plan.threads
  const { startupMs: poolStartup, reused } = job.pool
  const startupMs = reused ? 0 : poolStartup
  const from = request.from ?? (startupMs > 0 ? -startupMs : 0)
  let to = request.to ?? Math.max(now, from + 1)
  // A window narrower than a nanosecond shows nothing more, and bins of a denormal width would not
  // divide the window (1 / width is infinite).
  if (!(to - from >= MIN_WIDTH_MS)) to = from + MIN_WIDTH_MS
  const maxTasks = request.maxTasks ?? MAX_TASK_BARS
  const lanes = laneChunks(job, from, to)

  let tasksInWindow = 0
  let chunksInWindow = 0
  for (const chunks of lanes) {
    chunksInWindow += chunks.length
    for (const chunk of chunks) tasksInWindow += tasksOverlapping(job, chunk, from, to)[1]
  }
  const detail = tasksInWindow <= maxTasks && chunksInWindow <= maxTasks
  const base = {
    jobId: job.id,
    running,
    now,
    startupMs,
    threads,
    lanes: job.laneLabels(),
    osThread: Array.from({ length: threads }, (_, lane) => lastTid(job, lane)),
    from,
    to,
    tasksInWindow,
    retried: job.retried.map((chunk) => ({ ...chunk }))
  }
  const context: WalkContext = { job, from, to, now, running, startupMs, threads }
  if (detail) return { ...base, detail: 'tasks', ...detailOf(context, lanes), bins: null }
  const binCount = Math.max(
    1,
    Math.min(request.bins ?? DEFAULT_BINS, Math.floor(MAX_WINDOW_CELLS / (threads + 1)))
  )
  return {
    ...base,
    detail: 'bins',
    segments: null,
    tasks: null,
    calls: [],
    bins: binsOf(context, lanes, binCount),
    sends: new Float64Array(0)
  }
}

interface WalkContext {
  job: Job
  from: number
  to: number
  now: number
  running: boolean
  startupMs: number
  threads: number
}

function lastTid(job: Job, lane: number): number {
  const own = job.chunks.ofLane(lane)
  return own.length > 0 ? job.chunks.tid[own[own.length - 1]] : -1
}

/**
 * Each lane's chunks in time order: all of them (a lane's waiting and idle time depend on where its
 * chunks are), plus the chunk its worker is running now. A lane has at most the job's chunks over
 * the lanes; a million-task job has about thirty per lane, a job of tiny chunks more, so they are
 * gathered as indices only.
 */
function laneChunks(job: Job, from: number, to: number): LaneChunk[][] {
  const { chunks, plan } = job
  const { sentAt, receivedAt, repliedAt } = chunks.times
  const lanes: LaneChunk[][] = []
  for (let lane = 0; lane < plan.threads; lane++) {
    const own = chunks.ofLane(lane)
    // Chunks ending before the window: only the last of them matters (where waiting begins).
    let first = lowerBound(own.length, (i) => repliedAt[own[i]] >= from)
    if (first > 0) first--
    const list: LaneChunk[] = []
    for (let j = first; j < own.length; j++) {
      const i = own[j]
      list.push({
        index: i,
        firstTask: chunks.firstTask[i],
        count: chunks.count[i],
        sentAt: sentAt[i],
        start: receivedAt[i],
        end: repliedAt[i],
        live: null
      })
      // The first chunk after the window ends the waiting before it, which may lie in the window.
      if (receivedAt[i] > to) break
    }
    lanes.push(list)
  }
  if (!job.isRunning) return lanes
  const now = job.clock()
  for (const flight of job.inFlight.values()) {
    const live = flight.run.activity()
    if (!live || live.lane >= lanes.length) continue
    lanes[live.lane].push({
      index: -1,
      firstTask: flight.firstTask,
      count: flight.count,
      sentAt: flight.sentAt,
      start: live.receivedAt,
      end: now,
      live
    })
  }
  for (const list of lanes) list.sort((a, b) => a.start - b.start)
  return lanes
}

/** The least i in [0, n) with `ok(i)`, for `ok` false then true; n when none. */
function lowerBound(n: number, ok: (i: number) => boolean): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ok(mid)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The chunk's tasks with timings that overlap [from, to], as [first task, count]. A chunk's timed
 * tasks are a prefix of it (a cancel leaves the rest untimed) and follow one another, so their
 * starts and ends both increase: two binary searches find them.
 */
function tasksOverlapping(job: Job, chunk: LaneChunk, from: number, to: number): [number, number] {
  if (chunk.live) return [0, chunk.live.task && chunk.live.task.since <= to && chunk.end >= from ? 1 : 0]
  const { start, end } = job.timings
  const base = chunk.firstTask
  const timed = lowerBound(chunk.count, (i) => !(start[base + i] === start[base + i]))
  const lo = lowerBound(timed, (i) => end[base + i] >= from)
  const hi = lowerBound(timed, (i) => start[base + i] > to)
  return [base + lo, Math.max(0, hi - lo)]
}

/**
 * Walks one lane's time as `laneTime` splits it, calling `emit` for each part that overlaps the
 * window: start-up, waiting, each chunk (or the running chunk's unreported part), idle at the end.
 */
function walkLane(
  context: WalkContext,
  chunks: readonly LaneChunk[],
  emit: (kind: SegmentCode, from: number, to: number, chunk: LaneChunk | null) => void
): void {
  const { job, now, running, startupMs } = context
  if (startupMs > 0) emit(SEGMENT.startup, -startupMs, 0, null)
  const clamp = (t: number): number => Math.min(now, Math.max(0, t))
  // Where the lane was before the first listed chunk: after the chunk before it, or at zero.
  const first = chunks[0]
  let previousEnd = 0
  if (first && first.index >= 0) {
    const own = job.chunks.ofLane(job.chunks.lane[first.index])
    const at = own.indexOf(first.index)
    if (at > 0) previousEnd = clamp(job.chunks.times.repliedAt[own[at - 1]])
  }
  for (const chunk of chunks) {
    const start = clamp(Math.max(chunk.start, previousEnd))
    const end = clamp(Math.max(chunk.end, start))
    if (start > previousEnd) emit(SEGMENT.waiting, previousEnd, start, null)
    if (end > start) emit(chunk.live ? SEGMENT.unreported : SEGMENT.bookkeeping, start, end, chunk)
    previousEnd = end
  }
  // While the job runs, a lane with no chunk is waiting for one; once it has ended, it idled.
  if (now > previousEnd) emit(running ? SEGMENT.waiting : SEGMENT.idle, previousEnd, now, null)
}

function overlaps(a: number, b: number, from: number, to: number): boolean {
  return b > from && a < to
}

/** The window in detail: every segment and task bar in it. */
function detailOf(
  context: WalkContext,
  lanes: readonly LaneChunk[][]
): Pick<TimelineWindow, 'segments' | 'tasks' | 'calls' | 'sends'> {
  const { job, from, to, now, threads } = context
  const seg = {
    lane: [] as number[],
    kind: [] as number[],
    from: [] as number[],
    to: [] as number[],
    chunk: [] as number[]
  }
  const push = (lane: number, kind: number, a: number, b: number, chunk: number): void => {
    seg.lane.push(lane)
    seg.kind.push(kind)
    seg.from.push(a)
    seg.to.push(b)
    seg.chunk.push(chunk)
  }
  const rows: Array<{ task: number; lane: number; chunk: LaneChunk }> = []
  lanes.forEach((chunks, lane) => {
    walkLane(context, chunks, (kind, a, b, chunk) => {
      if (overlaps(a, b, from, to)) push(lane, kind, a, b, chunk?.firstTask ?? -1)
    })
    for (const chunk of chunks) {
      if (chunk.index >= 0) {
        const { stoppedFrom, stoppedTo } = job.chunks.times
        const a = stoppedFrom[chunk.index]
        const b = stoppedTo[chunk.index]
        if (a === a && overlaps(a, b, from, to)) push(lane, SEGMENT.stopped, a, b, chunk.firstTask)
      }
      const [first, count] = tasksOverlapping(job, chunk, from, to)
      for (let i = 0; i < count; i++) rows.push({ task: first + i, lane, chunk })
    }
  })
  const sends: number[] = []
  dispatcherTrips(job, from, to, (sentAt, queuedFrom, filingFrom, filedAt, firstTask) => {
    if (sentAt >= from && sentAt <= to) sends.push(sentAt)
    if (overlaps(queuedFrom, filingFrom, from, to))
      push(threads, SEGMENT.queued, queuedFrom, filingFrom, firstTask)
    if (overlaps(filingFrom, filedAt, from, to)) push(threads, SEGMENT.filing, filingFrom, filedAt, firstTask)
  })
  for (const flight of job.inFlight.values())
    if (flight.sentAt >= from && flight.sentAt <= to) sends.push(flight.sentAt)

  const size = rows.length
  const tasks = {
    task: new Int32Array(size),
    start: new Float64Array(size),
    end: new Float64Array(size),
    lane: new Uint16Array(size),
    cpu: new Int16Array(size),
    tid: new Int32Array(size),
    output: new Float64Array(size),
    readyAt: new Float64Array(size),
    running: new Uint8Array(size),
    progress: new Float64Array(size),
    call: new Int32Array(size)
  }
  const callSlot = new Map<number, number>()
  const calls: string[] = []
  const { timings, results, plan } = job
  const values = plan.workload.layout === 'values'
  rows.forEach(({ task: offset, lane, chunk }, i) => {
    const live = chunk.live
    const task = live ? chunk.firstTask + (live.task?.index ?? 0) : offset
    tasks.task[i] = task
    tasks.lane[i] = lane
    tasks.readyAt[i] = chunk.sentAt
    if (live?.task) {
      tasks.start[i] = live.task.since
      tasks.end[i] = now
      tasks.cpu[i] = -1
      tasks.tid[i] = -1
      tasks.output[i] = NaN
      tasks.running[i] = 1
      tasks.progress[i] = live.task.progress
    } else {
      tasks.start[i] = timings.start[task]
      tasks.end[i] = timings.end[task]
      tasks.cpu[i] = timings.cpu[task]
      tasks.tid[i] = timings.tid[task]
      tasks.output[i] = values
        ? results.kept[task] > 0
          ? results.positions(task)[0]
          : NaN
        : results.produced[task]
    }
    const call = plan.callIndex[task]
    let slot = callSlot.get(call)
    if (slot === undefined) {
      slot = calls.push(cut(results.argsText(task), MAX_CALL_CHARS)) - 1
      callSlot.set(call, slot)
    }
    tasks.call[i] = slot
  })
  return {
    segments: {
      lane: Uint16Array.from(seg.lane),
      kind: Uint8Array.from(seg.kind),
      from: Float64Array.from(seg.from),
      to: Float64Array.from(seg.to),
      chunk: Int32Array.from(seg.chunk)
    },
    tasks,
    calls,
    sends: Float64Array.from(sends)
  }
}

/**
 * The main thread's part of each filed chunk overlapping the window: when it sent the chunk, when
 * the reply was there (the worker replied), when filing began and when it ended.
 */
function dispatcherTrips(
  job: Job,
  from: number,
  to: number,
  visit: (sentAt: number, repliedAt: number, arrivedAt: number, filedAt: number, firstTask: number) => void
): void {
  const { chunks } = job
  const { sentAt, repliedAt, arrivedAt, filedAt } = chunks.times
  // Chunks are logged as they are filed, so `filedAt` increases along the log.
  const first = lowerBound(chunks.length, (i) => filedAt[i] >= from)
  for (let i = first; i < chunks.length; i++) {
    if (sentAt[i] > to && repliedAt[i] > to) break
    visit(sentAt[i], Math.min(repliedAt[i], arrivedAt[i]), arrivedAt[i], filedAt[i], chunks.firstTask[i])
  }
}

/** The window summed into `count` equal bins per lane and category. */
function binsOf(
  context: WalkContext,
  lanes: readonly LaneChunk[][],
  count: number
): NonNullable<TimelineWindow['bins']> {
  const { job, from, to, threads, now } = context
  const binMs = (to - from) / count
  const perMs = 1 / binMs
  const ms = new Float64Array((threads + 1) * KINDS * count)
  const touched = new Uint32Array((threads + 1) * count)
  /** Adds [a, b) of `kind` on `lane` (subtracting when `sign` is -1), clipped to the window. */
  const add = (lane: number, kind: number, a: number, b: number, sign = 1): void => {
    const lo = Math.max(a, from)
    const hi = Math.min(b, to)
    if (!(hi > lo)) return
    const row = (lane * KINDS + kind) * count
    const first = Math.min(count - 1, Math.floor((lo - from) * perMs))
    const last = Math.min(count - 1, Math.floor((hi - from) * perMs))
    if (first === last) {
      ms[row + first] += sign * (hi - lo)
      return
    }
    ms[row + first] += sign * (from + (first + 1) * binMs - lo)
    for (let bin = first + 1; bin < last; bin++) ms[row + bin] += sign * binMs
    ms[row + last] += sign * (hi - (from + last * binMs))
  }
  const touch = (lane: number, a: number, b: number): void => {
    const first = Math.max(0, Math.floor((Math.max(a, from) - from) * perMs))
    const last = Math.min(count - 1, Math.floor((Math.min(b, to) - from) * perMs))
    for (let bin = first; bin <= last; bin++) touched[lane * count + bin]++
  }
  const { start, end } = job.timings
  lanes.forEach((chunks, lane) => {
    walkLane(context, chunks, (kind, a, b) => add(lane, kind, a, b))
    for (const chunk of chunks) {
      // Tasks and stopped tasks lie inside their chunk: what they take is not bookkeeping.
      const inside = chunk.live ? SEGMENT.unreported : SEGMENT.bookkeeping
      if (chunk.index >= 0) {
        const a = job.chunks.times.stoppedFrom[chunk.index]
        const b = job.chunks.times.stoppedTo[chunk.index]
        if (a === a) {
          add(lane, SEGMENT.stopped, a, b)
          add(lane, inside, a, b, -1)
        }
      }
      if (chunk.live) {
        const task = chunk.live.task
        if (task) {
          add(lane, SEGMENT.task, task.since, now)
          add(lane, inside, task.since, now, -1)
          touch(lane, task.since, now)
        }
        continue
      }
      const [first, n] = tasksOverlapping(job, chunk, from, to)
      addTasks(start, end, first, n, from, to, perMs, count, binMs, ms, touched, lane)
    }
  })
  dispatcherTrips(job, from, to, (sentAt, repliedAt, arrivedAt, filedAt) => {
    add(threads, SEGMENT.queued, repliedAt, arrivedAt)
    add(threads, SEGMENT.filing, arrivedAt, filedAt)
    if (sentAt >= from && sentAt < to) touched[threads * count + Math.floor((sentAt - from) * perMs)]++
  })
  // Subtracting tasks from bookkeeping leaves rounding dust below zero.
  for (let i = 0; i < ms.length; i++) if (ms[i] < 0) ms[i] = 0
  return { count, binMs, kinds: KINDS, ms, tasks: touched }
}

/**
 * Adds `n` consecutive tasks of one lane to its task bins, moving their time out of bookkeeping.
 * The hot loop of a zoomed-out million-task job: a task inside one bin (nearly all of them) costs
 * two additions.
 */
function addTasks(
  start: Float64Array,
  end: Float64Array,
  first: number,
  n: number,
  from: number,
  to: number,
  perMs: number,
  count: number,
  binMs: number,
  ms: Float64Array,
  touched: Uint32Array,
  lane: number
): void {
  const taskRow = (lane * KINDS + SEGMENT.task) * count
  const bookRow = (lane * KINDS + SEGMENT.bookkeeping) * count
  const touchRow = lane * count
  const stop = first + n
  let task = first
  while (task < stop) {
    const lo = Math.max(start[task], from)
    const hi = Math.min(end[task], to)
    const a = Math.min(count - 1, Math.floor((lo - from) * perMs))
    const edge = a === count - 1 ? Infinity : from + (a + 1) * binMs
    if (hi <= edge) {
      // This task lies in bin `a`, and so do the tasks after it that end by its edge (and by the
      // window's end): a chunk is thousands of tiny tasks in a row, summed here with comparisons
      // and additions only. Each task starts after the one before it ended, so inside the window.
      // With a division and three array updates per task, the whole of a 1,000,000-task job took
      // 25 ms a window; with this loop, see BENCHMARKS.md ("The timeline (issue 8)").
      let busy = hi > lo ? hi - lo : 0
      let tasks = 1
      for (task++; task < stop; task++) {
        const taskEnd = end[task]
        if (taskEnd > edge || taskEnd > to) break
        busy += taskEnd - start[task]
        tasks++
      }
      ms[taskRow + a] += busy
      ms[bookRow + a] -= busy
      touched[touchRow + a] += tasks
      continue
    }
    const b = Math.min(count - 1, Math.floor((hi - from) * perMs))
    for (let bin = a; bin <= b; bin++) {
      const d = Math.min(hi, from + (bin + 1) * binMs) - Math.max(lo, from + bin * binMs)
      if (d > 0) {
        ms[taskRow + bin] += d
        ms[bookRow + bin] -= d
      }
      touched[touchRow + bin]++
    }
    task++
  }
}
