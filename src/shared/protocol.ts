import { z } from 'zod'
import type { ErrorInfo } from './errors'
import { MAX_WINDOW_BINS, MAX_WINDOW_TASKS } from './timeline'
import { checkEvent, checkPayload, PayloadError } from './payloads'
import { SweepOptionsSchema, type SweepOptionsInput } from './experiments/sweepOptions'
import { RedisUrlSchema } from './spec'
import type {
  ClusterAgents,
  CommandResults,
  CpuSamples,
  EngineInfo,
  EngineMemory,
  EventPayloads,
  ExportFile,
  HistoryListing,
  HistoryRecord,
  JobStats,
  JobSummary,
  PlanSummary,
  ResultsPage,
  SavedSweep,
  SweepResult,
  TaskArgs,
  TimingBatch,
  TimelineWindow,
  TuplesPage
} from './payloads'

/**
 * The one contract between the engine host and every front door (Electron IPC, WebSocket, CLI).
 * Command parameters are zod schemas, checked by the host on arrival. Results and events are zod
 * schemas too (payloads.ts), checked by the page's transports on arrival; their types are derived
 * from them and re-exported here.
 */

const jobId = z.string().min(1).max(64)

export const MAX_RESULT_ROWS = 1000
/**
 * Largest record text `history.import` takes (an exported record is at most 24 MiB); through the
 * web host a request is at most 1 MiB (MAX_CLIENT_MESSAGE_BYTES), the desktop app takes all of it.
 */
export const MAX_IMPORT_CHARS = 24 * 1024 * 1024
export const MAX_TUPLES_PAGE = 10_000
export const MAX_TIMINGS_PAGE = 200_000

/**
 * What `job.export` writes: the results as JSON or CSV, the timeline as a Chrome trace, or each
 * task's timings as CSV.
 */
export const EXPORT_FORMATS = ['json', 'csv', 'trace', 'timings'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Which part of a job's timeline to measure (`job.timeline`), all optional. */
export interface TimelineRequest {
  from?: number
  to?: number
  bins?: number
  maxTasks?: number
}

const recordId = z.string().min(1).max(64)
/** The history commands (saved runs; see src/main/history). Absent a history folder, they fail. */
const HistoryCommandSchemas = {
  /** Every saved record, newest first, the folder, and files set aside as unreadable. */
  'history.list': z.object({}).strict(),
  /** Rebuilds a saved run in the engine, read-only, and returns its job id. */
  'history.open': z.object({ id: recordId }).strict(),
  /** A saved sweep's result, exactly as `sweep.finished` carried it, with the record's name and date. */
  'history.openSweep': z.object({ id: recordId }).strict(),
  'history.rename': z.object({ id: recordId, name: z.string().max(1000) }).strict(),
  /** Moves a record into the folder's `deleted/`, from which `history.restore` brings it back. */
  'history.delete': z.object({ id: recordId }).strict(),
  'history.restore': z.object({ id: recordId }).strict(),
  /** Adds a record from an exported file's text, under a new id. */
  'history.import': z.object({ text: z.string().min(1).max(MAX_IMPORT_CHARS) }).strict(),
  /** A record as a file (at most 24 MiB, as `job.export`). */
  'history.export': z.object({ id: recordId }).strict()
} as const

/** Parameters of every command, by name. The host refuses names that are not own keys of this object. */
export const CommandSchemas = {
  'engine.info': z.object({}).strict(),
  /** What the engine holds against its memory budget (the status bar's figure). */
  'engine.memory': z.object({}).strict(),
  /** The PoolScope agents registered at a Redis server (the cluster back end's lanes). */
  'cluster.agents': z.object({ redis: RedisUrlSchema }).strict(),
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
  /** The timings of the tasks that ran among task indices offset..offset+limit-1, in task order. */
  'job.timings': z
    .object({
      jobId,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_TIMINGS_PAGE)
    })
    .strict(),
  /**
   * A window of a job's timeline (see `TimelineWindow`): the whole job by default. Detail when at
   * most `maxTasks` tasks fall in it, else `bins` equal bins per lane.
   */
  'job.timeline': z
    .object({
      jobId,
      from: z.number().finite().optional(),
      to: z.number().finite().optional(),
      bins: z.number().int().min(1).max(MAX_WINDOW_BINS).optional(),
      maxTasks: z.number().int().min(0).max(MAX_WINDOW_TASKS).optional()
    })
    .strict()
    .refine((p) => p.from === undefined || p.to === undefined || p.from < p.to, {
      message: 'from must be before to'
    }),
  /** Every CPU's utilization over a job, sampled about every 100 ms (see `CpuSamples`). */
  'job.cpu': z.object({ jobId }).strict(),
  /** An ended job's statistics (see `JobStats`); a running job is refused with JOB_RUNNING. */
  'job.stats': z.object({ jobId }).strict(),
  /** A job's results (JSON, CSV), its timeline as a Chrome trace or its timings (CSV), as one file of at most 24 MiB. */
  'job.export': z.object({ jobId, format: z.enum(EXPORT_FORMATS) }).strict(),
  /**
   * Runs a job at several thread counts (and back ends), repeated, and analyses how it scales.
   * Answers at once with the sweep's id; `sweep.progress` and `sweep.finished` follow. While it
   * runs, `job.start` is refused.
   */
  'sweep.start': z.object({ spec: z.unknown(), ...SweepOptionsSchema.shape }).strict(),
  /** Stops a sweep; the reply comes once it has ended. Finished points are kept. */
  'sweep.cancel': z
    .object({
      sweepId: jobId,
      reason: z
        .string()
        .regex(/^[\x20-\x7e]{1,120}$/, 'reason must be 1 to 120 printable ASCII characters')
        .optional()
    })
    .strict(),
  /** A sweep's result so far (or final). */
  'sweep.get': z.object({ sweepId: jobId }).strict(),
  ...HistoryCommandSchemas
} as const

