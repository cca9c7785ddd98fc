import { PoolScopeError } from '../../shared/errors'
import type { CommandName, CommandResults, JobSummary } from '../../shared/protocol'
import type { EngineHost } from '../host/engineHost'
import type { CliIo } from './io'
import { ProgressBar } from './progressBar'

/** How a job ended, seen from the command line. */
export interface JobOutcome {
  /** The host's id of the job, for reading its results through the host. */
  jobId: string
  summary: JobSummary
  /** Ctrl-C arrived: the job was cancelled and its summary is partial. */
  interrupted: boolean
}

/** What Ctrl-C tells the job, shown in its status. */
const INTERRUPTED = 'interrupted (Ctrl-C)'

/**
 * Runs one host command and returns its result; a refusal is thrown as a PoolScopeError with the
 * host's code, message and field path, as every front door receives it.
 */
export async function callHost<N extends CommandName>(
  host: EngineHost,
  name: N,
  params: unknown
): Promise<CommandResults[N]> {
  const outcome = await host.call(name, params)
  if (!outcome.ok) throw new PoolScopeError(outcome.error.code, outcome.error.message, outcome.error.path)
  return outcome.result as CommandResults[N]
}

/**
 * Starts a job that was already planned and checked through the host (`job.start`), shows a
 * progress bar on a terminal from the host's events, and turns the first Ctrl-C into a cancel so
 * the caller can still print what was computed. The handler is removed afterwards, so a second
 * Ctrl-C after that falls back to Node's default and ends the process.
 */
export async function runJob(host: EngineHost, spec: unknown, io: CliIo): Promise<JobOutcome> {
  const bar = new ProgressBar(io.stderr)
  let interrupted = false
  let jobId: string | null = null
  /** Summaries of jobs that ended, kept until this job's id is known (a tiny job may end first). */
  const ended = new Map<string, JobSummary>()
  let onEnded: (() => void) | null = null
  /** What the job last said it waits for, printed once each time it changes. */
  let waitingSaid: string | undefined
  const stopListening = host.onEvent((event) => {
    if (event.type === 'job.progress' && (jobId === null || event.payload.jobId === jobId)) {
      const { waiting } = event.payload
      if (waiting && waiting !== waitingSaid) {
        bar.clear()
        io.stderr.write(`${waiting} (Ctrl-C cancels)\n`)
      }
      waitingSaid = waiting
      bar.update(event.payload)
    } else if (event.type === 'job.finished') {
      ended.set(event.payload.jobId, event.payload)
      onEnded?.()
    }
  })
  // The host's cancel command with a reason, so the status says why the job stopped; it answers
  // once the job has ended. Ctrl-C names this session's own job, never whatever else may run.
  const cancel = (): void => {
    if (jobId !== null) void host.call('job.cancel', { jobId, reason: INTERRUPTED })
  }
  const onInterrupt = (): void => {
    interrupted = true
    io.signals.off('SIGINT', onInterrupt)
    if (jobId !== null) cancel()
  }
  io.signals.on('SIGINT', onInterrupt)
  try {
    const started = await callHost(host, 'job.start', { spec })
    jobId = started.jobId
    // Ctrl-C during pool warm-up: the job starts and is cancelled at once.
    if (interrupted) cancel()
    const id = jobId
    const summary = await new Promise<JobSummary>((resolve) => {
      onEnded = () => {
        const found = ended.get(id)
        if (found) resolve(found)
      }
      onEnded()
    })
    return { jobId: id, summary, interrupted: interrupted && summary.status === 'cancelled' }
  } finally {
    stopListening()
    io.signals.off('SIGINT', onInterrupt)
    bar.clear()
  }
}
