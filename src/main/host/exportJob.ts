import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type { ExportFile } from '../../shared/protocol'
import { formatBytes } from '../../shared/units'
import { TASK_STATUS } from '../engine/chunkProtocol'
import type { Job } from '../engine/job'
import { Slicer } from '../engine/slicer'
import { traceSlices, type TraceReport } from './traceExport'

/*
 * A job's results as files: streams in JSON, Python's printed form and CSV, built in slices so the
 * host keeps answering other clients (front doors in the host's process write them to files), and
 * the bounded export that crosses a connection as one message.
 */

/** Exports through a front door are built in memory; larger results go through the CLI's --output. */
export const MAX_EXPORT_TUPLES = 2_000_000
/**
 * …and at most this many bytes of text: an export crosses IPC or a WebSocket as one message, and a
 * client must be able to take it in (the web host cuts off clients with more than 32 MiB unsent).
 */
export const MAX_EXPORT_BYTES = 24 * 1024 * 1024

/** The most text an export of this job can take: every kept tuple at the longest, plus each task's own line or brackets. */
export function exportBytesBound(job: Job, format: 'json' | 'csv'): number {
  const { results } = job
  const tuples = job.summary().tuplesKept
  if (job.plan.workload.layout === 'json') {
    // Custom values: Python's text of a value is at most about six times its JSON (a character
    // escaped as \uXXXX), plus each tuple's CSV line.
    const text = results.jsonTextChars() * 6
    if (format === 'json') return text + results.taskCount * 6 + 2
    return text + tuples * 40 + results.taskCount * 32 + 64
  }
  if (format === 'json') return tuples * (results.longestTupleChars('json') + 1) + results.taskCount * 6 + 2
  // task,status,index,tuple: three numbers and a status word around each tuple.
  return tuples * (results.longestTupleChars('repr') + 40) + results.taskCount * 32 + 64
}

/**
 * A job's results as a file, built in slices so the host keeps answering other clients. Refuses,
 * before building anything, an export larger than a front door carries.
 */
export async function exportJob(
  job: Job,
  format: 'json' | 'csv',
  slicer = new Slicer()
): Promise<ExportFile> {
  const kept = job.summary().tuplesKept
  if (job.restoredFrom && !job.restoredFrom.resultsKept) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `this run was opened from history, whose record kept counts only (${job.restoredFrom.note ?? 'no tuples'}); ` +
        'run it again to export its results'
    )
  }
  if (kept > MAX_EXPORT_TUPLES) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `this job kept ${kept} tuples, more than the ${MAX_EXPORT_TUPLES} an export from the app holds; ` +
        'use the CLI (poolscope run … --output FILE) for larger results'
    )
  }
  const bound = exportBytesBound(job, format)
  if (bound > MAX_EXPORT_BYTES) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `a ${format.toUpperCase()} export of this job can reach ${formatBytes(bound)} ` +
        `(${job.results.taskCount.toLocaleString('en-US')} tasks, ${kept.toLocaleString('en-US')} tuples kept), ` +
        `more than the ${formatBytes(MAX_EXPORT_BYTES)} an export from the app holds; ` +
        'use the CLI (poolscope run … --output FILE) for larger results'
    )
  }
  return format === 'json' ? jsonExport(job, slicer) : csvExport(job, slicer)
}

/**
 * A job's timeline as a Chrome trace file for a front door (the page's and the desktop app's
 * button). Refused once its text passes MAX_EXPORT_BYTES, at about 200,000 tasks: the CLI's
 * `--trace FILE` streams any job's trace to a file.
 */
export async function exportTrace(job: Job, slicer = new Slicer()): Promise<ExportFile> {
  let text = ''
  let bytes = 0
  const report: TraceReport = { leftOut: [] }
  for await (const slice of traceSlices(job, slicer, report)) {
    bytes += Buffer.byteLength(slice)
    if (bytes > MAX_EXPORT_BYTES) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `the trace of this job (${job.results.taskCount.toLocaleString('en-US')} tasks) is over ` +
          `${formatBytes(MAX_EXPORT_BYTES)}, more than an export from the app holds; ` +
          'write it with the CLI (poolscope run … --trace FILE), which streams it to a file'
      )
    }
    text += slice
  }
  const file: ExportFile = { filename: `${job.id}-trace.json`, mime: 'application/json', text }
  if (report.leftOut.length > 0) file.leftOut = report.leftOut
  return file
}

async function jsonExport(job: Job, slicer: Slicer): Promise<ExportFile> {
  const chunks: Uint8Array[] = []
  for await (const slice of jsonSlices(job, slicer)) chunks.push(slice)
  return {
    filename: `${job.id}-results.json`,
    mime: 'application/json',
    text: Buffer.concat(chunks).toString('latin1')
  }
}

/**
 * A job's results as Python's `json.dumps(results, separators=(',', ':'))` writes them (ASCII
 * bytes), in fresh buffers of about 256 KiB, handing the event loop back when the slicer says so.
 */
export async function* jsonSlices(job: Job, slicer = new Slicer()): AsyncGenerator<Uint8Array, void, void> {
  for (const chunk of job.results.jsonChunks(256 * 1024)) {
    yield chunk // each chunk is a fresh buffer: the receiver may keep it as it is
    if (slicer.due) await slicer.pause()
  }
}

/** A job's results as `for r in result: print(r)` prints them, one line per task, in slices of about 64 KiB. */
export async function* textSlices(job: Job, slicer = new Slicer()): AsyncGenerator<string, void, void> {
  const { results } = job
  let slice = ''
  for (let task = 0; task < results.taskCount; task++) {
    slice += results.taskText(task) + '\n'
    if (slice.length >= SLICE_CHARS) {
      yield slice
      slice = ''
    }
    if (slicer.due) await slicer.pause()
  }
  if (slice) yield slice
}

async function csvExport(job: Job, slicer: Slicer): Promise<ExportFile> {
  let text = ''
  for await (const slice of csvSlices(job, slicer)) text += slice
  return { filename: `${job.id}-results.csv`, mime: 'text/csv', text }
}

/** Characters of text per slice of `textSlices` and `csvSlices`. */
const SLICE_CHARS = 1 << 16

/**
 * A job's results as CSV (`task,status,index,tuple`, one line per kept tuple, one per task that
 * kept none), in slices of about 64 KiB, handing the event loop back when the slicer says so. The
 * app's export command collects it; the desktop app streams it straight to a file.
 */
export async function* csvSlices(job: Job, slicer = new Slicer()): AsyncGenerator<string, void, void> {
  const { results } = job
  let slice = 'task,status,index,tuple\n'
  for (let task = 0; task < results.taskCount; task++) {
    const status = results.statusOf(task)
    if (results.status[task] !== TASK_STATUS.done || results.kept[task] === 0) {
      slice += `${task},${status},,\n`
    } else {
      const positions = results.positions(task)
      for (let i = 0; i < results.kept[task]; i++) {
        slice += `${task},${status},${i},${csvField(results.tupleText(task, i, positions))}\n`
      }
    }
    if (slice.length >= SLICE_CHARS) {
      yield slice
      slice = ''
    }
    if (slicer.due) await slicer.pause()
  }
  yield slice
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
