import { z } from 'zod'
import type { ErrorPath } from './errors'
import { MAX_CODE_CHARS } from './workloads/customCode'

/** Upper bounds that keep a single job sane; each error message repeats the bound it broke. */
export const LIMITS = {
  maxTasks: 10_000_000,
  maxThreads: 256,
  maxChunkSize: 1_000_000,
  maxTaskTimeoutMs: 24 * 60 * 60 * 1000
} as const

/**
 * The number fields of a spec, one schema each. The job schema is built from them, and the form
 * and the CLI check a single field with the same schema (and read its bounds from it with
 * `wholeRange`), so a limit and its message exist once.
 */
export const FieldSchemas = {
  /** How many tasks a recipe makes; default twice the thread count, as the notebook does. */
  tasks: z
    .number()
    .int('tasks must be a whole number')
    .min(1, 'tasks must be at least 1')
    .max(LIMITS.maxTasks, `tasks must be at most ${LIMITS.maxTasks}`),
  threads: z
    .number()
    .int('threads must be a whole number')
    .min(1, 'threads must be at least 1')
    .max(LIMITS.maxThreads, `threads must be at most ${LIMITS.maxThreads}`),
  chunkSize: z
    .number()
    .int('chunk size must be auto or a whole number')
    .min(1, 'chunk size must be at least 1')
    .max(LIMITS.maxChunkSize, `chunk size must be at most ${LIMITS.maxChunkSize}`),
  keepFirst: z.number().int('keep must be all, count or a whole number').min(1, 'keep N must be at least 1'),
  taskTimeoutMs: z
    .number()
    .int('task timeout must be a whole number of milliseconds')
    .min(1, 'task timeout must be at least 1 ms')
    .max(LIMITS.maxTaskTimeoutMs, `task timeout must be at most ${LIMITS.maxTaskTimeoutMs} ms (a day)`)
} as const

/** The smallest and largest whole number a field's schema accepts (safe-integer bounds when it sets none). */
export function wholeRange(schema: z.ZodNumber): { min: number; max: number } {
  const min = schema.minValue ?? -Number.MAX_SAFE_INTEGER
  const max = schema.maxValue ?? Number.MAX_SAFE_INTEGER
  return {
    min: Number.isFinite(min) ? min : -Number.MAX_SAFE_INTEGER,
    max: Number.isFinite(max) ? max : Number.MAX_SAFE_INTEGER
  }
}

/** The schema's message for a value of one field, or undefined when the field accepts it. */
export function fieldProblem(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value)
  return parsed.success ? undefined : parsed.error.issues[0].message
}

/**
 * A recipe: how many tasks, the seed for draws, and the workload's own fields (`elements`, `n`,
 * `ms`, `span`…), which the planner checks against the workload's recipe schema.
 */
const recipeInputs = z
  .object({
    kind: z.literal('recipe'),
    /** How many tasks; default twice the thread count, as the notebook does. */
    tasks: FieldSchemas.tasks.optional(),
    /** Seed for Python-compatible `random.choice` when tasks draw from several values, so a run repeats. */
    seed: z.number().int('seed must be a whole number').optional()
  })
  .catchall(z.unknown())

const argsInputs = z
  .object({
    kind: z.literal('args'),
    /** Explicit task arguments, as the notebook's `data`: one argument per task for map, a tuple for starmap. */
    args: z
      .array(z.unknown())
      .min(1, 'args must hold at least one task')
      .max(LIMITS.maxTasks, `args may hold at most ${LIMITS.maxTasks} tasks`)
  })
  .strict()

/** What to keep of each task's tuples: all, only a count, or the first N per task. */
export const KeepSchema = z.union([z.literal('all'), z.literal('count'), FieldSchemas.keepFirst])

/** Threads allowed per hardware thread: enough to show waiting work overlapping, not a runaway pool. */
export const THREADS_PER_HARDWARE_THREAD = 4
/** Small machines may still try this many threads (the sleep lesson on a 2-core laptop). */
const MIN_THREAD_CAP = 8

/**
 * The largest pool this machine accepts: 4 × its hardware threads, at least 8 and at most
 * `LIMITS.maxThreads`. Each thread costs about 10 MB and start-up time (256 threads on 2 cores took
 * 12.5 s and 2.5 GB), and beyond a few per core they only queue for the CPU.
 */
export function maxThreadsFor(hardwareThreads: number): number {
  return Math.min(LIMITS.maxThreads, Math.max(MIN_THREAD_CAP, THREADS_PER_HARDWARE_THREAD * hardwareThreads))
}

/** Why a pool size is refused on a machine with `hardwareThreads` threads, or null when it is allowed. */
export function threadsProblem(threads: number, hardwareThreads: number): string | null {
  const cap = maxThreadsFor(hardwareThreads)
  if (threads <= cap) return null
  return (
    `threads must be at most ${cap} on this machine (${THREADS_PER_HARDWARE_THREAD} × its ` +
    `${hardwareThreads} hardware threads, at least ${MIN_THREAD_CAP}): more threads only wait for a core ` +
    'and cost memory and start-up time'
  )
}

