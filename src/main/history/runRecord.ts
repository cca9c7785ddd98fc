import { promisify } from 'node:util'
import { constants, deflateRaw, inflateRaw } from 'node:zlib'
import { z } from 'zod'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { JobSummarySchema, LaneLabelSchema, TaskFailureSchema } from '../../shared/payloads'
import type { JobSummary } from '../../shared/protocol'
import { LIMITS } from '../../shared/spec'
import { formatBytes } from '../../shared/units'
import { CHUNK_TIME_FIELDS, type ChunkTimeField, type ChunkTrip } from '../engine/chunkLog'
import { TASK_STATUS } from '../engine/chunkProtocol'
import { MAX_CPU_SAMPLES } from '../engine/cpuSampler'
import type { EndedJobState, Job } from '../engine/job'
import type { RecordFacts } from './historyStore'

/**
 * A run's history record: everything an ended job's views read (see `EndedJobState`), as JSON that
 * `decodeRunRecord` turns back into a state `Job.restore` rebuilds the job from. Small facts are
 * plain JSON; the columns (per task, per chunk, per CPU sample) are typed arrays, each deflated
 * and then base64-encoded, written one at a time: a million tasks' record is never one string.
 * Deflating runs on libuv's thread pool, so saving holds the main thread only to base64 each
 * column and write it.
 *
 * The packed tuples are kept only up to MAX_RECORD_RESULTS_BYTES; past that the record keeps counts
 * only (every task's status and tuple count) and says so, and the restored job says so too.
 */

export const RUN_PAYLOAD_FORMAT = 'poolscope-run'
/** The payload layout this PoolScope writes; a record of a higher one is refused, not misread. */
export const RUN_PAYLOAD_VERSION = 1
/** Packed tuples a record keeps at most; larger results are saved as counts only. */
export const MAX_RECORD_RESULTS_BYTES = 16 * 1024 * 1024
/** Failed tasks' messages a record keeps at most, in characters (a job where every task failed). */
export const MAX_RECORD_ERROR_CHARS = 4 * 1024 * 1024
/** Retried chunks a record keeps: each is one mark on the timeline, and retries are rare. */
const MAX_RECORD_RETRIED = 10_000

const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)

const ARRAY_TYPES = {
  f64: Float64Array,
  f32: Float32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  i16: Int16Array,
  i32: Int32Array
} as const
type ArrayType = keyof typeof ARRAY_TYPES
type Column = Float64Array | Float32Array | Uint8Array | Uint16Array | Int16Array | Int32Array

const ColumnSchema = z.object({
  type: z.enum(Object.keys(ARRAY_TYPES) as [ArrayType, ...ArrayType[]]),
  length: z.number().int().min(0),
  encoding: z.literal('deflate-raw-base64'),
  data: z.string()
})

const TallySchema = z.object({
  done: z.number(),
  failed: z.number(),
  stopped: z.number(),
  tuplesProduced: z.number(),
  tuplesOfStoppedTasks: z.number(),
  tuplesKept: z.number()
})

/** The JSON part of a run record's payload (the columns are described apart, see `COLUMNS`). */
const RunFactsSchema = z.object({
  format: z.literal(RUN_PAYLOAD_FORMAT),
  version: z.number().int().min(1).max(RUN_PAYLOAD_VERSION),
  /** The resolved spec: re-planned on restore (planning is deterministic, seeds included). */
  spec: z.unknown(),
  /** The summary as the job ended, for the restored job to be checked against. */
  summary: JobSummarySchema,
  status: z.enum(['done', 'failed', 'cancelled']),
  cancelReason: z.string(),
  startedAt: z.number(),
  wallMs: z.number(),
  lanes: z.array(LaneLabelSchema),
  pool: z.object({ startupMs: z.number(), reused: z.boolean() }),
  failures: z.array(TaskFailureSchema),
  tally: TallySchema,
  stoppedMsPerLane: z.array(z.number()),
  busyMsPerLane: z.array(z.number()),
  filingMs: z.number(),
  chunksFiled: z.number(),
  sendingMs: z.number(),
  /** Chunks filed from a second run (a cluster agent went silent); absent from older records. */
  retried: z
    .array(z.object({ lane: z.number(), firstTask: z.number(), count: z.number(), at: z.number() }))
    .max(MAX_RECORD_RETRIED)
    .default([]),
  cpu: z.object({
    cores: z.number().int().min(0),
    intervalMs: z.number(),
    source: z.enum(['proc-stat', 'os-cpus']),
    from: z.number().nullable()
  }),
  /** Failed tasks' messages, by task, up to MAX_RECORD_ERROR_CHARS. */
  errors: z.array(z.tuple([z.number().int().min(0), z.string()])),
  /** False when the tuples were over MAX_RECORD_RESULTS_BYTES and left out. */
  resultsKept: z.boolean(),
  /** What the record left out, in a sentence; null when nothing. */
  note: z.string().nullable()
})
type RunFacts = z.output<typeof RunFactsSchema>

