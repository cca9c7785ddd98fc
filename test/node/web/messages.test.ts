import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { MAX_PAYLOAD_BYTES } from '../../../src/main/web/server'
import { encodeWire } from '../../../src/shared/wire/json'
import { decodeServerMessage } from '../../../src/shared/wire/messages'
import { connect, nextMessage, startHarness, type Harness } from './harness'

describe('web host messages', () => {
  let h: Harness
  let ws: WebSocket
  beforeEach(async () => {
    h = await startHarness()
    const result = await connect(`ws://127.0.0.1:${h.web.port}/ws?token=${h.web.token}`, h.origin)
    if (!('ws' in result)) throw new Error(`refused with ${result.status}`)
    ws = result.ws
  })
  afterEach(async () => {
    ws.terminate()
    await h.close()
  })

  async function request(text: string) {
    const reply = nextMessage(ws)
    ws.send(text)
    return decodeServerMessage(await reply)
  }

  it('round-trips a command: the host gets name and params, the client gets the outcome with its id', async () => {
    const reply = await request(encodeWire({ id: 41, name: 'engine.info', params: {} }))
    expect(reply).toEqual({ id: 41, outcome: { ok: true, result: { hardwareThreads: 2 } } })
    expect(h.host.calls).toEqual([{ name: 'engine.info', params: {} }])
  })

  it('passes error outcomes through unchanged', async () => {
    const reply = await request(encodeWire({ id: 'x', name: 'toString', params: {} }))
    expect(reply).toEqual({
      id: 'x',
      outcome: { ok: false, error: { code: 'UNKNOWN_COMMAND', message: 'unknown command toString' } }
    })
  })

  it('pushes host events to connected clients as JSON text', async () => {
    const arrived = nextMessage(ws)
    const event = {
      type: 'job.progress' as const,
      payload: {
        jobId: 'j',
        tasksDone: 3,
        tasksFailed: 0,
        tasksTotal: 12,
        tuplesDone: 45,
        tuplesTotal: 60,
        elapsedMs: 10
      }
    }
    h.host.emit(event)
    const text = await arrived
    expect(typeof text).toBe('string')
    expect(decodeServerMessage(text)).toEqual({ event })
  })

  it('answers a command whose result holds typed arrays with a binary frame carrying its id', async () => {
    h.host.call = async (name) => {
      h.host.calls.push({ name, params: {} })
      return { ok: true, result: { jobId: 'j', task: Int32Array.from([7]) } } as never
    }
    const reply = nextMessage(ws)
    ws.send(encodeWire({ id: 12, name: 'job.timings', params: { jobId: 'j', offset: 0, limit: 1 } }))
    const frame = await reply
    expect(frame).toBeInstanceOf(Uint8Array)
    const message = decodeServerMessage(frame)
    expect(message).toMatchObject({ id: 12, outcome: { ok: true } })
    if ('outcome' in message && message.outcome.ok) {
      expect((message.outcome.result as { task: Int32Array }).task).toEqual(Int32Array.from([7]))
    }
  })

  it('answers malformed JSON with an error response and keeps the socket usable', async () => {
    const reply = await request('{"id": 3, "name": ')
    expect(reply).toMatchObject({ id: null, outcome: { ok: false, error: { code: 'INVALID_COMMAND' } } })
    expect(h.host.calls).toEqual([])
    const next = await request(encodeWire({ id: 4, name: 'engine.info', params: {} }))
    expect(next).toMatchObject({ id: 4, outcome: { ok: true } })
  })

  it('answers a badly shaped request with its id when it has one', async () => {
    const reply = await request('{"id": 9, "name": 5}')
    expect(reply).toMatchObject({ id: 9, outcome: { ok: false, error: { code: 'INVALID_COMMAND' } } })
    if ('outcome' in reply && !reply.outcome.ok) expect(reply.outcome.error.message).toMatch(/request name/)
  })

  it('refuses binary frames with an error response', async () => {
    const reply = nextMessage(ws)
    ws.send(Buffer.from('{"id":1,"name":"engine.info"}'))
    expect(decodeServerMessage(await reply)).toMatchObject({ id: null, outcome: { ok: false } })
    expect(h.host.calls).toEqual([])
  })

  it('closes a connection that sends more than the maximum payload', async () => {
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('x'.repeat(MAX_PAYLOAD_BYTES + 1))
    expect(await closed).toBe(1009)
  })

  it('stops listening to the host and closes sockets on close()', async () => {
    expect(h.host.listenerCount).toBe(1)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    await h.web.close()
    expect(await closed).toBe(1001)
    expect(h.host.listenerCount).toBe(0)
  })
})
