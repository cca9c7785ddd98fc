import { deflateRawSync } from 'node:zlib'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/main/history/historyStore'
import { RUN_PAYLOAD_VERSION, runRecord } from '../../../src/main/history/runRecord'
import { EngineHost } from '../../../src/main/host/engineHost'
import type {
  CommandName,
  CommandOutcome,
  CommandParams,
  CommandResults,
  EngineEvent,
  HistoryChanged,
  JobSummary
} from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

/** The notebook's first pool cell: `p.map(get_combinations, data)` over range(6). */
const notebookMap = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}
/** Custom code whose tasks return lists of tuples, an empty list, and one that throws. */
const custom = {
  workload: 'custom',
  style: 'map',
  threads: 2,
  chunkSize: 2,
  inputs: { kind: 'recipe', tasks: 7 },
  code: '(i) => { if (i === 3) throw new Error("three"); return i % 2 ? [] : [[i, "é"], [i / 2]] }'
}
const starmap = {
  workload: 'combinations_n',
  style: 'starmap',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5, 6, 7], n: [2, 3, 4], tasks: 30, seed: 2023 }
}
const busy = (tasks: number, ms: number) => ({
  workload: 'busy_wait',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', ms: [ms], tasks }
})

async function call<N extends CommandName>(
  host: EngineHost,
  name: N,
  params: CommandParams[N]
): Promise<CommandResults[N]> {
  const outcome = (await host.call(name, params)) as CommandOutcome<N>
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result
}

async function runToEnd(host: EngineHost, spec: unknown, cancelAfterMs?: number): Promise<JobSummary> {
  const finished = new Promise<JobSummary>((resolve) => {
    const off = host.onEvent((event) => {
      if (event.type === 'job.finished') {
        off()
        resolve(event.payload)
      }
    })
  })
  const { jobId } = await call(host, 'job.start', { spec })
  if (cancelAfterMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, cancelAfterMs))
    await call(host, 'job.cancel', { jobId })
  }
  const summary = await finished
  expect(summary.jobId).toBe(jobId)
  return summary
}

/** A command's answer with the job's own id taken out: what must match between a run and its restored copy. */
function withoutId(value: unknown, jobId: string): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>)
      if (key === 'restoredFrom') return undefined
      return typeof v === 'string' ? v.replaceAll(jobId, 'JOB') : v
    })
  )
}

/** Every view of a job, as the page asks for them. */
async function views(host: EngineHost, jobId: string): Promise<Record<string, unknown>> {
  const summary = await call(host, 'job.summary', { jobId })
  const out: Record<string, unknown> = {
    summary,
    timeline: await call(host, 'job.timeline', { jobId }),
    timelineBinned: await call(host, 'job.timeline', { jobId, maxTasks: 0, bins: 7 }),
    timelineWindow: await call(host, 'job.timeline', {
      jobId,
      from: summary.wallMs / 3,
      to: summary.wallMs / 2
    }),
    cpu: await call(host, 'job.cpu', { jobId }),
    stats: await call(host, 'job.stats', { jobId }),
    results: await call(host, 'job.results', { jobId, offset: 0, limit: 1000 }),
    timings: await call(host, 'job.timings', { jobId, offset: 0, limit: 200_000 }),
    args: await call(host, 'job.args', { jobId, task: summary.taskCount - 1 }),
    tuples: await call(host, 'job.tuples', { jobId, task: 0, offset: 0, limit: 10_000 }),
    trace: await call(host, 'job.export', { jobId, format: 'trace' }),
    timingsCsv: await call(host, 'job.export', { jobId, format: 'timings' })
  }
  for (const format of ['json', 'csv'] as const) {
    const outcome = await host.call('job.export', { jobId, format })
    out[format] = outcome.ok ? outcome.result : outcome.error
  }
  return withoutId(out, jobId) as Record<string, unknown>
}

let folder: string
let host: EngineHost
const changes: HistoryChanged[] = []

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-runrecord-'))
  host = new EngineHost({ workerFile, hardwareThreads: 2, history: await HistoryStore.open(folder) })
  host.onEvent((event) => {
    if (event.type === 'history.changed') changes.push(event.payload)
  })
})
afterAll(async () => {
  await host.dispose()
  await rm(folder, { recursive: true, force: true })
})

