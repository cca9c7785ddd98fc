import { z } from 'zod'
import type { BusyBinsState } from './busyBins'
import type { ErrorInfo } from './errors'
import type { JobSpec } from './spec'
import { LIMITS } from './spec'
import type { WorkloadInfo } from './workloads'

/**
 * The one contract between the engine host and every front door (Electron IPC, WebSocket, CLI).
 * Command parameters are zod schemas, checked by the host on arrival; results and events are types.
 */

const jobId = z.string().min(1).max(64)

export const MAX_RESULT_ROWS = 1000
export const MAX_TUPLES_PAGE = 10_000
export const MAX_TIMINGS_PAGE = 200_000

/** Parameters of every command, by name. The host refuses names that are not own keys of this object. */
export const CommandSchemas = {
  'engine.info': z.object({}).strict(),
  /** What the engine holds against its memory budget (the status bar's figure). */
  'engine.memory': z.object({}).strict(),
  /** Validates and sizes a spec without running it (the form's live preview). */
  'job.plan': z.object({ spec: z.unknown() }).strict(),
  'job.start': z.object({ spec: z.unknown() }).strict(),
  /** Cancels a job; the reply comes once it has ended. `reason` is shown in its status (default: the user). */
  'job.cancel': z
    .object({
      jobId,
      reason: z
        .string()
        .regex(/^[\x20-\x7e]{1,120}$/, 'reason must be 1 to 120 printable ASCII characters')
        .optional()
    })
    .strict(),
  'job.summary': z.object({ jobId }).strict(),
  'job.list': z.object({}).strict(),
  'job.results': z
    .object({
      jobId,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_RESULT_ROWS)
    })
    .strict(),
  /** A task's arguments in full (rows carry only their first characters). */
  'job.args': z.object({ jobId, task: z.number().int().min(0) }).strict(),
  'job.tuples': z
    .object({
      jobId,
      task: z.number().int().min(0),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_TUPLES_PAGE)
    })
    .strict(),
  'job.timings': z
    .object({
      jobId,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_TIMINGS_PAGE)
    })
    .strict(),
  /** The busy-time bins of every task of a job, made by the host: what a big job's timeline draws. */
  'job.busyBins': z.object({ jobId }).strict(),
  'job.export': z.object({ jobId, format: z.enum(['json', 'csv']) }).strict()
} as const

export type CommandName = keyof typeof CommandSchemas
export type CommandParams = { [N in CommandName]: z.input<(typeof CommandSchemas)[N]> }

/** Facts about the machine and the engine, shown in the UI and used for defaults. */
export interface EngineInfo {
  version: string
  hardwareThreads: number
  cpuModel: string
  platform: string
  arch: string
  totalMemoryBytes: number
  versions: { node: string; v8: string; electron?: string; chrome?: string }
  /** Memory the engine may hold for jobs and the pool, in bytes. */
  budgetBytes: number
  limits: typeof LIMITS
  workloads: WorkloadInfo[]
}

/** The engine's memory against its budget, in bytes. */
export interface EngineMemory {
  budgetBytes: number
  /** Retained jobs and the pool together. */
  usedBytes: number
  /** Per-task tables, arguments and packed results of every retained job. */
  jobsBytes: number
  /** The warm worker pool, estimated per thread. */
  poolBytes: number
  jobsRetained: number
  maxJobsRetained: number
}

/** A job as planned: every default resolved, every size exact (BigInts as decimal strings). */
export interface PlanSummary {
  spec: JobSpec & { threads: number }
  taskCount: number
  threads: number
  chunkSize: number
  totalTuples: string
  keptTuples: string
  keptBytes: string
  /** Every byte the job will hold while retained (tables, arguments, results) plus its pool. */
  memoryBytes: string
  budgetBytes: number
  /** Set when the job would be refused for its size; the plan is still returned so the UI can show why. */
  overBudget: string | null
}

