import { cut } from '../../shared/excerpt'
import type { JobPlan } from '../../shared/plan'
import { pyJsonElement, pyRepr, pyTuple, pyValue } from '../../shared/pythonFormat'
import { resultItemRepr, resultJson, resultRepr, type ResultValue } from '../../shared/customResult'
import type { ResultRow, ResultsPage, TaskStatus, TuplesPage } from '../../shared/protocol'
import { argsToPython, varyingParams, varyingText } from './argsText'
import { TASK_STATUS, type ChunkReply } from './chunkProtocol'
import type { TimingStore } from './timingStore'

type Positions = Uint8Array | Uint16Array | Uint32Array
/** What a task kept, packed: positions of its tuples, or its values. */
type Packed = Positions | Float64Array

/**
 * What an ended job's results store holds (a history record keeps it; `restore` puts it back):
 * per task its status, counts and where its packed tuples are (`bufferOf` indexes `buffers`).
 */
export interface ResultsColumns {
  status: Uint8Array
  produced: Float64Array
  kept: Float64Array
  bufferOf: Int32Array
  byteOffset: Float64Array
  width: Uint8Array
  buffers: readonly ArrayBuffer[]
  /** Each failed task's message, by task. */
  errors: ReadonlyArray<readonly [number, string]>
}

const STATUS_NAMES: readonly TaskStatus[] = ['pending', 'done', 'failed', 'cancelled']
const PREVIEW_TUPLES = 8
/** A row repeats at most this much of its task's arguments; `job.args` gives the whole text. */
export const MAX_ROW_ARGS_CHARS = 200
/** …and at most this much of the part of them that varies between the job's tasks. */
export const MAX_ROW_VARYING_CHARS = 120
/** A preview tuple is cut to this many characters: it is one line in a table. */
export const MAX_PREVIEW_TUPLE_CHARS = 120
/** A page of tuples stops once it holds this many characters (at least one tuple is always sent). */
export const MAX_TUPLES_PAGE_CHARS = 1_000_000

/**
 * Every task's outcome in task order, as `Pool.map` returns it. Tuples stay packed (positions into
 * the task's elements) in the buffers the workers transferred; text is made only for what is
 * asked for: a page of rows, a page of tuples, or a stream for digests and exports.
 */
export class ResultsStore {
  readonly status: Uint8Array
  readonly produced: Float64Array
  readonly kept: Float64Array
  private readonly bufferOf: Int32Array
  private readonly byteOffset: Float64Array
  private readonly width: Uint8Array
  private readonly buffers: ArrayBuffer[] = []
  /** Bytes of the chunk buffers kept (packed tuples and their padding). */
  packedBytes = 0
  private readonly errors = new Map<number, string>()
  /** What a task that has not run is called: pending while the job runs, cancelled after a cancel. */
  private pendingName: TaskStatus = 'pending'
  /** Python text of each distinct call's elements and arguments, made once. */
  private readonly elementRepr: string[][]
  private readonly elementJson: string[][]
  private readonly argsRepr: string[]
  /** How the job's values print, when its workload has a values layout; null for tuples. */
  private readonly valueFormat: 'int' | 'float' | null
  /**
   * Whether tasks kept custom code's values as JSON text (the `json` layout): per task a 4-byte
   * length and UTF-8 text at its offset (see chunkWorker's packJson), read back when shown.
   */
  private readonly json: boolean
  /** The last custom value read back, by task: pages and previews read one task's items in a row. */
  private lastJson: { task: number; value: ResultValue | null } | null = null
  /** Positions of the parameters whose argument differs between the job's calls. */
  private readonly varying: readonly number[]
  /** Each call's varying part (`n=3`), made when a row of it is first asked for. */
  private readonly varyingRepr: Array<string | undefined>