type ColumnName =
  | `timings.${'start' | 'end' | 'lane' | 'cpu' | 'tid' | 'ran'}`
  | `chunks.${'lane' | 'firstTask' | 'count' | 'tid' | ChunkTimeField}`
  | `results.${'status' | 'produced' | 'kept' | 'byteOffset' | 'width' | 'packed'}`
  | `cpu.${'at' | 'busy'}`

/** The columns a run record holds, by name, with their type and how many values each has. */
const COLUMNS = {
  'timings.start': { type: 'f64', per: 'task' },
  'timings.end': { type: 'f64', per: 'task' },
  'timings.lane': { type: 'u16', per: 'task' },
  'timings.cpu': { type: 'i16', per: 'task' },
  'timings.tid': { type: 'i32', per: 'task' },
  'timings.ran': { type: 'u8', per: 'task' },
  'chunks.lane': { type: 'u16', per: 'chunk' },
  'chunks.firstTask': { type: 'i32', per: 'chunk' },
  'chunks.count': { type: 'i32', per: 'chunk' },
  'chunks.tid': { type: 'i32', per: 'chunk' },
  ...Object.fromEntries(CHUNK_TIME_FIELDS.map((field) => [`chunks.${field}`, { type: 'f64', per: 'chunk' }])),
  'results.status': { type: 'u8', per: 'task' },
  'results.produced': { type: 'f64', per: 'task' },
  /** Present only when the tuples are kept (with the next three). */
  'results.kept': { type: 'f64', per: 'task' },
  'results.byteOffset': { type: 'f64', per: 'task' },
  'results.width': { type: 'u8', per: 'task' },
  /** Every chunk's packed tuples, one after the other, each starting at a multiple of 8 bytes. */
  'results.packed': { type: 'u8', per: 'byte' },
  'cpu.at': { type: 'f64', per: 'sample' },
  /** `busy[core × samples + sample]`. */
  'cpu.busy': { type: 'f32', per: 'core-sample' }
} as Record<ColumnName, { type: ArrayType; per: 'task' | 'chunk' | 'byte' | 'sample' | 'core-sample' }>
const TUPLE_COLUMNS: readonly ColumnName[] = [
  'results.kept',
  'results.byteOffset',
  'results.width',
  'results.packed'
]

/** A short name for a run, as the history list shows it until the person renames it. */
export function runRecordName(summary: JobSummary): string {
  const { spec, taskCount, threads } = summary
  const tasks = `${taskCount.toLocaleString('en-US')} task${taskCount === 1 ? '' : 's'}`
  const lanes = `${threads} ${spec.backend === 'processes' ? 'process' : 'thread'}${threads === 1 ? '' : 'es'}`
  return `${spec.workload} ${spec.style}, ${tasks} on ${lanes.replace('threades', 'threads')}`
}

/** What the history list shows and searches of a run, without reading its payload. */
export function runRecordFacts(summary: JobSummary, resultsKept: boolean): RecordFacts {
  return {
    workload: summary.spec.workload,
    style: summary.spec.style,
    backend: summary.spec.backend,
    threads: summary.threads,
    tasks: summary.taskCount,
    status: summary.status,
    wallMs: summary.wallMs,
    startedAt: summary.startedAt,
    resultsKept
  }
}

/** A job's tuples, packed one chunk buffer after another at multiples of 8 bytes, with offsets to match. */
function packTuples(state: EndedJobState): { packed: Uint8Array; byteOffset: Float64Array } {
  const { buffers, bufferOf, byteOffset, kept, status } = state.results
  const starts: number[] = []
  let size = 0
  for (const buffer of buffers) {
    starts.push(size)
    size += Math.ceil(buffer.byteLength / 8) * 8
  }
  const packed = new Uint8Array(size)
  buffers.forEach((buffer, i) => packed.set(new Uint8Array(buffer), starts[i]))
  const offsets = new Float64Array(byteOffset.length)
  for (let task = 0; task < offsets.length; task++) {
    // A custom task's JSON is found from its offset even when it kept no tuple (`[]`).
    if (kept[task] > 0 || status[task] === TASK_STATUS.done) {
      offsets[task] = starts[bufferOf[task]] + byteOffset[task]
    }
  }
  return { packed, byteOffset: offsets }
}

