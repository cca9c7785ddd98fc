import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { z } from 'zod'
import {
  BACKEND_KINDS,
  FieldSchemas,
  LIMITS,
  wholeRange,
  type BackendKind,
  type JobSpecInput
} from '../../shared/spec'
import { WORKLOADS, findWorkload, recipeDraws, type WorkloadEntry } from '../../shared/workloads'
import { MAX_CODE_CHARS, checkCustomCode } from '../../shared/workloads/customCode'
import { UsageError, flagText, parseWhole, quote, type FlagDefinition, type ParsedFlags } from './args'
import { fileProblem } from './io'

/** The flags of `poolscope run`, in the order help lists them. */
export const RUN_FLAGS: readonly FlagDefinition[] = [
  { name: '--workload', example: 'combinations_n' },
  { name: '--style', example: 'starmap' },
  ...recipeFlags(),
  { name: '--tasks', example: '8' },
  { name: '--seed', example: '42' },
  { name: '--args-file', example: 'tasks.json' },
  { name: '--code', example: 'work.js' },
  { name: '--threads', example: '4' },
  { name: '--backend', example: 'processes' },
  { name: '--redis', example: 'redis://127.0.0.1:6379' },
  { name: '--chunksize', example: 'auto' },
  { name: '--keep', example: 'all' },
  { name: '--task-timeout', example: '5000' },
  { name: '--print' },
  { name: '--json' },
  { name: '--output', example: 'results.json' },
  { name: '--trace', example: 'trace.json' },
  { name: '--timings', example: 'timings.csv' },
  { name: '--help' }
]

/** Every workload's recipe fields as flags (`--elements`, `--n`, `--ms`, `--span`…), each once. */
function recipeFlags(): FlagDefinition[] {
  const flags = new Map<string, FlagDefinition>()
  for (const workload of WORKLOADS.values()) {
    for (const field of workload.fields)
      flags.set(field.key, { name: `--${field.key}`, example: field.example })
  }
  return [...flags.values()]
}

/** How `run` reports: the notebook's lines (default), every result (`--print`) or one JSON object. */
export type OutputMode = 'summary' | 'print' | 'json'

export interface RunOptions {
  spec: JobSpecInput
  mode: OutputMode
  /** Absolute path for `--output`, if given. */
  outputFile: string | null
  /** Absolute path for `--trace` (a Chrome trace; gzip-compressed when it ends in `.gz`), if given. */
  traceFile: string | null
  /** Absolute path for `--timings` (each task's timings as CSV; gzip-compressed when it ends in `.gz`), if given. */
  timingsFile: string | null
  /** Set when the seed was picked at random because n has several values and no `--seed` was given. */
  chosenSeed: number | null
  /** Set when the job's tasks draw from several values (the seed matters). */
  drawsN: boolean
  /** The flag the task arguments came from, for errors the plan reports per task. */
  argsFlag: '--args-file' | '--n'
}

const WORKLOAD_NAMES = [...WORKLOADS.keys()].join(', ')

/** A seed short enough to type back in. */
export function randomSeed(): number {
  return randomInt(0, 1_000_000)
}

/** A whole-number flag for a spec field, within the bounds the field's schema sets. */
export function parseFieldFlag(flag: string, text: string, schema: z.ZodNumber): number {
  const { min, max } = wholeRange(schema)
  return parseWhole(flag, text, min, max)
}

/** A `--seed`: any whole number JavaScript holds exactly. */
export function parseSeed(text: string): number {
  const trimmed = text.trim()
  const value = Number(trimmed)
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(value)) {
    throw new UsageError(
      '--seed',
      `must be a whole number from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (got ${quote(text)})`
    )
  }
  return value
}

function parseKeep(text: string): 'all' | 'count' | number {
  if (text === 'all' || text === 'count') return text
  const trimmed = text.trim()
  const value = Number(trimmed)
  const { min } = wholeRange(FieldSchemas.keepFirst)
  if (!/^\+?\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      '--keep',
      `must be all, count (count tuples, keep none) or a whole number of tuples to keep per task, at least ${min} (got ${quote(text)})`
    )
  }
  return value
}

function parseBackend(text: string | undefined): BackendKind | undefined {
  if (text === undefined) return undefined
  const kind = BACKEND_KINDS.find((name) => name === text.trim())
  if (!kind) throw new UsageError('--backend', `must be ${BACKEND_KINDS.join(' or ')} (got ${quote(text)})`)
  return kind
}

function parseChunkSize(text: string): 'auto' | number {
  if (text === 'auto') return 'auto'
  const trimmed = text.trim()
  const value = Number(trimmed)
  const { min, max } = wholeRange(FieldSchemas.chunkSize)
  if (!/^\+?\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      '--chunksize',
      `must be auto or a whole number from ${min} to ${max} (got ${quote(text)})`
    )
  }
  return value
}

/**
 * Reads a `--code` file: one JavaScript function, checked (never run) here, so a mistake is
 * reported as `FILE:LINE:COLUMN: message` before any pool starts.
 */
