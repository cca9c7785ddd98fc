import { defaultThreadCounts } from '../../../shared/experiments/schedule'
import {
  DEFAULT_MAX_SECONDS,
  DEFAULT_REPEAT,
  SweepOptionsSchema,
  type SweepOptionsInput
} from '../../../shared/experiments/sweepOptions'
import { threadsProblem, type BackendKind } from '../../../shared/spec'

/**
 * The sweep setup's fields as typed, and how they become `sweep.start` options: pure, so the
 * messages are tested without a page. Bounds and messages come from the host's own schema.
 */

/** One back end, or `both` of this machine's (threads and processes on one chart). */
export type SweepBackendChoice = BackendKind | 'both'

export interface SweepFields {
  /** Thread counts as typed: `1, 2, 4` (commas or spaces). */
  threads: string
  backend: SweepBackendChoice
  /** The minimum measured runs per point. */
  repeat: string
  /** Seconds after which no extra round starts (the minimum repeats always finish). */
  maxSeconds: string
  /** The tasks grow with the threads (Gustafson); otherwise every point runs the same job. */
  scaled: boolean
}

export type SweepFieldName = keyof SweepFields
export type SweepFieldErrors = Partial<Record<SweepFieldName, string>>

export function defaultSweepFields(hardwareThreads: number, backend: BackendKind): SweepFields {
  return {
    threads: defaultThreadCounts(Math.max(1, hardwareThreads)).join(', '),
    backend,
    repeat: String(DEFAULT_REPEAT),
    maxSeconds: String(DEFAULT_MAX_SECONDS),
    scaled: false
  }
}

/** The fields that ask for `options` again (a saved sweep's, or a preset's). */
export function fieldsOfSweepOptions(options: {
  threads?: number[]
  backends?: readonly BackendKind[]
  repeat?: number
  maxSeconds?: number
  scaled?: boolean
}): Partial<SweepFields> {
  const fields: Partial<SweepFields> = {}
  if (options.threads) fields.threads = options.threads.join(', ')
  const kinds = options.backends ?? []
  // The setup offers the cluster alone: a sweep that also ran this machine's back ends (the CLI's
  // --backend threads,cluster) reopens on those.
  const local = [...new Set(kinds.filter((b) => b !== 'cluster'))]
  if (local.length > 0) fields.backend = local.length > 1 ? 'both' : local[0]
  else if (kinds.includes('cluster')) fields.backend = 'cluster'
  if (options.repeat !== undefined) fields.repeat = String(options.repeat)
  if (options.maxSeconds !== undefined) fields.maxSeconds = String(options.maxSeconds)
  // A sweep or preset from before scaled sweeps is fixed-size.
  fields.scaled = options.scaled ?? false
  return fields
}

/** Which schema key reports on which field. */
const FIELD_OF: Record<string, SweepFieldName> = {
  threads: 'threads',
  backends: 'backend',
  repeat: 'repeat',
  maxSeconds: 'maxSeconds',
  scaled: 'scaled'
}

/** A typed number, or the text itself when it is not one (the schema then says what is wrong). */
function numberOf(text: string): number | string {
  const trimmed = text.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : trimmed
}

/**
 * The options the fields ask for, or the message under each field that is wrong. `hardwareThreads`
 * bounds the thread counts as the host does (so a refusal shows before Start, not after).
 */
export function readSweepFields(
  fields: SweepFields,
  hardwareThreads: number
): { options: SweepOptionsInput | null; errors: SweepFieldErrors } {
  const errors: SweepFieldErrors = {}
  const tokens = fields.threads.split(/[\s,;]+/).filter((t) => t !== '')
  const bad = tokens.find((t) => !/^\d+$/.test(t))
  if (bad !== undefined) {
    errors.threads = `"${bad}" is not a thread count: list whole numbers, e.g. 1, 2, 4`
  }
  const threads = tokens.map(Number).sort((a, b) => a - b)
  const input = {
    threads,
    backends: fields.backend === 'both' ? ['threads', 'processes'] : [fields.backend],
    repeat: numberOf(fields.repeat),
    maxSeconds: numberOf(fields.maxSeconds),
    // Only when asked: fixed-size is the default, and a preset of one stays as it always was.
    ...(fields.scaled ? { scaled: true } : {})
  }
  const parsed = SweepOptionsSchema.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_OF[String(issue.path[0])]
      if (field && errors[field] === undefined) errors[field] = issue.message
    }
  }
  // A cluster's lanes run on its agents: this machine's thread cap does not bound them.
  if (errors.threads === undefined && fields.backend !== 'cluster') {
    const problem = threads.map((n) => threadsProblem(n, hardwareThreads)).find((p) => p !== null)
    if (problem) errors.threads = problem
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { options: null, errors }
  return { options: parsed.data, errors }
}
