import { randomUUID } from 'node:crypto'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { defaultThreadCounts } from '../../shared/experiments/schedule'
import {
  DEFAULT_MAX_SAMPLES,
  DEFAULT_MAX_SECONDS,
  DEFAULT_REPEAT,
  DEFAULT_SWEEP_SEED,
  SweepOptionsSchema,
  scaledTaskCount,
  type SweepOptions
} from '../../shared/experiments/sweepOptions'
import type { ResolvedSpec, SweepProgress, SweepResult } from '../../shared/payloads'
import type { JobPlan } from '../../shared/plan'
import { describeZodError, LIMITS, maxThreadsFor } from '../../shared/spec'
import type { Engine } from '../engine/engine'
import { EngineRunner } from './engineRunner'
import { specOn } from './pointSpec'
import { cpuFrequencyMhz } from './machineProbe'
import { Sweep, type PointJob, type SweepSetup } from './sweep'

/**
 * Checks a sweep's spec and options and plans every point before anything runs, so a bad thread
 * count, an unavailable back end or a point over the memory budget is refused at once with what
 * was wrong; then starts the sweep on the engine.
 */

function invalid(message: string): PoolScopeError {
  return new PoolScopeError(ErrorCodes.INVALID_COMMAND, message)
}

/** The options with defaults filled in, or an INVALID_COMMAND error naming the bad one. */
export function resolveSweepOptions(
  input: unknown,
  hardwareThreads: number,
  specBackend: SweepOptions['backends'][number] | undefined
): SweepOptions {
  const parsed = SweepOptionsSchema.safeParse(input ?? {})
  if (!parsed.success) throw invalid(`sweep: ${describeZodError(parsed.error)}`)
  const given = parsed.data
  const backends = given.backends ?? [specBackend ?? 'threads']
  // A cluster's lanes are its agents' threads, on their own machines: this machine's cap is not theirs.
  const cap = backends.every((kind) => kind === 'cluster')
    ? LIMITS.maxThreads
    : maxThreadsFor(hardwareThreads)
  const threads = [...(given.threads ?? defaultThreadCounts(hardwareThreads).filter((n) => n <= cap))].sort(
    (a, b) => a - b
  )
  const over = threads.filter((n) => n > cap)
  if (over.length > 0) {
    throw invalid(
      `sweep: threads: ${over.join(', ')} ${over.length === 1 ? 'is' : 'are'} more than this machine allows ` +
        `(at most ${cap} threads for its ${hardwareThreads} hardware threads)`
    )
  }
  const repeat = given.repeat ?? DEFAULT_REPEAT
  const maxRepeat = given.maxRepeat ?? Math.max(DEFAULT_MAX_SAMPLES, repeat)
  if (maxRepeat < repeat) {
    throw invalid(`sweep: maxRepeat (${maxRepeat}) must be at least repeat (${repeat})`)
  }
  return {
    threads,
    backends,
    repeat,
    maxRepeat,
    maxSeconds: given.maxSeconds ?? DEFAULT_MAX_SECONDS,
    seed: given.seed ?? DEFAULT_SWEEP_SEED,
    keepResults: given.keepResults ?? false,
    scaled: given.scaled ?? false
  }
}

/**
 * A scaled sweep grows the tasks, which adds work only when each task carries its own: a recipe
 * whose tasks split one range between them (count_primes' span) would only cut the same work finer.
 */
function refuseUnscalable(plan: JobPlan): void {
  const { inputs } = plan.spec
  if (inputs.kind !== 'recipe') return
  const { kind: _kind, tasks: _tasks, seed: _seed, ...fields } = inputs
  if (plan.workload.recipeTasks(fields).kind === 'each') {
    throw invalid(
      `sweep: scaled: ${plan.workload.name}'s tasks split one range between them, so more tasks do not ` +
        'add work; a scaled sweep needs tasks that each carry their own (busy_wait, sleep, the combinations ' +
        'workloads), or run this one as a fixed-size sweep'
    )
  }
}

/**
 * The inputs with `tasks` tasks: a recipe's count replaced (its fields and seed kept, so drawn
 * arguments draw from the same sequence), an argument list repeated over and over.
 */
function scaledInputs(inputs: ResolvedSpec['inputs'], tasks: number): ResolvedSpec['inputs'] {
  if (inputs.kind === 'recipe') return { ...inputs, tasks }
  const { args } = inputs
  return { ...inputs, args: Array.from({ length: tasks }, (_, i) => args[i % args.length]) }
}

