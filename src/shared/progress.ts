import type { JobSummary, ProgressEvent } from './protocol'

/** Tuples above which the app and the CLI warn, before a run, that a job is large. */
export const LARGE_JOB_TUPLES = 10_000_000n

/**
 * How far along a job is, 0..1: by tasks finished (done or failed) or by tuples computed, whichever
 * is further. Tuples move inside long tasks, so a job of a few long tasks does not sit at 0% until
 * its first task ends; tasks count the failed ones, whose tuples never come.
 */
export function progressFraction(p: ProgressEvent): number {
  if (p.tasksTotal <= 0) return 0
  const byTasks = Math.min(1, (p.tasksDone + p.tasksFailed) / p.tasksTotal)
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
