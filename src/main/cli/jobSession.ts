import type { Engine } from '../engine/engine'
import type { Job } from '../engine/job'
import type { JobSummary } from '../../shared/protocol'
import type { CliIo } from './io'
import { ProgressBar } from './progressBar'

/** How a job ended, seen from the command line. */
export interface JobOutcome {
  job: Job
  summary: JobSummary
  /** Ctrl-C arrived: the job was cancelled and its summary is partial. */
  interrupted: boolean
}

/**
 * Starts a job that was already planned and checked, shows a progress bar on a terminal, and turns
 * the first Ctrl-C into `job.cancel()` so the caller can still print what was computed. The handler
 * is removed afterwards, so a second Ctrl-C after that falls back to Node's default and ends the process.
 */
export async function runJob(engine: Engine, spec: unknown, io: CliIo): Promise<JobOutcome> {
  const bar = new ProgressBar(io.stderr)
  let interrupted = false
  let job: Job | null = null
  const onInterrupt = (): void => {
    interrupted = true
    io.signals.off('SIGINT', onInterrupt)
    job?.cancel('interrupted (Ctrl-C)')
  }
  io.signals.on('SIGINT', onInterrupt)
  try {
    job = await engine.start(spec, { progress: (event) => bar.update(event) })
    // Ctrl-C during pool warm-up: the job starts already cancelled and ends at once.
    if (interrupted) job.cancel('interrupted (Ctrl-C)')
    const summary = await job.done
    return { job, summary, interrupted: interrupted && summary.status === 'cancelled' }
  } finally {
    io.signals.off('SIGINT', onInterrupt)
    bar.clear()
  }
}