/** Failed tasks' messages up to MAX_RECORD_ERROR_CHARS, and how many were left out. */
function keptErrors(errors: EndedJobState['results']['errors']): { kept: [number, string][]; left: number } {
  const kept: [number, string][] = []
  let chars = 0
  for (const [task, message] of errors) {
    chars += message.length + 16
    if (chars > MAX_RECORD_ERROR_CHARS) break
    kept.push([task, message])
  }
  return { kept, left: errors.length - kept.length }
}

async function encodeColumn(column: Column): Promise<string> {
  const bytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength)
  // Level 1: a million tasks' float columns hardly shrink more at higher levels, and take far longer.
  const deflated = await deflate(bytes, { level: constants.Z_BEST_SPEED })
  return deflated.toString('base64')
}

/** A run record: its name and facts for the header, and its payload as JSON text in pieces. */
export interface RunRecordDraft {
  name: string
  facts: RecordFacts
  resultsKept: boolean
  /** Bytes of packed tuples the job holds (whether or not they were kept). */
  packedBytes: number
  payload: AsyncIterable<string>
}

/**
 * The record of an ended job. Call it once the job's CPU sampler has settled (`Job.cpuSettled`);
 * the payload is made as it is read, a column at a time.
 */
export function runRecord(job: Job, maxResultsBytes = MAX_RECORD_RESULTS_BYTES): RunRecordDraft {
  const state = job.endedState()
  const summary = job.summary()
  const packedBytes = state.results.buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0)
  const resultsKept = packedBytes <= maxResultsBytes
  const errors = keptErrors(state.results.errors)
  const notes: string[] = []
  if (!resultsKept) {
    notes.push(
      `its tuples (${formatBytes(packedBytes)} packed) were over the ${formatBytes(maxResultsBytes)} ` +
        'a history record keeps, so it keeps counts only; re-run it to see them'
    )
  }
  if (errors.left > 0)
    notes.push(`the messages of ${errors.left.toLocaleString('en-US')} failed tasks were left out`)
  const facts: RunFacts = {
    format: RUN_PAYLOAD_FORMAT,
    version: RUN_PAYLOAD_VERSION,
    spec: summary.spec,
    summary,
    status: state.status,
    cancelReason: state.cancelReason,
    startedAt: state.startedAt,
    wallMs: state.wallMs,
    lanes: state.lanes,
    pool: state.pool,
    failures: state.failures,
    tally: state.tally,
    stoppedMsPerLane: state.stoppedMsPerLane,
    busyMsPerLane: state.timings.busyMsPerLane,
    filingMs: state.filingMs,
    chunksFiled: state.chunksFiled,
    sendingMs: state.sendingMs,
    retried: state.retried.slice(0, MAX_RECORD_RETRIED),
    cpu: {
      cores: state.cpu.cores,
      intervalMs: state.cpu.intervalMs,
      source: state.cpu.source,
      from: state.cpu.from
    },
    errors: errors.kept,
    resultsKept,
    note: notes.length > 0 ? `${notes.join('; ')}.` : null
  }
  return {
    name: runRecordName(summary),
    facts: runRecordFacts(summary, resultsKept),
    resultsKept,
    packedBytes,
    payload: payloadText(facts, () => columnsOf(state, resultsKept))
  }
}