export type JobStatus = 'running' | 'done' | 'cancelled' | 'failed'
export type TaskStatus = 'pending' | 'done' | 'failed' | 'cancelled'

export interface TaskFailure {
  task: number
  message: string
}

/** Everything a finished (or running) job reports about itself. */
export interface JobSummary {
  jobId: string
  status: JobStatus
  /** True when some tasks did not complete (cancelled or failed): results are incomplete. */
  partial: boolean
  /** Why the job ended as it did, in a sentence, when it did not simply finish. */
  message: string | null
  spec: JobSpec & { threads: number }
  threads: number
  chunkSize: number
  taskCount: number
  /** Tasks that ran to their end. */
  tasksDone: number
  /** Tasks that failed (every one counted; only the first messages are kept in `failures`). */
  tasksFailed: number
  /** Tasks a cancel stopped midway: their work is counted, their results are not kept. */
  tasksStopped: number
  /** Every tuple computed, those of tasks stopped midway included. */
  tuplesProduced: number
  /** Of `tuplesProduced`, those computed by tasks a cancel stopped midway (none of them kept). */
  tuplesOfStoppedTasks: number
  tuplesKept: number
  /** Time to create and warm the pool, measured apart from the job; 0 when a warm pool was reused. */
  poolStartupMs: number
  poolReused: boolean
  /** Epoch milliseconds at which the job clock started (after warm-up). */
  startedAt: number
  wallMs: number
  tasksPerSecond: number
  tuplesPerSecond: number
  /** Sum of task durations per worker lane, milliseconds. */
  busyMsPerLane: number[]
  /** Where each lane's share of the wall time went; the five parts add up to `wallMs`. */
  laneTime: LaneTime[]
  /**
   * The tool's own cost per task, apart from the workload's: the lanes' `bookkeepingMs` summed
   * (time inside chunks outside every task's timing: the per-task loop, its two clock reads, the
   * chunk's set-up and reply) in nanoseconds, divided by the tasks that ran (done or failed). It is
   * wall time: a worker the OS took off its core mid-bookkeeping counts that wait here too. Waiting
   * for work between chunks and idling at the end are not in it (see `laneTime`). Null before any
   * task ran.
   */
  overheadNsPerTask: number | null
  /** The first failures, with their messages (at most 100 are kept). */
  failures: TaskFailure[]
}

/**
 * One worker lane's wall time, split so that nothing is guessed: every figure is a difference of
 * timestamps on the clock shared by all threads (milliseconds).
 */
export interface LaneTime {
  /** Running tasks that ran to their end. */
  tasksMs: number
  /** Running tasks that a cancel stopped midway: work done, whose results are not kept. */
  stoppedMs: number
  /** Inside chunks but between tasks: the engine's per-task bookkeeping and the chunk's set-up. */
  bookkeepingMs: number
  /** Before its first chunk and between chunks: waiting for the main thread to hand over work. */
  awaitingWorkMs: number
  /** After its last chunk, until the job ended: no work left for this lane (load imbalance). */
  idleAtEndMs: number
}

/**
 * Live progress, at most about 20 a second per job. Done and failed tasks are counted apart and
 * never capped: `tasksDone + tasksFailed` never exceeds `tasksTotal`.
 */
export interface ProgressEvent {
  jobId: string
  /** Tasks that ran to their end. */
  tasksDone: number
  /** Tasks that failed. */
  tasksFailed: number
  tasksTotal: number
  /** Tuples computed so far, including those of tasks still running. */
  tuplesDone: number
  /** Tuples the whole job computes (the plan's exact count, as a number; 0 when unknown). */
  tuplesTotal: number
  elapsedMs: number
}

/**
 * Per-task timings, columnar. Times are milliseconds since the job's `startedAt`, on one clock
 * shared by all threads (`performance.timeOrigin + performance.now()` in each worker).
 */