describe('run records', () => {
  it.each([
    ['the notebook map cell', notebookMap, undefined],
    ['a starmap with varied arguments', starmap, undefined],
    ['a cancelled busy_wait job', busy(400, 5), 150],
    ['a custom function with a failed task', custom, undefined]
  ])('%s: a restored job answers every view as the original did', async (_, spec, cancelAfter) => {
    const before = (await call(host, 'history.list', {})).entries.length
    const ended = await runToEnd(host, spec, cancelAfter)
    if (cancelAfter !== undefined) expect(ended.status).toBe('cancelled')
    await host.history?.idle()
    const listing = await call(host, 'history.list', {})
    expect(listing.folder).toBe(folder)
    expect(listing.entries).toHaveLength(before + 1)
    const entry = listing.entries[0]
    expect(entry).toMatchObject({
      kind: 'run',
      facts: {
        workload: spec.workload,
        threads: 2,
        tasks: ended.taskCount,
        status: ended.status,
        wallMs: ended.wallMs
      }
    })
    expect(changes.at(-1)).toEqual({ change: 'added', id: entry.id })

    const opened = await call(host, 'history.open', { id: entry.id })
    expect(opened.jobId).not.toBe(ended.jobId)
    expect(opened.summary.restoredFrom).toEqual({
      recordId: entry.id,
      name: entry.name,
      savedAt: entry.savedAt,
      resultsKept: true,
      note: null
    })
    const original = await views(host, ended.jobId)
    const restored = await views(host, opened.jobId)
    for (const key of Object.keys(original)) expect([key, restored[key]]).toEqual([key, original[key]])
    // Not a comparison of two empty answers.
    expect((original.results as { rows: unknown[] }).rows).toHaveLength(ended.taskCount)
    expect((original.timeline as { tasksInWindow: number }).tasksInWindow).toBe(
      ended.tasksDone + ended.tasksFailed
    )
    // Opening it again answers with the same job, not a second copy.
    expect((await call(host, 'history.open', { id: entry.id })).jobId).toBe(opened.jobId)
    expect((await call(host, 'job.list', {})).map((job) => job.jobId)).toContain(opened.jobId)
  })

  it('keeps counts only past the results bound, and the restored job says so and refuses to export tuples', async () => {
    const ended = await runToEnd(host, starmap)
    await host.history?.idle()
    const store = host.history!.store
    const job = host.engine.job(ended.jobId)
    const draft = runRecord(job, 64)
    expect(draft.resultsKept).toBe(false)
    expect(draft.facts.resultsKept).toBe(false)
    const header = await store.saveText('run', draft.name, draft.facts, draft.payload)
    const opened = await call(host, 'history.open', { id: header.id })
    expect(opened.summary.restoredFrom).toMatchObject({
      resultsKept: false,
      note: expect.stringMatching(
        /^its tuples \(.* packed\) were over the 64 B a history record keeps, so it keeps counts only/
      )
    })
    const rows = (await call(host, 'job.results', { jobId: opened.jobId, offset: 0, limit: 30 })).rows
    const originalRows = (await call(host, 'job.results', { jobId: ended.jobId, offset: 0, limit: 30 })).rows
    expect(rows.map((row) => [row.status, row.count, row.kept, row.preview])).toEqual(
      originalRows.map((row) => [row.status, row.count, 0, []])
    )
    expect(opened.summary.tuplesKept).toBe(ended.tuplesKept)
    expect(await host.call('job.export', { jobId: opened.jobId, format: 'json' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND', message: expect.stringMatching(/kept counts only.*run it again/) }
    })
    // Timings are whole all the same.
    expect(withoutId(await call(host, 'job.stats', { jobId: opened.jobId }), opened.jobId)).toEqual(
      withoutId(await call(host, 'job.stats', { jobId: ended.jobId }), ended.jobId)
    )
  })

  it('keeps the chunks that ran again (a cluster agent went silent): the restored timeline marks them', async () => {
    const ended = await runToEnd(host, notebookMap)
    await host.history?.idle()
    const job = host.engine.job(ended.jobId)
    // As the cluster back end records a chunk filed from its second run (its test kills an agent).
    job.retried.push({ lane: 1, firstTask: 2, count: 2, at: 0.25 })
    const draft = runRecord(job)
    const header = await host.history!.store.saveText('run', draft.name, draft.facts, draft.payload)
    const opened = await call(host, 'history.open', { id: header.id })
    const window = await call(host, 'job.timeline', { jobId: opened.jobId })
    expect(window.retried).toEqual([{ lane: 1, firstTask: 2, count: 2, at: 0.25 }])
  })

  it('saves a run only after job.finished has gone out', async () => {
    const seen: string[] = []
    const off = host.onEvent((event) => {
      if (event.type === 'job.finished') seen.push(`finished, ${recordsNow()} records`)
      if (event.type === 'history.changed') seen.push(`changed ${event.payload.change}`)
    })
    let records: string[] = []
    const recordsNow = (): number => records.length
    records = (await readdir(folder)).filter((name) => name.endsWith('.json'))
    const count = records.length
    await runToEnd(host, notebookMap)
    await host.history?.idle()
    off()
    expect(seen).toEqual([`finished, ${count} records`, 'changed added'])
    expect((await readdir(folder)).filter((name) => name.endsWith('.json'))).toHaveLength(count + 1)
  })

  it('renames, deletes and brings back a record, and exports and imports it', async () => {
    await runToEnd(host, notebookMap)
    await host.history?.idle()
    const [entry] = (await call(host, 'history.list', {})).entries
    const renamed = await call(host, 'history.rename', { id: entry.id, name: '  first try  ' })
    expect(renamed.name).toBe('first try')
    expect((await host.call('history.rename', { id: entry.id, name: ' ' })).ok).toBe(false)

    const file = await call(host, 'history.export', { id: entry.id })
    expect(file).toMatchObject({ filename: 'first-try.poolscope.json', mime: 'application/json' })
    expect(file.text).toBe(await readFile(path.join(folder, `${entry.id}.json`), 'utf8'))

    await call(host, 'history.delete', { id: entry.id })
    expect((await call(host, 'history.list', {})).entries.map((e) => e.id)).not.toContain(entry.id)
    await call(host, 'history.restore', { id: entry.id })
    expect((await call(host, 'history.list', {})).entries.map((e) => e.id)).toContain(entry.id)

    const imported = await call(host, 'history.import', { text: file.text })
    expect(imported.id).not.toBe(entry.id)
    expect(imported.name).toBe('first try')
    const opened = await call(host, 'history.open', { id: imported.id })
    expect(opened.summary.tasksDone).toBe(entry.facts.tasks)
    expect(changes.slice(-4).map((c) => c.change)).toEqual(['renamed', 'deleted', 'restored', 'imported'])
    expect(await host.call('history.import', { text: '{"header":{}}' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/cannot be imported: it is not a PoolScope history record/) }
    })
  })

  it('renames and deletes one after the other, and opens a record once however often it is asked', async () => {
    await runToEnd(host, notebookMap)
    await host.history?.idle()
    const [entry] = (await call(host, 'history.list', {})).entries
    // Sent together: the rename's rewrite must not bring back the record the delete moved away.
    const [renamed, deleted] = await Promise.all([
      host.call('history.rename', { id: entry.id, name: 'renamed' }),
      host.call('history.delete', { id: entry.id })
    ])
    expect([renamed.ok, deleted.ok]).toEqual([true, true])
    expect(await readdir(folder)).not.toContain(`${entry.id}.json`)
    expect(await readdir(path.join(folder, 'deleted'))).toEqual([`${entry.id}.json`])
    await call(host, 'history.restore', { id: entry.id })
    expect((await call(host, 'history.list', {})).entries.find((e) => e.id === entry.id)?.name).toBe(
      'renamed'
    )
    // Two opens at once restore the run once.
    const [a, b] = await Promise.all([
      call(host, 'history.open', { id: entry.id }),
      call(host, 'history.open', { id: entry.id })
    ])
    expect(b.jobId).toBe(a.jobId)
    expect(host.engine.listJobs().filter((job) => job.restoredFrom?.recordId === entry.id)).toHaveLength(1)
  })

  it('sets a corrupt record aside and reports it in history.list; leaves a newer one untouched', async () => {
    await runToEnd(host, notebookMap)
    await host.history?.idle()
    const [entry] = (await call(host, 'history.list', {})).entries
    const text = await readFile(path.join(folder, `${entry.id}.json`), 'utf8')
    // A header that is not one (a file changed outside PoolScope), and a record from a newer PoolScope.
    await writeFile(path.join(folder, 'run-mangled.json'), `{"header":{"format":"poolscope-hist\n${text}`)
    const newer = text.replace('"version":1,', '"version":99,').replace(entry.id, 'run-from-the-future')
    await writeFile(path.join(folder, 'run-from-the-future.json'), newer)
    const listing = await call(host, 'history.list', {})
    expect(listing.entries.map((e) => e.id)).not.toContain('run-mangled')
    expect(listing.setAside.map(({ file, reason }) => [path.basename(file), reason]).sort()).toEqual(
      [
        ['run-from-the-future.json', expect.stringMatching(/newer PoolScope \(record version 99/)],
        ['run-mangled.json', 'its first line is not a record header']
      ].sort()
    )
    // Nothing was deleted or changed: the newer file is where it was moved, byte for byte.
    const moved = listing.setAside.find((s) => s.file.endsWith('run-from-the-future.json'))!
    expect(await readFile(moved.movedTo, 'utf8')).toBe(newer)
    expect(await readdir(folder)).not.toContain('run-from-the-future.json')
    // A record cut short behind an intact header (a copy interrupted outside PoolScope) is found
    // when opened: set aside too, and the error says where it went.
    await writeFile(path.join(folder, `${entry.id}.json`), text.slice(0, text.length / 2))
    expect(await host.call('history.open', { id: entry.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/could not be read: it is not valid JSON .*it was moved to/) }
    })
    expect((await call(host, 'history.list', {})).entries.map((e) => e.id)).not.toContain(entry.id)
    // A record whose run payload is newer than this PoolScope reads opens with a clear refusal.
    const newerPayload = text.replace(`"version":${RUN_PAYLOAD_VERSION},"spec"`, '"version":7,"spec"')
    const imported = await call(host, 'history.import', { text: newerPayload })
    expect(await host.call('history.open', { id: imported.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/written by a newer PoolScope \(run payload version 7/) }
    })
    // A damaged column is refused by name.
    const damaged = text.replace(/("timings\.start":\{[^}]*"data":")[A-Za-z0-9+/]{4}/, '$1!!!!')
    expect(damaged).not.toBe(text)
    const bad = await call(host, 'history.import', { text: damaged })
    expect(await host.call('history.open', { id: bad.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/timings\.start/) }
    })
  })

  it('refuses a crafted record before inflating it past the sizes a job can have', async () => {
    await runToEnd(host, notebookMap)
    await host.history?.idle()
    const [entry] = (await call(host, 'history.list', {})).entries
    const text = await readFile(path.join(folder, `${entry.id}.json`), 'utf8')
    const openText = async (crafted: string) => {
      expect(crafted).not.toBe(text)
      const imported = await call(host, 'history.import', { text: crafted })
      return host.call('history.open', { id: imported.id })
    }
    // 64 MiB of zeros deflate to about 64 KiB: inflated whole, a few such columns would exhaust memory.
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64')
    const bombed = text.replace(/("timings\.start":\{[^}]*"data":")[A-Za-z0-9+/=]*/, `$1${bomb}`)
    expect(await openText(bombed)).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(/its column timings\.start is not valid deflated data of 4 f64 values/)
      }
    })
    // A task count past what any job can have is refused before any column is read.
    const many = text.replace(/"taskCount":4,/g, '"taskCount":20000000,')
    expect(await openText(many)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/its task count 20000000 is not 0 to 10000000/) }
    })
  })

  it('ignores a write a crash left before its rename', async () => {
    await writeFile(
      path.join(folder, 'run-crashed.json.abcdef.partial'),
      '{"header":{"format":"poolscope-hist'
    )
    const listing = await call(host, 'history.list', {})
    expect(listing.setAside.map((s) => s.file)).not.toContain(
      path.join(folder, 'run-crashed.json.abcdef.partial')
    )
    expect(listing.entries.every((e) => !e.id.includes('crashed'))).toBe(true)
  })
})