export type CommandName = keyof typeof CommandSchemas
export type CommandParams = { [N in CommandName]: z.input<(typeof CommandSchemas)[N]> }

// The result and event types, derived from their schemas in payloads.ts, under the names every
// importer uses.
export type {
  ClusterAgents,
  CommandResults,
  CpuSamples,
  EngineInfo,
  EngineMemory,
  EventPayloads,
  ExportFile,
  HistoryChanged,
  HistoryEntry,
  HistoryListing,
  HistoryRecord,
  JobStats,
  JobStatus,
  JobSummary,
  LaneTime,
  PlanSummary,
  ProgressEvent,
  RestoredFrom,
  ResultRow,
  SavedSweep,
  SweepPoint,
  SweepProgress,
  SweepResult,
  SweepRun,
  ResultsPage,
  TaskArgs,
  TaskFailure,
  TaskStatus,
  TimingBatch,
  TimelineWindow,
  TuplesPage
} from './payloads'

/** The events the host pushes; `EventSchemas` in payloads.ts gives each one's payload. */
export type EventName =
  'job.progress' | 'job.finished' | 'sweep.progress' | 'sweep.finished' | 'history.changed'
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
  /** The agents registered at a Redis server; rejects when it cannot be reached. */
  clusterAgents(redis: string): Promise<ClusterAgents>
  planJob(spec: unknown): Promise<PlanSummary>
  startJob(spec: unknown): Promise<PlanSummary & { jobId: string }>
  cancelJob(jobId: string): Promise<{ cancelled: boolean }>
  jobSummary(jobId: string): Promise<JobSummary>
  listJobs(): Promise<JobSummary[]>
  results(jobId: string, offset: number, limit: number): Promise<ResultsPage>
  args(jobId: string, task: number): Promise<TaskArgs>
  tuples(jobId: string, task: number, offset: number, limit: number): Promise<TuplesPage>
  timings(jobId: string, offset: number, limit: number): Promise<TimingBatch>
  timeline(jobId: string, window?: TimelineRequest): Promise<TimelineWindow>
  cpu(jobId: string): Promise<CpuSamples>
  stats(jobId: string): Promise<JobStats>
  exportJob(jobId: string, format: ExportFormat): Promise<ExportFile>
  historyList(): Promise<HistoryListing>
  historyOpen(id: string): Promise<{ jobId: string; summary: JobSummary }>
  historyOpenSweep(id: string): Promise<SavedSweep>
  historyRename(id: string, name: string): Promise<HistoryRecord>
  historyDelete(id: string): Promise<{ id: string }>
  historyRestore(id: string): Promise<{ id: string }>
  historyImport(text: string): Promise<HistoryRecord>
  historyExport(id: string): Promise<ExportFile>
  /** Starts a sweep of `spec` at several thread counts (see `SweepOptionsInput`); events follow. */
  startSweep(spec: unknown, options?: SweepOptionsInput): Promise<{ sweepId: string }>
  cancelSweep(sweepId: string): Promise<{ cancelled: boolean }>
  /** A sweep's result so far, or final. */
  getSweep(sweepId: string): Promise<SweepResult>
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void
}