  /**
   * `timings` is the same job's timing store: a row tells which worker ran its task and for how
   * long, read from it when the row is made.
   */
  constructor(
    private readonly plan: JobPlan,
    private readonly timings: Pick<TimingStore, 'ran' | 'start' | 'end' | 'lane'>
  ) {
    this.valueFormat = plan.workload.layout === 'values' ? (plan.workload.valueFormat ?? 'float') : null
    this.json = plan.workload.layout === 'json'
    const tasks = plan.taskCount
    this.status = new Uint8Array(tasks)
    this.produced = new Float64Array(tasks)
    this.kept = new Float64Array(tasks)
    // Not filled: a task's buffer index is read only when it kept tuples, which a filed chunk set.
    this.bufferOf = new Int32Array(tasks)
    this.byteOffset = new Float64Array(tasks)
    this.width = new Uint8Array(tasks)
    this.elementRepr = plan.calls.map((call) => call.elements.map(pyRepr))
    this.elementJson = plan.calls.map((call) => call.elements.map(pyJsonElement))
    this.argsRepr = plan.calls.map((call) => argsToPython(call.args))
    this.varying = varyingParams(plan.calls)
    this.varyingRepr = new Array<string | undefined>(plan.calls.length)
  }

  /** Files a chunk's outcome with bulk copies; the chunk's buffer is kept as it is, without copying. */
  addChunk(reply: ChunkReply): void {
    const bufferIndex = this.buffers.push(reply.data) - 1
    this.packedBytes += reply.data.byteLength
    const first = reply.firstTask
    this.status.set(reply.status, first)
    this.produced.set(reply.produced, first)
    this.kept.set(reply.kept, first)
    this.byteOffset.set(reply.offset, first)
    this.width.set(reply.width, first)
    this.bufferOf.fill(bufferIndex, first, first + reply.status.length)
    for (const [i, message] of reply.errors) this.errors.set(first + i, message)
  }

  /** The columns as they are (not copied): read them, never write them. */
  columns(): ResultsColumns {
    const { status, produced, kept, bufferOf, byteOffset, width, buffers } = this
    return { status, produced, kept, bufferOf, byteOffset, width, buffers, errors: [...this.errors] }
  }

  /**
   * Fills an empty store of the same size with columns a `columns()` call gave (a restored job);
   * `cancelled` names the tasks that never ran as a cancelled job's are.
   */
  restore(columns: ResultsColumns, cancelled: boolean): void {
    const tasks = this.status.length
    for (const name of ['status', 'produced', 'kept', 'bufferOf', 'byteOffset', 'width'] as const) {
      if (columns[name].length !== tasks)
        throw new RangeError(`results column ${name} has ${columns[name].length} values, not ${tasks}`)
    }
    this.status.set(columns.status)
    this.produced.set(columns.produced)
    this.kept.set(columns.kept)
    this.bufferOf.set(columns.bufferOf)
    this.byteOffset.set(columns.byteOffset)
    this.width.set(columns.width)
    for (const buffer of columns.buffers) {
      this.buffers.push(buffer)
      this.packedBytes += buffer.byteLength
    }
    for (const [task, message] of columns.errors) this.errors.set(task, message)
    if (cancelled) this.cancelPending()
    this.checkPlacement()
  }

  /** Every kept result lies inside its buffer, aligned for its width: restored columns never read astray. */
  private checkPlacement(): void {
    if (this.json) {
      this.checkJsonPlacement()
      return
    }
    for (let task = 0; task < this.status.length; task++) {
      const kept = this.kept[task]
      if (kept === 0) continue
      const size = this.valueFormat ? 8 : this.width[task]
      const offset = this.byteOffset[task]
      const buffer = this.buffers[this.bufferOf[task]]
      const fits =
        buffer !== undefined &&
        [1, 2, 4, 8].includes(size) &&
        Number.isInteger(kept) &&
        kept > 0 &&
        offset >= 0 &&
        offset % size === 0 &&
        offset + kept * this.kOf(task) * size <= buffer.byteLength
      if (!fits) throw new RangeError(`task ${task}'s kept results lie outside the packed results`)
    }
  }

  /** Every done custom task's length and text lie inside its buffer, its length aligned to 4 bytes. */
  private checkJsonPlacement(): void {
    for (let task = 0; task < this.status.length; task++) {
      if (this.status[task] !== TASK_STATUS.done) continue
      const buffer = this.buffers[this.bufferOf[task]]
      const offset = this.byteOffset[task]
      const fits =
        buffer !== undefined &&
        Number.isInteger(offset) &&
        offset >= 0 &&
        offset % 4 === 0 &&
        offset + 4 <= buffer.byteLength &&
        offset + 4 + new DataView(buffer).getUint32(offset, true) <= buffer.byteLength
      if (!fits) throw new RangeError(`task ${task}'s kept results lie outside the packed results`)
    }
  }

