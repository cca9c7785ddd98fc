import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type { JobPlan } from '../../shared/plan'
import type { JobSummary } from '../../shared/protocol'
import { resultsDigest } from '../engine/digest'
import type { Engine } from '../engine/engine'
import { parseFlags } from './args'
import { writeOut, type CliIo } from './io'
import { runJob, type JobOutcome } from './jobSession'
import { notebookHeader, openResultsFile, printResults, timingLines, type ResultsFile } from './output'
import { RUN_FLAGS, parseRunOptions, type RunOptions } from './runOptions'
import { specErrorToUsage } from './specErrors'
import { RUN_USAGE } from './usage'

/** Exit code for a finished job: 130 after Ctrl-C, 1 when tasks failed, else 0. */
export function exitCodeOf(outcome: JobOutcome): number {
  if (outcome.interrupted) return 130
  return outcome.summary.status === 'done' ? 0 : 1
}

/** Plans a spec; any refusal (bad spec, over budget) becomes a usage error naming the flag. */
export async function planOrRefuse(engine: Engine, spec: unknown, argsFlag: string): Promise<JobPlan> {
  try {
    const { plan, summary } = await engine.plan(spec)
    if (summary.overBudget)
      throw specErrorToUsage(new PoolScopeError(ErrorCodes.OVER_BUDGET, summary.overBudget), argsFlag)
    return plan
  } catch (err) {
    if (err instanceof PoolScopeError) throw specErrorToUsage(err, argsFlag)
    throw err
  }
}

function exact(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
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
    /** Exact C(n, k) total before the run; a decimal string beyond 2^53. */
    tuplesPlanned: number | string
    tuplesProduced: number
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
  }
  /** SHA-256 of `json.dumps(results, separators=(',', ':'))`; null when only counts were kept. */
  digest: string | null
  output: { file: string; bytes: number } | null
  failures: JobSummary['failures']
}

export function jsonReport(
  summary: JobSummary,
  plan: JobPlan,
  digest: string | null,
  options: RunOptions,
  output: { file: string; bytes: number } | null
): RunReport {
  return {
    status: summary.status,
    partial: summary.partial,
    message: summary.message,
    spec: summary.spec,
    seedPicked: options.chosenSeed !== null,
    chunkSize: summary.chunkSize,
    counts: {
      tasks: summary.taskCount,
      tasksDone: summary.tasksDone,
      tasksFailed: summary.tasksFailed,
      tuplesPlanned: exact(plan.totalTuples),
      tuplesProduced: summary.tuplesProduced,
      tuplesKept: summary.tuplesKept
    },
    timing: {
      poolStartupMs: summary.poolStartupMs,
      poolReused: summary.poolReused,
      wallMs: summary.wallMs,
      tasksPerSecond: summary.tasksPerSecond,
      tuplesPerSecond: summary.tuplesPerSecond,
      busyMsPerLane: summary.busyMsPerLane,
      laneTime: summary.laneTime
    },
    digest,
    output,
    failures: summary.failures
  }
}

function seedLine(options: RunOptions, seed: number): string | null {
  if (!options.drawsN) return null
  return options.chosenSeed !== null
    ? `Seed: ${seed} (picked at random; repeat this run with --seed ${seed})`
    : `Seed: ${seed}`
}

/** `poolscope run`: checks every flag and plans the job before a pool exists, then runs and reports. */
export async function runCommand(argv: readonly string[], io: CliIo, engine: Engine): Promise<number> {
  const flags = parseFlags(argv, RUN_FLAGS, 'run')
  if (flags.has('--help')) {
    await writeOut(io.stdout, RUN_USAGE + '\n')
    return 0
  }
  const options = parseRunOptions(flags, io.cwd)
  const plan = await planOrRefuse(engine, options.spec, options.argsFlag)
  const file: ResultsFile | null = options.outputFile ? await openResultsFile(options.outputFile) : null
  try {
    const outcome = await runJob(engine, options.spec, io)
    const { summary, job } = outcome
    const seed = plan.spec.inputs.kind === 'recipe' ? (plan.spec.inputs.seed ?? 0) : 0
    const output = file ? { file: file.path, bytes: await file.write(job.results) } : null
    const outputLine = output ? `Results written to ${output.file} (${output.bytes} bytes)` : null

    if (options.mode === 'json') {
      const digest = plan.spec.keep === 'count' ? null : resultsDigest(job.results)
      const report = jsonReport(summary, plan, digest, options, output)
      await writeOut(io.stdout, JSON.stringify(report) + '\n')
    } else if (options.mode === 'print') {
      // stdout stays exactly what the notebook prints; everything else goes to stderr.
      await writeOut(io.stdout, notebookHeader(summary).join('\n') + '\n')
      if (!outcome.interrupted) await printResults(io.stdout, job.results)
      const extra = [seedLine(options, seed), ...timingLines(summary), outputLine].filter((l) => l !== null)
      await writeOut(io.stderr, extra.join('\n') + '\n')
    } else {
      const lines = [...notebookHeader(summary), seedLine(options, seed), ...timingLines(summary), outputLine]
      await writeOut(io.stdout, lines.filter((l) => l !== null).join('\n') + '\n')
    }
    return exitCodeOf(outcome)
  } finally {
    await file?.close()
  }
}
