import {
  CUSTOM_WORKLOAD,
  STARTER_CODE,
  codeProblem,
  readTaskTimeout,
  taskTimeoutText
} from './customCodeModel'
import { PoolScopeError, targetOfPath, type ErrorPath } from '../../../shared/errors'
import { memoryProblem, type JobMemory } from '../../../shared/memory'
import { planJob, type JobPlan } from '../../../shared/plan'
import { passwordHidden, redisServerOf } from '../../../shared/redisUrl'
import type { PlanSummary } from '../../../shared/protocol'
import {
  FieldSchemas,
  LIMITS,
  RedisUrlSchema,
  JobSpecSchema,
  fieldProblem,
  issuePath,
  maxThreadsFor,
  messageWithoutPath,
  threadsProblem,
  wholeRange,
  type BackendKind,
  type JobSpecInput
} from '../../../shared/spec'
import { WORKLOADS, recipeDraws, type WorkloadEntry } from '../../../shared/workloads'
import { positionsNotation } from '../../../shared/workloads/positionsCount'

/** What the form holds: the text a person typed, before any parsing. */
export interface JobFormFields {
  workload: string
  style: 'map' | 'starmap'
  /**
   * The text of each recipe field, by key (`elements`, `n`, `ms`, `span`…): every workload's, so
   * switching workloads and back keeps what was typed.
   */
  recipe: Record<string, string>
  tasks: string
  seed: string
  threads: string
  backend: BackendKind
  /** The Redis server of the cluster back end's agents; kept while other back ends are chosen. */
  redis: string
  chunkSize: string
  keepMode: 'all' | 'first' | 'count'
  keepFirst: string
  /** The custom workload's function, kept while other workloads are chosen. */
  code: string
  /** The custom workload's task timeout, in seconds; empty for the host's default. */
  taskTimeout: string
}

/** A field an error is shown under: a fixed field, a recipe field by key, or the form as a whole. */
export type FieldName =
  keyof Omit<JobFormFields, 'keepMode' | 'keepFirst' | 'recipe'> | 'keep' | 'general' | `recipe.${string}`
export type FieldErrors = Partial<Record<FieldName, string>>

/** The notebook's seed year, so the starmap preset repeats run after run. */
export const NOTEBOOK_SEED = 2023

/** Every workload's recipe fields at their default text. */
export function defaultRecipeText(): Record<string, string> {
  const text: Record<string, string> = {}
  for (const workload of WORKLOADS.values()) {
    for (const field of workload.fields) text[field.key] ??= field.defaultText
  }
  return text
}

/**
 * The Redis field for a loaded spec: its URL, except that a saved run's URL has its password hidden,
 * so the URL typed for the same server (password and all) is kept.
 */
function redisFieldOf(loaded: string | undefined, typed: string): string {
  if (loaded === undefined) return typed
  return passwordHidden(loaded) && redisServerOf(loaded) === redisServerOf(typed) ? typed : loaded
}

/** A Redis on this machine, as the README's try-out starts it. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export function defaultFields(): JobFormFields {
  return {
    workload: 'combinations',
    style: 'map',
    recipe: defaultRecipeText(),
    tasks: '',
    seed: String(NOTEBOOK_SEED),
    threads: '',
    backend: 'threads',
    redis: DEFAULT_REDIS_URL,
    chunkSize: 'auto',
    keepMode: 'all',
    keepFirst: '10',
    code: STARTER_CODE,
    taskTimeout: ''
  }
}

/** The notebook's first pool cell: `p.map(get_combinations, data)` over `tuple(range(6))`, 2 × threads tasks. */
export function notebookMapPreset(): JobFormFields {
  const fields = defaultFields()
  return { ...fields, workload: 'combinations', style: 'map', recipe: { ...fields.recipe, elements: '0..5' } }
}

/** The notebook's second cell: `p.starmap(get_combinations_n, data)` with n drawn from (2, 3, 4). */
export function notebookStarmapPreset(): JobFormFields {
  const fields = defaultFields()
  return {
    ...fields,
    workload: 'combinations_n',
    style: 'starmap',
    recipe: { ...fields.recipe, elements: '0..5', n: '2,3,4' }
  }
}

/**
 * The recipe text after choosing `workload`: a field still at another workload's default for the
 * same key (n is a tuple length for combinations_n, a Fibonacci index for fibonacci) takes this
 * workload's default; anything typed is kept.
 */
