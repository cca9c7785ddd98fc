import type { JobSummary, LaneTime } from './payloads'
import { formatNanoseconds } from './units'

/** The parts of a job summary that `whyNotN` reads. */
export type WhyNotNInput = Pick<
  JobSummary,
  'status' | 'wallMs' | 'threads' | 'laneTime' | 'poolStartupMs' | 'poolReused'
> & {
  /** The back end, when known: on a cluster, waiting for work is mostly chunks crossing the network. */
  spec?: { backend?: JobSummary['spec']['backend'] }
}

/** Where thread time was lost: the breakdown's three categories outside tasks, and pool start-up. */
export type LossKind = 'bookkeeping' | 'waiting' | 'imbalance' | 'startup'

/** Why N threads were not N× faster, in figures and in one sentence. */
export interface WhyNotN {
  /** Σ task time ÷ wall time: how much faster than running the same tasks one after another. */
  speedup: number
  /** Σ task time ÷ (threads × wall time), 0..1. */
  utilization: number
  threads: number
  /** The largest loss; on a tie, the first in the order bookkeeping, waiting, imbalance, start-up. */
  largestLoss: {
    kind: LossKind
    /** Thread time lost, summed over the lanes (start-up: threads × the pool's start-up time). */
    ms: number
    /**
     * `ms` ÷ (threads × wall time). Start-up happens before the job's clock starts, so its share
     * can exceed 1 when starting the pool took longer than the job.
     */
    shareOfThreadTime: number
  }
  sentence: string
}

/** At or above this utilization (as shown, rounded to a whole percent) the pool was used well. */
const WELL_USED_PERCENT = 90
/** A start-up costing this share of the job's thread time or more is named even when utilization is high. */
const COSTLY_STARTUP_SHARE = 0.1

/**
 * Why a finished job on N threads was not N× faster: its speedup over the serial sum of its task
 * times, its utilization, and the largest loss among bookkeeping, waiting for work, idling at the
 * end (imbalance) and pool start-up, with a sentence that explains it.
 *
 * Time in tasks a cancel stopped midway counts as task time: the threads were computing, and the
 * question is how well the pool kept them busy, not what the user kept. The sentence says so when
 * there is any. Null while the job runs (a lane's chunk in flight would read as idle at the end),
 * and when there is nothing to measure (no wall time, no threads, or no task ran).
 */
export function whyNotN(summary: WhyNotNInput): WhyNotN | null {
  const { wallMs, threads, laneTime } = summary
  if (summary.status === 'running' || !(wallMs > 0) || !(threads > 0)) return null
  const sum = (part: (lane: LaneTime) => number) => laneTime.reduce((total, lane) => total + part(lane), 0)
  const stoppedMs = sum((lane) => lane.stoppedMs)
  const workMs = sum((lane) => lane.tasksMs) + stoppedMs
  if (!(workMs > 0)) return null

  const threadTimeMs = threads * wallMs
  const losses: [LossKind, number][] = [
    ['bookkeeping', sum((lane) => lane.bookkeepingMs)],
    ['waiting', sum((lane) => lane.awaitingWorkMs)],
    ['imbalance', sum((lane) => lane.idleAtEndMs)],
    // Outside the wall time, paid once per thread: compared as the thread time it held up.
    ['startup', summary.poolReused ? 0 : threads * summary.poolStartupMs]
  ]
  const [kind, ms] = losses.reduce((best, loss) => (loss[1] > best[1] ? loss : best))
  const largestLoss = { kind, ms, shareOfThreadTime: ms / threadTimeMs }
  const speedup = workMs / wallMs
  const utilization = workMs / threadTimeMs

  const head =
    `Speedup ${times(speedup)} on ${threadCount(threads)} (utilization ${percent(utilization)}` +
    `${stoppedMs > 0 ? ', counting tasks a cancel stopped midway' : ''})`
  // Utilization does not see start-up (it is outside the wall time), so a costly one is still named.
  const costlyStartup = kind === 'startup' && largestLoss.shareOfThreadTime >= COSTLY_STARTUP_SHARE
  const wellUsed = Math.round(utilization * 100) >= WELL_USED_PERCENT && !costlyStartup
  const body = wellUsed ? wellUsedReason(threads) : lossReason(largestLoss, summary)
  return { speedup, utilization, threads, largestLoss, sentence: `${head}: ${body}.` }
}

function wellUsedReason(threads: number): string {
  return threads === 1
    ? 'the pool was used well; on 1 thread the speedup cannot exceed 1×'
    : `the pool was used well; the speedup is limited by the thread count (at most ${threads}×) and by the cores free to run them`
}

function lossReason(loss: WhyNotN['largestLoss'], summary: WhyNotNInput): string {
  const share = `${percent(loss.shareOfThreadTime)} of thread time`
  switch (loss.kind) {
    case 'bookkeeping':
      return (
        `most lost time is bookkeeping (${share}) — tasks are so short that the engine's per-task cost ` +
        'rivals them; larger tasks or fewer, bigger chunks would help'
      )
    case 'waiting':
      if (summary.spec?.backend === 'cluster') {
        return (
          `most lost time is waiting for work (${share}) — every chunk goes through Redis to an agent ` +
          'and its reply comes back the same way, a network round trip each; fewer, bigger chunks need ' +
          'fewer trips'
        )
      }
      return (
        `most lost time is waiting for work (${share}) — the main thread is not handing out chunks fast ` +
        'enough, as it also files every reply (on a core the workers may share); fewer, bigger chunks ' +
        'need fewer hand-overs'
      )
    case 'imbalance':
      // One lane has no others to wait for: its idle end is the main thread finishing the job.
      return summary.threads === 1
        ? `most lost time is idle at the end (${share}) — the worker had finished its last chunk while ` +
            'the main thread was still filing the last results'
        : `most lost time is idle at the end (${share}) — some workers ran out of work while others ` +
            'were still busy: uneven task costs, or too few tasks or chunks for the threads'
    case 'startup': {
      const took =
        summary.poolStartupMs > summary.wallMs
          ? 'starting the pool took longer than the job itself'
          : `starting the pool took ${percent(summary.poolStartupMs / summary.wallMs)} of the job's wall time`
      return (
        `most lost time is pool start-up (${milliseconds(summary.poolStartupMs)} before the job began) — ` +
        `${took}; the next run on the same threads and back end reuses the warm pool`
      )
    }
  }
}

/** `0.9×`, `3.8×`; below 0.1× one significant digit, so a slow job never reads as `0.0×`. */
function times(ratio: number): string {
  return `${ratio >= 0.1 ? ratio.toFixed(1) : ratio.toPrecision(1)}×`
}

/** A fraction as a whole percent: `45%`. */
function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`
}

function threadCount(threads: number): string {
  return `${threads} ${threads === 1 ? 'thread' : 'threads'}`
}

/** `120.0 ms`, `1.36 ms`, `2.40 s`. */
function milliseconds(ms: number): string {
  return formatNanoseconds(ms * 1e6)
}
