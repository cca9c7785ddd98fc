import { describe, expect, it } from 'vitest'
import type { TimingBatch } from '../../src/shared/protocol'
import {
  base64ToBytes,
  bytesToBase64,
  decodeRequest,
  decodeServerMessage,
  encodeServerFrame,
  encodeWire,
  isWireEvent,
  parseWire,
  salvageRequestId,
  WireError
} from '../../src/shared/wire'

function timingBatch(): TimingBatch {
  return {
    jobId: 'job-1',
    task: Int32Array.from([0, 1, 2, -5]),
    start: Float64Array.from([0, 0.125, 1.5, Number.MAX_VALUE]),
    end: Float64Array.from([1.25, 2.5, Math.PI, -0]),
    lane: Uint16Array.from([0, 1, 65535, 3]),
    cpu: Int16Array.from([0, -1, 1, 32767]),
    tid: Int32Array.from([1234, -1, 5678, 2 ** 31 - 1])
  }
}

describe('wire codec', () => {
  it('round-trips a timing batch event with every typed array as the same class and values', () => {
    const batch = timingBatch()
    const text = encodeWire({ event: { type: 'job.timings', payload: batch } })
    const decoded = decodeServerMessage(text)
    expect(isWireEvent(decoded)).toBe(true)
    if (!isWireEvent(decoded) || decoded.event.type !== 'job.timings') throw new Error('not a timings event')
    const payload = decoded.event.payload
    expect(payload.jobId).toBe('job-1')
    for (const key of ['task', 'start', 'end', 'lane', 'cpu', 'tid'] as const) {
      expect(payload[key].constructor).toBe(batch[key].constructor)
      expect(Array.from(payload[key])).toEqual(Array.from(batch[key]))
    }
  })

  it('packs typed arrays as base64 instead of number lists', () => {
    const text = encodeWire({ id: 1, outcome: { ok: true, result: timingBatch() } })
    expect(text).toContain('{"$ta":"Float64Array","b64":"')
    expect(text).not.toContain('3.14159')
  })

  it('encodes a typed array view by its own bytes, not its whole buffer', () => {
    const whole = Int32Array.from([1, 2, 3, 4, 5])
    const decoded = parseWire(encodeWire({ id: 1, name: 'x', params: { view: whole.subarray(1, 3) } }))
    const view = (decoded as { params: { view: Int32Array } }).params.view
    expect(view).toBeInstanceOf(Int32Array)
    expect(Array.from(view)).toEqual([2, 3])
  })

  it('round-trips empty typed arrays and every padding length of base64', () => {
    for (let length = 0; length < 8; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 13) & 255)
      expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).toEqual(Array.from(bytes))
    }
    expect(bytesToBase64(Uint8Array.from([102, 111, 111, 98]))).toBe('Zm9vYg==')
  })

  it('decodes a well-formed request and defaults missing params to an empty object', () => {
    expect(decodeRequest('{"id":7,"name":"engine.info","params":{}}')).toEqual({
      id: 7,
      name: 'engine.info',
      params: {}
    })
    expect(decodeRequest('{"id":"a1","name":"job.list"}')).toEqual({ id: 'a1', name: 'job.list', params: {} })
  })

  it.each([
    ['not JSON', '{"id": 1, name', /valid JSON/],
    ['an array', '[1, 2]', /must be an object/],
    ['no id', '{"name":"engine.info"}', /needs "id"/],
    ['a negative id', '{"id":-1,"name":"engine.info"}', /request id/],
    ['a fractional id', '{"id":1.5,"name":"engine.info"}', /request id/],
    ['a non-string name', '{"id":1,"name":42}', /request name/],
    ['an extra key', '{"id":1,"name":"engine.info","extra":true}', /unexpected key "extra"/]
  ])('refuses a request that is %s with a clear error', (_what, text, message) => {
    expect(() => decodeRequest(text)).toThrow(WireError)
    expect(() => decodeRequest(text)).toThrow(message)
  })

  it('answers a request refused for a reserved key under its own id', () => {
    const text = '{"id":41,"name":"job.list","params":{},"$ta":"Float64Array"}'
    expect(() => decodeRequest(text)).toThrow(WireError)
    expect(salvageRequestId(text)).toBe(41)
    expect(salvageRequestId('{"id":"q","$ta":{"$ta":"Nope"}}')).toBe('q')
  })

  it('quotes at most a short excerpt of an unexpected key', () => {
    const key = 'k'.repeat(100_000)
    let message = ''
    try {
      decodeRequest(JSON.stringify({ id: 1, name: 'job.list', [key]: 1 }))
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/unexpected key "kkk/)
    expect(message).toContain('(100002 characters)')
    expect(message.length).toBeLessThan(150)
  })

  it('refuses non-text messages', () => {
    expect(() => decodeRequest(new Uint8Array([123, 125]))).toThrow(/JSON text/)
  })

  it('refuses malformed host messages', () => {
    expect(() => decodeServerMessage('{"id":1}')).toThrow(/needs "outcome"/)
    expect(() => decodeServerMessage('{"id":1,"outcome":{"ok":"yes"}}')).toThrow(/outcome must be/)
    expect(() => decodeServerMessage('{"id":1,"outcome":{"ok":false,"error":"boom"}}')).toThrow(
      /code, message/
    )
    expect(() => decodeServerMessage('{"event":{"type":"toString","payload":{}}}')).toThrow(
      /unknown event type/
    )
    expect(() => decodeServerMessage('{"event":{"type":"job.progress","payload":null}}')).toThrow(/payload/)
  })

  it("keeps an error's field path", () => {
    const text =
      '{"id":1,"outcome":{"ok":false,"error":{"code":"INVALID_SPEC","message":"m","path":["inputs","args",3]}}}'
    expect(decodeServerMessage(text)).toEqual({
      id: 1,
      outcome: { ok: false, error: { code: 'INVALID_SPEC', message: 'm', path: ['inputs', 'args', 3] } }
    })
  })

  it('refuses an error whose path is not a list of field names and indexes', () => {
    const text =
      '{"id":1,"outcome":{"ok":false,"error":{"code":"INVALID_SPEC","message":"m","path":[{"a":1}]}}}'
    expect(() => decodeServerMessage(text)).toThrow(/"path" must be a list/)
  })

  it('refuses a typed array name outside the allow-list, even a real global', () => {
    for (const name of ['DataView', 'Function', 'Object', 'constructor', '__proto__', 'Array']) {
      const text = JSON.stringify({ id: 1, name: 'x', params: { $ta: name, b64: 'AAAAAA==' } })
      expect(() => decodeRequest(text)).toThrow(/unknown typed array/)
    }
  })

  it('refuses bad typed array payloads', () => {
    const request = (value: unknown) => JSON.stringify({ id: 1, name: 'x', params: value })
    expect(() => decodeRequest(request({ $ta: 'Int32Array', b64: 'AAA' }))).toThrow(/multiple of 4/)
    expect(() => decodeRequest(request({ $ta: 'Int32Array', b64: 'AA*A' }))).toThrow(/invalid character/)
    expect(() => decodeRequest(request({ $ta: 'Int32Array', b64: 'AAA=' }))).toThrow(/multiple of 4 bytes/)
    expect(() => decodeRequest(request({ $ta: 'Int32Array', b64: 5 }))).toThrow(/must be a string/)
    expect(() => decodeRequest(request({ $ta: 'Int32Array', b64: '', more: 1 }))).toThrow(/nothing else/)
  })

  it('refuses to send values the other side could not read back', () => {
    expect(() => encodeWire({ id: 1, name: 'x', params: { big: 1n } })).toThrow(/BigInt/)
    expect(() => encodeWire({ id: 1, name: 'x', params: { $ta: 'Int32Array' } })).toThrow(/\$ta/)
    expect(() => encodeWire({ id: 1, name: 'x', params: new DataView(new ArrayBuffer(4)) })).toThrow(
      /typed arrays/
    )
  })

  it('drops __proto__ keys so decoded messages cannot pollute prototypes', () => {
    const text =
      '{"id":1,"name":"job.start","params":{"__proto__":{"polluted":true},"spec":{"__proto__":{"x":1}}}}'
    const request = decodeRequest(text)
    const params = request.params as Record<string, unknown>
    expect(Object.prototype.hasOwnProperty.call(params, '__proto__')).toBe(false)
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(params.spec)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.assign({}, params).polluted).toBeUndefined()
  })
})

