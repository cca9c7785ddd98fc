import { notebookLines } from '../../shared/progress'
import type { JobStats, JobSummary } from '../../shared/protocol'
import { formatNanoseconds } from '../../shared/units'
import { findWorkload } from '../../shared/workloads'

/** What a job's results are called in a rate: tuples, or values for a workload with one per task. */
function unitOf(summary: JobSummary): string {
  return findWorkload(summary.spec.workload)?.layout === 'values' ? 'Values' : 'Tuples'
}

/** Milliseconds with one decimal, e.g. `12.3 ms`. */
export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`
}

/** A rate with thousands separators, e.g. `1,234,567`. */
export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US')
}

/**
 * The notebook's two lines: `print(f"Number of threads: ...")`, `print(f"Number of results: ...")`;
 * a job that did not finish says how many results of how many it has.
 */
export function notebookHeader(summary: JobSummary): string[] {
  return notebookLines(summary)
}

/** The timing summary: pool start-up, wall time, throughput and each thread's busy time. */
export function timingLines(summary: JobSummary): string[] {
  const busy = summary.busyMsPerLane.map((ms, lane) => `#${lane} ${ms.toFixed(1)}`).join(', ')
  const lines = [
    summary.poolReused
      ? 'Pool start-up: 0.0 ms (warm pool reused)'
      : `Pool start-up: ${formatMs(summary.poolStartupMs)} (measured apart from the job)`,
    ...backendLines(summary),
    `Wall time: ${formatMs(summary.wallMs)}`,
    `Tasks/s: ${formatRate(summary.tasksPerSecond)}`,
    `${unitOf(summary)}/s: ${formatRate(summary.tuplesPerSecond)} (${summary.tuplesProduced.toLocaleString('en-US')} produced, ` +
      (summary.tuplesOfStoppedTasks > 0
        ? `${summary.tuplesOfStoppedTasks.toLocaleString('en-US')} of them by tasks stopped midway, `
        : '') +
      `${summary.tuplesKept.toLocaleString('en-US')} kept)`,
    `Busy ms per thread: ${busy}`,
    ...laneTimeLines(summary),
    ...perTaskLines(summary)
  ]
  if (summary.message) lines.push(`${summary.partial ? 'Partial: ' : ''}${summary.message}`)
  for (const failure of summary.failures.slice(0, 5))
    lines.push(`Task ${failure.task} failed: ${failure.message}`)
  return lines
}

/** What a back end other than threads adds: processes start, copy every result back, and hold memory of their own. */
export function backendLines(summary: JobSummary): string[] {
  if (summary.spec.backend !== 'processes') return []
  const lines = [
    `Back end: processes (${summary.threads} child process${summary.threads === 1 ? '' : 'es'}; ` +
      'their results are copied back to this process, within the wall time)'
  ]
  if (summary.lanes.length > 0) {
    const pids = summary.lanes.map((label) => `#${label.lane} pid ${label.pid}`).join(', ')
    const offset = Math.max(...summary.lanes.map((label) => Math.abs(label.clockOffsetMs)))
    lines.push(`  ${pids}; clocks within ${offset.toFixed(3)} ms of this process's, corrected`)
  }
  return lines
}

/**
 * The tool's own cost per task beside the workload's: time in tasks (as timed) and the engine's
 * bookkeeping between them (`overheadNsPerTask`), each per task that ran.
 */
export function perTaskLines(summary: JobSummary): string[] {
  const ran = summary.tasksDone + summary.tasksFailed
  if (summary.overheadNsPerTask === null || ran <= 0) return []
  const busyMs = summary.busyMsPerLane.reduce((sum, ms) => sum + ms, 0)
  return [
    `Per task: ${formatNanoseconds((busyMs * 1e6) / ran)} in the task, ` +
      `${formatNanoseconds(summary.overheadNsPerTask)} of PoolScope's own bookkeeping`
  ]
}

/**
 * Where each thread's wall time went, in the shares the engine measured: the answer to "why were
 * N threads not N× faster", one line per thread.
 */