/** Sends one command; rejects with an `Error` carrying `code` when the host answers with an error. */
export type Invoke = <N extends CommandName>(name: N, params: CommandParams[N]) => Promise<CommandResults[N]>

/** The methods of `PoolScopeApi` that send a command (all but `onEvent`). */
export type CommandMethod = Exclude<keyof PoolScopeApi, 'onEvent'>

/**
 * The command each named method sends: `createApi` sends it, `apiFromBridge` checks the reply
 * against its result schema. `satisfies` keeps it complete; `MethodResultsMatch` keeps each method's
 * promised type that of its command's result.
 */
export const METHOD_COMMANDS = {
  info: 'engine.info',
  memory: 'engine.memory',
  clusterAgents: 'cluster.agents',
  planJob: 'job.plan',
  startJob: 'job.start',
  cancelJob: 'job.cancel',
  jobSummary: 'job.summary',
  listJobs: 'job.list',
  results: 'job.results',
  args: 'job.args',
  tuples: 'job.tuples',
  timings: 'job.timings',
  timeline: 'job.timeline',
  cpu: 'job.cpu',
  stats: 'job.stats',
  exportJob: 'job.export',
  historyList: 'history.list',
  historyOpen: 'history.open',
  historyOpenSweep: 'history.openSweep',
  historyRename: 'history.rename',
  historyDelete: 'history.delete',
  historyRestore: 'history.restore',
  historyImport: 'history.import',
  historyExport: 'history.export',
  startSweep: 'sweep.start',
  cancelSweep: 'sweep.cancel',
  getSweep: 'sweep.get'
} as const satisfies { [K in CommandMethod]: CommandName }

type MethodResultsMatch = {
  [K in CommandMethod]: Awaited<
    ReturnType<PoolScopeApi[K]>
  > extends CommandResults[(typeof METHOD_COMMANDS)[K]]
    ? CommandResults[(typeof METHOD_COMMANDS)[K]] extends Awaited<ReturnType<PoolScopeApi[K]>>
      ? true
      : false
    : false
}
const methodResultsMatch: MethodResultsMatch[CommandMethod] = true
void methodResultsMatch

