import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../../src/main/history/atomicFile'
import {
  HISTORY_FORMAT,
  HISTORY_VERSION,
  HistoryStore,
  searchEntries,
  type HistoryEntry
} from '../../../src/main/history/historyStore'

let folder: string
let store: HistoryStore

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-history-'))
  store = await HistoryStore.open(folder)
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

const files = async (sub = '.') => (await readdir(path.join(folder, sub))).sort()
const facts = { workload: 'combinations', threads: 2, wallMs: 2.5 }

describe('HistoryStore', () => {
  it('saves records and lists them newest first, reading each payload back whole', async () => {
    const first = await store.save('run', 'notebook map', facts, { tuples: [[0, 1]] })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const second = await store.save('sweep', 'busy wait sweep', { threads: '1,2,4' }, { points: [1, 2, 3] })
    const { entries, setAside } = await store.list()
    expect(setAside).toEqual([])
    expect(entries.map((e) => [e.id, e.kind, e.name])).toEqual([
      [second.id, 'sweep', 'busy wait sweep'],
      [first.id, 'run', 'notebook map']
    ])
    expect(entries[1].facts).toEqual(facts)
    expect(entries[1].bytes).toBe((await stat(store.fileOf(first.id))).size)
    expect(await store.read(first.id)).toEqual({ header: first, payload: { tuples: [[0, 1]] } })
    // The file is one JSON object whose first line is the header alone.
    const text = await readFile(store.fileOf(first.id), 'utf8')
    expect(JSON.parse(text).header).toEqual({ ...first, format: HISTORY_FORMAT, version: HISTORY_VERSION })
    expect(text.split('\n')[0]).toBe(`{"header":${JSON.stringify(first)},`)
  })

  it('keeps the old record whole when a write fails midway, and leaves no temporary file', async () => {
    const saved = await store.save('run', 'kept', facts, { n: 1 })
    const before = await readFile(store.fileOf(saved.id), 'utf8')
    async function* failing(): AsyncGenerator<string> {
      yield '{"header":'
      throw new Error('disk full')
    }
    await expect(writeFileAtomic(store.fileOf(saved.id), failing())).rejects.toThrow('disk full')
    expect(await readFile(store.fileOf(saved.id), 'utf8')).toBe(before)
    expect(await files()).toEqual([`${saved.id}.json`])
  })

  it('loses nothing to a crash between write and rename: the half-written file is ignored, removed once stale', async () => {
    const saved = await store.save('run', 'kept', facts, { n: 1 })
    // What a crash before the rename leaves: the whole new text in a temporary file beside the old.
    const fresh = path.join(folder, `${saved.id}.json.aaaaaa.partial`)
    const stale = path.join(folder, `${saved.id}.json.bbbbbb.partial`)
    await writeFile(fresh, '{"header":{"format":"poolscope-hist')
    await writeFile(stale, '{"header":{"format":"poolscope-hist')
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000)
    await utimes(stale, hourAgo, hourAgo)
    expect((await store.list()).entries.map((e) => e.id)).toEqual([saved.id])
    expect((await store.read(saved.id)).payload).toEqual({ n: 1 })
    // Reopening removes only the stale one: a fresh one may be another PoolScope's write in progress.
    await HistoryStore.open(folder)
    expect(await files()).toEqual([`${saved.id}.json`, path.basename(fresh)])
  })

  it('moves corrupt files aside with the reason, byte for byte, and lists the rest', async () => {
    const good = await store.save('run', 'good', facts, {})
    const bad = {
      'run-empty.json': '',
      'run-garbage.json': 'not json at all\n',
      'run-truncated.json': '{"header":{"format":"poolscope-history","version":1,"kind":"run"',
      'run-wrongid.json': `{"header":${JSON.stringify({ ...good, id: 'run-other' })},\n"payload":{}}\n`,
      'run-badheader.json': `{"header":${JSON.stringify({ ...good, id: 'run-badheader', kind: 'batch' })},\n"payload":{}}\n`
    }
    for (const [name, text] of Object.entries(bad)) await writeFile(path.join(folder, name), text)
    const { entries, setAside } = await store.list()
    expect(entries.map((e) => e.id)).toEqual([good.id])
    const reasons = Object.fromEntries(setAside.map((s) => [path.basename(s.file), s.reason]))
    expect(reasons).toEqual({
      'run-empty.json': 'it is empty',
      'run-garbage.json': 'its first line is not a record header',
      'run-truncated.json': 'its first line is not a record header',
      'run-wrongid.json': 'its id run-other does not match its file name',
      'run-badheader.json': expect.stringMatching(/^its header is malformed \(kind: /)
    })
    for (const aside of setAside) {
      expect(path.dirname(aside.movedTo)).toBe(path.join(folder, 'set-aside'))
      expect(await readFile(aside.movedTo, 'utf8')).toBe(bad[path.basename(aside.file) as keyof typeof bad])
    }
    expect(await files()).toEqual([`${good.id}.json`, 'set-aside'])
    // Set aside again under the same name, nothing is overwritten.
    await writeFile(path.join(folder, 'run-empty.json'), '')
    await store.list()
    expect(await files('set-aside')).toHaveLength(6)
  })

  it('leaves files not named as records alone: a data folder may hold other JSON', async () => {
    const good = await store.save('run', 'good', facts, {})
    await writeFile(path.join(folder, 'notes.json'), 'my own notes, not JSON at all')
    await writeFile(path.join(folder, 'package.json'), '{"name":"x"}')
    const { entries, setAside } = await store.list()
    expect(entries.map((e) => e.id)).toEqual([good.id])
    expect(setAside).toEqual([])
    expect(await files()).toEqual(['notes.json', 'package.json', `${good.id}.json`])
  })

  it('never reads or overwrites a record a newer PoolScope wrote: it is set aside, unchanged', async () => {
    const newer = {
      format: HISTORY_FORMAT,
      version: HISTORY_VERSION + 1,
      kind: 'comparison',
      id: 'run-future',
      name: 'from the future',
      savedAt: 1,
      facts: {}
    }
    const text = `{"header":${JSON.stringify(newer)},\n"payload":{"new":true}}\n`
    await writeFile(path.join(folder, 'run-future.json'), text)
    const { entries, setAside } = await store.list()
    expect(entries).toEqual([])
    expect(setAside[0].reason).toBe(
      `it was written by a newer PoolScope (record version ${HISTORY_VERSION + 1}; this one reads up to ${HISTORY_VERSION})`
    )
    expect(await readFile(setAside[0].movedTo, 'utf8')).toBe(text)
  })

  it('sets a record aside when its payload is found corrupt on reading, and says where it went', async () => {
    const saved = await store.save('run', 'cut', facts, { big: 'x'.repeat(100) })
    const file = store.fileOf(saved.id)
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.slice(0, -20))
    // The header is intact, so the list still shows it…
    expect((await store.list()).entries.map((e) => e.id)).toEqual([saved.id])
    // …and reading it finds the damage.
    await expect(store.read(saved.id)).rejects.toThrow(
      new RegExp(
        `^record ${saved.id} could not be read: it is not valid JSON .*; it was moved to .*set-aside`
      )
    )
    expect((await store.list()).entries).toEqual([])
  })

  it('lets two writers rename one record at once without ever leaving it unreadable', async () => {
    const saved = await store.save('run', 'start', facts, { data: 'y'.repeat(10_000) })
    const names = Array.from({ length: 20 }, (_, i) => `name ${i}`)
    await Promise.all(names.map((name) => store.rename(saved.id, name)))
    const { header, payload } = await store.read(saved.id)
    expect(names).toContain(header.name)
    expect(payload).toEqual({ data: 'y'.repeat(10_000) })
    expect(await files()).toEqual([`${saved.id}.json`])
  })

  it('renames, refusing an empty or overlong name with what is allowed', async () => {
    const saved = await store.save('run', 'old', facts, {})
    expect((await store.rename(saved.id, '  new name  ')).name).toBe('new name')
    expect((await store.list()).entries[0].name).toBe('new name')
    await expect(store.rename(saved.id, '   ')).rejects.toThrow(
      `cannot rename record ${saved.id}: a name must not be empty`
    )
    await expect(store.rename(saved.id, 'x'.repeat(201))).rejects.toThrow('a name is at most 200 characters')
  })

  it('deletes into deleted/ and restores (undo); unknown and malformed ids get clear errors', async () => {
    const saved = await store.save('run', 'gone', facts, { n: 2 })
    await store.remove(saved.id)
    expect((await store.list()).entries).toEqual([])
    expect(await files('deleted')).toEqual([`${saved.id}.json`])
    await store.restore(saved.id)
    expect((await store.read(saved.id)).payload).toEqual({ n: 2 })
    await expect(store.remove('run-none')).rejects.toThrow('there is no record "run-none"')
    await expect(store.restore('run-none')).rejects.toThrow('there is no record "run-none"')
    await expect(store.read('../../etc/passwd')).rejects.toThrow(
      'is not a record id: a record id is 1 to 64 of a-z, 0-9 and -'
    )
  })

  it('refuses a record whose header the list could not read (thousands of facts)', async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`fact${i}`, 'x'.repeat(20)]))
    await expect(store.save('run', 'too many facts', many, {})).rejects.toThrow(
      /^its header is \d+ bytes; a record's header \(name and facts\) is at most 65472$/
    )
    expect(await files()).toEqual([])
  })

  it('imports an exported record under a new id, and refuses files it cannot use', async () => {
    const saved = await store.save('sweep', 'exported', facts, { points: [1] })
    const exported = path.join(os.tmpdir(), `${saved.id}-export.json`)
    await writeFile(exported, await readFile(store.fileOf(saved.id)))
    try {
      const imported = await store.importText(await readFile(exported, 'utf8'), path.basename(exported))
      expect(imported.id).not.toBe(saved.id)
      expect(imported).toMatchObject({ kind: 'sweep', name: 'exported', facts })
      expect((await store.read(imported.id)).payload).toEqual({ points: [1] })
      await writeFile(exported, 'nope')
      await expect(
        store.importText(await readFile(exported, 'utf8'), path.basename(exported))
      ).rejects.toThrow(`${path.basename(exported)} is not valid JSON`)
      await writeFile(
        exported,
        JSON.stringify({ header: { format: HISTORY_FORMAT, version: 99 }, payload: 1 })
      )
      await expect(
        store.importText(await readFile(exported, 'utf8'), path.basename(exported))
      ).rejects.toThrow('cannot be imported: it was written by a newer PoolScope')
      await writeFile(exported, JSON.stringify({ header: { ...saved, format: HISTORY_FORMAT, version: 1 } }))
      await expect(
        store.importText(await readFile(exported, 'utf8'), path.basename(exported))
      ).rejects.toThrow('cannot be imported: it has no payload')
      expect((await store.list()).entries).toHaveLength(2)
    } finally {
      await rm(exported, { force: true })
    }
  })
})

describe('searchEntries', () => {
  const entry = (id: string, name: string, savedAt: number, extra = {}): HistoryEntry => ({
    format: HISTORY_FORMAT,
    version: 1,
    kind: 'run',
    id,
    name,
    savedAt,
    facts: { workload: 'combinations', ...extra },
    bytes: 1
  })
  const entries = [
    entry('a', 'Notebook map', 3),
    entry('b', 'primes imbalance', 1, { workload: 'count_primes' }),
    entry('c', 'another map', 2)
  ]

  it('matches every word in names and facts, case-insensitively, in the chosen order', () => {
    expect(searchEntries(entries, 'MAP').map((e) => e.id)).toEqual(['a', 'c'])
    expect(searchEntries(entries, 'map notebook').map((e) => e.id)).toEqual(['a'])
    expect(searchEntries(entries, 'count_primes').map((e) => e.id)).toEqual(['b'])
    expect(searchEntries(entries, '', 'oldest').map((e) => e.id)).toEqual(['b', 'c', 'a'])
    expect(searchEntries(entries, '', 'name').map((e) => e.id)).toEqual(['c', 'a', 'b'])
    expect(searchEntries(entries, 'nothing')).toEqual([])
  })
})