export function readCodeFile(path: string, shown: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const reason = fileProblem(err, 'no such file')
    throw new UsageError('--code', `cannot read ${quote(shown)}: ${reason}`)
  }
  if (text.length > MAX_CODE_CHARS) {
    throw new UsageError(
      '--code',
      `${quote(shown)} has ${text.length} characters; a custom function may have at most ${MAX_CODE_CHARS}`
    )
  }
  const check = checkCustomCode(text)
  if (!check.ok) throw new UsageError('--code', `${shown}:${check.line}:${check.column}: ${check.message}`)
  return text
}

/**
 * Reads an args file: a non-empty JSON array with one entry per task. Deeper checks are the plan's.
 * Each entry must be a list, except for custom code called with map, whose argument may be any
 * JSON value (`anyValue`).
 */
export function readArgsFile(path: string, style: 'map' | 'starmap', anyValue = false): unknown[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const reason = fileProblem(err, 'no such file')
    throw new UsageError('--args-file', `cannot read ${quote(path)}: ${reason}`)
  }
  const example =
    style === 'starmap'
      ? 'a JSON array with one [elements, n] list per task, e.g. [[[0,1,2,3,4,5],3],[[0,1,2,3,4,5],2]]'
      : 'a JSON array with one elements list per task, e.g. [[0,1,2,3,4,5],[0,1,2,3,4,5]]'
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n', 1)[0] : 'parse error'
    throw new UsageError('--args-file', `${quote(path)} is not valid JSON (${reason}); it must be ${example}`)
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new UsageError('--args-file', `${quote(path)} must be ${example}`)
  }
  if (value.length > LIMITS.maxTasks) {
    throw new UsageError(
      '--args-file',
      `${quote(path)} holds ${value.length} tasks; at most ${LIMITS.maxTasks} are allowed`
    )
  }
  const bad = anyValue ? -1 : value.findIndex((task) => !Array.isArray(task))
  if (bad >= 0) {
    throw new UsageError(
      '--args-file',
      `task ${bad} in ${quote(path)} is ${JSON.stringify(value[bad])}, not a list; the file must be ${example}`
    )
  }
  return value
}

