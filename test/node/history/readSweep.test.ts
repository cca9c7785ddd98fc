import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/main/history/historyStore'
import { EngineHost } from '../../../src/main/host/engineHost'
import { checkPayload } from '../../../src/shared/payloads'
import { workerFile } from '../../paths'
import { around, fixtureResult } from '../renderer/sweepFixture'

/** `history.read`: a saved sweep comes back as it was saved, checked; anything else is refused. */
describe('history.read', () => {
  let folder: string
  let store: HistoryStore
  let host: EngineHost

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-read-'))
    store = await HistoryStore.open(folder)
    host = new EngineHost({ workerFile, hardwareThreads: 2, history: store })
  })
  afterEach(async () => {
    await host.dispose()
    await rm(folder, { recursive: true, force: true })
  })

  it('returns a sweep record’s result with its name and date', async () => {
    const sweep = fixtureResult([
      { threads: 1, samples: around(200) },
      { threads: 2, samples: around(110) }
    ])
    const header = await store.save('sweep', 'busy_wait 1–2', { kind: 'sweep' }, sweep)
    const outcome = await host.call('history.read', { id: header.id })
    expect(outcome.ok).toBe(true)
    if (!outcome.ok) return
    expect(outcome.result).toEqual({ id: header.id, name: 'busy_wait 1–2', savedAt: header.savedAt, sweep })
    // What the page's transport checks on arrival.
    expect(() => checkPayload('result', 'history.read', outcome.result)).not.toThrow()
  })

  it('refuses a run record, and says how runs open', async () => {
    const header = await store.save('run', 'a run', {}, { anything: 1 })
    const outcome = await host.call('history.read', { id: header.id })
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.error.message).toBe(
      `record ${header.id} is a run, not a sweep; runs open with history.open`
    )
  })

  it('refuses a sweep record whose payload is not a sweep result, naming the field', async () => {
    const sweep = fixtureResult([{ threads: 1, samples: around(200) }])
    const header = await store.save('sweep', 'broken', {}, { ...sweep, points: 'none' })
    const outcome = await host.call('history.read', { id: header.id })
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.error.message).toMatch(
      new RegExp(`^record ${header.id} holds no sweep result this PoolScope can read: points: `)
    )
  })
})