/** Builds the named-method API over any transport's `invoke` and event subscription. */
export function createApi(
  invoke: Invoke,
  subscribe: (listener: (event: EngineEvent) => void) => () => void
): PoolScopeApi {
  const c = METHOD_COMMANDS
  return {
    info: () => invoke(c.info, {}),
    memory: () => invoke(c.memory, {}),
    clusterAgents: (redis) => invoke(c.clusterAgents, { redis }),
    planJob: (spec) => invoke(c.planJob, { spec }),
    startJob: (spec) => invoke(c.startJob, { spec }),
    cancelJob: (jobId) => invoke(c.cancelJob, { jobId }),
    jobSummary: (jobId) => invoke(c.jobSummary, { jobId }),
    listJobs: () => invoke(c.listJobs, {}),
    results: (jobId, offset, limit) => invoke(c.results, { jobId, offset, limit }),
    args: (jobId, task) => invoke(c.args, { jobId, task }),
    tuples: (jobId, task, offset, limit) => invoke(c.tuples, { jobId, task, offset, limit }),
    timings: (jobId, offset, limit) => invoke(c.timings, { jobId, offset, limit }),
    timeline: (jobId, window = {}) => invoke(c.timeline, { jobId, ...window }),
    cpu: (jobId) => invoke(c.cpu, { jobId }),
    stats: (jobId) => invoke(c.stats, { jobId }),
    exportJob: (jobId, format) => invoke(c.exportJob, { jobId, format }),
    historyList: () => invoke(c.historyList, {}),
    historyOpen: (id) => invoke(c.historyOpen, { id }),
    historyOpenSweep: (id) => invoke(c.historyOpenSweep, { id }),
    historyRename: (id, name) => invoke(c.historyRename, { id, name }),
    historyDelete: (id) => invoke(c.historyDelete, { id }),
    historyRestore: (id) => invoke(c.historyRestore, { id }),
    historyImport: (text) => invoke(c.historyImport, { text }),
    historyExport: (id) => invoke(c.historyExport, { id }),
    startSweep: (spec, options = {}) => invoke(c.startSweep, { ...options, spec }),
    cancelSweep: (sweepId) => invoke(c.cancelSweep, { sweepId }),
    getSweep: (sweepId) => invoke(c.getSweep, { sweepId }),
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

/**
 * The named-method API over an outcome bridge: error outcomes reject with a RemoteError that keeps
 * its code; results are checked against their schemas (a malformed one rejects with a
 * `PayloadError`), and so are events, a malformed event being reported and dropped.
 */
export function apiFromBridge(bridge: OutcomeBridge): PoolScopeApi {
  const api: Record<string, unknown> = {
    onEvent: (listener: (event: EngineEvent) => void) =>
      bridge.onEvent((event) => {
        const checked = checkedEventOrNull(event)
        if (checked !== null) listener(checked)
      })
  }
  for (const key of Object.keys(METHOD_COMMANDS) as CommandMethod[]) {
    const method = bridge[key] as (...args: unknown[]) => Promise<CommandOutcome>
    const name = METHOD_COMMANDS[key]
    api[key] = async (...args: unknown[]) => checkedResult(name, await method(...args))
  }
  return api as unknown as PoolScopeApi
}

/** The result of an outcome, or a thrown RemoteError carrying its code. */
export function unwrapOutcome<N extends CommandName>(outcome: CommandOutcome<N>): CommandResults[N] {
  if (!outcome.ok) throw new RemoteError(outcome.error)
  return outcome.result
}

/**
 * The result of command `name`'s outcome as the page received it, checked against its schema:
 * throws a RemoteError for an error outcome, a `PayloadError` for a malformed reply.
 */
export function checkedResult<N extends CommandName>(name: N, outcome: unknown): CommandResults[N] {
  if (
    typeof outcome !== 'object' ||
    outcome === null ||
    typeof (outcome as { ok?: unknown }).ok !== 'boolean'
  ) {
    throw new PayloadError('result', name, [], `the host's reply to ${name} is not an outcome { ok, result }`)
  }
  return checkPayload('result', name, unwrapOutcome(outcome as CommandOutcome))
}

/**
 * An event as the page received it, checked; or null, reported on the console, when its type is
 * unknown or its payload malformed. A transport calls this once per event, before any listener.
 */
export function checkedEventOrNull(event: unknown): EngineEvent | null {
  try {
    return checkEvent(event)
  } catch (err) {
    console.error('PoolScope: dropped an event from the host:', err instanceof Error ? err.message : err)
    return null
  }
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
