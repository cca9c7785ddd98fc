import { cut } from '../../shared/excerpt'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { TASK_STATUS } from '../engine/chunkProtocol'
import type { Job } from '../engine/job'
import { Slicer } from '../engine/slicer'
import { addBusy, intervalBounds, meanLanes, rounded } from './traceCounters'

/*
 * A job's timeline as a Chrome trace (the Trace Event Format's JSON object form), which Perfetto
 * (https://ui.perfetto.dev) and chrome://tracing open. Written in slices, one event a line, so a
 * million-task job streams to a file without its text ever being whole in memory.
 *
 * Layout: one process; thread 1 is the main thread (the dispatcher: pool start-up, chunk sends,
 * filing), threads 2… are the worker lanes (lane L is thread L + 2). On a worker lane each chunk
 * is an `X` slice (cat `engine`) with its tasks as `X` slices inside it (cat `task`), so the
 * engine's bookkeeping shows as the chunk's time outside its tasks and waiting as the gaps between
 * chunks. Perfetto drops negative timestamps, so every time is shifted by the pool's start-up (when
 * the pool was started for the job) or the CPU sampler's baseline reading, whichever came first, and
 * `otherData.jobZeroUs` says where the job clock's zero lies. Counter tracks give each logical
 * CPU's utilization and the mean number of lanes in a task over the sampler's intervals.
 *
 * A million-task job writes a million task events, so each is kept short (under 100 bytes): named
 * `#<task>` with no category (its chunk slice above it says which tasks it holds), times in
 * microseconds to 0.1 µs (the timings CSV keeps nanoseconds).
 */

/** Longest task arguments text written per task; the trace says how many were cut. */
export const TRACE_ARGS_CHARS = 120
/**
 * Chunks whose own events are written: sends, reply waits and filing on the main thread, and the
 * chunk's slice around its tasks. About 600 bytes a chunk, so a job of a million chunks of one
 * task would be 700 MB of trace; past this many chunks (in the order they were filed) their
 * tasks are still written, each then carrying its arguments, and the trace says what was left out.
 */
export const TRACE_MAX_CHUNKS = 10_000
/** Characters of text per slice. */
const SLICE_CHARS = 1 << 16
/** Process id of the job, and thread id of the main thread (the dispatcher). */
const PID = 1
const MAIN_TID = 1

/** The trace thread id of a worker lane. */
export function laneTid(lane: number): number {
  return lane + 2
}

/** Trace times are whole ticks of 0.1 µs. */
export const TICKS_PER_US = 10
const TICKS_PER_MS = 1000 * TICKS_PER_US

/** Microseconds as the trace writes them: whole ticks, so at most one decimal. */
function micros(ticks: number): string {
  return String(ticks / TICKS_PER_US)
}

/** The name of a task's event. */
export function taskEventName(task: number): string {
  return `#${task}`
}

/** What a trace left out or cut, filled in as it is written, for the front door to tell the user. */
export interface TraceReport {
  /** One sentence per cap that applied, e.g. "arguments of 3 tasks cut to 120 characters"; empty when none. */
  leftOut: string[]
}

/**
 * A job's timeline as Chrome trace JSON, in slices of about 64 KiB of text, handing the event loop
 * back when the slicer says so. The job must have ended.
 */
