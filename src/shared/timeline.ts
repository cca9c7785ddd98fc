/**
 * What the timeline draws, in the words of the per-worker breakdown (`LaneTime`): every worker
 * lane's whole wall time split into categories, and the main thread's work for the workers (the
 * dispatcher lane). Shared by the host, which measures them (`job.timeline`), and the page, which
 * draws them in the breakdown's colours.
 */

/** Categories of a worker lane's time and of the dispatcher lane's, by their code in a window. */
export const SEGMENT = {
  /** Running a task that ran to its end. */
  task: 0,
  /** Running a task that a cancel stopped midway. */
  stopped: 1,
  /** Inside a chunk, between tasks: the engine's per-task bookkeeping. */
  bookkeeping: 2,
  /** Before the first chunk and between chunks: waiting for the main thread to hand over work. */
  waiting: 3,
  /** After the lane's last chunk, until the job ended. */
  idle: 4,
  /** Before the job clock's zero: starting and warming the pool for this job. */
  startup: 5,
  /** Inside a chunk still running: its tasks' timings come back with its reply. */
  unreported: 6,
  /** Dispatcher: filing a reply (results, timings, tallies). */
  filing: 7,
  /**
   * Dispatcher: from a worker's reply until the main thread began filing it: the reply's trip (on a
   * cluster, through Redis) and its wait while the main thread was busy.
   */
  queued: 8
} as const
export type SegmentKind = keyof typeof SEGMENT
export type SegmentCode = (typeof SEGMENT)[SegmentKind]

const KIND_OF_CODE = new Map<number, SegmentKind>(
  (Object.keys(SEGMENT) as SegmentKind[]).map((kind) => [SEGMENT[kind], kind])
)

/** The category of a `SEGMENT` code (a task for an unknown one). */
export function segmentKind(code: number): SegmentKind {
  return KIND_OF_CODE.get(code) ?? 'task'
}

/** Every category in the order a legend lists them: a lane's, then the main thread's. */
export const LEGEND_ORDER: readonly SegmentKind[] = [
  'startup',
  'task',
  'stopped',
  'unreported',
  'bookkeeping',
  'waiting',
  'idle',
  'filing',
  'queued'
]

/** Worker-lane categories, in the order a binned lane stacks them (tasks at the bottom). */
export const LANE_KINDS = [
  'task',
  'stopped',
  'unreported',
  'bookkeeping',
  'waiting',
  'idle',
  'startup'
] as const
export type LaneKind = (typeof LANE_KINDS)[number]

/** What each category is called in the legend, the tooltips and the breakdown. */
export const SEGMENT_LABELS: Record<SegmentKind, string> = {
  task: 'tasks',
  stopped: 'stopped tasks',
  bookkeeping: 'bookkeeping',
  waiting: 'waiting for work',
  idle: 'idle at the end',
  startup: 'pool start-up',
  unreported: 'running (timings come with the chunk)',
  filing: 'filing replies',
  queued: 'reply on its way to be filed'
}

/**
 * Tasks a window draws one by one when not told otherwise; past them, the host sums the window into
 * bins. ECharts takes 25–40 µs to draw a bar: windows of 2,000 bars took 55–67 ms to redraw, a
 * long task at every zoom step (BENCHMARKS.md, "The timeline (issue 8)").
 */
export const MAX_TASK_BARS = 1000

/** The most bins and task bars a window may ask for: what a chart can draw within a frame or two. */
export const MAX_WINDOW_BINS = 2000
export const MAX_WINDOW_TASKS = 5000
/** Bins across all lanes at most, so a 128-thread window stays a few hundred kilobytes. */
export const MAX_WINDOW_CELLS = 40_000