export function recipeTextFor(
  workload: WorkloadEntry,
  recipe: Record<string, string>
): Record<string, string> {
  const next = { ...recipe }
  for (const field of workload.fields) {
    const text = recipe[field.key]
    if (text === field.defaultText) continue
    const othersDefault = [...WORKLOADS.values()].some((other) =>
      other.fields.some((f) => f.key === field.key && f.defaultText === text)
    )
    if (othersDefault) next[field.key] = field.defaultText
  }
  return next
}

const INTEGER = /^[+-]?\d+$/

function parseInteger(text: string): number | null {
  const trimmed = text.trim()
  return INTEGER.test(trimmed) ? Number(trimmed) : null
}

export interface FormBuild {
  /** The spec to plan and run, or null when a field could not even be read. */
  spec: JobSpecInput | null
  errors: FieldErrors
  /** The effective thread count (typed or the machine's), for hints. */
  threads: number
}

/** A workload's recipe fields read from their text: values by key, or a message per field. */
export interface RecipeRead {
  values: Record<string, unknown>
  errors: FieldErrors
}

/** Reads a workload's recipe fields with the fields' own parsers (the CLI's flags use the same). */
export function readRecipe(workload: WorkloadEntry | undefined, text: Record<string, string>): RecipeRead {
  const values: Record<string, unknown> = {}
  const errors: FieldErrors = {}
  for (const field of workload?.fields ?? []) {
    const parsed = field.parse(text[field.key] ?? '')
    if (parsed.ok) values[field.key] = parsed.value
    else errors[`recipe.${field.key}`] = parsed.error
  }
  return { values, errors }
}

/** Reads the typed text into a spec; each unreadable field gets a message saying what is allowed. */
export function buildSpec(
  fields: JobFormFields,
  workload: WorkloadEntry | undefined,
  hardwareThreads: number,
  recipe: RecipeRead,
  /** The cluster's agents' threads added up, when known: a cluster job's default threads. */
  agentThreads: number | null = null
): FormBuild {
  const errors: FieldErrors = { ...recipe.errors }
  const cluster = fields.backend === 'cluster'
  // A cluster's lanes are its agents' threads: none of this machine's limits apply.
  const defaultThreads = cluster && agentThreads !== null && agentThreads > 0 ? agentThreads : hardwareThreads

  // Every field is checked on its own, range included, so a bad field is flagged even while another
  // one (say Elements) keeps the spec from being built and checked by the schema.
  let tasks: number | undefined
  if (fields.tasks.trim() !== '') {
    const value = parseInteger(fields.tasks)
    if (value === null) {
      const { min, max } = wholeRange(FieldSchemas.tasks)
      errors.tasks = `tasks must be a whole number from ${min} to ${formatLimit(max)}, or empty for 2 × threads`
    } else {
      errors.tasks = fieldProblem(FieldSchemas.tasks, value)
      tasks = value
    }
  }
  let threads: number | undefined
  if (fields.threads.trim() !== '') {
    const value = parseInteger(fields.threads)
    if (value === null) {
      errors.threads = cluster
        ? `threads must be a whole number from 1 to ${LIMITS.maxThreads}, or empty for the agents' ${defaultThreads}`
        : `threads must be a whole number from 1 to ${maxThreadsFor(hardwareThreads)}, or empty for all ${hardwareThreads}`
    } else {
      errors.threads = cluster
        ? fieldProblem(FieldSchemas.threads, value)
        : threadsError(value, hardwareThreads)
      threads = value
    }
  }
  let redis: string | undefined
  if (cluster) {
    redis = fields.redis.trim()
    errors.redis =
      redis === ''
        ? `redis must be the URL of the agents' Redis server, such as ${DEFAULT_REDIS_URL}`
        : fieldProblem(RedisUrlSchema, redis)
  }
  let chunkSize: number | 'auto' = 'auto'
  const chunkText = fields.chunkSize.trim().toLowerCase()
  if (chunkText !== '' && chunkText !== 'auto') {
    const value = parseInteger(chunkText)
    if (value === null) {
      const { min, max } = wholeRange(FieldSchemas.chunkSize)
      errors.chunkSize = `chunk size must be auto or a whole number from ${min} to ${formatLimit(max)}`
    } else {
      errors.chunkSize = fieldProblem(FieldSchemas.chunkSize, value)
      chunkSize = value
    }
  }
  let seed: number | undefined
  if (fields.seed.trim() !== '') {
    const value = parseInteger(fields.seed)
    if (value === null) errors.seed = 'seed must be a whole number, or empty for 0'
    else seed = value
  }
  let keep: JobSpecInput['keep'] = fields.keepMode === 'count' ? 'count' : 'all'
  if (fields.keepMode === 'first') {
    const value = parseInteger(fields.keepFirst)
    if (value === null) errors.keep = 'keep first N needs a whole number of tuples per task, at least 1'
    else {
      errors.keep = fieldProblem(FieldSchemas.keepFirst, value)
      keep = value
    }
  }

  // Custom code and its timeout belong to the custom workload alone; other workloads refuse them.
  const custom = fields.workload === CUSTOM_WORKLOAD
  let taskTimeoutMs: number | undefined
  if (custom) {
    errors.code = codeProblem(fields.code)?.text
    const timeout = readTaskTimeout(fields.taskTimeout)
    if (timeout.ok) taskTimeoutMs = timeout.ms
    else errors.taskTimeout = timeout.error
  }

  for (const key of Object.keys(errors) as FieldName[]) if (errors[key] === undefined) delete errors[key]
  const effectiveThreads = threads !== undefined && threads >= 1 ? threads : defaultThreads
  if (Object.keys(errors).length > 0) return { spec: null, errors, threads: effectiveThreads }
  const inputs: Extract<JobSpecInput['inputs'], { kind: 'recipe' }> = { kind: 'recipe', ...recipe.values }
  if (tasks !== undefined) inputs.tasks = tasks
  if (seed !== undefined && recipeDraws(workload, recipe.values)) inputs.seed = seed
  const spec: JobSpecInput = {
    workload: fields.workload,
    style: fields.style,
    inputs,
    backend: fields.backend,
    chunkSize,
    keep
  }
  if (threads !== undefined) spec.threads = threads
  else if (defaultThreads !== hardwareThreads) spec.threads = defaultThreads
  if (redis !== undefined) spec.redis = redis
  if (custom) spec.code = fields.code
  if (taskTimeoutMs !== undefined) spec.taskTimeoutMs = taskTimeoutMs
  return { spec, errors, threads: effectiveThreads }
}