/** The columns of a state, by name; made lazily, as the payload is written. */
function* columnsOf(state: EndedJobState, resultsKept: boolean): Generator<[ColumnName, Column]> {
  const { timings, results, cpu, chunks } = state
  yield ['timings.start', timings.start]
  yield ['timings.end', timings.end]
  yield ['timings.lane', timings.lane]
  yield ['timings.cpu', timings.cpu]
  yield ['timings.tid', timings.tid]
  yield ['timings.ran', timings.ran]
  yield ['chunks.lane', Uint16Array.from(chunks, (trip) => trip.lane)]
  yield ['chunks.firstTask', Int32Array.from(chunks, (trip) => trip.firstTask)]
  yield ['chunks.count', Int32Array.from(chunks, (trip) => trip.count)]
  yield ['chunks.tid', Int32Array.from(chunks, (trip) => trip.tid)]
  for (const field of CHUNK_TIME_FIELDS)
    yield [`chunks.${field}`, Float64Array.from(chunks, (trip) => trip[field])]
  yield ['results.status', results.status]
  yield ['results.produced', results.produced]
  if (resultsKept) {
    const { packed, byteOffset } = packTuples(state)
    yield ['results.kept', results.kept]
    yield ['results.byteOffset', byteOffset]
    yield ['results.width', results.width]
    yield ['results.packed', packed]
  }
  yield ['cpu.at', cpu.at]
  yield ['cpu.busy', cpu.busy]
}

async function* payloadText(
  facts: RunFacts,
  columns: () => Iterable<[ColumnName, Column]>
): AsyncGenerator<string> {
  const head = JSON.stringify(facts)
  yield `${head.slice(0, -1)},"columns":{`
  let first = true
  for (const [name, column] of columns()) {
    const data = await encodeColumn(column)
    const described = { type: COLUMNS[name].type, length: column.length, encoding: 'deflate-raw-base64' }
    yield `${first ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(described).slice(0, -1)},"data":"`
    yield data
    yield '"}'
    first = false
  }
  yield '}}'
}

/** A decoded run record: the spec to re-plan, the summary it ended with, and the job's state. */
export interface DecodedRun {
  spec: unknown
  summary: JobSummary
  state: EndedJobState
  resultsKept: boolean
  note: string | null
}

/** CPUs a record may list: far beyond any machine PoolScope runs on, and a bound on its columns. */
const MAX_RECORD_CORES = 4096

/** A whole number from 0 to `max`. */
function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
}

function bad(what: string): PoolScopeError {
  return new PoolScopeError(ErrorCodes.INVALID_COMMAND, `this run record cannot be opened: ${what}`)
}

async function decodeColumn(name: string, value: unknown, length: number): Promise<Column> {
  const parsed = ColumnSchema.safeParse(value)
  if (!parsed.success) throw bad(`its column ${name} is malformed`)
  const { type, length: count, data } = parsed.data
  const expected = COLUMNS[name as ColumnName]
  if (type !== expected.type) throw bad(`its column ${name} holds ${type}, not ${expected.type}`)
  if (count !== length) throw bad(`its column ${name} has ${count} values, not ${length}`)
  let bytes: Buffer
  try {
    // Never inflated past the size the column must have: a few bytes of crafted deflate data
    // could otherwise expand to gigabytes before the size check below.
    bytes = await inflate(Buffer.from(data, 'base64'), {
      maxOutputLength: Math.max(1, count * ARRAY_TYPES[type].BYTES_PER_ELEMENT)
    })
  } catch {
    throw bad(`its column ${name} is not valid deflated data of ${count} ${type} values`)
  }
  const Kind = ARRAY_TYPES[type]
  if (bytes.byteLength !== count * Kind.BYTES_PER_ELEMENT)
    throw bad(`its column ${name} has ${bytes.byteLength} bytes, not ${count} ${type} values`)
  // Copied into a buffer of its own: aligned for the array, and nothing else shares it.
  const own = new ArrayBuffer(bytes.byteLength)
  new Uint8Array(own).set(bytes)
  return new Kind(own)
}

