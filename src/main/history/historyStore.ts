import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { excerpt } from '../../shared/excerpt'
import { PARTIAL_SUFFIX, writeFileAtomic } from './atomicFile'

/**
 * Saved runs and sweeps, one file each in a data folder, so that what a person found survives a
 * restart. A record is one JSON object whose first line is its header:
 *
 *   {"header":{"format":"poolscope-history","version":1,"kind":"run","id":…,"name":…,…},
 *   "payload":…}
 *
 * so the list reads only the first line of each file, however large its payload (a million
 * tasks' timings). Every write is atomic (writeFileAtomic). A file that cannot be read, or that a
 * newer PoolScope wrote, is never deleted or overwritten: it is moved aside into `set-aside/`
 * and reported. Deleting moves a record into `deleted/`, from which it can be restored.
 */

export const HISTORY_FORMAT = 'poolscope-history'
/** The record format this PoolScope writes. Files of a higher version are set aside, untouched. */
export const HISTORY_VERSION = 1
export const RECORD_KINDS = ['run', 'sweep'] as const
export type RecordKind = (typeof RECORD_KINDS)[number]

/** Longest header line read when listing; a header is a few hundred bytes. */
const MAX_HEADER_BYTES = 64 * 1024
/** Largest record read or imported: bounds what one corrupt or hostile file can cost. */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024
/** A temporary file older than this is a write that never finished (a crash), removed at open. */
const STALE_PARTIAL_MS = 60 * 60 * 1000
const RECORD_SUFFIX = '.json'
/** The file names records are saved under: `<kind>-<time>-<random>.json`. */
const RECORD_FILE_NAME = new RegExp(`^(${RECORD_KINDS.join('|')})-[a-z0-9-]{1,60}\\.json$`)
const SET_ASIDE = 'set-aside'
const DELETED = 'deleted'

const RecordIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a record id is 1 to 64 of a-z, 0-9 and -')
export const RecordNameSchema = z
  .string()
  .trim()
  .min(1, 'a name must not be empty')
  .max(200, 'a name is at most 200 characters')

/** What the list shows of a record without reading its payload. */
export const RecordHeaderSchema = z.object({
  format: z.literal(HISTORY_FORMAT),
  version: z.number().int().min(1),
  kind: z.enum(RECORD_KINDS),
  id: RecordIdSchema,
  name: RecordNameSchema,
  /** Epoch milliseconds. */
  savedAt: z.number().finite(),
  /** A few facts for the list (workload, threads, wall time …): flat, small values only. */
  facts: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
})
export type RecordHeader = z.output<typeof RecordHeaderSchema>
export type RecordFacts = RecordHeader['facts']

/** A record in the list: its header and its file's size. */
export interface HistoryEntry extends RecordHeader {
  bytes: number
}

/** A file the store could not use, and where it was moved so that nothing is lost. */
export interface SetAsideFile {
  file: string
  reason: string
  movedTo: string
}

export interface HistoryListing {
  entries: HistoryEntry[]
  /** Files moved aside by this listing (corrupt, or written by a newer PoolScope). */
  setAside: SetAsideFile[]
}

/** Why a file's header cannot be used, or null when it can. */
function headerProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'its header is not a JSON object'
  const { format, version } = value as { format?: unknown; version?: unknown }
  if (format !== HISTORY_FORMAT) return `it is not a PoolScope history record (format ${excerpt(format)})`
  if (typeof version === 'number' && version > HISTORY_VERSION) {
    return `it was written by a newer PoolScope (record version ${version}; this one reads up to ${HISTORY_VERSION})`
  }
  const parsed = RecordHeaderSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return `its header is malformed (${issue.path.join('.') || 'header'}: ${issue.message})`
  }
  return null
}

/** The record's text: the header alone on the first line, then the payload. */
function recordText(header: RecordHeader, payload: unknown): string[] {
  const payloadText = JSON.stringify(payload)
  if (payloadText === undefined) throw new TypeError('a record payload must be JSON')
  return [`{"header":${JSON.stringify(header)},\n`, `"payload":${payloadText}}\n`]
}

/** The same, with the payload's JSON text given in pieces (a large record is never one string). */
async function* recordPieces(header: RecordHeader, payload: AsyncIterable<string>): AsyncGenerator<string> {
  yield `{"header":${JSON.stringify(header)},\n"payload":`
  yield* payload
  yield '}\n'
}

/** The header of a record's text (its first line), or a reason it has none. */
function parseHeaderLine(line: string): { header: RecordHeader } | { problem: string } {
  const prefix = '{"header":'
  if (!line.startsWith(prefix) || !line.endsWith(','))
    return { problem: 'its first line is not a record header' }
  let value: unknown
  try {
    value = JSON.parse(line.slice(prefix.length, -1))
  } catch {
    return { problem: 'its header is not valid JSON' }
  }
  const problem = headerProblem(value)
  return problem ? { problem } : { header: value as RecordHeader }
}

