import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { SweepOptionsSchema, type SweepOptionsInput } from '../../shared/experiments/sweepOptions'
import type { SweepResult } from '../../shared/protocol'
import type { EngineHost } from '../host/engineHost'
import { UsageError, flagText, parseFlags, quote, type FlagDefinition, type ParsedFlags } from './args'
import { writeOut, type CliIo } from './io'
import { callHost } from './jobSession'
import { planOrRefuse } from './runCommand'
import { RUN_FLAGS, parseRunOptions } from './runOptions'
import { specErrorToUsage } from './specErrors'
import { SweepProgressLine, sweepJson, sweepReportLines } from './sweepOutput'
import { SWEEP_USAGE } from './usage'

/** The `run` flags a sweep takes as they are: what to run and how (not how many threads, nor where results go). */
const RUN_FLAGS_KEPT = new Set([
  '--workload',
  '--style',
  '--tasks',
  '--seed',
  '--args-file',
  '--code',
  '--chunksize',
  '--keep',
  '--task-timeout',
  '--redis',
  '--json',
  '--help'
])
/** The run flags that are a recipe's fields (`--ms`, `--n`, `--elements`…): every flag of run not named above or below. */
const RUN_FLAGS_REPLACED = new Set(['--threads', '--backend'])
const RUN_FLAGS_DROPPED = new Set(['--print', '--output', '--trace'])

const OWN_FLAGS: readonly FlagDefinition[] = [
  { name: '--threads', example: '1,2,4' },
  { name: '--backend', example: 'both' },
  { name: '--repeat', example: '5' },
  { name: '--max-seconds', example: '60' },
  { name: '--scaled' }
]

function isRecipeFlag(name: string): boolean {
  return !RUN_FLAGS_KEPT.has(name) && !RUN_FLAGS_REPLACED.has(name) && !RUN_FLAGS_DROPPED.has(name)
}

/**
 * `run`'s flags that mean the same here, then the sweep's own. Recipe fields are every run flag
 * this file does not name, so a workload added later brings its flags along; a new run flag that
 * is not a recipe field must be added above (or it would be taken for one).
 */
export const SWEEP_FLAGS: readonly FlagDefinition[] = [
  ...RUN_FLAGS.filter((flag) => RUN_FLAGS_KEPT.has(flag.name) || isRecipeFlag(flag.name)),
  ...OWN_FLAGS
]

/** The flag each sweep option comes from, for messages. */
const FLAG_OF_OPTION: Record<string, string> = {
  threads: '--threads',
  backends: '--backend',
  repeat: '--repeat',
  maxSeconds: '--max-seconds',
  seed: '--seed'
}

function parseThreadList(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim())
  const counts = parts.map(Number)
  if (parts.some((part) => !/^\+?\d+$/.test(part)) || counts.some((n) => !Number.isSafeInteger(n))) {
    throw new UsageError(
      '--threads',
      `must be a comma-separated list of thread counts, e.g. 1,2,4 (got ${quote(text)})`
    )
  }
  return counts
}

function parseNumber(flag: string, text: string): number {
  const value = Number(text.trim())
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(flag, `must be a number (got ${quote(text)})`)
  return value
}

/** The sweep's options from its flags, checked with the host's own schema so the bounds and words match. */
export function parseSweepFlags(flags: ParsedFlags): SweepOptionsInput {
  const options: SweepOptionsInput = {}
  const threads = flagText(flags, '--threads')
  if (threads !== undefined) options.threads = parseThreadList(threads)
  const backend = flagText(flags, '--backend')
  if (backend !== undefined) {
    const kind = backend.trim()
    if (kind === 'both') options.backends = ['threads', 'processes']
    else if (kind === 'threads' || kind === 'processes' || kind === 'cluster') options.backends = [kind]
    else
      throw new UsageError('--backend', `must be threads, processes, cluster or both (got ${quote(backend)})`)
  }
  const repeat = flagText(flags, '--repeat')
  if (repeat !== undefined) options.repeat = parseNumber('--repeat', repeat)
  const maxSeconds = flagText(flags, '--max-seconds')
  if (maxSeconds !== undefined) options.maxSeconds = parseNumber('--max-seconds', maxSeconds)
  const seed = flagText(flags, '--seed')
  // --seed seeds the tasks' draws (as in run) and the shuffled run order: one number repeats the sweep.
  if (seed !== undefined && /^[+-]?\d+$/.test(seed.trim()) && Number.isSafeInteger(Number(seed.trim()))) {
    options.seed = ((Number(seed.trim()) % 2 ** 32) + 2 ** 32) % 2 ** 32
  }
  if (flags.has('--keep')) options.keepResults = true
  if (flags.has('--scaled')) options.scaled = true
  const parsed = SweepOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = FLAG_OF_OPTION[String(issue.path[0])] ?? null
    throw new UsageError(flag, issue.message)
  }
  return options
}

