import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { MAX_CHUNK_TASKS } from '../../shared/plan'
import { chunkAdvice } from '../../shared/dispatchCost'
import { largeJobNote } from '../../shared/progress'
import type { JobStats, JobSummary, PlanSummary } from '../../shared/protocol'
import { dispatchTimes } from '../engine/chunkDispatch'
import type { EngineHost } from '../host/engineHost'
import { parseFlags } from './args'
import { writeOut, type CliIo } from './io'
import { callHost, runJob, type JobOutcome } from './jobSession'
import { notebookHeader, statsLines, timingLines } from './output'
import { drainResultsJson, openJsonFile, type JsonFile } from './resultsJson'
import { RUN_FLAGS, parseRunOptions, type RunOptions } from './runOptions'
import { specErrorToUsage } from './specErrors'
import { writeTraceFile } from './traceFile'
import { RUN_USAGE } from './usage'

/** Exit code for a finished job: 130 after Ctrl-C, 1 when tasks failed, else 0. */
export function exitCodeOf(outcome: JobOutcome): number {
  if (outcome.interrupted) return 130
  return outcome.summary.status === 'done' ? 0 : 1
}

/** Plans a spec with the host's `job.plan`; any refusal (bad spec, over budget) becomes a usage error naming the flag. */
export async function planOrRefuse(host: EngineHost, spec: unknown, argsFlag: string): Promise<PlanSummary> {
  try {
    const plan = await callHost(host, 'job.plan', { spec })
    if (plan.overBudget)
      throw specErrorToUsage(new PoolScopeError(ErrorCodes.OVER_BUDGET, plan.overBudget), argsFlag)
    return plan
  } catch (err) {
    if (err instanceof PoolScopeError) throw specErrorToUsage(err, argsFlag)
    throw err
  }
}