export interface TimingBatch {
  jobId: string
  task: Int32Array
  start: Float64Array
  end: Float64Array
  /** Worker lane, 0..threads-1: one lane per pool thread, reused by its replacement. */
  lane: Uint16Array
  /** CPU core the thread last ran on (Linux), -1 where unknown. */
  cpu: Int16Array
  /** OS thread id (Linux), -1 where unknown. */
  tid: Int32Array
}

/**
 * Busy time per worker lane in equal time bins, over every task of a job that ran (see
 * `BusyTimeBins` in shared/busyBins, which made it and which `BusyTimeBins.fromState` rebuilds).
 * A few kilobytes per lane, whatever the number of tasks.
 */
export interface JobBusyBins extends BusyBinsState {
  jobId: string
}

/** One task of a job, as the results table shows it. */
export interface ResultRow {
  task: number
  /** The task's arguments in Python syntax, e.g. `((0, 1, 2, 3, 4, 5), 3)`; long ones are cut, ending in `…`. */
  args: string
  /** Length of the whole arguments text (`job.args` gives it), longer than `args` when cut. */
  argsLength: number
  status: TaskStatus
  /** Tuples the task produced. */
  count: number
  /** Tuples kept and pageable with `job.tuples`. */
  kept: number
  /** The first kept tuples in Python syntax, for a one-line preview. */
  preview: string[]
  error: string | null
}

export interface ResultsPage {
  total: number
  rows: ResultRow[]
}

export interface TaskArgs {
  task: number
  /** The whole arguments text in Python syntax. */
  args: string
}

/** A page of a task's tuples: up to the limit asked for, fewer when the tuples are long. */
export interface TuplesPage {
  task: number
  total: number
  offset: number
  /** Each tuple in Python syntax, e.g. `(0, 1)`. */
  tuples: string[]
}

export interface ExportFile {
  filename: string
  mime: string
  text: string
}

/** Results of every command, by name. */
export interface CommandResults {
  'engine.info': EngineInfo
  'engine.memory': EngineMemory
  'job.plan': PlanSummary
  'job.start': PlanSummary & { jobId: string }
  'job.cancel': { cancelled: boolean }
  'job.summary': JobSummary
  'job.list': JobSummary[]
  'job.results': ResultsPage
  'job.args': TaskArgs
  'job.tuples': TuplesPage
  'job.timings': TimingBatch
  'job.busyBins': JobBusyBins
  'job.export': ExportFile
}

/** Events pushed from the host, by name. */
export interface EventPayloads {
  'job.progress': ProgressEvent
  'job.timings': TimingBatch
  'job.finished': JobSummary
}

export type EventName = keyof EventPayloads
export type EngineEvent = { [N in EventName]: { type: N; payload: EventPayloads[N] } }[EventName]

/** What a command call returns on the wire: a result or a `{ code, message }`. */
export type CommandOutcome<N extends CommandName = CommandName> =
  { ok: true; result: CommandResults[N] } | { ok: false; error: ErrorInfo }

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CommandSchemas, name)
}

/**
 * The renderer's view of the engine, as named methods. The preload builds it over IPC, the web
 * client over a WebSocket, tests over a fake; components only ever see this type.
 */
export interface PoolScopeApi {
  info(): Promise<EngineInfo>
  memory(): Promise<EngineMemory>
  planJob(spec: unknown): Promise<PlanSummary>
  startJob(spec: unknown): Promise<PlanSummary & { jobId: string }>
  cancelJob(jobId: string): Promise<{ cancelled: boolean }>
  jobSummary(jobId: string): Promise<JobSummary>
  listJobs(): Promise<JobSummary[]>
  results(jobId: string, offset: number, limit: number): Promise<ResultsPage>
  args(jobId: string, task: number): Promise<TaskArgs>
  tuples(jobId: string, task: number, offset: number, limit: number): Promise<TuplesPage>
  timings(jobId: string, offset: number, limit: number): Promise<TimingBatch>
  busyBins(jobId: string): Promise<JobBusyBins>
  exportJob(jobId: string, format: 'json' | 'csv'): Promise<ExportFile>
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void
}

