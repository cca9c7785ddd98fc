import type { JobSummary, ProgressEvent } from './protocol'

/** Tuples above which the app and the CLI warn, before a run, that a job is large. */
export const LARGE_JOB_TUPLES = 10_000_000n
/** An estimated wall time above which they warn that a job is long, ms. */
export const LONG_JOB_MS = 10_000

/**
 * Why a planned job deserves a warning before it runs (over 10 M results, or an estimated run of
 * over about 10 s), with the estimate, or null. `cancel` names how to stop it.
 */
export function largeJobNote(
  plan: { totalTuples: bigint; estimatedMs: number; unit: string; threads: number },
  cancel: string
): string | null {
  const many = plan.totalTuples > LARGE_JOB_TUPLES
  if (!many && plan.estimatedMs <= LONG_JOB_MS) return null
  const over = many ? ` (over ${LARGE_JOB_TUPLES.toLocaleString('en-US')})` : ''
  const threads = `${plan.threads} thread${plan.threads === 1 ? '' : 's'}`
  return (
    `A large job: ${plan.totalTuples.toLocaleString('en-US')} ${plan.unit}${over}, estimated at ` +
    `${formatEstimate(plan.estimatedMs)} on ${threads}, may take a while. ${cancel} cancels and keeps what is done.`
  )
}

/** An estimate rounded as an estimate should be: `about 40 s`, `about 3 min`. */
export function formatEstimate(ms: number): string {
  if (ms < 1000) return 'under a second'
  if (ms < 60_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`
  if (ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min`
  return `about ${(ms / 3_600_000).toFixed(1)} h`
}

/**
 * How far along a job is, 0..1: by tasks finished (done or failed) or by tuples computed (work
 * units for a values workload), whichever is further. Tuples and work move inside long tasks, so a
 * job of a few long tasks does not sit at 0% until its first task ends; tasks count the failed
 * ones, whose tuples never come.
 */
export function progressFraction(p: ProgressEvent): number {
  if (p.tasksTotal <= 0) return 0
  const byTasks = Math.min(1, (p.tasksDone + p.tasksFailed) / p.tasksTotal)
  // Values tasks report work units within a task; tuples count only for tuple workloads.
  if (p.workTotal !== undefined && p.workTotal > 0) {
    return Math.max(byTasks, Math.min(1, (p.workDone ?? 0) / p.workTotal))
  }
  if (!(p.tuplesTotal > 0)) return byTasks
  return Math.max(byTasks, Math.min(1, p.tuplesDone / p.tuplesTotal))
}

/** Time left at the rate so far, in ms; null before anything is measurable. */
export function etaMs(p: ProgressEvent): number | null {
  const fraction = progressFraction(p)
  if (fraction <= 0 || p.elapsedMs <= 0) return null
  return (p.elapsedMs * (1 - fraction)) / fraction
}

/**
 * The notebook's two print lines. "Number of results" counts only tasks that ran to their end: a
 * job that did not finish says how many of how many, and why (Python's `Pool.map` would have
 * returned no list at all).
 */
export function notebookLines(summary: JobSummary): string[] {
  const { taskCount, tasksDone, tasksFailed } = summary
  const results =
    summary.status === 'cancelled'
      ? `${tasksDone} of ${taskCount} (cancelled)`
      : tasksFailed > 0
        ? `${tasksDone} of ${taskCount} (${tasksFailed} failed)`
        : `${tasksDone}`
  return [`Number of threads: ${summary.threads}`, `Number of results: ${results}`]
}