/** The planner's words for a pool too big for this machine, else the schema's for the field. */
function threadsError(value: number, hardwareThreads: number): string | undefined {
  return threadsProblem(value, hardwareThreads) ?? fieldProblem(FieldSchemas.threads, value)
}

function formatLimit(value: number): string {
  return value.toLocaleString('en-US')
}

/** Which form field shows an error about each spec path, by path prefix. */
const FIELD_OF_PATH: readonly (readonly [ErrorPath, FieldName])[] = [
  [['workload'], 'workload'],
  [['style'], 'style'],
  [['threads'], 'threads'],
  [['backend'], 'backend'],
  [['redis'], 'redis'],
  [['chunkSize'], 'chunkSize'],
  [['keep'], 'keep'],
  [['inputs', 'tasks'], 'tasks'],
  [['inputs', 'seed'], 'seed'],
  [['code'], 'code'],
  [['taskTimeoutMs'], 'taskTimeout']
]

/**
 * Which field an error about `path` belongs to (the planner's, the schema's or the host's): a fixed
 * field, a recipe field (`inputs.n.0` is the recipe's `n`), or `general` when none.
 */
export function fieldOfPath(path: ErrorPath | undefined): FieldName {
  const fixed = targetOfPath(FIELD_OF_PATH, path)
  if (fixed) return fixed
  const [first, key] = path ?? []
  if (first === 'inputs' && typeof key === 'string' && key !== 'kind' && key !== 'args')
    return `recipe.${key}`
  return 'general'
}

/** The schema's problems, one message per field (the first one wins). */
export function schemaErrors(spec: JobSpecInput): FieldErrors {
  const parsed = JobSpecSchema.safeParse(spec)
  if (parsed.success) return {}
  const errors: FieldErrors = {}
  for (const issue of parsed.error.issues) {
    const field = fieldOfPath(issuePath(issue))
    errors[field] ??= issue.message
  }
  return errors
}

/** One `C(n,k) × tasks` term of the size preview. */
export interface SizeTerm {
  n: number
  k: number
  /** The term as written: `C(6,2)`, `P(5,3)`, `5^3`, `2^5`. */
  notation: string
  tasks: number
  count: bigint
}

