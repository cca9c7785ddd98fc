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

/** The serialisable shape of an error on the wire. */
export interface ErrorInfo {
  code: ErrorCode
  message: string
}

/** An error PoolScope raises on purpose: its message is safe to show to the user as it is. */
export class PoolScopeError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'PoolScopeError'
    this.code = code
  }
}

/** Turns anything thrown into a wire-safe `{ code, message }`; unexpected errors keep only their message's first line. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof PoolScopeError) return { code: err.code, message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  return { code: ErrorCodes.INTERNAL, message: firstLine(message) || 'Unexpected error' }
}

function firstLine(text: string): string {
  return redactPaths(text.split('\n', 1)[0]).slice(0, 500)
}
