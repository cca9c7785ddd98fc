import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { SWEEP_RESULT_VERSION, SweepResultSchema } from '../../shared/payloads'
import type { SweepResult } from '../../shared/protocol'
import type { RecordFacts } from './historyStore'

/**
 * A sweep's history record. Its payload is the SweepResult itself: plain JSON, already versioned
 * (`version`), small (times and statistics, never results), and what the Scaling section shows, so
 * opening one hands back exactly what `sweep.finished` carried.
 */

/** A short name for a sweep, as the history list shows it until the person renames it. */
export function sweepRecordName(result: SweepResult): string {
  const { spec, options } = result
  const on = options.backends.length > 1 ? ' on threads and processes' : ` on ${options.backends[0]}`
  const kind = options.scaled ? 'scaled sweep' : 'sweep'
  const { threads } = options
  // A long thread list is named by its ends, so the name stays within a record name's 200 characters.
  const counts =
    threads.length <= 8
      ? threads.join(', ')
      : `${threads[0]}–${threads[threads.length - 1]} (${threads.length} thread counts)`
  return `${spec.workload} ${spec.style} ${kind}, ${counts}${on}`
}

/**
 * The first back end's serial fraction, when its data gave one (fitted or exact): Amdahl's for a
 * fixed-size sweep, Gustafson's for a scaled one (the law that applies).
 */
export function sweepSerialFraction(result: SweepResult): number | null {
  for (const { result: analysis } of result.analysis) {
    const law = analysis?.mode === 'scaled' ? analysis.fits.gustafson : analysis?.fits.amdahl
    if (!law || !law.applies || law.status === 'insufficient') continue
    const f = law.params.find((p) => p.name === 'serialFraction')
    if (f) return f.value
  }
  return null
}

/** What the history list shows and searches of a sweep, without reading its payload. */
export function sweepRecordFacts(result: SweepResult): RecordFacts {
  const measured = result.points.filter((p) => p.samples.length > 0)
  return {
    workload: result.spec.workload,
    style: result.spec.style,
    /** As typed in the sweep's field: `1, 2, 4`. */
    threadsList: result.options.threads.join(', '),
    backends: result.options.backends.join(', '),
    tasks: result.points[0]?.taskCount ?? null,
    points: result.points.length,
    pointsMeasured: measured.length,
    runs: result.runsDone,
    serialFraction: sweepSerialFraction(result),
    status: result.status,
    wallMs: result.elapsedMs,
    startedAt: result.startedAt
  }
}

function bad(what: string): PoolScopeError {
  return new PoolScopeError(ErrorCodes.INVALID_COMMAND, `this sweep record cannot be opened: ${what}`)
}

/** Reads a sweep record's payload back; throws INVALID_COMMAND saying what is wrong. */
export function decodeSweepRecord(payload: unknown): SweepResult {
  const version = (payload as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > SWEEP_RESULT_VERSION) {
    throw bad(
      `it was written by a newer PoolScope (sweep result version ${version}; this one reads up to ${SWEEP_RESULT_VERSION})`
    )
  }
  const parsed = SweepResultSchema.safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw bad(`${issue.path.join('.') || 'its payload'}: ${issue.message}`)
  }
  if (parsed.data.status === 'running') throw bad('it holds a sweep that had not ended')
  return parsed.data
}