export class HistoryStore {
  private constructor(readonly folder: string) {}

  /** Opens (creating) a history folder, and removes writes a crash left unfinished. */
  static async open(folder: string): Promise<HistoryStore> {
    const store = new HistoryStore(path.resolve(folder))
    await mkdir(store.folder, { recursive: true })
    await store.removeStalePartials()
    return store
  }

  /**
   * Every readable record, newest first. Files that cannot be used are moved aside and reported,
   * the rest listed: one bad file never hides the others.
   */
  async list(): Promise<HistoryListing> {
    const entries: HistoryEntry[] = []
    const setAside: SetAsideFile[] = []
    for (const name of await readdir(this.folder)) {
      // Only files named as records are: a data folder pointed at a folder of other JSON files
      // (`--data ~/Documents`) must not have those moved aside.
      if (!RECORD_FILE_NAME.test(name)) continue
      const file = path.join(this.folder, name)
      const read = await this.readHeader(file)
      if ('problem' in read) {
        if (read.problem !== null) setAside.push(await this.setAside(file, read.problem))
        continue
      }
      if (`${read.header.id}${RECORD_SUFFIX}` !== name) {
        setAside.push(await this.setAside(file, `its id ${read.header.id} does not match its file name`))
        continue
      }
      entries.push({ ...read.header, bytes: read.bytes })
    }
    entries.sort((a, b) => b.savedAt - a.savedAt || a.id.localeCompare(b.id))
    return { entries, setAside }
  }

  /** Saves a new record; returns its header. */
  async save(kind: RecordKind, name: string, facts: RecordFacts, payload: unknown): Promise<RecordHeader> {
    const header = this.newHeader(kind, name, facts)
    await writeFileAtomic(this.fileOf(header.id), recordText(header, payload))
    return header
  }

  /**
   * Saves a new record whose payload is JSON text in pieces, written as they come (the caller
   * vouches that together they are one JSON value); returns its header.
   */
  async saveText(
    kind: RecordKind,
    name: string,
    facts: RecordFacts,
    payload: AsyncIterable<string>
  ): Promise<RecordHeader> {
    const header = this.newHeader(kind, name, facts)
    await writeFileAtomic(this.fileOf(header.id), recordPieces(header, payload))
    return header
  }