/** An exact count (a decimal string from the host) as a number when it is safe, else as the string. */
function exact(value: string): number | string {
  return BigInt(value) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

/** The single JSON object `--json` prints. */
export interface RunReport {
  status: JobSummary['status']
  partial: boolean
  message: string | null
  /** The spec with every default resolved (threads, tasks, seed). */
  spec: JobSummary['spec']
  /** True when the seed was picked at random because none was given. */
  seedPicked: boolean
  chunkSize: number
  counts: {
    tasks: number
    tasksDone: number
    tasksFailed: number
    /** Tasks a cancel stopped midway: their tuples are counted in tuplesProduced, none kept. */
    tasksStopped: number
    /** Exact C(n, k) total before the run; a decimal string beyond 2^53. */
    tuplesPlanned: number | string
    tuplesProduced: number
    tuplesOfStoppedTasks: number
    tuplesKept: number
  }
  timing: {
    poolStartupMs: number
    poolReused: boolean
    wallMs: number
    tasksPerSecond: number
    tuplesPerSecond: number
    busyMsPerLane: number[]
    laneTime: JobSummary['laneTime']
    /** PoolScope's own bookkeeping per task that ran, ns; null when no task ran (see JobSummary). */
    overheadNsPerTask: number | null
  }
  /**
   * SHA-256 of `json.dumps(results, separators=(',', ':'))`, the list Python's `Pool.map` returns;
   * null when the results cannot equal that list, and `digestNote` says why.
   */
  digest: string | null
  /** Why `digest` is null (a partial job, or a keep mode that keeps fewer tuples); null when it is set. */
  digestNote: string | null
  output: { file: string; bytes: number } | null
  /**
   * The `--trace` file, its size and what it left out (one sentence per cap that applied); null
   * without `--trace` or when it could not be written (stderr says why).
   */
  trace: { file: string; bytes: number; leftOut: string[] } | null
  /** The `--timings` file and its size; null without `--timings` or when it could not be written. */
  timings: { file: string; bytes: number } | null
  failures: JobSummary['failures']
  /**
   * The job's statistics as `job.stats` gives them: utilization, imbalance, speedup, the duration
   * histogram and outliers, queue-wait percentiles, PoolScope's own cost per task (see `JobStats`).
   */
  stats: JobStats
}

/**
 * Why a digest of the kept results could not equal Python's, or null when it can: Python's list
 * holds every tuple of every task, which a partial job or `--keep count` / `--keep N` do not.
 */
export function digestNoteOf(summary: JobSummary, plan: PlanSummary): string | null {
  if (summary.status === 'cancelled')
    return `the job was cancelled: ${summary.tasksDone} of ${summary.taskCount} tasks kept, results are partial`
  if (summary.tasksFailed > 0)
    return `${summary.tasksFailed} of ${summary.taskCount} tasks failed: results are partial (Python's map would have raised)`
  if (summary.partial) return 'results are partial'
  const { keep } = plan.spec
  if (keep === 'count') return 'only counts were kept (--keep count)'
  if (BigInt(plan.keptTuples) < BigInt(plan.totalTuples))
    return `--keep ${keep} kept ${plan.keptTuples} of ${plan.totalTuples} tuples; Python's list holds them all`
  // Custom code's tuples are known only once it has run.
  if (summary.tuplesKept < summary.tuplesProduced)
    return `--keep ${keep} kept ${summary.tuplesKept} of ${summary.tuplesProduced} tuples; Python's list holds them all`
  return null
}

/**
 * The warning shown before a job the plan says will produce more than LARGE_JOB_TUPLES tuples
 * (the app's form shows the same), or null.
 */
export function largeJobWarning(plan: PlanSummary): string | null {
  const unit = plan.layout === 'values' ? 'values' : 'tuples'
  const sizes = {
    totalTuples: BigInt(plan.totalTuples),
    estimatedMs: plan.estimatedMs,
    unit,
    threads: plan.threads
  }
  const note = largeJobNote(sizes, 'Ctrl-C')
  return note && `Warning: ${note[0].toLowerCase()}${note.slice(1)}`
}

export function jsonReport(
  summary: JobSummary,
  plan: PlanSummary,
  digest: { digest: string | null; digestNote: string | null },
  options: RunOptions,
  output: { file: string; bytes: number } | null,
  trace: { file: string; bytes: number; leftOut: string[] } | null,
  timings: { file: string; bytes: number } | null,
  stats: JobStats
): RunReport {
  return {
    status: summary.status,
    partial: summary.partial,
    message: summary.message,
    // A report is kept and shared: a Redis password in the URL never goes into it.
    spec: summary.spec,
    seedPicked: options.chosenSeed !== null,
    chunkSize: summary.chunkSize,
    counts: {
      tasks: summary.taskCount,
      tasksDone: summary.tasksDone,
      tasksFailed: summary.tasksFailed,
      tasksStopped: summary.tasksStopped,
      tuplesPlanned: exact(plan.totalTuples),
      tuplesProduced: summary.tuplesProduced,
      tuplesOfStoppedTasks: summary.tuplesOfStoppedTasks,
      tuplesKept: summary.tuplesKept
    },
    timing: {
      poolStartupMs: summary.poolStartupMs,
      poolReused: summary.poolReused,
      wallMs: summary.wallMs,
      tasksPerSecond: summary.tasksPerSecond,
      tuplesPerSecond: summary.tuplesPerSecond,
      busyMsPerLane: summary.busyMsPerLane,
      laneTime: summary.laneTime,
      overheadNsPerTask: summary.overheadNsPerTask
    },
    digest: digest.digest,
    digestNote: digest.digestNote,
    output,
    trace,
    timings,
    failures: summary.failures,
    stats
  }
}

function seedLine(options: RunOptions, seed: number): string | null {
  if (!options.drawsN) return null
  return options.chosenSeed !== null
    ? `Seed: ${seed} (picked at random; repeat this run with --seed ${seed})`
    : `Seed: ${seed}`
}

/** `poolscope run`: checks every flag and plans the job before a pool exists, then runs it through the host and reports. */
export async function runCommand(argv: readonly string[], io: CliIo, host: EngineHost): Promise<number> {
  const flags = parseFlags(argv, RUN_FLAGS, 'run')
  if (flags.has('--help')) {
    await writeOut(io.stdout, RUN_USAGE + '\n')
    return 0
  }
  const options = parseRunOptions(flags, io.cwd)
  // Custom code runs isolated where this Node can isolate it (child processes under the permission
  // model), unless --backend says otherwise: it is the person's own code either way.
  if (options.spec.workload === 'custom' && options.spec.backend === undefined) {
    const preferred = host.engine.customCodeInfo().preferred
    if (preferred) options.spec = { ...options.spec, backend: preferred }
  }
  const plan = await planOrRefuse(host, options.spec, options.argsFlag)
  const file: JsonFile | null = options.outputFile ? await openJsonFile(options.outputFile) : null
  let traceFile: JsonFile | null = null
  let timingsFile: JsonFile | null = null
  try {
    traceFile = options.traceFile ? await openJsonFile(options.traceFile, '--trace') : null
    timingsFile = options.timingsFile ? await openJsonFile(options.timingsFile, '--timings') : null
  } catch (err) {
    await file?.handle.close()
    await traceFile?.handle.close()
    throw err
  }
  const warning = largeJobWarning(plan)
  if (warning) await writeOut(io.stderr, warning + '\n')
  try {
    const outcome = await runJob(host, options.spec, io)
    const { summary, jobId } = outcome
    const stats = await callHost(host, 'job.stats', { jobId })
    const seed = plan.spec.inputs.kind === 'recipe' ? (plan.spec.inputs.seed ?? 0) : 0
    const digestNote = options.mode === 'json' ? digestNoteOf(summary, plan) : null
    // One pass over the results serves both the file and the digest.
    const wantDigest = options.mode === 'json' && digestNote === null
    const drained =
      file || wantDigest
        ? await drainResultsJson(host.resultsJson(jobId), { file, digest: wantDigest })
        : { bytes: null, digest: null }
    const output = file && drained.bytes !== null ? { file: file.path, bytes: drained.bytes } : null
    const outputLine = output ? `Results written to ${output.file} (${output.bytes} bytes)` : null
    // The job has run: a trace or timings file that cannot be written is said on stderr and fails
    // the exit code, never thrown away with the rest of the report.
    let fileFailed = false
    const writeStream = async (
      flag: '--trace' | '--timings',
      target: JsonFile | null,
      slices: () => AsyncIterable<string>
    ): Promise<{ file: string; bytes: number } | null> => {
      if (!target) return null
      try {
        return { file: target.path, bytes: await writeTraceFile(slices(), target) }
      } catch (err) {
        fileFailed = true
        const reason = err instanceof Error ? err.message.split('\n', 1)[0] : String(err)
        await writeOut(
          io.stderr,
          `poolscope: ${flag}: the job ran, but ${target.path} could not be written: ${reason}\n`
        )
        return null
      }
    }
    const traceReport = { leftOut: [] as string[] }
    const traceWritten = await writeStream('--trace', traceFile, () => host.trace(jobId, traceReport))
    const trace = traceWritten && { ...traceWritten, leftOut: traceReport.leftOut }
    const timings = await writeStream('--timings', timingsFile, () => host.timingsCsv(jobId))
    const traceLine = trace
      ? `Trace written to ${trace.file} (${trace.bytes} bytes; open it in https://ui.perfetto.dev or chrome://tracing)` +
        (trace.leftOut.length > 0 ? `; it left out ${trace.leftOut.join('; ')}` : '')
      : null
    const timingsLine = timings ? `Timings written to ${timings.file} (${timings.bytes} bytes)` : null

    if (options.mode === 'json') {
      const digestOf = { digest: drained.digest, digestNote }
      const report = jsonReport(summary, plan, digestOf, options, output, trace, timings, stats)
      await writeOut(io.stdout, JSON.stringify(report) + '\n')
    } else if (options.mode === 'print') {
      // stdout stays exactly what the notebook prints; everything else goes to stderr.
      await writeOut(io.stdout, notebookHeader(summary).join('\n') + '\n')
      if (!outcome.interrupted) await printResultsOf(host, jobId, io)
      const extra = [
        seedLine(options, seed),
        ...timingLines(summary),
        ...statsLines(stats),
        outputLine,
        traceLine,
        timingsLine
      ].filter((l) => l !== null)
      await writeOut(io.stderr, extra.join('\n') + '\n')
    } else {
      const lines = [
        ...notebookHeader(summary),
        seedLine(options, seed),
        ...timingLines(summary),
        ...statsLines(stats),
        queueLine(host, jobId, summary, stats),
        outputLine,
        traceLine,
        timingsLine
      ]
      await writeOut(io.stdout, lines.filter((l) => l !== null).join('\n') + '\n')
    }
    const code = exitCodeOf(outcome)
    return code === 0 && fileFailed ? 1 : code
  } finally {
    await file?.handle.close()
    await traceFile?.handle.close()
    await timingsFile?.handle.close()
  }
}

/**
 * For a cluster job: what its queue operations cost per chunk (measured from its chunk log) and
 * whether they took more than 5% of its work, with the chunk size that would not. Null for other
 * back ends and for jobs with no chunk filed.
 */
export function queueLine(
  host: EngineHost,
  jobId: string,
  summary: JobSummary,
  stats: JobStats
): string | null {
  if (summary.spec.backend !== 'cluster') return null
  const times = dispatchTimes(host.engine.job(jobId).chunks)
  if (!times) return null
  const advice = chunkAdvice(
    {
      taskCount: summary.taskCount,
      threads: summary.threads,
      chunkSize: summary.chunkSize,
      workMs: stats.totalTaskMs,
      maxChunkTasks: MAX_CHUNK_TASKS
    },
    times.dispatchMs
  )
  return (
    `Queue: ${advice.message}; per chunk ${times.pickupMs.toFixed(2)} ms enqueue → pick-up + ` +
    `${times.returnMs.toFixed(2)} ms reply → arrival (medians)` +
    resultsTripNote(times, summary.spec.keep)
  )
}

/**
 * When a chunk's way back (its results crossing Redis) is most of its trip, bigger chunks do not
 * help and keeping fewer results does: said so, for a job that kept results.
 */
export function resultsTripNote(
  times: { pickupMs: number; returnMs: number },
  keep: JobSummary['spec']['keep']
): string {
  if (keep === 'count' || !(times.returnMs >= 10 && times.returnMs > 4 * times.pickupMs)) return ''
  return (
    '; most of that is the results crossing Redis: keeping fewer (--keep count, or --keep N per task) ' +
    'shortens it, bigger chunks do not'
  )
}

/** `for r in result: print(r)` on stdout, streamed from the host. */
export async function printResultsOf(host: EngineHost, jobId: string, io: CliIo): Promise<void> {
  for await (const text of host.resultsText(jobId)) await writeOut(io.stdout, text)
}
