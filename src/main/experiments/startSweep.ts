import { randomUUID } from 'node:crypto'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { defaultThreadCounts } from '../../shared/experiments/schedule'
import {
  DEFAULT_MAX_SAMPLES,
  DEFAULT_MAX_SECONDS,
  DEFAULT_REPEAT,
  DEFAULT_SWEEP_SEED,
  SweepOptionsSchema,
  type SweepOptions
} from '../../shared/experiments/sweepOptions'
import type { SweepProgress, SweepResult } from '../../shared/payloads'
import { describeZodError, maxThreadsFor } from '../../shared/spec'
import type { Engine } from '../engine/engine'
import { EngineRunner } from './engineRunner'
import { cpuFrequencyMhz } from './machineProbe'
import { Sweep, type SweepSetup } from './sweep'

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
  const cap = maxThreadsFor(hardwareThreads)
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
    backends: given.backends ?? [specBackend ?? 'threads'],
    repeat,
    maxRepeat,
    maxSeconds: given.maxSeconds ?? DEFAULT_MAX_SECONDS,
    seed: given.seed ?? DEFAULT_SWEEP_SEED,
    keepResults: given.keepResults ?? false
  }
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
    const why = info.backends.find((b) => b.name === backend)?.reason
    if (why) throw invalid(`sweep: the ${backend} back end cannot run here: ${why}`)
  }
  // Count-only unless told to keep: a sweep measures the work, and its many runs would otherwise
  // fill the memory budget with results nobody reads.
  const base = { ...summary.spec, keep: options.keepResults ? summary.spec.keep : ('count' as const) }
  let taskCount = plan.taskCount
  for (const backend of options.backends) {
    for (const threads of options.threads) {
      const where = `sweep at ${threads} ${backend}`
      let point
      try {
        point = await engine.plan({ ...base, threads, backend })
      } catch (err) {
        if (err instanceof PoolScopeError)
          throw new PoolScopeError(err.code, `${where}: ${err.message}`, err.path)
        throw err
      }
      if (point.summary.overBudget) {
        throw new PoolScopeError(ErrorCodes.OVER_BUDGET, `${where}: ${point.summary.overBudget}`)
      }
      taskCount = point.plan.taskCount
    }
  }
  return {
    sweepId: `sweep-${randomUUID().slice(0, 8)}`,
    spec: base,
    options,
    taskCount,
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
  const runner = new EngineRunner(engine, setup.spec)
  const sweep = new Sweep(setup, runner, onProgress)
  void sweep.done.finally(() => runner.close())
  return sweep
}

export type { SweepResult }