/**
 * A plan's work, as a scaled sweep's speedup counts it: its tuples for a positions workload, the work
 * units its tasks report for a values one (µs of spinning or sleeping), else its tasks. Exact,
 * where the task count is not when drawn arguments mix differently at different counts; one measure
 * for every point, so the task count when any plan has no other.
 */
function pointJobs(base: ResolvedSpec, planned: Map<number, JobPlan>): Map<number, PointJob> {
  const plans = [...planned.values()]
  const measure = (p: JobPlan): number =>
    p.workload.layout === 'positions' ? Number(p.totalTuples) : p.totalWork
  const exact = plans.every((p) => measure(p) > 0)
  return new Map(
    [...planned].map(([threads, p]) => [
      threads,
      {
        spec: { ...base, inputs: p.spec.inputs, threads },
        taskCount: p.taskCount,
        work: exact ? measure(p) : p.taskCount
      }
    ])
  )
}

/** Resolves and plans a sweep's every point; the setup to run it with. Throws PoolScopeErrors. */
export async function prepareSweep(
  engine: Engine,
  spec: unknown,
  optionsInput: unknown
): Promise<SweepSetup> {
  const info = engine.info()
  const { plan, summary } = await engine.plan(spec)
  const options = resolveSweepOptions(optionsInput, engine.hardwareThreads, plan.spec.backend)
  for (const backend of options.backends) {
    // Whether a cluster's agents are up is known only at the Redis the spec names (a point with
    // none waits for one, and a cancel ends the sweep).
    const why = info.backends.find((b) => b.name === backend)?.reason
    if (why) throw invalid(`sweep: the ${backend} back end cannot run here: ${why}`)
  }
  // Count-only unless told to keep: a sweep measures the work, and its many runs would otherwise
  // fill the memory budget with results nobody reads.
  const base = { ...summary.spec, keep: options.keepResults ? summary.spec.keep : ('count' as const) }
  if (options.scaled) refuseUnscalable(plan)
  const smallest = options.threads[0]
  let taskCount = plan.taskCount
  const planned = new Map<number, JobPlan>()
  for (const backend of options.backends) {
    for (const threads of options.threads) {
      const tasks = scaledTaskCount(plan.taskCount, smallest, threads)
      const where = `sweep at ${threads} ${backend}${options.scaled ? ` (scaled to ${tasks} tasks)` : ''}`
      // Refused before a repeated argument list of that length is built, not after.
      if (tasks > LIMITS.maxTasks) {
        throw new PoolScopeError(
          ErrorCodes.INVALID_COMMAND,
          `${where}: a job has at most ${LIMITS.maxTasks} tasks; sweep fewer threads or fewer tasks per thread`
        )
      }
      const inputs = options.scaled ? scaledInputs(base.inputs, tasks) : base.inputs
      let point
      try {
        point = await engine.plan(specOn({ ...base, inputs, threads }, backend))
      } catch (err) {
        if (err instanceof PoolScopeError)
          throw new PoolScopeError(err.code, `${where}: ${err.message}`, err.path)
        throw err
      }
      if (point.summary.overBudget) {
        throw new PoolScopeError(ErrorCodes.OVER_BUDGET, `${where}: ${point.summary.overBudget}`)
      }
      if (!options.scaled) taskCount = point.plan.taskCount
      planned.set(threads, point.plan)
    }
  }
  const baseSpec = options.scaled ? { ...base, inputs: planned.get(smallest)!.spec.inputs } : base
  if (options.scaled) taskCount = planned.get(smallest)!.taskCount
  return {
    sweepId: `sweep-${randomUUID().slice(0, 8)}`,
    spec: baseSpec,
    options,
    taskCount,
    jobs: pointJobs(base, planned),
    machine: {
      poolscopeVersion: info.version,
      cpuModel: info.cpuModel,
      hardwareThreads: info.hardwareThreads,
      platform: info.platform,
      arch: info.arch,
      totalMemoryBytes: info.totalMemoryBytes,
      versions: info.versions,
      cpuMhz: cpuFrequencyMhz()
    }
  }
}

/** A sweep on the engine, with the runner it needs closed when it ends. */
export async function startSweep(
  engine: Engine,
  spec: unknown,
  options: unknown,
  onProgress?: (progress: SweepProgress) => void
): Promise<Sweep> {
  const setup = await prepareSweep(engine, spec, options)
  const runner = new EngineRunner(engine, setup.jobs)
  const sweep = new Sweep(setup, runner, onProgress)
  void sweep.done.finally(() => runner.close())
  return sweep
}

export type { SweepResult }