  /** A done custom task's kept JSON text (canonical JSON of its value), or null when it kept none. */
  jsonText(task: number): string | null {
    if (!this.json || this.status[task] !== TASK_STATUS.done) return null
    const buffer = this.buffers[this.bufferOf[task]]
    const offset = this.byteOffset[task]
    if (!buffer || offset + 4 > buffer.byteLength) return null
    const length = new DataView(buffer).getUint32(offset, true)
    if (length === 0) return null
    return textDecoder.decode(new Uint8Array(buffer, offset + 4, length))
  }

  /** A done custom task's kept value, parsed from its JSON text; null when it kept none. */
  jsonValue(task: number): ResultValue | null {
    if (this.lastJson?.task === task) return this.lastJson.value
    const text = this.jsonText(task)
    const value = text === null ? null : (JSON.parse(text) as ResultValue)
    this.lastJson = { task, value }
    return value
  }

  /**
   * Characters of custom tasks' kept JSON text in all: what bounds an export of them (Python's
   * text of a value is longer than its JSON by escapes and whole numbers' digits, see exportJob).
   */
  jsonTextChars(): number {
    let chars = 0
    for (let task = 0; task < this.taskCount; task++) {
      if (this.status[task] !== TASK_STATUS.done) continue
      const buffer = this.buffers[this.bufferOf[task]]
      const offset = this.byteOffset[task]
      if (buffer && offset + 4 <= buffer.byteLength) chars += new DataView(buffer).getUint32(offset, true)
    }
    return chars
  }

  /** Marks a range of tasks failed with one message (their worker died). */
  failTasks(firstTask: number, count: number, message: string): void {
    for (let task = firstTask; task < firstTask + count; task++) {
      this.status[task] = TASK_STATUS.failed
      this.errors.set(task, message)
    }
  }

  /**
   * Tasks that never ran are shown as cancelled from now on. Their status stays `pending` in the
   * table, so cancelling a job of ten million tasks costs nothing.
   */
  cancelPending(): void {
    this.pendingName = 'cancelled'
  }

  /** A task's status by name; tasks that never ran read `cancelled` once the job was cancelled. */
  statusOf(task: number): TaskStatus {
    const status = this.status[task]
    return status === TASK_STATUS.pending ? this.pendingName : STATUS_NAMES[status]
  }

  /** Bytes of the per-task tables (not the packed tuples): what `HOST_BYTES_PER_TASK` budgets. */
  get tableBytes(): number {
    const tables = [this.status, this.produced, this.kept, this.bufferOf, this.byteOffset, this.width]
    return tables.reduce((sum, table) => sum + table.byteLength, 0)
  }

  get taskCount(): number {
    return this.status.length
  }

  /** A task's arguments in Python syntax, whole (rows carry only the start of long ones). */
  argsText(task: number): string {
    return this.argsRepr[this.plan.callIndex[task]]
  }

  /**
   * The part of a task's arguments that differs between the job's tasks, as `name=value` pairs
   * (`n=3`, `lo=0, hi=125000`); empty when every task has the same arguments. See `varyingText`.
   */
  varyingOf(task: number): string {
    const call = this.plan.callIndex[task]
    let text = this.varyingRepr[call]
    if (text === undefined) {
      const { args } = this.plan.calls[call]
      text = varyingText(args, this.plan.workload.params, this.varying, MAX_ROW_VARYING_CHARS)
      this.varyingRepr[call] = text
    }
    return text
  }

  errorOf(task: number): string | null {
    return this.errors.get(task) ?? null
  }

  /** What a task kept, packed: `kept × k` positions, or `kept` values. */
  positions(task: number): Packed {
    // Custom values are JSON text, read with jsonValue.
    if (this.json) return new Uint8Array(0)
    const bufferIndex = this.bufferOf[task]
    const k = this.kOf(task)
    const length = this.kept[task] * k
    if (length === 0) return new Uint8Array(0)
    const buffer = this.buffers[bufferIndex]
    const offset = this.byteOffset[task]
    const width = this.width[task]
    if (this.valueFormat) return new Float64Array(buffer, offset, length)
    if (width === 1) return new Uint8Array(buffer, offset, length)
    if (width === 2) return new Uint16Array(buffer, offset, length)
    return new Uint32Array(buffer, offset, length)
  }

