import { describe, expect, it } from 'vitest'
import { WireError } from '../../../../src/shared/wire/errors'
import {
  decodeRequest,
  decodeServerMessage,
  isWireEvent,
  salvageRequestId
} from '../../../../src/shared/wire/messages'

describe('message shapes', () => {
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
    expect(() => decodeRequest(text)).toThrow(/unexpected key "\$ta"/)
    expect(salvageRequestId(text)).toBe(41)
    expect(salvageRequestId('{"id":"q","$ta":{"$ta":"Nope"}}')).toBe('q')
  })

  it('reads a "$ta" object in a text message as a plain object, never as a typed array', () => {
    const params = { spec: { $ta: 'Float64Array', b64: 'AAAAAAAA8D8=' } }
    const request = decodeRequest(JSON.stringify({ id: 1, name: 'job.start', params }))
    expect(ArrayBuffer.isView((request.params as typeof params).spec)).toBe(false)
    expect(request.params).toEqual(params)
    // In a host message it is shape-checked like any other key: refused where the shape has no room.
    expect(() => decodeServerMessage('{"$ta":"Float64Array","b64":"AAAAAAAA8D8="}')).toThrow(/needs "id"/)
    const decoded = decodeServerMessage(
      '{"event":{"type":"job.progress","payload":{"start":{"$ta":"Float64Array","at":0,"n":1}}}}'
    )
    if (!isWireEvent(decoded)) throw new Error('not an event')
    const { start } = decoded.event.payload as unknown as { start: unknown }
    expect(ArrayBuffer.isView(start)).toBe(false)
    expect(start).toEqual({ $ta: 'Float64Array', at: 0, n: 1 })
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
    expect(() => decodeServerMessage('{"event":{"type":"job.timings","payload":{}}}')).toThrow(
      /unknown event type "job\.timings"; allowed: job\.progress, job\.finished/
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
