import { afterEach, describe, expect, it } from 'vitest'
import { connect as connectTcp } from 'node:net'
import type WebSocket from 'ws'
import { encodeWire } from '../../../src/shared/wire/json'
import { decodeServerMessage } from '../../../src/shared/wire/messages'
import type { EngineEvent, JobSummary } from '../../../src/shared/protocol'
import {
  closed,
  connect,
  connectOpen,
  nextFinished,
  nextMessage,
  startEngineHarness,
  startHarness,
  type Harness
} from './harness'

/**
 * An event of about `bytes` bytes on the wire, tagged by its job id: a summary whose message is
 * padded (the web host forwards events as they come; only their size matters here).
 */
function bulkyEvent(jobId: string, bytes: number): EngineEvent {
  const payload = { jobId, message: 'x'.repeat(bytes) } as unknown as JobSummary
  return { type: 'job.finished', payload }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('web host connection policy', () => {
  let h: Harness | undefined
  const sockets: WebSocket[] = []
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate()
    await h?.close()
    h = undefined
  })

  async function open(harness: Harness): Promise<WebSocket> {
    const ws = await connectOpen(harness.wsUrl, harness.origin)
    sockets.push(ws)
    return ws
  }

  it('cuts off a client that does not read, while a reading client keeps getting events', async () => {
    const harness = (h = await startHarness({ maxBufferedBytes: 4 * 2 ** 20 }))
    const reader = await open(harness)
    const stalled = await open(harness)
    const seenByStalled: string[] = []
    stalled.on('message', (data, isBinary) => {
      const message = decodeServerMessage(isBinary ? new Uint8Array(data as Buffer) : String(data))
      if ('event' in message && 'jobId' in message.event.payload)
        seenByStalled.push(message.event.payload.jobId)
    })
    ;(stalled as unknown as { _socket: { pause(): void } })._socket.pause()

    // 2.6 MB a message: the stalled client's kernel buffers fill within a few.
    let cutAt = -1
    for (let i = 0; i < 60 && cutAt === -1; i++) {
      const arrived = nextMessage(reader)
      harness.host.emit(bulkyEvent(`e${i}`, 2_600_000))
      await arrived
      await turn()
      if (harness.web.connectionCount === 1) cutAt = i
    }
    expect(cutAt).toBeGreaterThan(0)

    const last = nextMessage(reader)
    harness.host.emit(bulkyEvent('after', 10))
    expect(decodeServerMessage(await last)).toMatchObject({ event: { payload: { jobId: 'after' } } })

    const stalledClosed = closed(stalled)
    ;(stalled as unknown as { _socket: { resume(): void } })._socket.resume()
    await stalledClosed
    // Whatever reached it was sent before the cut: nothing from the event that would have pushed it over, or later.
    const indices = seenByStalled.map((id) => Number(id.slice(1)))
    expect(indices.every((index) => index < cutAt)).toBe(true)
    expect(seenByStalled).not.toContain('after')
  })

  it('answers a reply larger than a client may have waiting with a typed error, and keeps the client', async () => {
    const harness = (h = await startHarness({ maxBufferedBytes: 64 * 1024 }))
    harness.host.call = async () => ({ ok: true, result: { text: 'x'.repeat(100_000) } }) as never
    const ws = await open(harness)
    const reply = nextMessage(ws)
    ws.send(encodeWire({ id: 5, name: 'job.results', params: {} }))
    const message = decodeServerMessage(await reply)
    expect(message).toMatchObject({ id: 5, outcome: { ok: false, error: { code: 'INVALID_COMMAND' } } })
    if ('outcome' in message && !message.outcome.ok) {
      expect(message.outcome.error.message).toMatch(/more than the 0\.1 MiB a client may have waiting/)
    }
    expect(harness.web.connectionCount).toBe(1)
  })

  it('refuses a WebSocket beyond the connection cap with 503, and admits one when a slot frees', async () => {
    const harness = (h = await startHarness({ maxConnections: 2 }))
    const first = await open(harness)
    await open(harness)
    expect(await connect(harness.wsUrl, harness.origin)).toEqual({ status: 503 })
    first.close()
    await expect.poll(() => harness.web.connectionCount).toBe(1)
    sockets.push(await connectOpen(harness.wsUrl, harness.origin))
  })

  it('terminates a client that stops answering pings', async () => {
    const harness = (h = await startHarness({ heartbeatIntervalMs: 40 }))
    const result = await connect(harness.wsUrl, harness.origin)
    if (!('ws' in result)) throw new Error('refused')
    const silent = result.ws
    sockets.push(silent)
    // ws answers pings by itself; replacing pong with nothing makes this client a dead peer.
    silent.pong = () => undefined
    expect(await closed(silent)).toBe(1006)
    await expect.poll(() => harness.web.connectionCount).toBe(0)
  })

  it('keeps a client that answers pings across many heartbeats', async () => {
    const harness = (h = await startHarness({ heartbeatIntervalMs: 20 }))
    const ws = await open(harness)
    let pings = 0
    await new Promise<void>((resolve) =>
      ws.on('ping', () => {
        if (++pings === 8) resolve()
      })
    )
    expect(harness.web.connectionCount).toBe(1)
  })

  it('closes an HTTP connection that sends nothing within the idle timeout', async () => {
    const harness = (h = await startHarness({ idleTimeoutMs: 100 }))
    const started = Date.now()
    const socket = connectTcp(harness.web.port, '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
  })
})

describe('web host with a job and no client', () => {
  let h: Harness<Awaited<ReturnType<typeof startEngineHarness>>['host']> | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it('cancels the running job once its last client has been gone for the grace period, saying why', async () => {
    const harness = (h = await startEngineHarness({ disconnectGraceMs: 50 }))
    const ws = await connectOpen(harness.wsUrl, harness.origin)
    const started = nextMessage(ws)
    ws.send(
      encodeWire({
        id: 1,
        name: 'job.start',
        params: {
          spec: {
            workload: 'combinations_n',
            style: 'starmap',
            threads: 2,
            keep: 'count',
            inputs: { kind: 'recipe', elements: Array.from({ length: 40 }, (_, i) => i), n: [6], tasks: 64 }
          }
        }
      })
    )
    expect(decodeServerMessage(await started)).toMatchObject({ id: 1, outcome: { ok: true } })
    const finished = nextFinished(harness.host)
    ws.close()
    const summary = await finished
    expect(summary.status).toBe('cancelled')
    expect(summary.message).toMatch(
      /^cancelled: no client was connected for 0\.05 s: \d+ of 64 tasks completed/
    )
  })
})
