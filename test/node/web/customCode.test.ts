import { afterEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { isolationUnavailableReason } from '../../../src/main/engine/backends/processes/permissions'
import { codeStartupLine, webCodePolicy } from '../../../src/main/web/codePolicy'
import { encodeWire } from '../../../src/shared/wire/json'
import { decodeServerMessage } from '../../../src/shared/wire/messages'
import type { CommandOutcome, JobSummary } from '../../../src/shared/protocol'
import { connectOpen, nextFinished, startEngineHarness, type Harness } from './harness'

type EngineHarness = Harness<Awaited<ReturnType<typeof startEngineHarness>>['host']>

const CUSTOM = {
  workload: 'custom',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', tasks: 3 },
  code: '(i) => [[i, "sq", i * i]]'
}

let nextId = 1
/** Sends one command over the socket and decodes its answer (events that come first are passed over). */
async function command(ws: WebSocket, name: string, params: unknown): Promise<CommandOutcome> {
  const id = nextId++
  const answer = new Promise<CommandOutcome>((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      const message = decodeServerMessage(isBinary ? new Uint8Array(data) : data.toString())
      if ('outcome' in message && message.id === id) {
        ws.off('message', onMessage)
        resolve(message.outcome)
      }
    }
    ws.on('message', onMessage)
  })
  ws.send(encodeWire({ id, name, params }))
  return answer
}

describe('custom code through the web host', () => {
  let h: EngineHarness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it('refuses custom code unless the host was started with --allow-code, and says so in engine.info', async () => {
    const harness = (h = await startEngineHarness({}, { customCode: webCodePolicy(false) }))
    const ws = await connectOpen(harness.wsUrl, harness.origin)
    const info = await command(ws, 'engine.info', {})
    expect(info).toMatchObject({
      ok: true,
      result: {
        customCode: {
          allowed: false,
          backends: [],
          preferred: null,
          isolation: 'this web host does not run custom code; start it with --allow-code'
        }
      }
    })
    for (const backend of ['threads', 'processes']) {
      expect(await command(ws, 'job.start', { spec: { ...CUSTOM, backend } })).toEqual({
        ok: false,
        error: {
          code: 'INVALID_SPEC',
          message: 'this web host does not run custom code; start it with --allow-code',
          path: ['code']
        }
      })
    }
    // Other jobs run as before.
    const finished = nextFinished(harness.host)
    const started = await command(ws, 'job.start', {
      spec: { workload: 'busy_wait', style: 'map', threads: 2, inputs: { kind: 'recipe', ms: [0], tasks: 2 } }
    })
    expect(started.ok).toBe(true)
    expect((await finished).status).toBe('done')
    expect(codeStartupLine(harness.host.engine.customCodeInfo(), false)).toMatch(
      /^Custom code is refused: start with --allow-code/
    )
  })

  it.skipIf(isolationUnavailableReason() !== null)(
    'with --allow-code runs custom code on processes only, under the permission model',
    async () => {
      const harness = (h = await startEngineHarness({}, { customCode: webCodePolicy(true) }))
      const ws = await connectOpen(harness.wsUrl, harness.origin)
      const info = await command(ws, 'engine.info', {})
      expect(info).toMatchObject({
        ok: true,
        result: {
          customCode: {
            allowed: true,
            backends: ['processes'],
            preferred: 'processes',
            isolation: expect.stringMatching(
              /^Custom code runs only in child processes under Node’s permission model: no file writes/
            )
          }
        }
      })
      expect(await command(ws, 'job.start', { spec: { ...CUSTOM, backend: 'threads' } })).toEqual({
        ok: false,
        error: {
          code: 'INVALID_SPEC',
          message:
            'custom code runs here only on processes, where Node’s permission model isolates it; choose the processes back end',
          path: ['backend']
        }
      })
      const finished = nextFinished(harness.host)
      const started = await command(ws, 'job.start', { spec: { ...CUSTOM, backend: 'processes' } })
      expect(started.ok).toBe(true)
      const summary: JobSummary = await finished
      expect(summary).toMatchObject({ status: 'done', tasksDone: 3 })
      const page = await command(ws, 'job.results', { jobId: summary.jobId, offset: 0, limit: 3 })
      expect(
        page.ok && (page.result as { rows: { preview: string[] }[] }).rows.map((row) => row.preview)
      ).toEqual([["(0, 'sq', 0)"], ["(1, 'sq', 1)"], ["(2, 'sq', 4)"]])
      expect(codeStartupLine(harness.host.engine.customCodeInfo(), true)).toMatch(
        /^Custom code is allowed \(--allow-code\)\. Custom code runs only in child processes/
      )
    },
    60_000
  )
})