/** Builds a binary frame by hand: magic, header length, header, padding, payload. */
function frameOf(header: string, payload: Uint8Array = new Uint8Array(0), magic = 'PSB1'): Uint8Array {
  const headerBytes = new TextEncoder().encode(header)
  const payloadStart = Math.ceil((8 + headerBytes.length) / 8) * 8
  const frame = new Uint8Array(payloadStart + payload.length)
  frame.set(new TextEncoder().encode(magic), 0)
  new DataView(frame.buffer).setUint32(4, headerBytes.length, true)
  frame.set(headerBytes, 8)
  frame.set(payload, payloadStart)
  return frame
}

const timingsEvent = (payload: TimingBatch) => ({ event: { type: 'job.timings' as const, payload } })

describe('binary frames', () => {
  it('round-trips a timing batch event as one binary frame with every class and value intact', () => {
    const batch = timingBatch()
    const frame = encodeServerFrame(timingsEvent(batch))
    expect(frame).toBeInstanceOf(Uint8Array)
    const decoded = decodeServerMessage(frame)
    if (!isWireEvent(decoded) || decoded.event.type !== 'job.timings') throw new Error('not a timings event')
    for (const key of ['task', 'start', 'end', 'lane', 'cpu', 'tid'] as const) {
      expect(decoded.event.payload[key].constructor).toBe(batch[key].constructor)
      expect(Array.from(decoded.event.payload[key])).toEqual(Array.from(batch[key]))
    }
    expect(decoded.event.payload.jobId).toBe('job-1')
  })

  it('views the payload in place instead of copying it', () => {
    const frame = encodeServerFrame(timingsEvent(timingBatch())) as Uint8Array<ArrayBuffer>
    const decoded = decodeServerMessage(frame.buffer)
    if (!isWireEvent(decoded) || decoded.event.type !== 'job.timings') throw new Error('not a timings event')
    expect(decoded.event.payload.start.buffer).toBe(frame.buffer)
    expect(decoded.event.payload.start.byteOffset % 8).toBe(0)
  })

  it('reads a frame that sits at an unaligned offset of a larger buffer, as Node may deliver it', () => {
    const frame = encodeServerFrame(timingsEvent(timingBatch())) as Uint8Array
    const pooled = new Uint8Array(frame.length + 3)
    pooled.set(frame, 3)
    const decoded = decodeServerMessage(pooled.subarray(3))
    if (!isWireEvent(decoded) || decoded.event.type !== 'job.timings') throw new Error('not a timings event')
    expect(Array.from(decoded.event.payload.end)).toEqual(Array.from(timingBatch().end))
  })

  it('round-trips empty arrays, typed array subviews and a large batch', () => {
    const whole = Float64Array.from({ length: 200_000 }, (_, i) => i / 3)
    const frame = encodeServerFrame({
      id: 5,
      outcome: { ok: true, result: { empty: new Int16Array(0), view: whole.subarray(7, 100_007) } as never }
    })
    const decoded = decodeServerMessage(frame)
    if (isWireEvent(decoded) || !decoded.outcome.ok) throw new Error('not a success response')
    const result = decoded.outcome.result as unknown as { empty: Int16Array; view: Float64Array }
    expect(result.empty).toEqual(new Int16Array(0))
    expect(result.view.length).toBe(100_000)
    expect(result.view[0]).toBe(7 / 3)
    expect(result.view[99_999]).toBe(100_006 / 3)
  })

  it('keeps messages without typed arrays as JSON text', () => {
    const message = { id: 1, outcome: { ok: true as const, result: { total: 0, rows: [] } as never } }
    expect(encodeServerFrame(message)).toBe(encodeWire(message))
  })

  it.each([
    ['too short for its prefix', new Uint8Array([0x50, 0x53, 0x42]), /start with "PSB1"/],
    ['a wrong magic', frameOf('{}', undefined, 'XSB1'), /start with "PSB1"/],
    [
      'a header length past the end',
      (() => {
        const frame = frameOf('{}')
        new DataView(frame.buffer).setUint32(4, 1000, true)
        return frame
      })(),
      /does not fit/
    ],
    ['a header that is not JSON', frameOf('{"event":'), /valid JSON/],
    ['a header that is not UTF-8', frameOf('\u0000').fill(0xff, 8, 9), /UTF-8/],
    [
      'an unknown array class',
      frameOf('{"id":1,"outcome":{"ok":true,"result":{"$ta":"DataView","at":0,"n":0}}}'),
      /unknown typed array/
    ],
    [
      'a reference with extra keys',
      frameOf('{"id":1,"outcome":{"ok":true,"result":{"$ta":"Int32Array","at":0,"n":0,"b64":""}}}'),
      /"at": offset, "n": length/
    ],
    [
      'a negative length',
      frameOf('{"id":1,"outcome":{"ok":true,"result":{"$ta":"Int32Array","at":0,"n":-1}}}'),
      /whole, non-negative/
    ],
    [
      'an unaligned offset',
      frameOf('{"id":1,"outcome":{"ok":true,"result":{"$ta":"Int8Array","at":3,"n":1}}}', new Uint8Array(16)),
      /multiple of 8/
    ],
    [
      'an array running past the payload',
      frameOf(
        '{"id":1,"outcome":{"ok":true,"result":{"$ta":"Float64Array","at":8,"n":2}}}',
        new Uint8Array(16)
      ),
      /runs past the end/
    ],
    [
      'overlapping arrays',
      frameOf(
        '{"id":1,"outcome":{"ok":true,"result":{"a":{"$ta":"Int32Array","at":0,"n":4},"b":{"$ta":"Int32Array","at":8,"n":2}}}}',
        new Uint8Array(16)
      ),
      /must not overlap/
    ],
    ['a valid frame of a bad message', frameOf('{"id":1}'), /needs "outcome"/]
  ])('refuses a binary frame with %s', (_what, frame, message) => {
    expect(() => decodeServerMessage(frame)).toThrow(WireError)
    expect(() => decodeServerMessage(frame)).toThrow(message)
  })

  it('drops __proto__ keys in frame headers', () => {
    const decoded = decodeServerMessage(
      frameOf('{"id":1,"outcome":{"ok":true,"result":{"__proto__":{"polluted":true}}}}')
    )
    if (isWireEvent(decoded) || !decoded.outcome.ok) throw new Error('not a success response')
    expect(Object.prototype.hasOwnProperty.call(decoded.outcome.result, '__proto__')).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses to send what it could not read back', () => {
    const event = { event: { type: 'job.timings', payload: { a: new Int32Array(1), big: 1n } } }
    expect(() => encodeServerFrame(event as never)).toThrow(/BigInt/)
  })
})
