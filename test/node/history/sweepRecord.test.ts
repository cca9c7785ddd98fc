import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/main/history/historyStore'
import { decodeSweepRecord, sweepRecordFacts, sweepRecordName } from '../../../src/main/history/sweepRecord'
import { EngineHost } from '../../../src/main/host/engineHost'
import { checkPayload } from '../../../src/shared/payloads'
import type {
  CommandName,
  CommandOutcome,
  CommandParams,
  CommandResults,
  SweepResult
} from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

const BUSY_WAIT = {
  workload: 'busy_wait',
  style: 'map',
  inputs: { kind: 'recipe', ms: [5], tasks: 8 }
}

async function call<N extends CommandName>(
  host: EngineHost,
  name: N,
  params: CommandParams[N]
): Promise<CommandResults[N]> {
  const outcome = (await host.call(name, params)) as CommandOutcome<N>
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result
}

async function refusal(host: EngineHost, name: CommandName, params: unknown): Promise<string> {
  const outcome = await host.call(name, params)
  if (outcome.ok) throw new Error(`${name} was expected to be refused`)
  return outcome.error.message
}

/** Starts a sweep and resolves with its `sweep.finished` payload and the events in their order. */
async function sweepToEnd(
  host: EngineHost,
  options: Record<string, unknown>,
  cancelAfterRuns?: number
): Promise<{ result: SweepResult; order: string[] }> {
  const order: string[] = []
  let sweepId = ''
  const finished = new Promise<SweepResult>((resolve) => {
    const off = host.onEvent((event) => {
      if (event.type === 'sweep.finished') {
        order.push('sweep.finished')
        off()
        resolve(event.payload)
      } else if (
        event.type === 'sweep.progress' &&
        cancelAfterRuns !== undefined &&
        event.payload.runsDone >= cancelAfterRuns
      ) {
        void host.call('sweep.cancel', { sweepId })
      }
    })
  })
  host.onEvent((event) => {
    if (event.type === 'history.changed') order.push(`history.changed ${event.payload.change}`)
  })
  sweepId = (await call(host, 'sweep.start', { spec: BUSY_WAIT, ...options })).sweepId
  const result = await finished
  await host.history?.idle()
  return { result, order }
}

let folder: string
let host: EngineHost

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-sweeprecord-'))
  host = new EngineHost({ workerFile, hardwareThreads: 2, history: await HistoryStore.open(folder) })
})
afterAll(async () => {
  await host.dispose()
  await rm(folder, { recursive: true, force: true })
})