/** Reads a run record's payload back (as `runRecord` wrote it); throws INVALID_COMMAND saying what is wrong. */
export async function decodeRunRecord(payload: unknown): Promise<DecodedRun> {
  const version = (payload as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > RUN_PAYLOAD_VERSION) {
    throw bad(
      `it was written by a newer PoolScope (run payload version ${version}; this one reads up to ${RUN_PAYLOAD_VERSION})`
    )
  }
  const parsed = RunFactsSchema.safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw bad(`${issue.path.join('.') || 'its payload'}: ${issue.message}`)
  }
  const facts = parsed.data
  const columns = (payload as { columns?: unknown }).columns
  if (typeof columns !== 'object' || columns === null) throw bad('it has no columns')
  const raw = columns as Record<string, unknown>
  // Every size comes from the record itself, so each is bounded by what a job can have before any
  // column is inflated: a crafted record must not make the host allocate without limit.
  const taskCount = facts.summary.taskCount
  if (!isCount(taskCount, LIMITS.maxTasks))
    throw bad(`its task count ${taskCount} is not 0 to ${LIMITS.maxTasks}`)
  const chunkCount = (raw['chunks.lane'] as { length?: unknown } | undefined)?.length
  if (typeof chunkCount !== 'number') throw bad('its column chunks.lane is missing')
  if (!isCount(chunkCount, taskCount))
    throw bad(`its chunk count ${chunkCount} is not 0 to its ${taskCount} tasks`)
  const sampleCount = (raw['cpu.at'] as { length?: unknown } | undefined)?.length
  if (typeof sampleCount !== 'number') throw bad('its column cpu.at is missing')
  if (!isCount(sampleCount, MAX_CPU_SAMPLES))
    throw bad(`its ${sampleCount} CPU samples are not 0 to ${MAX_CPU_SAMPLES}`)
  if (!isCount(facts.cpu.cores, MAX_RECORD_CORES))
    throw bad(`its ${facts.cpu.cores} CPUs are not 0 to ${MAX_RECORD_CORES}`)
  const packedLength = (raw['results.packed'] as { length?: unknown } | undefined)?.length
  const lengthOf = (name: ColumnName): number => {
    const { per } = COLUMNS[name]
    if (per === 'task') return taskCount
    if (per === 'chunk') return chunkCount
    if (per === 'sample') return sampleCount
    if (per === 'core-sample') return sampleCount * facts.cpu.cores
    // The packed tuples: kept only up to MAX_RECORD_RESULTS_BYTES.
    if (typeof packedLength !== 'number' || !isCount(packedLength, MAX_RECORD_RESULTS_BYTES))
      throw bad(`its packed results are not 0 to ${MAX_RECORD_RESULTS_BYTES} bytes`)
    return packedLength
  }
  const decoded = new Map<ColumnName, Column>()
  for (const name of Object.keys(COLUMNS) as ColumnName[]) {
    if (!Object.prototype.hasOwnProperty.call(raw, name)) {
      if (!facts.resultsKept && TUPLE_COLUMNS.includes(name)) continue
      throw bad(`its column ${name} is missing`)
    }
    decoded.set(name, await decodeColumn(name, raw[name], lengthOf(name)))
  }
  const column = <T extends Column>(name: ColumnName): T => decoded.get(name) as T
  const chunks: ChunkTrip[] = []
  for (let i = 0; i < chunkCount; i++) {
    const trip = {
      lane: column('chunks.lane')[i],
      firstTask: column('chunks.firstTask')[i],
      count: column('chunks.count')[i],
      tid: column('chunks.tid')[i]
    } as ChunkTrip
    for (const field of CHUNK_TIME_FIELDS) trip[field] = column(`chunks.${field}`)[i]
    chunks.push(trip)
  }
  const packed = facts.resultsKept ? column<Uint8Array>('results.packed') : null
  const state: EndedJobState = {
    status: facts.status,
    cancelReason: facts.cancelReason,
    startedAt: facts.startedAt,
    wallMs: facts.wallMs,
    lanes: facts.lanes,
    pool: facts.pool,
    failures: facts.failures,
    tally: facts.tally,
    stoppedMsPerLane: facts.stoppedMsPerLane,
    filingMs: facts.filingMs,
    chunksFiled: facts.chunksFiled,
    sendingMs: facts.sendingMs,
    retried: facts.retried,
    timings: {
      start: column('timings.start'),
      end: column('timings.end'),
      lane: column('timings.lane'),
      cpu: column('timings.cpu'),
      tid: column('timings.tid'),
      ran: column('timings.ran'),
      busyMsPerLane: facts.busyMsPerLane
    },
    chunks,
    results: {
      status: column('results.status'),
      produced: column('results.produced'),
      kept: packed ? column('results.kept') : new Float64Array(taskCount),
      bufferOf: new Int32Array(taskCount),
      byteOffset: packed ? column('results.byteOffset') : new Float64Array(taskCount),
      width: packed ? column('results.width') : new Uint8Array(taskCount),
      buffers: packed ? [packed.buffer as ArrayBuffer] : [],
      errors: facts.errors
    },
    cpu: {
      cores: facts.cpu.cores,
      intervalMs: facts.cpu.intervalMs,
      source: facts.cpu.source,
      from: facts.cpu.from,
      at: column('cpu.at'),
      busy: column('cpu.busy')
    }
  }
  return { spec: facts.spec, summary: facts.summary, state, resultsKept: facts.resultsKept, note: facts.note }
}