describe('two hosts on one history folder', () => {
  let shared: string
  beforeEach(async () => {
    shared = await mkdtemp(path.join(os.tmpdir(), 'poolscope-shared-'))
  })
  afterEach(async () => rm(shared, { recursive: true, force: true }))

  it('both save their runs whole, and each opens the other’s', async () => {
    const a = new EngineHost({ workerFile, hardwareThreads: 2, history: await HistoryStore.open(shared) })
    const b = new EngineHost({ workerFile, hardwareThreads: 2, history: await HistoryStore.open(shared) })
    try {
      const [ranA, ranB] = await Promise.all([runToEnd(a, notebookMap), runToEnd(b, starmap)])
      await Promise.all([a.history?.idle(), b.history?.idle()])
      const listing = await call(a, 'history.list', {})
      expect(listing.setAside).toEqual([])
      expect(listing.entries.map((e) => e.facts.workload).sort()).toEqual(['combinations', 'combinations_n'])
      const fromB = listing.entries.find((e) => e.facts.workload === 'combinations_n')!
      const opened = await call(a, 'history.open', { id: fromB.id })
      expect(
        withoutId(await call(a, 'job.results', { jobId: opened.jobId, offset: 0, limit: 100 }), opened.jobId)
      ).toEqual(
        withoutId(await call(b, 'job.results', { jobId: ranB.jobId, offset: 0, limit: 100 }), ranB.jobId)
      )
      expect(ranA.status).toBe('done')
    } finally {
      await Promise.all([a.dispose(), b.dispose()])
    }
  })
})

describe('without a history folder', () => {
  it('saves nothing and says so', async () => {
    const bare = new EngineHost({ workerFile, hardwareThreads: 2 })
    try {
      const events: EngineEvent[] = []
      bare.onEvent((event) => events.push(event))
      await runToEnd(bare, notebookMap)
      expect(bare.history).toBeNull()
      expect(events.some((event) => event.type === 'history.changed')).toBe(false)
      expect(await bare.call('history.list', {})).toEqual({
        ok: false,
        error: {
          code: 'INVALID_COMMAND',
          message: 'this PoolScope keeps no history: it was started without a history folder'
        }
      })
    } finally {
      await bare.dispose()
    }
  })
})
