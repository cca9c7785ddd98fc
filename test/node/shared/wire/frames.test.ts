import { describe, expect, it } from 'vitest'
import type { TimingBatch } from '../../../../src/shared/protocol'
import { WireError } from '../../../../src/shared/wire/errors'
import { encodeServerFrame } from '../../../../src/shared/wire/frames'
import { encodeWire } from '../../../../src/shared/wire/json'
import { decodeServerMessage, isWireEvent } from '../../../../src/shared/wire/messages'

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

/** The host's reply to `job.timings`, as the web host sends it. */
const timingsReply = (result: TimingBatch) => ({ id: 3, outcome: { ok: true as const, result } })

/** The timing page in a decoded reply. */
function decodedBatch(frame: unknown): TimingBatch {
  const decoded = decodeServerMessage(frame)
  if (isWireEvent(decoded) || !decoded.outcome.ok) throw new Error('not a success response')
  expect(decoded.id).toBe(3)
  return decoded.outcome.result as TimingBatch
}

describe('binary frames', () => {
  it('round-trips a page of timings as one binary frame with every class and value intact', () => {
    const batch = timingBatch()
    const frame = encodeServerFrame(timingsReply(batch))
    expect(frame).toBeInstanceOf(Uint8Array)
    const decoded = decodedBatch(frame)
    for (const key of ['task', 'start', 'end', 'lane', 'cpu', 'tid'] as const) {
      expect(decoded[key].constructor).toBe(batch[key].constructor)
      expect(Array.from(decoded[key])).toEqual(Array.from(batch[key]))
    }
    expect(decoded.jobId).toBe('job-1')
  })

  it('views the payload in place instead of copying it', () => {
    const frame = encodeServerFrame(timingsReply(timingBatch())) as Uint8Array<ArrayBuffer>
    const decoded = decodedBatch(frame.buffer)
    expect(decoded.start.buffer).toBe(frame.buffer)
    expect(decoded.start.byteOffset % 8).toBe(0)
  })

  it('reads a frame that sits at an unaligned offset of a larger buffer, as Node may deliver it', () => {
    const frame = encodeServerFrame(timingsReply(timingBatch())) as Uint8Array
    const pooled = new Uint8Array(frame.length + 3)
    pooled.set(frame, 3)
    expect(Array.from(decodedBatch(pooled.subarray(3)).end)).toEqual(Array.from(timingBatch().end))
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
    const big = { id: 1, outcome: { ok: true, result: { a: new Int32Array(1), big: 1n } } }
    expect(() => encodeServerFrame(big as never)).toThrow(/BigInt/)
    // A plain "$ta" object next to typed arrays would be read back as a reference.
    const reserved = {
      id: 1,
      outcome: { ok: true, result: { a: new Int32Array(1), b: { $ta: 'Int32Array' } } }
    }
    expect(() => encodeServerFrame(reserved as never)).toThrow(WireError)
    expect(() => encodeServerFrame(reserved as never)).toThrow(/\$ta/)
    const dataView = { id: 1, outcome: { ok: true, result: { view: new DataView(new ArrayBuffer(4)) } } }
    expect(() => encodeServerFrame(dataView as never)).toThrow(/typed arrays/)
  })

  it('refuses a typed array name outside the allow-list, even a real global', () => {
    for (const name of ['DataView', 'Function', 'Object', 'constructor', '__proto__', 'Array']) {
      const header = JSON.stringify({ id: 1, outcome: { ok: true, result: { $ta: name, at: 0, n: 0 } } })
      expect(() => decodeServerMessage(frameOf(header, new Uint8Array(8)))).toThrow(/unknown typed array/)
    }
  })

  it('finds typed arrays anywhere in the message, however deep or late in a list', () => {
    const rows: { i?: number; late?: Float64Array }[] = Array.from({ length: 40 }, (_, i) => ({ i }))
    const result = { rows: [...rows, { late: Float64Array.from([2.5]) }] }
    const frame = encodeServerFrame({ id: 1, outcome: { ok: true, result: result as never } })
    expect(frame).toBeInstanceOf(Uint8Array)
    const decoded = decodeServerMessage(frame)
    if (isWireEvent(decoded) || !decoded.outcome.ok) throw new Error('not a success response')
    const late = (decoded.outcome.result as unknown as typeof result).rows[40].late
    expect(late).toBeInstanceOf(Float64Array)
    expect(Array.from(late ?? [])).toEqual([2.5])
  })

  it('sends a "$ta" object without typed arrays as plain text, read back as a plain object', () => {
    const result = { $ta: 'Float64Array', at: 0, n: 1 }
    const text = encodeServerFrame({ id: 1, outcome: { ok: true, result: result as never } })
    expect(typeof text).toBe('string')
    const decoded = decodeServerMessage(text)
    if (isWireEvent(decoded) || !decoded.outcome.ok) throw new Error('not a success response')
    expect(ArrayBuffer.isView(decoded.outcome.result)).toBe(false)
    expect(decoded.outcome.result).toEqual(result)
  })
})