/** Exact sizes of a job before it runs, from the local planner or the host's `job.plan`. */
export interface SizePreview {
  taskCount: number
  threads: number
  chunkSize: number
  totalTuples: bigint
  keptTuples: bigint
  keptBytes: bigint
  /** What the job will hold in memory, by kind, when the plan was made locally. */
  memory: JobMemory | null
  /** The host's verdict on the memory budget, when the plan came from the host. */
  hostOverBudget: string | null
  /** The per-call breakdown, when the plan was made locally. */
  terms: SizeTerm[] | null
  /** What the results are: tuples, or one value per task. */
  unit: 'tuples' | 'values' | 'results'
  /** A rough wall time on the job's threads, ms. */
  estimatedMs: number
}

export function previewOfPlan(plan: JobPlan): SizePreview {
  const byShape = new Map<string, SizeTerm>()
  const tasksPerCall = new Array<number>(plan.calls.length).fill(0)
  for (let i = 0; i < plan.callIndex.length; i++) tasksPerCall[plan.callIndex[i]]++
  plan.calls.forEach((call, i) => {
    const { plan: kernelPlan } = call
    if (kernelPlan.layout !== 'positions') return
    const { n, k } = kernelPlan
    const notation = positionsNotation(kernelPlan)
    const term = byShape.get(notation)
    if (term) term.tasks += tasksPerCall[i]
    else byShape.set(notation, { n, k, notation, tasks: tasksPerCall[i], count: call.count })
  })
  const terms = byShape.size > 0 ? [...byShape.values()].sort((a, b) => a.k - b.k || a.n - b.n) : null
  return {
    taskCount: plan.taskCount,
    threads: plan.threads,
    chunkSize: plan.chunkSize,
    totalTuples: plan.totalTuples,
    keptTuples: plan.keptTuples,
    keptBytes: plan.keptBytes,
    memory: plan.memory,
    hostOverBudget: null,
    terms,
    unit: unitOf(plan.workload.layout),
    estimatedMs: plan.estimatedMs
  }
}

/**
 * What a job's results are called: tuples of positions, values, or the results of a custom
 * function, whose number is known only once each task has returned.
 */
export function unitOf(layout: WorkloadEntry['layout'] | undefined): SizePreview['unit'] {
  if (layout === 'json') return 'results'
  return layout === 'positions' || layout === undefined ? 'tuples' : 'values'
}

export function previewOfSummary(summary: PlanSummary): SizePreview {
  return {
    taskCount: summary.taskCount,
    threads: summary.threads,
    chunkSize: summary.chunkSize,
    totalTuples: BigInt(summary.totalTuples),
    keptTuples: BigInt(summary.keptTuples),
    keptBytes: BigInt(summary.keptBytes),
    memory: null,
    hostOverBudget: summary.overBudget,
    terms: null,
    unit: unitOf(summary.layout),
    estimatedMs: summary.estimatedMs
  }
}

/** Why a previewed job would not fit a memory budget, or null when it fits. */
export function overBudgetOf(preview: SizePreview, budgetBytes: number): string | null {
  if (!preview.memory) return preview.hostOverBudget
  return memoryProblem(preview.memory, preview.taskCount, preview.threads, budgetBytes)
}

/** `C(6,2) × 12 = 180 tuples`, or a sum of such terms; long breakdowns are shortened. */
export function describeSize(preview: SizePreview): string {
  if (preview.unit === 'results') {
    return `${preview.taskCount.toLocaleString('en-US')} tasks; each result is counted once its task returns`
  }
  const total = `${preview.totalTuples.toLocaleString('en-US')} ${preview.unit}`
  if (!preview.terms || preview.terms.length === 0) {
    return `${preview.taskCount.toLocaleString('en-US')} tasks = ${total}`
  }
  const shown = preview.terms.slice(0, 4).map((t) => `${t.notation} × ${t.tasks.toLocaleString('en-US')}`)
  if (preview.terms.length > 4) shown.push('…')
  return `${shown.join(' + ')} = ${total}`
}

/** Above this many tasks × elements the planner's exact pass runs in the host, not on every keystroke. */
export const LOCAL_PLAN_WORK = 400_000