/** Sends one command; rejects with an `Error` carrying `code` when the host answers with an error. */
export type Invoke = <N extends CommandName>(name: N, params: CommandParams[N]) => Promise<CommandResults[N]>

/** Builds the named-method API over any transport's `invoke` and event subscription. */
export function createApi(
  invoke: Invoke,
  subscribe: (listener: (event: EngineEvent) => void) => () => void
): PoolScopeApi {
  return {
    info: () => invoke('engine.info', {}),
    memory: () => invoke('engine.memory', {}),
    planJob: (spec) => invoke('job.plan', { spec }),
    startJob: (spec) => invoke('job.start', { spec }),
    cancelJob: (jobId) => invoke('job.cancel', { jobId }),
    jobSummary: (jobId) => invoke('job.summary', { jobId }),
    listJobs: () => invoke('job.list', {}),
    results: (jobId, offset, limit) => invoke('job.results', { jobId, offset, limit }),
    args: (jobId, task) => invoke('job.args', { jobId, task }),
    tuples: (jobId, task, offset, limit) => invoke('job.tuples', { jobId, task, offset, limit }),
    timings: (jobId, offset, limit) => invoke('job.timings', { jobId, offset, limit }),
    busyBins: (jobId) => invoke('job.busyBins', { jobId }),
    exportJob: (jobId, format) => invoke('job.export', { jobId, format }),
    onEvent: subscribe
  }
}

/**
 * What the Electron preload exposes: the same named methods, resolving with the outcome instead
 * of rejecting, because contextBridge copies only the message of a rejected Error and drops its
 * `code` (electron/electron#25596). `apiFromBridge` turns it back into a `PoolScopeApi`.
 */
export type OutcomeBridge = {
  [K in Exclude<keyof PoolScopeApi, 'onEvent'>]: (
    ...args: Parameters<PoolScopeApi[K]>
  ) => Promise<CommandOutcome>
} & { onEvent: PoolScopeApi['onEvent'] }

/** Builds the outcome-returning bridge over a transport's raw `send`. */
export function createOutcomeBridge(
  send: (name: CommandName, params: unknown) => Promise<CommandOutcome>,
  subscribe: (listener: (event: EngineEvent) => void) => () => void
): OutcomeBridge {
  // The same method table as createApi, with outcomes passed through untouched.
  return createApi(send as unknown as Invoke, subscribe) as unknown as OutcomeBridge
}

/** The named-method API over an outcome bridge: error outcomes reject with a RemoteError that keeps its code. */
export function apiFromBridge(bridge: OutcomeBridge): PoolScopeApi {
  const api: Record<string, unknown> = { onEvent: bridge.onEvent }
  for (const key of Object.keys(bridge) as Array<keyof OutcomeBridge>) {
    if (key === 'onEvent') continue
    const method = bridge[key] as (...args: unknown[]) => Promise<CommandOutcome>
    api[key] = async (...args: unknown[]) => unwrapOutcome(await method(...args))
  }
  return api as unknown as PoolScopeApi
}

/** The result of an outcome, or a thrown RemoteError carrying its code. */
export function unwrapOutcome<N extends CommandName>(outcome: CommandOutcome<N>): CommandResults[N] {
  if (!outcome.ok) throw new RemoteError(outcome.error)
  return outcome.result
}

/** An error from the other side of a transport, with its code kept. */
export class RemoteError extends Error {
  readonly code: string
  /** The spec field the error is about, when the host named one. */
  readonly path?: ErrorInfo['path']
  constructor(info: ErrorInfo) {
    super(info.message)
    this.name = 'RemoteError'
    this.code = info.code
    if (info.path !== undefined) this.path = info.path
  }
}
