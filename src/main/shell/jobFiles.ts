import { createWriteStream } from 'node:fs'
import { open, readFile, stat, writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { BaseWindow, Dialog } from 'electron'
// "Save job…" writes the job form's preset format (a preset without sweep settings).
import { JOB_FILE_FORMAT, MAX_JOB_FILE_BYTES } from '../../shared/jobFile'
import type { CommandName, CommandOutcome, CommandResults, JobSummary } from '../../shared/protocol'

/**
 * The File menu's commands: open a saved job, save the latest job's spec, export its results.
 * They run in main with native dialogs and talk to the engine through the same host as the
 * window, so every spec read from disk is validated by the host before anything runs.
 */

export interface JobFileDeps {
  host: {
    call(name: unknown, params: unknown): Promise<CommandOutcome>
    /** A job's results as Python's `json.dumps` writes them, streamed (see EngineHost). */
    resultsJson(jobId: string): AsyncIterable<Uint8Array>
    /** A job's results as the export CSV, streamed. */
    resultsCsv(jobId: string): AsyncIterable<string>
    /** An ended job's Chrome trace, streamed; `report.leftOut` is filled in once it is read through. */
    trace(jobId: string, report: { leftOut: string[] }): AsyncIterable<string>
  }
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>
  getWindow: () => BaseWindow | null
}

class ShownError extends Error {}

async function call<N extends CommandName>(
  deps: JobFileDeps,
  name: N,
  params: unknown
): Promise<CommandResults[N]> {
  const outcome = await deps.host.call(name, params)
  if (!outcome.ok) throw new ShownError(outcome.error.message)
  return outcome.result as CommandResults[N]
}

async function tell(
  deps: JobFileDeps,
  type: 'info' | 'error',
  message: string,
  detail?: string
): Promise<void> {
  const options = { type, message, detail, buttons: ['OK'] }
  const window = deps.getWindow()
  await (window ? deps.dialog.showMessageBox(window, options) : deps.dialog.showMessageBox(options))
}

/** The most recently started job, or `null` when none has run. */
export async function latestJob(deps: JobFileDeps): Promise<JobSummary | null> {
  const jobs = await call(deps, 'job.list', {})
  return jobs.reduce<JobSummary | null>(
    (latest, job) => (!latest || job.startedAt > latest.startedAt ? job : latest),
    null
  )
}

/** Reads the spec out of a job file's text: `{ format, spec }` as saved, or a bare spec object. */
export function specFromJobFile(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ShownError('The file is not JSON. A job file is what "Save job…" writes.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShownError('The file does not hold a job: expected a JSON object.')
  }
  if (Object.prototype.hasOwnProperty.call(value, 'format')) {
    const file = value as { format?: unknown; spec?: unknown }
    if (file.format !== JOB_FILE_FORMAT)
      throw new ShownError(`Unknown job file format; expected "${JOB_FILE_FORMAT}".`)
    return file.spec
  }
  return value
}

/** Writes a stream of slices to a file, replacing it; the file is closed whatever happens. */
async function writeSlices(path: string, slices: AsyncIterable<Uint8Array | string>): Promise<void> {
  const handle = await open(path, 'w')
  try {
    for await (const slice of slices) {
      // Two calls: FileHandle.write has one overload for text and one for bytes, none for either.
      await (typeof slice === 'string' ? handle.write(slice) : handle.write(slice))
    }
  } finally {
    await handle.close()
  }
}

/**
 * Writes a stream of text to a file through gzip, replacing it: the stream's back-pressure keeps
 * only a few slices in memory, however long the text.
 */
export async function writeGzipSlices(path: string, slices: AsyncIterable<string>): Promise<void> {
  await pipeline(Readable.from(slices), createGzip(), createWriteStream(path))
}

/** The most recently started job that has ended (the one running has no trace yet), or `null`. */
export async function latestEndedJob(deps: JobFileDeps): Promise<JobSummary | null> {
  const jobs = await call(deps, 'job.list', {})
  return jobs.reduce<JobSummary | null>(
    (latest, job) =>
      job.status !== 'running' && (!latest || job.startedAt > latest.startedAt) ? job : latest,
    null
  )
}

async function run(deps: JobFileDeps, title: string, action: () => Promise<void>): Promise<void> {
  try {
    await action()
  } catch (err) {
    const message = err instanceof ShownError ? err.message : 'Something went wrong; nothing was changed.'
    await tell(deps, 'error', title, message).catch(() => undefined)
  }
}

/** Code shown in a confirmation: all of it up to a screenful, else its start and how much is left out. */
const CODE_SHOWN_CHARS = 4000

function codeExcerpt(code: string): string {
  if (code.length <= CODE_SHOWN_CHARS) return code
  const more = code.length - CODE_SHOWN_CHARS
  return `${code.slice(0, CODE_SHOWN_CHARS)}\n… and ${more.toLocaleString('en-US')} more characters: open the file in an editor to read them all.`
}

/**
 * "Open job…": reads a job file, has the host plan it, shows the plan and starts the job only
 * when the user confirms. The window follows it through the engine's events.
 */
export function openJob(deps: JobFileDeps): Promise<void> {
  return run(deps, 'Could not open the job', async () => {
    const window = deps.getWindow()
    const options = {
      title: 'Open job',
      properties: ['openFile' as const],
      filters: [{ name: 'PoolScope job', extensions: ['json'] }]
    }
    const picked = await (window
      ? deps.dialog.showOpenDialog(window, options)
      : deps.dialog.showOpenDialog(options))
    if (picked.canceled || picked.filePaths.length === 0) return
    const file = picked.filePaths[0]
    if ((await stat(file)).size > MAX_JOB_FILE_BYTES) {
      throw new ShownError(
        `The file is larger than ${MAX_JOB_FILE_BYTES / 1024} KiB; a job file is much smaller.`
      )
    }
    const spec = specFromJobFile(await readFile(file, 'utf8'))
    const plan = await call(deps, 'job.plan', { spec })
    if (plan.overBudget) throw new ShownError(plan.overBudget)
    const code = typeof plan.spec.code === 'string' ? plan.spec.code : null
    const sizes = [
      `${plan.taskCount} tasks on ${plan.threads} threads, chunks of ${plan.chunkSize}.`,
      `${plan.totalTuples} results in all.`
    ]
    // A job that carries code is shown with its code, and Cancel is the default: it runs with the
    // user's rights, so it runs only once they have read it and pressed Run code.
    const confirmOptions = {
      type: code === null ? ('question' as const) : ('warning' as const),
      message:
        code === null
          ? `Run workload "${plan.spec.workload}"?`
          : 'This job carries code. Read it before you run it: it runs with your rights.',
      detail: code === null ? sizes.join('\n') : [...sizes, '', codeExcerpt(code)].join('\n'),
      buttons: [code === null ? 'Run' : 'Run code', 'Cancel'],
      defaultId: code === null ? 0 : 1,
      cancelId: 1
    }
    const answer = await (window
      ? deps.dialog.showMessageBox(window, confirmOptions)
      : deps.dialog.showMessageBox(confirmOptions))
    if (answer.response !== 0) return
    await call(deps, 'job.start', { spec })
  })
}

/** "Save job…": writes the latest job's spec as a job file. */
export function saveJob(deps: JobFileDeps): Promise<void> {
  return run(deps, 'Could not save the job', async () => {
    const job = await latestJob(deps)
    if (!job) throw new ShownError('No job has run yet: run one, then save it.')
    const window = deps.getWindow()
    const options = {
      title: 'Save job',
      defaultPath: `${job.spec.workload}.poolscope.json`,
      filters: [{ name: 'PoolScope job', extensions: ['json'] }]
    }
    const picked = await (window
      ? deps.dialog.showSaveDialog(window, options)
      : deps.dialog.showSaveDialog(options))
    if (picked.canceled || !picked.filePath) return
    await writeFile(
      picked.filePath,
      `${JSON.stringify({ format: JOB_FILE_FORMAT, version: 1, spec: job.spec }, null, 2)}\n`
    )
  })
}

/** "Export results…": exports the latest job's results as JSON or CSV, by the chosen extension. */
export function exportResults(deps: JobFileDeps): Promise<void> {
  return run(deps, 'Could not export the results', async () => {
    const job = await latestJob(deps)
    if (!job) throw new ShownError('No job has run yet: there are no results to export.')
    const window = deps.getWindow()
    const options = {
      title: 'Export results',
      defaultPath: `${job.spec.workload}-results.csv`,
      filters: [
        { name: 'CSV', extensions: ['csv'] },
        { name: 'JSON', extensions: ['json'] }
      ]
    }
    const picked = await (window
      ? deps.dialog.showSaveDialog(window, options)
      : deps.dialog.showSaveDialog(options))
    if (picked.canceled || !picked.filePath) return
    const json = picked.filePath.toLowerCase().endsWith('.json')
    // Streamed from the results store to the file: no export limit, no whole text in memory.
    await writeSlices(
      picked.filePath,
      json ? deps.host.resultsJson(job.jobId) : deps.host.resultsCsv(job.jobId)
    )
  })
}

/**
 * "Export trace…": writes the latest ended job's timeline as a Chrome trace (Perfetto,
 * chrome://tracing), streamed from the engine to the file in bounded memory, gzip-compressed for a
 * name ending in `.gz`. Says so when no job has ended, and what the trace left out, if anything.
 */
export function exportTrace(deps: JobFileDeps): Promise<void> {
  return run(deps, 'Could not export the trace', async () => {
    const job = await latestEndedJob(deps)
    if (!job) {
      const running = (await latestJob(deps)) !== null
      throw new ShownError(
        running
          ? 'The job is still running: its trace can be exported once it has ended.'
          : 'No job has run yet: run one, then export its trace.'
      )
    }
    const window = deps.getWindow()
    const options = {
      title: 'Export trace',
      defaultPath: `${job.spec.workload}-${job.jobId}-trace.json`,
      filters: [
        { name: 'Chrome trace', extensions: ['json'] },
        { name: 'Chrome trace, gzip-compressed', extensions: ['gz'] }
      ]
    }
    const picked = await (window
      ? deps.dialog.showSaveDialog(window, options)
      : deps.dialog.showSaveDialog(options))
    if (picked.canceled || !picked.filePath) return
    const report = { leftOut: [] as string[] }
    const slices = deps.host.trace(job.jobId, report)
    if (picked.filePath.toLowerCase().endsWith('.gz')) await writeGzipSlices(picked.filePath, slices)
    else await writeSlices(picked.filePath, slices)
    if (report.leftOut.length > 0) {
      await tell(deps, 'info', 'The trace was saved with parts left out', report.leftOut.join('\n'))
    }
  })
}