  /** Items per kept result: the tuple length (the longest, for ragged tuples), or 1 for a value. */
  kOf(task: number): number {
    if (this.json) return 1
    const plan = this.plan.calls[this.plan.callIndex[task]].plan
    return plan.layout === 'positions' ? plan.k : 1
  }

  /** The position that ends a shorter tuple of a task's ragged plan (its `n`), or -1 when tuples are whole. */
  private tupleEnd(task: number): number {
    const plan = this.plan.calls[this.plan.callIndex[task]].plan
    return plan.layout === 'positions' && plan.ragged ? plan.n : -1
  }

  /**
   * The longest a kept tuple can be as text, over every call: as JSON (`[0,1]`) or as Python repr
   * (`(0, 1)`). Exports are sized from it before any text is made.
   */
  longestTupleChars(format: 'json' | 'repr'): number {
    // The longest double as text: `-1.2345678901234567e-308`.
    if (this.valueFormat) return 24
    // Custom values vary: exports of them are bounded by their text (jsonTextChars).
    if (this.json) return 0
    const texts = format === 'json' ? this.elementJson : this.elementRepr
    let longest = 0
    this.plan.calls.forEach((call, i) => {
      const element = texts[i].reduce((max, text) => Math.max(max, text.length), 0)
      const k = call.plan.layout === 'positions' ? call.plan.k : 1
      longest = Math.max(longest, 2 + k * (element + 2))
    })
    return longest
  }

  /** The i-th kept result of a task in Python syntax: a tuple such as `(0, 1)`, or a value. */
  tupleText(task: number, index: number, positions = this.positions(task)): string {
    if (this.json) {
      const value = this.jsonValue(task)
      if (value === null) return 'None'
      return Array.isArray(value) ? resultItemRepr(value[index]) : resultRepr(value)
    }
    if (this.valueFormat) return pyValue(positions[index], this.valueFormat)
    const k = this.kOf(task)
    const end = this.tupleEnd(task)
    const names = this.elementRepr[this.plan.callIndex[task]]
    const items: string[] = []
    for (let j = 0; j < k; j++) {
      const position = positions[index * k + j]
      if (position === end) break
      items.push(names[position])
    }
    return pyTuple(items)
  }

  row(task: number): ResultRow {
    const positions = this.positions(task)
    const preview: string[] = []
    const shown = Math.min(this.kept[task], PREVIEW_TUPLES)
    for (let i = 0; i < shown; i++)
      preview.push(cut(this.tupleText(task, i, positions), MAX_PREVIEW_TUPLE_CHARS))
    const args = this.argsText(task)
    const ran = this.timings.ran(task)
    return {
      task,
      args: cut(args, MAX_ROW_ARGS_CHARS),
      argsLength: args.length,
      varying: this.varyingOf(task),
      lane: ran ? this.timings.lane[task] : null,
      durationMs: ran ? this.timings.end[task] - this.timings.start[task] : null,
      status: this.statusOf(task),
      count: this.produced[task],
      kept: this.kept[task],
      preview,
      error: this.errorOf(task)
    }
  }

  page(offset: number, limit: number): ResultsPage {
    const rows: ResultRow[] = []
    for (let task = offset; task < Math.min(this.taskCount, offset + limit); task++) rows.push(this.row(task))
    return { total: this.taskCount, rows }
  }

  tuplesPage(task: number, offset: number, limit: number): TuplesPage {
    const total = this.kept[task]
    const positions = this.positions(task)
    const tuples: string[] = []
    let chars = 0
    for (let i = offset; i < Math.min(total, offset + limit) && chars < MAX_TUPLES_PAGE_CHARS; i++) {
      const text = this.tupleText(task, i, positions)
      tuples.push(text)
      chars += text.length
    }
    return { task, total, offset, tuples }
  }

  /** A task's whole result as Python prints it: `((0, 1), (0, 2))`, or its value. */
  taskText(task: number): string {
    if (this.json) {
      const value = this.jsonValue(task)
      return value === null ? 'None' : resultRepr(value)
    }
    const positions = this.positions(task)
    if (this.valueFormat) return this.kept[task] > 0 ? this.tupleText(task, 0, positions) : 'None'
    const tuples: string[] = []
    for (let i = 0; i < this.kept[task]; i++) tuples.push(this.tupleText(task, i, positions))
    return pyTuple(tuples)
  }

