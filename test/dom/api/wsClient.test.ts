import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectWebSocket, ConnectionError } from '@renderer/api/wsClient'
import { PayloadError } from '../../../src/shared/payloads'
import { RemoteError, type CommandOutcome, type EngineEvent } from '../../../src/shared/protocol'
import { encodeServerFrame } from '../../../src/shared/wire/frames'
import { encodeWire } from '../../../src/shared/wire/json'
import { decodeRequest, type WireRequest } from '../../../src/shared/wire/messages'

/** A scripted stand-in for the browser WebSocket: the test plays the host. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static last: FakeSocket | undefined
  readyState = FakeSocket.CONNECTING
  readonly url: string
  readonly sent: WireRequest[] = []

  constructor(url: URL | string) {
    super()
    this.url = String(url)
    FakeSocket.last = this
  }

  send(text: string): void {
    this.sent.push(decodeRequest(text))
  }

  close(): void {
    this.drop(1000, '')
  }

  // Host side of the script.
  open(): void {
    this.readyState = FakeSocket.OPEN
    this.dispatchEvent(new Event('open'))
  }

  binaryType: BinaryType = 'blob'

  reply(data: string | ArrayBuffer): void {
    this.dispatchEvent(new MessageEvent('message', { data }))
  }

  drop(code: number, reason: string): void {
    this.readyState = FakeSocket.CLOSED
    this.dispatchEvent(new CloseEvent('close', { code, reason }))
  }
}

async function connected() {
  const api = connectWebSocket('ws://127.0.0.1:4000/ws', 'tok en')
  const socket = FakeSocket.last!
  socket.open()
  return { api: await api, socket }
}

describe('connectWebSocket', () => {
  beforeEach(() => {
    vi.stubGlobal('WebSocket', FakeSocket)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    FakeSocket.last = undefined
  })

  it('connects to the given URL with the token in the query when one is given', async () => {
    const { socket } = await connected()
    expect(socket.url).toBe('ws://127.0.0.1:4000/ws?token=tok+en')
  })

  it('connects to the bare URL without a token, leaving authorisation to the session cookie', async () => {
    const api = connectWebSocket('ws://127.0.0.1:4000/ws')
    FakeSocket.last!.open()
    await api
    expect(FakeSocket.last!.url).toBe('ws://127.0.0.1:4000/ws')
  })

  it('rejects with a clear message when the host refuses the connection', async () => {
    const api = connectWebSocket('ws://127.0.0.1:4000/ws', 'wrong')
    FakeSocket.last!.drop(1006, '')
    await expect(api).rejects.toThrow(ConnectionError)
    await expect(api).rejects.toThrow(
      /^the web host refused the connection: open the exact address it printed, with its \?token=\./
    )
  })

  it('sends named commands and resolves with the result of the matching response', async () => {
    const { api, socket } = await connected()
    const first = api.results('job-1', 0, 10)
    const second = api.cancelJob('job-1')
    expect(socket.sent).toEqual([
      { id: 1, name: 'job.results', params: { jobId: 'job-1', offset: 0, limit: 10 } },
      { id: 2, name: 'job.cancel', params: { jobId: 'job-1' } }
    ])
    socket.reply(encodeWire({ id: 2, outcome: { ok: true, result: { cancelled: true } } }))
    socket.reply(encodeWire({ id: 1, outcome: { ok: true, result: { total: 0, rows: [] } } }))
    await expect(second).resolves.toEqual({ cancelled: true })
    await expect(first).resolves.toEqual({ total: 0, rows: [] })
  })

  it('refuses a request past what the web host takes, saying so, and sends nothing', async () => {
    const { api, socket } = await connected()
    const text = 'x'.repeat(2 * 1024 * 1024)
    await expect(api.historyImport(text)).rejects.toThrow(
      'history.import: the request is 2.00 MiB; the web host takes at most 1.00 MiB in one request (the desktop app takes more)'
    )
    expect(socket.sent).toEqual([])
    // The connection stays usable.
    const next = api.cancelJob('job-1')
    expect(socket.sent).toHaveLength(1)
    socket.reply(encodeWire({ id: socket.sent[0].id, outcome: { ok: true, result: { cancelled: false } } }))
    await expect(next).resolves.toEqual({ cancelled: false })
  })

  it('rejects error outcomes with a RemoteError that keeps the code', async () => {
    const { api, socket } = await connected()
    const call = api.jobSummary('nope')
    socket.reply(
      encodeWire({ id: 1, outcome: { ok: false, error: { code: 'UNKNOWN_JOB', message: 'no job nope' } } })
    )
    const error = await call.catch((err: unknown) => err)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ code: 'UNKNOWN_JOB', message: 'no job nope' })
  })

  it('rejects a refused spec with a RemoteError that keeps the field path', async () => {
    const { api, socket } = await connected()
    const call = api.planJob({})
    const error = {
      code: 'INVALID_SPEC' as const,
      message: 'inputs.tasks: tasks must be at least 1',
      path: ['inputs', 'tasks']
    }
    socket.reply(encodeWire({ id: 1, outcome: { ok: false, error } }))
    const rejected = await call.catch((err: unknown) => err)
    expect(rejected).toBeInstanceOf(RemoteError)
    expect(rejected).toMatchObject({ code: 'INVALID_SPEC', path: ['inputs', 'tasks'] })
  })

  it('asks for binary frames as ArrayBuffers and decodes typed arrays in results from them', async () => {
    const { api, socket } = await connected()
    expect(socket.binaryType).toBe('arraybuffer')
    const call = api.timings('j', 0, 10)
    const batch = {
      jobId: 'j',
      task: Int32Array.from([1]),
      start: Float64Array.from([0.5]),
      end: Float64Array.from([1.5]),
      lane: Uint16Array.from([0]),
      cpu: Int16Array.from([-1]),
      tid: Int32Array.from([-1])
    }
    const frame = encodeServerFrame({
      id: 1,
      outcome: { ok: true, result: batch }
    }) as Uint8Array<ArrayBuffer>
    socket.reply(frame.buffer)
    const result = await call
    expect(result.start).toBeInstanceOf(Float64Array)
    expect(Array.from(result.end)).toEqual([1.5])
  })

  it('dispatches events to subscribers until they unsubscribe', async () => {
    const { api, socket } = await connected()
    const seen: EngineEvent[] = []
    const unsubscribe = api.onEvent((event) => seen.push(event))
    const event: EngineEvent = {
      type: 'job.progress',
      payload: {
        jobId: 'j',
        tasksDone: 1,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 15,
        tuplesTotal: 60,
        elapsedMs: 3
      }
    }
    socket.reply(encodeWire({ event }))
    unsubscribe()
    socket.reply(encodeWire({ event }))
    expect(seen).toEqual([event])
  })

  it('rejects a malformed reply, naming the command and the field, and keeps serving later calls', async () => {
    const { api, socket } = await connected()
    const bad = api.results('job-1', 0, 10)
    const good = api.cancelJob('job-1')
    const row = {
      task: 0,
      args: '(0, 1)',
      argsLength: 6,
      varying: '',
      lane: 0,
      durationMs: 0.01,
      status: 'done',
      count: 1,
      kept: 1,
      preview: []
    }
    const malformed = { ok: true, result: { total: 1, rows: [{ ...row, error: 7 }] } }
    socket.reply(encodeWire({ id: 1, outcome: malformed as unknown as CommandOutcome }))
    socket.reply(encodeWire({ id: 2, outcome: { ok: true, result: { cancelled: false } } }))
    const error = await bad.catch((err: unknown) => err)
    expect(error).toBeInstanceOf(PayloadError)
    expect(error).toMatchObject({
      message:
        "the host's reply to job.results is malformed at rows.0.error: expected string, received number",
      path: ['rows', 0, 'error']
    })
    await expect(good).resolves.toEqual({ cancelled: false })
  })

  it('rejects a timing batch whose columns are not the typed arrays they should be', async () => {
    const { api, socket } = await connected()
    const call = api.timings('j', 0, 10)
    const batch = {
      jobId: 'j',
      task: Int32Array.from([1]),
      start: Float64Array.from([0.5]),
      end: Float32Array.from([1.5]),
      lane: Uint16Array.from([0]),
      cpu: Int16Array.from([-1]),
      tid: Int32Array.from([-1])
    }
    const malformed = { ok: true, result: batch } as unknown as CommandOutcome
    const frame = encodeServerFrame({ id: 1, outcome: malformed }) as Uint8Array<ArrayBuffer>
    socket.reply(frame.buffer)
    await expect(call).rejects.toThrow(
      "the host's reply to job.timings is malformed at end: expected Float64Array"
    )
  })

  it('drops and reports a malformed event, and delivers the next good one', async () => {
    const { api, socket } = await connected()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const seen: EngineEvent[] = []
    api.onEvent((event) => seen.push(event))
    const payload = {
      jobId: 'j',
      tasksDone: 1,
      tasksFailed: 0,
      tasksTotal: 4,
      tuplesDone: 15,
      tuplesTotal: 60,
      elapsedMs: 3
    }
    const malformed = { type: 'job.progress', payload: { ...payload, tuplesDone: null } }
    socket.reply(encodeWire({ event: malformed as unknown as EngineEvent }))
    socket.reply(encodeWire({ event: { type: 'job.progress', payload } }))
    expect(seen).toEqual([{ type: 'job.progress', payload }])
    expect(errors).toHaveBeenCalledExactlyOnceWith(
      'PoolScope: dropped an event from the host:',
      "the host's job.progress event is malformed at tuplesDone: expected number, received null"
    )
    errors.mockRestore()
  })

  it('rejects pending and later calls when the connection drops', async () => {
    const { api, socket } = await connected()
    const pending = api.info()
    socket.drop(1001, 'PoolScope is shutting down')
    await expect(pending).rejects.toThrow(ConnectionError)
    await expect(pending).rejects.toThrow(/connection to the PoolScope web host was lost.*shutting down/)
    await expect(api.listJobs()).rejects.toThrow(/was lost/)
  })

  it('ignores malformed host messages without breaking later calls', async () => {
    const { api, socket } = await connected()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const call = api.listJobs()
    socket.reply('{not json')
    socket.reply(encodeWire({ id: 1, outcome: { ok: true, result: [] } }))
    await expect(call).resolves.toEqual([])
    expect(errors).toHaveBeenCalledTimes(1)
  })
})