export async function* traceSlices(
  job: Job,
  slicer = new Slicer(),
  report: TraceReport = { leftOut: [] },
  maxChunks = TRACE_MAX_CHUNKS
): AsyncGenerator<string, void, void> {
  if (job.isRunning) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `job ${job.id} is still running; its trace can be written once it has ended`
    )
  }
  const { plan, timings, chunks, results } = job
  const { startupMs: poolStartup, reused } = job.pool
  const startupMs = reused ? 0 : poolStartup
  // The sampler's last reading comes an interval after the job's end: wait for it (about 100 ms).
  await job.cpuSettled()
  const cpu = job.cpuSamples()
  // Every time on the job clock (ms) becomes whole ticks from the trace's zero: the pool's start,
  // or the sampler's baseline reading when that came first (it is taken a moment before the job).
  const shiftMs = Math.max(startupMs, -(cpu.from ?? 0), 0)
  const ticks = (ms: number): number => Math.round((ms + shiftMs) * TICKS_PER_MS)
  const values = plan.workload.layout === 'values'

  let slice = '{"traceEvents":[\n'
  let first = true
  const put = (event: string): void => {
    slice += first ? event : ',\n' + event
    first = false
  }
  const complete = (name: string, cat: string, tid: number, from: number, to: number, args: string) =>
    put(
      `{"name":${name},"cat":"${cat}","ph":"X","ts":${micros(from)},"dur":${micros(Math.max(0, to - from))},` +
        `"pid":${PID},"tid":${tid}${args ? `,"args":${args}` : ''}}`
    )

  // Names and order of the process and its threads.
  const summary = job.summary()
  const labels = job.laneLabels()
  const processes = labels.some((label) => label.pid !== labels[0]?.pid)
  const meta = (name: string, tid: number | null, args: unknown): void =>
    put(
      `{"name":"${name}","ph":"M","pid":${PID}${tid === null ? '' : `,"tid":${tid}`},"args":${JSON.stringify(args)}}`
    )
  meta('process_name', null, {
    name: `PoolScope job ${job.id}: ${plan.workload.name} on ${plan.threads} thread${plan.threads === 1 ? '' : 's'}`
  })
  meta('thread_name', MAIN_TID, { name: 'main thread' })
  meta('thread_sort_index', MAIN_TID, { sort_index: plan.threads })
  for (let lane = 0; lane < plan.threads; lane++) {
    const own = chunks.ofLane(lane)
    const osTid = own.length > 0 ? chunks.tid[own[own.length - 1]] : -1
    const label = labels.find((l) => l.lane === lane)
    const where =
      processes && label
        ? `pid ${label.pid}`
        : osTid > 0
          ? `tid ${osTid}`
          : label
            ? `thread ${label.threadId}`
            : ''
    meta('thread_name', laneTid(lane), { name: where ? `worker ${lane} · ${where}` : `worker ${lane}` })
    meta('thread_sort_index', laneTid(lane), { sort_index: lane })
  }

  if (startupMs > 0) {
    complete(
      JSON.stringify(
        `pool start-up (${plan.threads} ${plan.spec.backend === 'processes' ? 'processes' : 'threads'})`
      ),
      'engine',
      MAIN_TID,
      ticks(-startupMs),
      ticks(0),
      ''
    )
  }

  // The main thread: each chunk's send (an instant), the wait of its reply while the main thread
  // was busy (async slices, since several replies may wait at once) and its filing.
  const { sentAt, receivedAt, repliedAt, arrivedAt, filedAt, stoppedFrom, stoppedTo } = chunks.times
  const chunksWritten = Math.min(chunks.length, maxChunks)
  for (let i = 0; i < chunksWritten; i++) {
    const firstTask = chunks.firstTask[i]
    put(
      `{"name":"send chunk from task ${firstTask}","cat":"dispatch","ph":"i","s":"t","ts":${micros(ticks(sentAt[i]))},"pid":${PID},"tid":${MAIN_TID}}`
    )
    const waitFrom = ticks(Math.min(repliedAt[i], arrivedAt[i]))
    const waitTo = ticks(arrivedAt[i])
    if (waitTo > waitFrom) {
      const common = `"cat":"dispatch","id":${i},"pid":${PID},"tid":${MAIN_TID}`
      put(
        `{"name":"reply waits","ph":"b","ts":${micros(waitFrom)},${common},"args":{"chunk":${i},"firstTask":${firstTask}}}`
      )
      put(`{"name":"reply waits","ph":"e","ts":${micros(waitTo)},${common}}`)
    }
    complete(`"file chunk from task ${firstTask}"`, 'dispatch', MAIN_TID, waitTo, ticks(filedAt[i]), '')
    if (slice.length >= SLICE_CHARS) {
      yield slice
      slice = ''
    }
    if (slicer.due) await slicer.pause()
  }

  // The worker lanes: chunks, with their tasks (and a task a cancel stopped) inside. A chunk whose
  // tasks share one call carries its arguments once; otherwise each task carries its own.
  let argsCut = 0
  let valuesCut = 0
  let lastCall = -1
  let lastArgs = ''
  let lastCut = false
  const argumentsOf = (task: number): string => {
    const call = plan.callIndex[task]
    if (call !== lastCall) {
      const text = results.argsText(task)
      lastArgs = JSON.stringify(cut(text, TRACE_ARGS_CHARS))
      lastCut = text.length > TRACE_ARGS_CHARS
      lastCall = call
    }
    return lastArgs
  }
  for (let lane = 0; lane < plan.threads; lane++) {
    const tid = laneTid(lane)
    for (const i of chunks.ofLane(lane)) {
      const firstTask = chunks.firstTask[i]
      const count = chunks.count[i]
      const written = i < chunksWritten
      const shared = written && sharesOneCall(plan.callIndex, firstTask, count)
      if (written) {
        let chunkArgs = `{"firstTask":${firstTask},"count":${count},"queuedUs":${micros(ticks(receivedAt[i]) - ticks(sentAt[i]))},"osTid":${chunks.tid[i]}`
        if (shared) {
          chunkArgs += `,"arguments":${argumentsOf(firstTask)}`
          if (lastCut) argsCut += count
        }
        const name = `"chunk of ${count} from task ${firstTask}"`
        complete(name, 'engine', tid, ticks(receivedAt[i]), ticks(repliedAt[i]), chunkArgs + '}')
      }
      for (let task = firstTask; task < firstTask + count; task++) {
        if (!timings.ran(task)) continue
        let args = `{"cpu":${timings.cpu[task]},`
        if (values) {
          if (results.kept[task] > 0) {
            const value = results.tupleText(task, 0)
            if (value.length > TRACE_ARGS_CHARS) valuesCut++
            args += `"value":${JSON.stringify(cut(value, TRACE_ARGS_CHARS))}`
          } else args += '"value":null'
        } else {
          args += `"tuples":${results.produced[task]}`
        }
        if (!shared) {
          args += `,"arguments":${argumentsOf(task)}`
          if (lastCut) argsCut++
        }
        if (results.status[task] === TASK_STATUS.failed) args += ',"failed":true'
        const from = ticks(timings.start[task])
        put(
          `{"name":"${taskEventName(task)}","ph":"X","ts":${micros(from)},"dur":${micros(Math.max(0, ticks(timings.end[task]) - from))},` +
            `"pid":${PID},"tid":${tid},"args":${args}}}`
        )
      }
      if (stoppedFrom[i] === stoppedFrom[i]) {
        complete(
          '"task stopped by the cancel"',
          'stopped',
          tid,
          ticks(stoppedFrom[i]),
          ticks(stoppedTo[i]),
          ''
        )
      }
      if (slice.length >= SLICE_CHARS) {
        yield slice
        slice = ''
      }
      if (slicer.due) await slicer.pause()
    }
  }

  // Counter tracks over the CPU sampler's intervals: each value holds from its interval's start.
  const bounds = intervalBounds(cpu)
  const intervals = bounds.length - 1
  const counter = (name: string, key: string, ms: number, value: string): void =>
    put(`{"name":"${name}","ph":"C","ts":${micros(ticks(ms))},"pid":${PID},"args":{"${key}":${value}}}`)
  let cpuGaps = 0
  for (let core = 0; core < cpu.cores; core++) {
    const row = cpu.busy.subarray(core * cpu.at.length, (core + 1) * cpu.at.length)
    let last = ''
    for (let i = 0; i < intervals; i++) {
      const share = row[i]
      // NaN: the reading did not list this core (it was offline); the track skips the interval.
      if (share !== share) {
        cpuGaps++
        continue
      }
      last = rounded(share * 100, 1)
      counter(`CPU ${core}`, 'busy %', bounds[i], last)
    }
    if (last) counter(`CPU ${core}`, 'busy %', bounds[intervals], last)
    if (slice.length >= SLICE_CHARS) {
      yield slice
      slice = ''
    }
  }
  if (intervals > 0) {
    const busyMs = new Float64Array(intervals)
    for (let lane = 0; lane < plan.threads; lane++) {
      let cursor = 0
      for (const i of chunks.ofLane(lane)) {
        cursor = addBusy(
          timings.start,
          timings.end,
          chunks.firstTask[i],
          chunks.count[i],
          bounds,
          busyMs,
          cursor
        )
        if (slicer.due) await slicer.pause()
      }
    }
    const mean = meanLanes(busyMs, bounds)
    const name = `active workers (of ${plan.threads})`
    for (let i = 0; i < intervals; i++) counter(name, 'mean', bounds[i], rounded(mean[i], 3))
    counter(name, 'mean', bounds[intervals], rounded(mean[intervals - 1], 3))
  }

  // What was left out, where the trace viewer shows it beside the process name.
  if (chunks.length > chunksWritten) {
    report.leftOut.push(
      `the sends, reply waits, filing and chunk slices of ${chunks.length - chunksWritten} chunks after the first ${maxChunks} (their tasks are all there)`
    )
  }
  if (argsCut > 0) report.leftOut.push(`arguments of ${argsCut} tasks cut to ${TRACE_ARGS_CHARS} characters`)
  if (valuesCut > 0) report.leftOut.push(`values of ${valuesCut} tasks cut to ${TRACE_ARGS_CHARS} characters`)
  if (intervals <= 0) report.leftOut.push('per-CPU utilization: no CPU readings were taken')
  if (cpuGaps > 0) report.leftOut.push(`utilization of offline CPUs (${cpuGaps} samples)`)
  if (report.leftOut.length > 0) meta('process_labels', null, { labels: report.leftOut.join('; ') })
  const other = {
    jobId: job.id,
    workload: plan.workload.name,
    threads: plan.threads,
    backend: plan.spec.backend,
    status: summary.status,
    tasks: summary.taskCount,
    tasksRan: summary.tasksDone + summary.tasksFailed,
    /** Where the job clock's zero lies on the trace's time axis. */
    jobZeroUs: ticks(0) / TICKS_PER_US,
    poolStartupMs: summary.poolStartupMs,
    poolReused: summary.poolReused,
    wallMs: summary.wallMs,
    argsMaxChars: TRACE_ARGS_CHARS,
    tasksWithArgsCut: argsCut,
    tasksWithValueCut: valuesCut,
    /** Trace times are microseconds to this step; the timings CSV keeps nanoseconds. */
    timeStepUs: 1 / TICKS_PER_US,
    cpuSource: cpu.source,
    cores: cpu.cores,
    cpuIntervalMs: cpu.intervalMs,
    /** What the trace left out or cut, one sentence each; empty when nothing. */
    leftOut: report.leftOut
  }
  // No displayTimeUnit: older Perfetto builds read "ns" there as the unit of every ts.
  slice += `\n],"otherData":${JSON.stringify(other)}}\n`
  yield slice
}

/** Whether tasks first..first+count-1 all make the same call. */
function sharesOneCall(callIndex: Int32Array, first: number, count: number): boolean {
  const call = callIndex[first]
  for (let task = first + 1; task < first + count; task++) if (callIndex[task] !== call) return false
  return true
}