  private newHeader(kind: RecordKind, name: string, facts: RecordFacts): RecordHeader {
    const savedAt = Date.now()
    const header = RecordHeaderSchema.parse({
      format: HISTORY_FORMAT,
      version: HISTORY_VERSION,
      kind,
      id: `${kind}-${savedAt.toString(36)}-${randomBytes(3).toString('hex')}`,
      name,
      savedAt,
      facts
    })
    // The list reads only a record's first line, up to MAX_HEADER_BYTES: a header past that (an
    // imported record with thousands of facts) would be set aside at the next listing.
    const bytes = Buffer.byteLength(JSON.stringify(header))
    if (bytes > MAX_HEADER_BYTES - 64) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `its header is ${bytes} bytes; a record's header (name and facts) is at most ${MAX_HEADER_BYTES - 64}`
      )
    }
    return header
  }

  /** A record whole. A record found corrupt is moved aside, and the error says so. */
  async read(id: string): Promise<{ header: RecordHeader; payload: unknown }> {
    const file = this.fileOf(id)
    const text = await this.readWhole(file, id)
    let value: { header?: unknown; payload?: unknown }
    try {
      value = JSON.parse(text) as typeof value
    } catch {
      const aside = await this.setAside(file, 'it is not valid JSON (cut short or changed outside PoolScope)')
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${id} could not be read: ${aside.reason}; it was moved to ${aside.movedTo}`
      )
    }
    const problem = headerProblem(value?.header) ?? (value && 'payload' in value ? null : 'it has no payload')
    if (problem) {
      const aside = await this.setAside(file, problem)
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${id} could not be read: ${problem}; it was moved to ${aside.movedTo}`
      )
    }
    return { header: value.header as RecordHeader, payload: value.payload }
  }

  /** A record's header and size, read from its first line alone. */
  async entry(id: string): Promise<HistoryEntry> {
    const read = await this.readHeader(this.fileOf(id))
    if ('problem' in read) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        read.problem === null
          ? `there is no record ${excerpt(id)}`
          : `record ${id} cannot be read: ${read.problem}`
      )
    }
    return { ...read.header, bytes: read.bytes }
  }

  /** Renames a record (its file is rewritten atomically; its id stays). */
  async rename(id: string, name: string): Promise<RecordHeader> {
    const checked = RecordNameSchema.safeParse(name)
    if (!checked.success)
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `cannot rename record ${id}: ${checked.error.issues[0].message}`
      )
    const { header, payload } = await this.read(id)
    const renamed = { ...header, name: checked.data }
    await writeFileAtomic(this.fileOf(id), recordText(renamed, payload))
    return renamed
  }

  /** Moves a record into `deleted/`, from where `restore` brings it back. */
  async remove(id: string): Promise<void> {
    const file = this.fileOf(id)
    await this.mustExist(file, id)
    await mkdir(path.join(this.folder, DELETED), { recursive: true })
    await rename(file, path.join(this.folder, DELETED, path.basename(file)))
  }

  /** Brings back a record `remove` moved away (undo). */
  async restore(id: string): Promise<void> {
    const from = path.join(this.folder, DELETED, path.basename(this.fileOf(id)))
    await this.mustExist(from, id)
    await rename(from, this.fileOf(id))
  }

  /**
   * Adds a record from the text of a file exported by any PoolScope that writes this version or an
   * older one, under a new id (so importing twice keeps both); `what` names the file in errors.
   */
  async importText(text: string, what = 'the file'): Promise<RecordHeader> {
    let value: { header?: unknown; payload?: unknown }
    try {
      value = JSON.parse(text) as typeof value
    } catch {
      throw new PoolScopeError(ErrorCodes.INVALID_COMMAND, `${what} is not valid JSON`)
    }
    const problem = headerProblem(value?.header) ?? (value && 'payload' in value ? null : 'it has no payload')
    if (problem)
      throw new PoolScopeError(ErrorCodes.INVALID_COMMAND, `${what} cannot be imported: ${problem}`)
    const header = value.header as RecordHeader
    return this.save(header.kind, header.name, header.facts, value.payload)
  }

  /** The file of a record: what an export copies. */
  fileOf(id: string): string {
    const checked = RecordIdSchema.safeParse(id)
    if (!checked.success)
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `${excerpt(id)} is not a record id: ${checked.error.issues[0].message}`
      )
    return path.join(this.folder, `${checked.data}${RECORD_SUFFIX}`)
  }

  /** A file's header, or why it cannot be used (null: it vanished meanwhile, nothing to report). */
  private async readHeader(
    file: string
  ): Promise<{ header: RecordHeader; bytes: number } | { problem: string | null }> {
    let handle
    try {
      handle = await open(file, 'r')
    } catch {
      return { problem: null }
    }
    try {
      const { size } = await handle.stat()
      const buffer = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      const text = buffer.subarray(0, bytesRead).toString('utf8')
      const newline = text.indexOf('\n')
      if (newline < 0)
        return { problem: size === 0 ? 'it is empty' : 'its first line is not a record header' }
      const parsed = parseHeaderLine(text.slice(0, newline))
      return 'header' in parsed ? { header: parsed.header, bytes: size } : parsed
    } finally {
      await handle.close()
    }
  }

  private async readWhole(file: string, what: string): Promise<string> {
    let size: number
    try {
      size = (await stat(file)).size
    } catch {
      throw new PoolScopeError(ErrorCodes.INVALID_COMMAND, `there is no record ${excerpt(what)}`)
    }
    if (size > MAX_RECORD_BYTES) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `${excerpt(what)} is ${size} bytes; a record is at most ${MAX_RECORD_BYTES} bytes`
      )
    }
    return readFile(file, 'utf8')
  }

  private async mustExist(file: string, id: string): Promise<void> {
    try {
      await stat(file)
    } catch {
      throw new PoolScopeError(ErrorCodes.INVALID_COMMAND, `there is no record ${excerpt(id)}`)
    }
  }

  /** Moves a file into `set-aside/` under a name no other file has: nothing is overwritten. */
  private async setAside(file: string, reason: string): Promise<SetAsideFile> {
    const folder = path.join(this.folder, SET_ASIDE)
    await mkdir(folder, { recursive: true })
    const base = path.basename(file, RECORD_SUFFIX)
    const movedTo = path.join(
      folder,
      `${base}.${Date.now().toString(36)}-${randomBytes(3).toString('hex')}${RECORD_SUFFIX}`
    )
    await rename(file, movedTo)
    return { file, reason, movedTo }
  }

  private async removeStalePartials(): Promise<void> {
    const now = Date.now()
    for (const name of await readdir(this.folder)) {
      if (!name.endsWith(PARTIAL_SUFFIX)) continue
      const file = path.join(this.folder, name)
      try {
        if (now - (await stat(file)).mtimeMs > STALE_PARTIAL_MS) await rm(file, { force: true })
      } catch {
        // Gone meanwhile: another PoolScope finished or removed it.
      }
    }
  }
}

// The list's search and order are the page's too: they live in the contract.
export { HISTORY_SORTS, searchEntries, type HistorySort } from '../../shared/historySearch'
