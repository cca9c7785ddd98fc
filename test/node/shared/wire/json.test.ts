import { describe, expect, it } from 'vitest'
import { WireError } from '../../../../src/shared/wire/errors'
import { encodeWire, parseWire } from '../../../../src/shared/wire/json'

describe('JSON text messages', () => {
  it('are plain JSON: a "$ta" object stays a plain object both ways', () => {
    const message = { id: 1, name: 'x', params: { $ta: 'Float64Array', b64: 'AAAAAAAAAAA=' } }
    const text = encodeWire(message)
    expect(text).toBe(JSON.stringify(message))
    const decoded = parseWire(text) as { params: unknown }
    expect(ArrayBuffer.isView(decoded.params)).toBe(false)
    expect(decoded).toEqual(message)
  })

  it('refuses to send values the other side could not read back', () => {
    expect(() => encodeWire({ id: 1, name: 'x', params: { big: 1n } })).toThrow(WireError)
    expect(() => encodeWire({ id: 1, name: 'x', params: { big: 1n } })).toThrow(/BigInt/)
    // JSON would turn a typed array into an object of indexes: typed arrays go only in binary frames.
    expect(() => encodeWire({ id: 1, name: 'x', params: { view: Int32Array.from([1]) } })).toThrow(
      /typed arrays cannot be sent as JSON text/
    )
    expect(() => encodeWire({ id: 1, name: 'x', params: new DataView(new ArrayBuffer(4)) })).toThrow(
      /typed arrays/
    )
  })

  it('refuses what is not JSON text', () => {
    expect(() => parseWire(new Uint8Array([123, 125]))).toThrow(/JSON text/)
    expect(() => parseWire('{"id": 1, name')).toThrow(WireError)
    expect(() => parseWire('{"id": 1, name')).toThrow(/valid JSON/)
  })

  it('drops __proto__ keys at parse', () => {
    const value = parseWire('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}') as Record<
      string,
      unknown
    >
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(false)
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
