import { ErrorCodes, PoolScopeError, toErrorInfo } from '../../shared/errors'
import { excerpt } from '../../shared/excerpt'
import {
  CommandSchemas,
  isCommandName,
  type CommandName,
  type CommandOutcome,
  type ExportFormat,
  type TimelineRequest,
  type CommandResults,
  type EngineEvent
} from '../../shared/protocol'
import { describeZodError } from '../../shared/spec'
import { Engine, type EngineOptions } from '../engine/engine'
import type { Job } from '../engine/job'
import { csvSlices, exportJob, exportTrace, jsonSlices, textSlices } from './exportJob'
import { statsOfJob } from '../engine/jobStats'
import { timelineWindow } from '../engine/timelineWindow'
import { timingsCsvSlices, exportTimings } from './timingsCsv'
import { traceSlices, type TraceReport } from './traceExport'
import { SweepCommands } from './sweepCommands'
import type { HistoryStore } from '../history/historyStore'
import { HistoryHost } from './historyHost'

export interface EngineHostOptions extends EngineOptions {
  /** Where every ended job is saved (and history commands read); none: nothing is saved. */
  history?: HistoryStore
}

type Handlers = { [N in CommandName]: (params: never) => Promise<CommandResults[N]> | CommandResults[N] }

/**
 * The one command/event surface over the engine, shared by the Electron IPC binding, the web
 * host and tests. Every command arrives as `unknown` and is checked against the shared schema;
 * names are looked up as own keys only; errors leave as `{ code, message }`, never as stacks.
 */
export class EngineHost {
  readonly engine: Engine
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly handlers: Handlers
  /** Sweeps (issue 10): while one runs, `job.start` is refused. */
  readonly sweeps: SweepCommands
  /** The saved runs, when the host was given a history folder. */
  readonly history: HistoryHost | null

  constructor({ history, ...options }: EngineHostOptions) {
    this.engine = new Engine(options)
    const engine = this.engine
    this.history = history ? new HistoryHost(history, engine, (event) => this.emit(event)) : null
    const saved = this.history
    const sweeps = (this.sweeps = new SweepCommands(
      engine,
      (event) => this.emit(event),
      // Saved once `sweep.finished` has gone out, as a job is after `job.finished`.
      saved ? (result) => void saved.saveSweep(result) : undefined
    ))
    this.handlers = {
      'engine.info': () => engine.info(),
      'engine.memory': () => engine.memory(),
      'cluster.agents': ({ redis }: { redis: string }) => engine.clusterAgents(redis),
      'job.plan': async ({ spec }: { spec: unknown }) => (await engine.plan(spec)).summary,
      'job.start': async ({ spec }: { spec: unknown }) => {
        sweeps.refuseWhileBusy('job.start')
        const job = await engine.start(spec, {
          progress: (payload) => this.emit({ type: 'job.progress', payload }),
          finished: (payload) => this.emit({ type: 'job.finished', payload })
        })
        void this.history?.save(job)
        return { ...engine.summarize(job.plan), jobId: job.id }
      },
      // The reply waits for the job to end, so a start sent after it never finds the engine busy.
      'job.cancel': async ({ jobId, reason }: { jobId: string; reason?: string }) => {
        const job = engine.job(jobId)
        const cancelled = job.cancel(reason)
        await job.done
        return { cancelled }
      },
      'job.summary': ({ jobId }: { jobId: string }) => engine.job(jobId).summary(),
      'job.list': () => engine.listJobs().map((job) => job.summary()),
      'job.results': ({ jobId, offset, limit }: { jobId: string; offset: number; limit: number }) =>
        engine.job(jobId).results.page(offset, limit),
      'job.args': ({ jobId, task }: { jobId: string; task: number }) => {
        const job = engine.job(jobId)
        checkTask(job, task)
        return { task, args: job.results.argsText(task) }
      },
      'job.tuples': (params: { jobId: string; task: number; offset: number; limit: number }) => {
        const job = engine.job(params.jobId)
        checkTask(job, params.task)
        return job.results.tuplesPage(params.task, params.offset, params.limit)
      },
      'job.timings': ({ jobId, offset, limit }: { jobId: string; offset: number; limit: number }) =>
        engine.job(jobId).timings.page(offset, limit),
      'job.timeline': ({ jobId, ...window }: { jobId: string } & TimelineRequest) =>
        timelineWindow(engine.job(jobId), window),
      'job.cpu': async ({ jobId }: { jobId: string }) => ({
        jobId,
        ...(await engine.job(jobId).cpuSamplesSliced())
      }),
      'job.stats': ({ jobId }: { jobId: string }) => statsOfJob(engine.job(jobId)),
      'job.export': ({ jobId, format }: { jobId: string; format: ExportFormat }) => {
        const job = engine.job(jobId)
        if (format === 'trace') return exportTrace(job)
        if (format === 'timings') return exportTimings(job)
        return exportJob(job, format)
      },
      'sweep.start': (params: Parameters<SweepCommands['start']>[0]) => sweeps.start(params),
      'sweep.cancel': ({ sweepId, reason }: { sweepId: string; reason?: string }) =>
        sweeps.cancel(sweepId, reason),
      'sweep.get': ({ sweepId }: { sweepId: string }) => sweeps.get(sweepId),
      ...historyHandlers(this.history)
    }
  }