/** The flag a `sweep.start` refusal that starts `sweep: <option>` is about. */
const FLAG_OF_REFUSAL: Record<string, string> = {
  threads: '--threads',
  maxRepeat: '--repeat',
  scaled: '--scaled'
}

/** A refusal of `sweep.start` before anything ran, as a usage error naming the flag when it can. */
function refusalToUsage(err: PoolScopeError, argsFlag: string): UsageError {
  if (err.code === ErrorCodes.INVALID_COMMAND) {
    const match = /^sweep: (threads|maxRepeat|backends?|scaled)\b/.exec(err.message)
    const flag = match ? (FLAG_OF_REFUSAL[match[1]] ?? '--backend') : null
    return new UsageError(flag, err.message.replace(/^sweep: ((threads|scaled): )?/, ''))
  }
  if (/the \w+ back end cannot run here/.test(err.message)) return new UsageError('--backend', err.message)
  return specErrorToUsage(err, argsFlag)
}

/** What Ctrl-C tells the sweep, shown in its status. */
const INTERRUPTED = 'interrupted (Ctrl-C)'

/**
 * `poolscope sweep`: the run flags plus a thread list; checks everything before a pool starts, runs
 * the sweep through the host (progress on a terminal's stderr), then prints the table and the fits,
 * or one JSON object. Ctrl-C cancels the run in progress and prints the finished points.
 */
export async function sweepCommand(argv: readonly string[], io: CliIo, host: EngineHost): Promise<number> {
  const flags = parseFlags(argv, SWEEP_FLAGS, 'sweep')
  if (flags.has('--help')) {
    await writeOut(io.stdout, SWEEP_USAGE + '\n')
    return 0
  }
  const sweepOptions = parseSweepFlags(flags)
  const runFlags: ParsedFlags = new Map(
    [...flags].filter(([name]) => !OWN_FLAGS.some((f) => f.name === name))
  )
  // A cluster sweep's job is a cluster job: its spec names the back end and carries the Redis URL.
  if (sweepOptions.backends?.includes('cluster')) runFlags.set('--backend', 'cluster')
  const options = parseRunOptions(runFlags, io.cwd)
  await planOrRefuse(host, options.spec, options.argsFlag)

  const line = new SweepProgressLine(io.stderr)
  let sweepId: string | null = null
  let interrupted = false
  let onEnded: ((result: SweepResult) => void) | null = null
  let ended: SweepResult | null = null
  const stopListening = host.onEvent((event) => {
    if (event.type === 'sweep.progress' && (sweepId === null || event.payload.sweepId === sweepId)) {
      line.update(event.payload)
    } else if (event.type === 'sweep.finished' && (sweepId === null || event.payload.sweepId === sweepId)) {
      ended = event.payload
      onEnded?.(event.payload)
    }
  })
  // The host's cancel command with a reason, so the result says why the sweep stopped.
  const cancel = (): void => {
    if (sweepId !== null) void host.call('sweep.cancel', { sweepId, reason: INTERRUPTED })
  }
  const onInterrupt = (): void => {
    interrupted = true
    io.signals.off('SIGINT', onInterrupt)
    cancel()
  }
  io.signals.on('SIGINT', onInterrupt)
  let result: SweepResult
  try {
    try {
      sweepId = (await callHost(host, 'sweep.start', { spec: options.spec, ...sweepOptions })).sweepId
    } catch (err) {
      if (err instanceof PoolScopeError) throw refusalToUsage(err, options.argsFlag)
      throw err
    }
    // Ctrl-C while the points were planned: the sweep starts and stops at once.
    if (interrupted) cancel()
    result = await new Promise<SweepResult>((resolve) => {
      onEnded = resolve
      if (ended) resolve(ended)
    })
  } finally {
    stopListening()
    io.signals.off('SIGINT', onInterrupt)
    line.clear()
  }
  const wasInterrupted = interrupted && result.status === 'cancelled'
  if (options.mode === 'json') {
    await writeOut(io.stdout, JSON.stringify(sweepJson(result, wasInterrupted)) + '\n')
  } else {
    const seedLine =
      options.chosenSeed !== null
        ? `Seed: ${options.chosenSeed} (picked at random; repeat this sweep with --seed ${options.chosenSeed})`
        : null
    await writeOut(io.stdout, sweepReportLines(result, seedLine).join('\n') + '\n')
  }
  if (wasInterrupted) return 130
  return result.status === 'done' ? 0 : 1
}
