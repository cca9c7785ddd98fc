import type { EngineInfo } from '../../../shared/protocol'
import { FieldSchemas, type BackendKind } from '../../../shared/spec'
import { checkCustomCode } from '../../../shared/workloads/customCode'

/**
 * The job form's side of custom workloads: the code a person writes, whether this host lets it run
 * and where, and the task timeout that stops an endless loop. Pure, so the rules are tested without
 * an editor.
 */

/** The workload that runs the person's own function. */
export const CUSTOM_WORKLOAD = 'custom'

/** The function the editor starts with: small, valid, and saying what its argument is. */
export const STARTER_CODE =
  'function work(x) {\n  // x is the task’s argument: 0, 1, 2, …\n  return x * x\n}\n'

/** Wait after the last keystroke before a syntax error is shown, so one is not flagged mid-word. */
export const CODE_CHECK_DELAY_MS = 300

/** What the host says about custom code (`engine.info`'s `customCode`). */
export interface CustomCodeInfo {
  /** False on a web host started without --allow-code: it refuses custom jobs. */
  allowed: boolean
  /** The back ends custom code may run on here. */
  backends: BackendKind[]
  /** Where it runs unless the person chooses: the isolated back end when there is one. */
  preferred: BackendKind | null
  /** One line on what the code can and cannot reach where it runs. */
  isolation: string
}

/** The host's custom-code facts, or null when it gives none (a host that predates custom code). */
export function customCodeOf(info: EngineInfo | null): CustomCodeInfo | null {
  return info?.customCode ?? null
}

/** Why this host runs no custom code (with how to change that), or null when it does. */
export function customRefusal(info: CustomCodeInfo | null): string | null {
  if (!info) return 'This engine does not run custom code: it is older than custom workloads.'
  if (info.allowed) return null
  return (
    'This web host does not run custom code: it was started without --allow-code. To run your own ' +
    'functions, restart it with npm run web -- --allow-code (the code then runs with the rights of ' +
    'the host’s user), or use the desktop app.'
  )
}

/** A syntax check's problem as the form shows it, `line L, column C: message`, or undefined when fine. */
export function codeProblem(
  code: string
): { text: string; line: number; column: number; message: string } | undefined {
  const check = checkCustomCode(code)
  if (check.ok) return undefined
  return { ...check, text: `line ${check.line}, column ${check.column}: ${check.message}` }
}

/** The back end custom code should use instead of `chosen`, or null when `chosen` is allowed. */
export function customBackendFor(
  chosen: BackendKind,
  info: CustomCodeInfo | null,
  available: readonly { name: BackendKind; available: boolean }[]
): BackendKind | null {
  if (!info || info.backends.includes(chosen)) return null
  const usable = info.backends.find((name) => available.some((b) => b.name === name && b.available))
  return usable ?? null
}

/** What a custom job's timeout is, when the field is left empty: the host's default. */
export const DEFAULT_CUSTOM_TIMEOUT_S = 10

export type TimeoutRead = { ok: true; ms: number | undefined } | { ok: false; error: string }

/**
 * The task timeout field, in seconds (decimals allowed), as milliseconds for the spec; empty leaves
 * it to the host (10 s for custom code). Bounds come from the spec's own schema.
 */
export function readTaskTimeout(text: string): TimeoutRead {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, ms: undefined }
  const max = FieldSchemas.taskTimeoutMs.maxValue ?? Number.MAX_SAFE_INTEGER
  const allowed = `a number of seconds from 0.001 to ${(max / 1000).toLocaleString('en-US')}, or empty for ${DEFAULT_CUSTOM_TIMEOUT_S} s`
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) return { ok: false, error: `task timeout must be ${allowed}` }
  const ms = Math.round(Number(trimmed) * 1000)
  if (ms < 1 || ms > max) return { ok: false, error: `task timeout must be ${allowed}` }
  return { ok: true, ms }
}

/** The task timeout field's text for a spec's `taskTimeoutMs`. */
export function taskTimeoutText(ms: number | undefined): string {
  return ms === undefined ? '' : String(ms / 1000)
}

/** What the form says while loaded code waits for the person to read and confirm it. */
export const CONFIRM_NOTICE = 'This job carries code. Read it, then press Confirm code to allow running it.'
/** Run's reason while loaded code is unconfirmed. */
export const CONFIRM_BLOCKER =
  'Read the custom code, then press Confirm code (or edit it) to allow running it'