/** Turns `run`'s flags into a job spec and output choices; every flag is checked here, before any pool starts. */
export function parseRunOptions(
  flags: ParsedFlags,
  cwd: string,
  pickSeed: () => number = randomSeed
): RunOptions {
  const workloadName = flagText(flags, '--workload') ?? 'combinations'
  const workload = findWorkload(workloadName)
  if (!workload) {
    throw new UsageError('--workload', `must be one of ${WORKLOAD_NAMES} (got ${quote(workloadName)})`)
  }

  const styleText = flagText(flags, '--style')
  if (styleText !== undefined && styleText !== 'map' && styleText !== 'starmap') {
    throw new UsageError('--style', `must be map or starmap (got ${quote(styleText)})`)
  }
  // The notebook calls get_combinations with map and get_combinations_n with starmap.
  const style = styleText ?? (workload.params.length > 1 ? 'starmap' : 'map')
  if (style === 'map' && workload.params.length > 1) {
    throw new UsageError(
      '--style',
      `${workload.name} takes ${workload.params.length} arguments (${workload.params.join(', ')}), ` +
        'so it needs starmap; map passes one argument per task (got "map")'
    )
  }

  const printFlag = flags.get('--print') === true
  const jsonFlag = flags.get('--json') === true
  if (printFlag && jsonFlag) throw new UsageError('--json', 'cannot be combined with --print; choose one')
  const mode: OutputMode = jsonFlag ? 'json' : printFlag ? 'print' : 'summary'

  const threadsText = flagText(flags, '--threads')
  const threads =
    threadsText === undefined ? undefined : parseFieldFlag('--threads', threadsText, FieldSchemas.threads)
  const backend = parseBackend(flagText(flags, '--backend'))
  const redis = flagText(flags, '--redis')
  if (backend === 'cluster' && redis === undefined) {
    throw new UsageError('--redis', 'is required with --backend cluster, e.g. --redis redis://127.0.0.1:6379')
  }
  if (backend !== 'cluster' && redis !== undefined) {
    throw new UsageError('--redis', 'is only for --backend cluster')
  }
  const chunkText = flagText(flags, '--chunksize')
  const chunkSize = chunkText === undefined ? 'auto' : parseChunkSize(chunkText)
  const keepText = flagText(flags, '--keep')
  const keep = keepText === undefined ? 'all' : parseKeep(keepText)
  const timeoutText = flagText(flags, '--task-timeout')
  const taskTimeoutMs =
    timeoutText === undefined
      ? undefined
      : parseFieldFlag('--task-timeout', timeoutText, FieldSchemas.taskTimeoutMs)
  const outputText = flagText(flags, '--output')
  if (outputText !== undefined && outputText.trim() === '') {
    throw new UsageError('--output', 'needs a file name, e.g. --output results.json (got "")')
  }
  const outputFile = outputText === undefined ? null : resolve(cwd, outputText)
  const traceText = flagText(flags, '--trace')
  if (traceText !== undefined && traceText.trim() === '') {
    throw new UsageError(
      '--trace',
      'needs a file name, e.g. --trace trace.json or --trace trace.json.gz (got "")'
    )
  }
  const traceFile = traceText === undefined ? null : resolve(cwd, traceText)
  if (traceFile !== null && traceFile === outputFile) {
    throw new UsageError(
      '--trace',
      `cannot be the --output file too (${quote(traceText ?? '')}); give each its own`
    )
  }
  const timingsText = flagText(flags, '--timings')
  if (timingsText !== undefined && timingsText.trim() === '') {
    throw new UsageError('--timings', 'needs a file name, e.g. --timings timings.csv (got "")')
  }
  const timingsFile = timingsText === undefined ? null : resolve(cwd, timingsText)
  if (timingsFile !== null && (timingsFile === outputFile || timingsFile === traceFile)) {
    throw new UsageError(
      '--timings',
      `cannot be the ${timingsFile === outputFile ? '--output' : '--trace'} file too (${quote(timingsText ?? '')}); give each its own`
    )
  }

  const codeText = flagText(flags, '--code')
  const runsCode = workload.layout === 'json'
  if (runsCode && (codeText === undefined || codeText.trim() === '')) {
    throw new UsageError(
      '--code',
      `the ${workload.name} workload needs --code FILE: a file holding one JavaScript function of the ` +
        "task's arguments, such as (i) => i * i"
    )
  }
  if (!runsCode && codeText !== undefined) {
    throw new UsageError('--code', `is only for --workload custom; ${workload.name} runs its own kernel`)
  }
  const code = codeText === undefined ? undefined : readCodeFile(resolve(cwd, codeText), codeText)

  const argsFile = flagText(flags, '--args-file')
  const common = {
    workload: workload.name,
    style,
    threads,
    backend,
    ...(redis === undefined ? {} : { redis }),
    chunkSize,
    keep,
    taskTimeoutMs,
    ...(code === undefined ? {} : { code })
  } as const
  if (argsFile !== undefined) {
    for (const other of [...recipeFlags().map((flag) => flag.name), '--tasks', '--seed']) {
      if (flags.has(other)) {
        throw new UsageError(
          '--args-file',
          `cannot be combined with ${other}: the args file gives every task's arguments`
        )
      }
    }
    if (argsFile.trim() === '') throw new UsageError('--args-file', 'needs a file name (got "")')
    const args = readArgsFile(resolve(cwd, argsFile), style, runsCode && style === 'map')
    return {
      spec: { ...common, inputs: { kind: 'args', args } },
      mode,
      outputFile,
      traceFile,
      timingsFile,
      chosenSeed: null,
      drawsN: false,
      argsFlag: '--args-file'
    }
  }

  const recipe = recipeFieldsOf(workload, flags)

  const tasksText = flagText(flags, '--tasks')
  const tasks = tasksText === undefined ? undefined : parseFieldFlag('--tasks', tasksText, FieldSchemas.tasks)

  const seedText = flagText(flags, '--seed')
  let seed = seedText === undefined ? undefined : parseSeed(seedText)
  const drawsN = recipeDraws(workload, recipe)
  let chosenSeed: number | null = null
  if (drawsN && seed === undefined) {
    seed = pickSeed()
    chosenSeed = seed
  }
  return {
    spec: { ...common, inputs: { kind: 'recipe', ...recipe, tasks, seed } },
    mode,
    outputFile,
    traceFile,
    timingsFile,
    chosenSeed,
    drawsN,
    argsFlag: '--n'
  }
}

/**
 * The recipe of the chosen workload from its flags, each read by its field (the default text when
 * the flag is absent). A flag that belongs to another workload is refused, naming this one's.
 */
function recipeFieldsOf(workload: WorkloadEntry, flags: ParsedFlags): Record<string, unknown> {
  const own = new Set(workload.fields.map((field) => field.key))
  for (const flag of recipeFlags()) {
    const key = flag.name.slice(2)
    if (own.has(key) || !flags.has(flag.name)) continue
    const its = workload.fields.map((field) => `--${field.key}`).join(', ') || 'none'
    const owners = [...WORKLOADS.values()].filter((w) => w.fields.some((field) => field.key === key))
    throw new UsageError(
      flag.name,
      `${workload.name}(${workload.params.join(', ')}) has no ${key} input; its inputs are ${its}, ` +
        `and ${flag.name} is for --workload ${owners.map((w) => w.name).join(' or ')} (got ${quote(flagText(flags, flag.name) ?? '')})`
    )
  }
  const recipe: Record<string, unknown> = {}
  for (const field of workload.fields) {
    const text = flagText(flags, `--${field.key}`) ?? field.defaultText
    const parsed = field.parse(text)
    if (!parsed.ok) throw new UsageError(`--${field.key}`, `${parsed.error} (got ${quote(text)})`)
    recipe[field.key] = parsed.value
  }
  return recipe
}