  /**
   * The whole result list as `json.dumps(results, separators=(',', ':'))` writes it (ASCII bytes),
   * in chunks of about `chunkBytes`, so digests and exports of millions of tuples never build one
   * string. Tasks that did not complete appear as `null`. Tasks with the same call produce the same
   * tuples, so a task's text is made once per call and reused.
   */
  *jsonChunks(chunkBytes = 1 << 20): Generator<Uint8Array> {
    let buffer = Buffer.allocUnsafe(chunkBytes)
    let at = 0
    const cache = new Map<number, Uint8Array[]>()
    let cachedBytes = 0
    const put = (bytes: Uint8Array): Uint8Array | null => {
      if (at + bytes.length <= buffer.length) {
        buffer.set(bytes, at)
        at += bytes.length
        return null
      }
      const full = buffer.subarray(0, at)
      buffer = Buffer.allocUnsafe(Math.max(chunkBytes, bytes.length))
      buffer.set(bytes, 0)
      at = bytes.length
      return full
    }
    const OPEN = Buffer.from('[')
    const COMMA = Buffer.from(',')
    const NULL = Buffer.from('null')
    for (let task = 0; task < this.taskCount; task++) {
      const pieces: Uint8Array[] = task === 0 ? [OPEN] : [COMMA]
      if (this.status[task] !== TASK_STATUS.done) {
        pieces.push(NULL)
      } else {
        const call = this.plan.callIndex[task]
        // Custom code may return something else on every call: its tasks are never shared.
        let text = this.json ? undefined : cache.get(call)
        if (!text) {
          text = [...this.taskJson(task, chunkBytes)]
          const size = text.reduce((sum, part) => sum + part.length, 0)
          if (!this.json && cachedBytes + size <= MAX_JSON_CACHE_BYTES) {
            cache.set(call, text)
            cachedBytes += size
          }
        }
        pieces.push(...text)
      }
      for (const piece of pieces) {
        const full = put(piece)
        if (full) yield full
      }
    }
    const full = put(Buffer.from(']'))
    if (full) yield full
    yield buffer.subarray(0, at)
  }

  /** One done task's tuples as JSON bytes (`[[0,1],[0,2]]`) in chunks of about `chunkBytes`, or its value. */
  private *taskJson(task: number, chunkBytes: number): Generator<Uint8Array> {
    if (this.json) {
      const value = this.jsonValue(task)
      yield Buffer.from(value === null ? 'null' : resultJson(value), 'latin1')
      return
    }
    if (this.valueFormat) {
      yield Buffer.from(this.kept[task] > 0 ? this.tupleText(task, 0) : 'null', 'latin1')
      return
    }
    const k = this.kOf(task)
    const end = this.tupleEnd(task)
    const names = this.elementJson[this.plan.callIndex[task]].map((text) => Buffer.from(text, 'latin1'))
    const longest = names.reduce((max, name) => Math.max(max, name.length), 0)
    const tupleBytes = 3 + k * (longest + 1)
    const positions = this.positions(task)
    const count = this.kept[task]
    let buffer = Buffer.allocUnsafe(Math.max(chunkBytes, tupleBytes + 2))
    let at = 0
    buffer[at++] = 0x5b // [
    for (let i = 0; i < count; i++) {
      if (at + tupleBytes > buffer.length) {
        yield buffer.subarray(0, at)
        buffer = Buffer.allocUnsafe(buffer.length)
        at = 0
      }
      if (i > 0) buffer[at++] = 0x2c // ,
      buffer[at++] = 0x5b
      for (let j = 0; j < k; j++) {
        const position = positions[i * k + j]
        if (position === end) break
        if (j > 0) buffer[at++] = 0x2c
        const name = names[position]
        for (let b = 0; b < name.length; b++) buffer[at++] = name[b]
      }
      buffer[at++] = 0x5d // ]
    }
    buffer[at++] = 0x5d
    yield buffer.subarray(0, at)
  }
}

const textDecoder = new TextDecoder()

/** Text of identical tasks is reused up to this many bytes in all. */
const MAX_JSON_CACHE_BYTES = 256 * 1024 * 1024
