import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type { ExportFile } from '../../shared/protocol'
import { formatBytes } from '../../shared/units'
import type { Job } from '../engine/job'
import { Slicer } from '../engine/slicer'
import { MAX_EXPORT_BYTES } from './exportJob'

/*
 * A job's per-task timings as CSV, for a spreadsheet or a notebook: one line per task that ran, in
 * task order, every time in ms on the job clock to the nanosecond. Streamed in slices like the
 * results CSV, so the CLI writes any size to a file; the app's export holds it whole and is refused
 * past MAX_EXPORT_BYTES.
 */

/** Characters of text per slice. */
const SLICE_CHARS = 1 << 16

/** The header line's columns; the last is `value` for a workload that returns one value per task. */
export function timingsColumns(values: boolean): string[] {
  return ['task', 'lane', 'thread', 'cpu', 'start_ms', 'end_ms', 'queue_wait_ms', values ? 'value' : 'tuples']
}

/** A time in ms to the nanosecond, without trailing zeros. */
function ms(value: number): string {
  return String(Math.round(value * 1e6) / 1e6)
}

/**
 * When each chunk was handed to the back end, by chunk number (first task ÷ chunk size): a task's
 * queue wait runs from its chunk's send to the task's start.
 */
function sentAtByChunk(job: Job): Float64Array {
  const { chunks, plan } = job
  const sent = new Float64Array(Math.ceil(plan.taskCount / plan.chunkSize)).fill(NaN)
  for (let i = 0; i < chunks.length; i++) {
    sent[Math.floor(chunks.firstTask[i] / plan.chunkSize)] = chunks.times.sentAt[i]
  }
  return sent
}

/**
 * An ended job's timings as CSV (`task,lane,thread,cpu,start_ms,end_ms,queue_wait_ms,tuples`, or
 * `value` last for a values workload), one line per task that ran, in slices of about 64 KiB,
 * handing the event loop back when the slicer says so. `thread` is the OS thread id (-1 where the
 * OS does not say), `cpu` the CPU the task last ran on (-1 likewise), `tuples` the tuples it
 * produced, `value` its value (empty when none was kept).
 */
export async function* timingsCsvSlices(job: Job, slicer = new Slicer()): AsyncGenerator<string, void, void> {
  if (job.isRunning) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `job ${job.id} is still running; its timings can be exported once it has ended`
    )
  }
  const { timings, results, plan } = job
  const values = plan.workload.layout === 'values'
  const sent = sentAtByChunk(job)
  let slice = timingsColumns(values).join(',') + '\n'
  for (let task = 0; task < plan.taskCount; task++) {
    if (timings.ran(task)) {
      const start = timings.start[task]
      const wait = start - sent[Math.floor(task / plan.chunkSize)]
      const last = values
        ? results.kept[task] > 0
          ? csvField(results.tupleText(task, 0))
          : ''
        : String(results.produced[task])
      slice +=
        `${task},${timings.lane[task]},${timings.tid[task]},${timings.cpu[task]},` +
        `${ms(start)},${ms(timings.end[task])},${wait === wait ? ms(wait) : ''},${last}\n`
      if (slice.length >= SLICE_CHARS) {
        yield slice
        slice = ''
      }
    }
    if ((task & 1023) === 0 && slicer.due) await slicer.pause()
  }
  yield slice
}

/**
 * A job's timings CSV as one file for a front door (the page's and the desktop app's export),
 * refused once its text passes MAX_EXPORT_BYTES, pointing to the CLI's `--timings FILE`.
 */
export async function exportTimings(job: Job, slicer = new Slicer()): Promise<ExportFile> {
  let text = ''
  for await (const slice of timingsCsvSlices(job, slicer)) {
    text += slice
    if (text.length > MAX_EXPORT_BYTES) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `the timings of this job (${job.results.taskCount.toLocaleString('en-US')} tasks) are over ` +
          `${formatBytes(MAX_EXPORT_BYTES)} of CSV, more than an export from the app holds; ` +
          'write them with the CLI (poolscope run … --timings FILE), which streams them to a file'
      )
    }
  }
  return { filename: `${job.id}-timings.csv`, mime: 'text/csv', text }
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