  /** Runs one command. Never rejects: failures come back as `{ ok: false, error }`. */
  async call(name: unknown, params: unknown): Promise<CommandOutcome> {
    if (!isCommandName(name)) {
      return {
        ok: false,
        error: {
          code: ErrorCodes.UNKNOWN_COMMAND,
          message: `unknown command ${excerpt(name)}; known: ${Object.keys(CommandSchemas).join(', ')}`
        }
      }
    }
    const parsed = CommandSchemas[name].safeParse(params ?? {})
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: ErrorCodes.INVALID_COMMAND, message: `${name}: ${describeZodError(parsed.error)}` }
      }
    }
    try {
      const handler = this.handlers[name] as (params: unknown) => unknown
      const result = await handler(parsed.data)
      return { ok: true, result } as CommandOutcome
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) }
    }
  }

  /**
   * Cancels the running sweep or job, if any, for a reason shown in its status (for example
   * "cancelled: the window was closed"). Resolves once it has ended, with whether one was running.
   */
  async cancelRunning(reason: string): Promise<boolean> {
    if (await this.sweeps.cancelRunning(reason)) return true
    const job = this.engine.runningJob
    if (!job || !job.cancel(reason)) return false
    await job.done
    return true
  }

  /**
   * Streams a job's results as Python's `json.dumps(results, separators=(',', ':'))` writes them, in
   * slices, handing the event loop back every 20 ms or so. For front doors in the host's
   * own process that need every tuple (the CLI's `--output` and digest); not a wire command, since
   * a page pulls pages instead. Throws UNKNOWN_JOB for a job the host does not hold.
   */
  async *resultsJson(jobId: string): AsyncGenerator<Uint8Array, void, void> {
    // The job is looked up on the first read, so an unknown id rejects there, like the rest.
    yield* jsonSlices(this.engine.job(jobId))
  }

  /**
   * Streams a job's results as the CSV `job.export` makes (`task,status,index,tuple`), in slices,
   * with no size limit: for a front door in the host's own process that writes them to a file.
   */
  async *resultsCsv(jobId: string): AsyncGenerator<string, void, void> {
    yield* csvSlices(this.engine.job(jobId))
  }

  /**
   * Streams an ended job's timeline as Chrome trace JSON (Perfetto, chrome://tracing), in slices
   * of about 64 KiB of text: for a front door in the host's own process that writes it to a file.
   * `report`, when given, is filled in with what the trace left out, once it has been read through.
   */
  async *trace(jobId: string, report?: TraceReport): AsyncGenerator<string, void, void> {
    yield* traceSlices(this.engine.job(jobId), undefined, report)
  }

  /**
   * Streams an ended job's per-task timings as the CSV `job.export` makes (format `timings`), in
   * slices, with no size limit: for a front door in the host's own process that writes them to a file.
   */
  async *timingsCsv(jobId: string): AsyncGenerator<string, void, void> {
    yield* timingsCsvSlices(this.engine.job(jobId))
  }

  /**
   * Streams a job's results as `for r in result: print(r)` prints them, one line per task, in
   * slices of about 64 KiB of text. Like `resultsJson`, for front doors in the host's own process.
   */
  async *resultsText(jobId: string): AsyncGenerator<string, void, void> {
    yield* textSlices(this.engine.job(jobId))
  }

  /** Subscribes to events (already throttled by the job: at most about 20 a second). */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A failing front door must not stop the job or the other listeners.
      }
    }
  }

  /** Cancels running work and shuts the pool down. */
  async dispose(): Promise<void> {
    this.listeners.clear()
    await this.sweeps.dispose()
    await this.engine.dispose()
    // The last run's record is written whole (or not at all, should the process die first).
    await this.history?.idle()
  }
}

/** The history commands; without a history folder, each says there is none. */
function historyHandlers(history: HistoryHost | null): HistoryHost['handlers'] {
  if (history) return history.handlers
  const none = (): never => {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      'this PoolScope keeps no history: it was started without a history folder'
    )
  }
  return {
    'history.list': none,
    'history.open': none,
    'history.openSweep': none,
    'history.rename': none,
    'history.delete': none,
    'history.restore': none,
    'history.import': none,
    'history.export': none
  }
}

function checkTask(job: Job, task: number): void {
  if (task >= job.plan.taskCount) {
    throw new PoolScopeError(
      ErrorCodes.INVALID_COMMAND,
      `task ${task} does not exist; job ${job.id} has tasks 0 to ${job.plan.taskCount - 1}`
    )
  }
}