export type LocalCheck =
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'planned'; preview: SizePreview }
  /** Valid as far as a sample of tasks shows; the exact sizes must come from the host. */
  | { kind: 'needs-host'; spec: JobSpecInput }

/**
 * Checks a spec the way the engine will, with the same planner. Small jobs are planned in full;
 * large ones are checked on a sample of their tasks and sized by the host, so typing stays fluid.
 */
export function checkSpec(spec: JobSpecInput, hardwareThreads: number): LocalCheck {
  // A workload the host runs but this planner does not know is sized by the host alone.
  if (!WORKLOADS.has(spec.workload)) return { kind: 'needs-host', spec }
  const errors = schemaErrors(spec)
  if (Object.keys(errors).length > 0) return { kind: 'invalid', errors }
  const inputs = spec.inputs.kind === 'recipe' ? spec.inputs : null
  const threads = spec.threads ?? hardwareThreads
  const taskCount = inputs?.tasks ?? threads * 2
  const elements = inputs && Array.isArray(inputs.elements) ? inputs.elements.length : 1
  const large = taskCount * Math.max(1, elements) > LOCAL_PLAN_WORK
  const sample: JobSpecInput =
    large && inputs ? { ...spec, inputs: { ...inputs, tasks: Math.min(taskCount, 256) } } : spec
  try {
    const plan = planJob(sample, hardwareThreads)
    return large ? { kind: 'needs-host', spec } : { kind: 'planned', preview: previewOfPlan(plan) }
  } catch (err) {
    if (err instanceof PoolScopeError)
      return {
        kind: 'invalid',
        errors: { [fieldOfPath(err.path)]: messageWithoutPath(err.message, err.path) }
      }
    return { kind: 'invalid', errors: { general: err instanceof Error ? err.message : String(err) } }
  }
}

/**
 * The text a recipe field must hold to read back as `value`: a list joined with commas, or a
 * half-open range `lo:hi`, whichever the field's own parser reads as the value. Null when neither
 * does (the form then keeps the field's text).
 */
function recipeTextOf(field: WorkloadEntry['fields'][number], value: unknown): string | null {
  const candidates: string[] = []
  if (Array.isArray(value)) {
    candidates.push(value.join(','))
    if (value.length === 2) candidates.push(`${value[0]}:${value[1]}`)
  } else if (value !== undefined && value !== null) candidates.push(String(value))
  const want = JSON.stringify(value)
  for (const text of candidates) {
    const parsed = field.parse(text)
    if (parsed.ok && JSON.stringify(parsed.value) === want) return text
  }
  return null
}

/**
 * The form's fields for a spec the host resolved (a saved run's), on top of `current`: what the
 * form can show of it. Null for a spec the form cannot hold (explicit argument lists, an unknown
 * workload): it then runs as it is, without the form.
 */
export function fieldsOfSpec(spec: JobSpecInput, current: JobFormFields): JobFormFields | null {
  const custom = spec.workload === CUSTOM_WORKLOAD
  // The custom workload has no recipe fields besides tasks, whether or not this planner knows it.
  const recipeFields = WORKLOADS.get(spec.workload)?.fields ?? (custom ? [] : null)
  if (!recipeFields || spec.inputs.kind !== 'recipe') return null
  if (custom && typeof spec.code !== 'string') return null
  const recipe = { ...current.recipe }
  const inputs = spec.inputs as Record<string, unknown>
  for (const field of recipeFields) {
    const text = recipeTextOf(field, inputs[field.key])
    if (text === null) return null
    recipe[field.key] = text
  }
  const keep = spec.keep ?? 'all'
  return {
    ...current,
    workload: spec.workload,
    style: spec.style,
    recipe,
    tasks: inputs.tasks === undefined ? '' : String(inputs.tasks),
    seed: inputs.seed === undefined ? current.seed : String(inputs.seed),
    threads: spec.threads === undefined ? '' : String(spec.threads),
    backend: spec.backend ?? 'threads',
    redis: redisFieldOf(spec.redis, current.redis),
    chunkSize: String(spec.chunkSize ?? 'auto'),
    keepMode: keep === 'all' ? 'all' : keep === 'count' ? 'count' : 'first',
    keepFirst: typeof keep === 'number' ? String(keep) : current.keepFirst,
    code: custom ? (spec.code as string) : current.code,
    taskTimeout: custom ? taskTimeoutText(spec.taskTimeoutMs) : current.taskTimeout
  }
}