describe('sweep records through the host', () => {
  let done: SweepResult
  let id: string

  it('saves an ended sweep after sweep.finished, and opens it as exactly that result', async () => {
    const { result, order } = await sweepToEnd(host, { threads: [1, 2], repeat: 2, maxSeconds: 1 })
    done = result
    expect(result.status).toBe('done')
    expect(order).toEqual(['sweep.finished', 'history.changed added'])

    const { entries } = await call(host, 'history.list', {})
    expect(entries).toHaveLength(1)
    const [entry] = entries
    id = entry.id
    expect(entry.kind).toBe('sweep')
    expect(entry.id).toMatch(/^sweep-/)
    expect(entry.name).toBe('busy_wait map sweep, 1, 2 on threads')
    const serial = result.analysis[0].result!.fits.amdahl.params[0]
    expect(serial.name).toBe('serialFraction')
    expect(entry.facts).toEqual({
      workload: 'busy_wait',
      style: 'map',
      threadsList: '1, 2',
      backends: 'threads',
      tasks: 8,
      points: 2,
      pointsMeasured: 2,
      runs: result.runsDone,
      serialFraction: serial.value,
      status: 'done',
      wallMs: result.elapsedMs,
      startedAt: result.startedAt
    })

    const opened = await call(host, 'history.openSweep', { id })
    expect(() => checkPayload('result', 'history.openSweep', opened)).not.toThrow()
    expect(opened).toEqual({ id, name: entry.name, savedAt: entry.savedAt, result })
    // A sweep is not a job: history.open says how to open it instead.
    expect(await refusal(host, 'history.open', { id })).toBe(
      `record ${id} is a sweep, not a run; open it with history.openSweep`
    )
  })

  it('saves a cancelled sweep with the points it finished', async () => {
    const { result } = await sweepToEnd(host, { threads: [1, 2], repeat: 3 }, 2)
    expect(result.status).toBe('cancelled')
    const [entry] = (await call(host, 'history.list', {})).entries
    expect(entry.facts.status).toBe('cancelled')
    expect(entry.facts.runs).toBe(result.runsDone)
    expect((await call(host, 'history.openSweep', { id: entry.id })).result).toEqual(result)
  })

  it('renames, deletes, brings back, exports and imports a sweep record', async () => {
    expect((await call(host, 'history.rename', { id, name: 'busy 1 vs 2' })).name).toBe('busy 1 vs 2')
    expect((await call(host, 'history.openSweep', { id })).name).toBe('busy 1 vs 2')
    const file = await call(host, 'history.export', { id })
    expect(file.filename).toBe('busy-1-vs-2.poolscope.json')
    expect(file.text).toBe(await readFile(path.join(folder, `${id}.json`), 'utf8'))

    await call(host, 'history.delete', { id })
    expect(await refusal(host, 'history.openSweep', { id })).toBe(`there is no record "${id}"`)
    await call(host, 'history.restore', { id })
    expect((await call(host, 'history.openSweep', { id })).result).toEqual(done)

    const imported = await call(host, 'history.import', { text: file.text })
    expect(imported).toMatchObject({ kind: 'sweep', name: 'busy 1 vs 2' })
    expect(imported.id).not.toBe(id)
    expect((await call(host, 'history.openSweep', { id: imported.id })).result).toEqual(done)
  })

  it('refuses a sweep record of a newer version, or a malformed one, saying why', async () => {
    const text = await readFile(path.join(folder, `${id}.json`), 'utf8')
    const newer = text.replace('"payload":{"version":1,', '"payload":{"version":2,')
    expect(newer).not.toBe(text)
    const imported = await call(host, 'history.import', { text: newer })
    expect(await refusal(host, 'history.openSweep', { id: imported.id })).toBe(
      'this sweep record cannot be opened: it was written by a newer PoolScope (sweep result version 2; this one reads up to 1)'
    )
    const broken = text.replace('"points":[', '"points":7,"was":[')
    const malformed = await call(host, 'history.import', { text: broken })
    expect(await refusal(host, 'history.openSweep', { id: malformed.id })).toMatch(
      /^this sweep record cannot be opened: points: /
    )
    expect(() => decodeSweepRecord({ ...done, status: 'running' })).toThrow(
      'this sweep record cannot be opened: it holds a sweep that had not ended'
    )
    // A run opened as a sweep is refused with the command that opens it.
    const { jobId } = await call(host, 'job.start', { spec: { ...BUSY_WAIT, threads: 1 } })
    await call(host, 'job.cancel', { jobId })
    await host.history?.idle()
    const run = (await call(host, 'history.list', {})).entries.find((e) => e.kind === 'run')!
    expect(await refusal(host, 'history.openSweep', { id: run.id })).toBe(
      `record ${run.id} is a run, not a sweep; open it with history.open`
    )
  })
})

describe('sweep record payloads', () => {
  it('names both back ends, and has no serial fraction when nothing was fitted', () => {
    const base = {
      version: 1,
      sweepId: 'sweep-1',
      status: 'failed',
      message: 'the job failed',
      spec: { workload: 'busy_wait', style: 'map', backend: 'threads' },
      options: {
        threads: [1, 2, 4],
        backends: ['threads', 'processes'],
        repeat: 5,
        maxRepeat: 30,
        maxSeconds: 60,
        seed: 1,
        keepResults: false
      },
      startedAt: 5,
      elapsedMs: 10,
      runsDone: 0,
      points: [],
      analysis: [{ backend: 'threads', result: null, error: 'no 1-thread point' }]
    } as unknown as SweepResult
    expect(sweepRecordName(base)).toBe('busy_wait map sweep, 1, 2, 4 on threads and processes')
    // 32 thread counts, scaled, both back ends: named by the ends, within a name's 200 characters.
    const many = Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 8 * i))
    const long = { ...base, options: { ...base.options, threads: many, scaled: true } } as SweepResult
    expect(sweepRecordName(long)).toBe(
      'busy_wait map scaled sweep, 1–248 (32 thread counts) on threads and processes'
    )
    expect(sweepRecordFacts(base)).toMatchObject({
      backends: 'threads, processes',
      tasks: null,
      points: 0,
      serialFraction: null,
      status: 'failed'
    })
  })

  it('refuses a running sweep and a payload that is not a sweep', () => {
    expect(() => decodeSweepRecord({ version: 1 })).toThrow(/^this sweep record cannot be opened: sweepId: /)
    expect(() => decodeSweepRecord(null)).toThrow(/^this sweep record cannot be opened: its payload: /)
  })
})