/**
 * What runs a job's chunks: `threads`, worker threads of this process (the default),
 * `processes`, child processes as the notebook's `multiprocessing.Pool` uses, or `cluster`,
 * PoolScope agents on any machine taking chunks from a BullMQ queue in Redis (see `redis`).
 */
export const BACKEND_KINDS = ['threads', 'processes', 'cluster'] as const
export type BackendKind = (typeof BACKEND_KINDS)[number]
export const BackendSchema = z.enum(BACKEND_KINDS, {
  error: 'backend must be threads, processes or cluster'
})
/** A Redis URL is short; this bounds what a spec may carry. */
const MAX_REDIS_URL_CHARS = 1000
/** Where the `cluster` back end's Redis is: a spec's `redis`, and what the agents list asks about. */
export const RedisUrlSchema = z
  .string({ error: 'redis must be text: a redis:// or rediss:// URL' })
  .max(MAX_REDIS_URL_CHARS, `redis may be at most ${MAX_REDIS_URL_CHARS} characters`)
  .regex(/^rediss?:\/\/\S+$/, 'redis must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379')

/** A job as a user sets it up. Everything optional has the notebook's default. */
export const JobSpecSchema = z
  .object({
    workload: z.string().min(1, 'workload must be named').max(100),
    style: z.enum(['map', 'starmap'], { error: 'style must be map or starmap' }),
    inputs: z.discriminatedUnion('kind', [recipeInputs, argsInputs], {
      error: 'inputs.kind must be recipe or args'
    }),
    threads: FieldSchemas.threads.optional(),
    backend: BackendSchema.default('threads'),
    /**
     * The Redis server the `cluster` back end's agents take chunks from: `redis://[user:password@]host:port`
     * or `rediss://` for TLS. Required for that back end and refused for the others.
     */
    redis: RedisUrlSchema.optional(),
    chunkSize: z.union([z.literal('auto'), FieldSchemas.chunkSize]).default('auto'),
    keep: KeepSchema.default('all'),
    /**
     * Longest a single task may run, in milliseconds. A task that runs longer is stopped (its worker
     * thread is replaced) and fails with a message saying so. No limit when omitted.
     */
    taskTimeoutMs: FieldSchemas.taskTimeoutMs.optional(),
    /**
     * The function a `custom` job runs on each task's arguments, as JavaScript text: required for
     * that workload and refused for every other. The planner checks its syntax (never running it);
     * only workers run it.
     */
    code: z
      .string({ error: 'code must be text: the JavaScript function a custom job runs' })
      .max(MAX_CODE_CHARS, `code may be at most ${MAX_CODE_CHARS} characters`)
      .optional()
  })
  .strict()

export type JobSpecInput = z.input<typeof JobSpecSchema>
export type JobSpec = z.output<typeof JobSpecSchema>
export type Keep = z.output<typeof KeepSchema>
export type CallStyle = JobSpec['style']

/** A bad spec is described by its first few problems; the rest are counted. */
const MAX_ISSUES_SHOWN = 5
const MAX_ISSUE_CHARS = 200

/**
 * One line per problem, `path: message`, the way every front door reports a bad spec. Bounded:
 * zod quotes unknown keys, which may be megabytes long, so each part is cut and only the first
 * few problems are listed.
 */
export function describeZodError(error: z.ZodError, prefix: ErrorPath = []): string {
  const shown = error.issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const path = fieldPathText([...prefix, ...issuePath(issue)])
    const message = cut(issue.message, MAX_ISSUE_CHARS)
    return path ? `${path}: ${message}` : message
  })
  const more = error.issues.length - shown.length
  if (more > 0) shown.push(`and ${more} more problem${more === 1 ? '' : 's'}`)
  return shown.join('; ')
}

/** A refusal's message without the `path: ` it starts with, for front doors that show it at its field. */
export function messageWithoutPath(message: string, path: ErrorPath | undefined): string {
  if (!path || path.length === 0) return message
  const prefix = `${fieldPathText(path)}: `
  return message.startsWith(prefix) ? message.slice(prefix.length) : message
}

/** A path as a bad spec's message starts with it: `inputs.tasks`, its keys cut to 40 characters. */
export function fieldPathText(path: ErrorPath): string {
  return path.map((part) => cut(String(part), 40)).join('.')
}

/**
 * The path of a zod issue as an error path (zod allows symbol keys, which no spec field has; they
 * are written as text).
 */
export function issuePath(issue: z.core.$ZodIssue): ErrorPath {
  return issue.path.map((key) => (typeof key === 'number' ? key : String(key)))
}

/** The path of a bad spec's first problem, the one front doors attach the error to. */
export function firstIssuePath(error: z.ZodError): ErrorPath {
  return error.issues.length > 0 ? issuePath(error.issues[0]) : []
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}
