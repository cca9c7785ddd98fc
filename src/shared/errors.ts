import { redactPaths } from './redactPaths'

/**
 * Every error that crosses a boundary (IPC, WebSocket, CLI) is a `{ code, message }` pair from this
 * one table. Messages say what was wrong and what is allowed; they never carry stacks or file paths.
 */
export const ErrorCodes = {
  INVALID_SPEC: 'INVALID_SPEC',
  INVALID_COMMAND: 'INVALID_COMMAND',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  UNKNOWN_WORKLOAD: 'UNKNOWN_WORKLOAD',
  UNKNOWN_JOB: 'UNKNOWN_JOB',
  OVER_BUDGET: 'OVER_BUDGET',
  JOB_RUNNING: 'JOB_RUNNING',
  POOL_FAILED: 'POOL_FAILED',
  INTERNAL: 'INTERNAL'
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/**
 * Where in a job spec an error belongs, as a zod issue path: `['inputs', 'tasks']`, `['threads']`,
 * `['inputs', 'args', 3]`. Front doors attach the error to a form field or a flag by this path,
 * never by the message's words.
 */
export type ErrorPath = readonly (string | number)[]

/** The serialisable shape of an error on the wire. */
export interface ErrorInfo {
  code: ErrorCode
  message: string
  /** The spec field the error is about, when it is about one. */
  path?: ErrorPath
}

/** An error PoolScope raises on purpose: its message is safe to show to the user as it is. */
export class PoolScopeError extends Error {
  readonly code: ErrorCode
  /** The spec field the error is about, when it is about one. */
  readonly path?: ErrorPath
  constructor(code: ErrorCode, message: string, path?: ErrorPath) {
    super(message)
    this.name = 'PoolScopeError'
    this.code = code
    if (path !== undefined) this.path = path
  }
}

/** The longest path an error may carry, and the longest key in it: spec paths are a few short keys. */
const MAX_PATH_KEYS = 16
const MAX_PATH_KEY_CHARS = 100

/**
 * Whether a value from outside is a usable error path: at most 16 keys, each a short string or a
 * whole non-negative index. Transports drop a path that is not, rather than pass it on.
 */
export function isErrorPath(value: unknown): value is ErrorPath {
  return (
    Array.isArray(value) &&
    value.length <= MAX_PATH_KEYS &&
    value.every(
      (key) =>
        (typeof key === 'string' && key.length <= MAX_PATH_KEY_CHARS) ||
        (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0)
    )
  )
}

/** Whether a path starts with `prefix`: `['inputs', 'args', 3]` starts with `['inputs', 'args']`. */
export function pathStartsWith(path: ErrorPath, prefix: ErrorPath): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key)
}

/**
 * The first entry of a `[path prefix, target]` table that `path` starts with, or undefined. Front
 * doors keep one such table each (path prefix → form field, path prefix → flag).
 */
export function targetOfPath<T>(
  table: readonly (readonly [ErrorPath, T])[],
  path: ErrorPath | undefined
): T | undefined {
  if (path === undefined) return undefined
  return table.find(([prefix]) => pathStartsWith(path, prefix))?.[1]
}

/** Turns anything thrown into a wire-safe `{ code, message, path? }`; unexpected errors keep only their message's first line. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof PoolScopeError) {
    return err.path === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, path: [...err.path] }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: ErrorCodes.INTERNAL, message: firstLine(message) || 'Unexpected error' }
}

function firstLine(text: string): string {
  return redactPaths(text.split('\n', 1)[0]).slice(0, 500)
}