export function laneTimeLines(summary: JobSummary): string[] {
  if (summary.wallMs <= 0) return []
  const share = (ms: number) => `${((100 * ms) / summary.wallMs).toFixed(0)}%`
  return summary.laneTime.map(
    (parts, lane) =>
      `  thread #${lane}: tasks ${share(parts.tasksMs)}, ` +
      (parts.stoppedMs > 0 ? `stopped tasks ${share(parts.stoppedMs)}, ` : '') +
      `bookkeeping ${share(parts.bookkeepingMs)}, ` +
      `waiting for work ${share(parts.awaitingWorkMs)}, idle at the end ${share(parts.idleAtEndMs)}`
  )
}

/** A duration in ms in the unit that reads best: `640 ns`, `12.5 µs`, `4.05 ms`. */
function duration(ms: number): string {
  return formatNanoseconds(ms * 1e6)
}

/**
 * The statistics block (`job.stats`): how well the pool was used, how task durations spread and
 * which tasks stood out, how long tasks waited, and what PoolScope itself cost per task. Every
 * figure is over the tasks that ran; `--json` has them all, with the histogram.
 */
export function statsLines(stats: JobStats): string[] {
  const ran = stats.tasksTimed
  const of = ran === stats.taskCount ? '' : ` of ${stats.taskCount.toLocaleString('en-US')}`
  const head = `Statistics of the ${ran.toLocaleString('en-US')}${of} task${ran === 1 ? '' : 's'} that ran:`
  if (ran === 0 || !stats.durations || !stats.queueWait)
    return [head, '  none ran, so there is nothing to measure']
  const ratio = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits))
  const u = stats.utilization
  const percent =
    u === null ? '—' : u >= 0.1 || u === 0 ? `${Math.round(u * 100)}%` : `${(u * 100).toPrecision(2)}%`
  const s = stats.speedup
  const speedup = s === null ? '—' : s >= 0.1 || s === 0 ? s.toFixed(1) : s.toPrecision(1)
  const d = stats.durations
  const o = d.outliers
  const slow = d.slowest.filter((task) => task.outlier)
  const outliers =
    o.slowCount + o.fastCount === 0
      ? 'no outliers'
      : `outliers: ${o.slowCount} slower than ${duration(o.highFenceMs)}` +
        (slow.length > 0 ? ` (${slow.map((t) => `task ${t.task} ${duration(t.ms)}`).join(', ')})` : '') +
        (o.fastCount > 0 ? `, ${o.fastCount} faster than ${duration(o.lowFenceMs)}` : '')
  const w = stats.queueWait
  const cost = stats.engineCost
  const lines = [
    head,
    `  Task time ${duration(stats.totalTaskMs)}; utilization ${percent} of ${stats.threads} threads × wall time; ` +
      `speedup ${speedup}× over the serial sum; load imbalance ${ratio(stats.loadImbalance)} (busiest thread ÷ mean)`,
    `  Task durations: min ${duration(d.minMs)}, median ${duration(d.medianMs)}, mean ${duration(d.meanMs)}, ` +
      `max ${duration(d.maxMs)}; ${outliers}`,
    `  Queue wait (chunk sent → task start, nearest rank): p50 ${duration(w.p50Ms)}, p90 ${duration(w.p90Ms)}, ` +
      `p99 ${duration(w.p99Ms)}, max ${duration(w.maxMs)}`
  ]
  if (cost.totalNsPerTask !== null)
    lines.push(
      `  PoolScope's own cost per task: ${formatNanoseconds(cost.totalNsPerTask)} ` +
        `(bookkeeping ${formatNanoseconds(cost.bookkeepingNsPerTask ?? 0)} on the workers, ` +
        `filing ${formatNanoseconds(cost.filingNsPerTask ?? 0)} and sending ${formatNanoseconds(cost.sendingNsPerTask ?? 0)} on the main thread)`
    )
  if (stats.stoppedTaskMs > 0)
    lines.push(`  Not counted: ${duration(stats.stoppedTaskMs)} in tasks a cancel stopped midway`)
  return lines
}
