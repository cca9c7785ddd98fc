import { excerpt } from '../excerpt'
import { WireError } from './errors'
import { hasOwn, isPlainObject, textReplacer } from './json'
import type { WireServerMessage } from './messages'

/**
 * Binary frames, for host messages that carry typed arrays (timeline windows, pages of timings).
 * One frame is a small JSON header in which each typed array is a reference
 * `{"$ta":"Float64Array","at":byteOffset,"n":length}` into the payload that follows it. The receiver
 * views the payload in place (`new Float64Array(buffer, at, n)`), so a page of a hundred thousand
 * task timings costs no parsing and no copy; base64 JSON cost the browser's main thread about 50 ms
 * per megabyte, in one piece.
 *
 *   bytes 0..3   magic "PSB1"
 *   bytes 4..7   header length H, uint32 little-endian
 *   bytes 8..    H bytes of UTF-8 JSON; each typed array is {"$ta": name, "at": offset, "n": length}
 *   then zero padding to a multiple of 8, then the payload: each array's bytes at its `at` (relative
 *   to the payload start), every `at` a multiple of 8 so every class can be viewed in place.
 *
 * Bytes are in the platform's order; every platform PoolScope runs on is little-endian. Decoding is
 * for untrusted data: typed array classes come from a fixed allow-list, never from `globalThis`, and
 * references must be aligned, inside the payload and not overlapping.
 */

const TYPED_ARRAY_KEY = '$ta'

type TypedArrayClass =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor

/** The only classes a received `$ta` name may select. Keys are looked up with `Map.get`, own entries only. */
const TYPED_ARRAY_CLASSES: ReadonlyMap<string, TypedArrayClass> = new Map<string, TypedArrayClass>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array]
])

/** The first four bytes of a binary frame, "PSB1". */
const FRAME_MAGIC = [0x50, 0x53, 0x42, 0x31] as const
const FRAME_PREFIX_BYTES = 8
const FRAME_ALIGN = 8
/** A header this large is not a header: refuse it before decoding it. */
const MAX_FRAME_HEADER_BYTES = 1024 * 1024
const UTF8_ENCODER = new TextEncoder()
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true })

function alignUp(value: number): number {
  return Math.ceil(value / FRAME_ALIGN) * FRAME_ALIGN
}

function typedArrayName(value: ArrayBufferView): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value)
  for (const [name, Class] of TYPED_ARRAY_CLASSES) {
    if (proto === Class.prototype) return name
  }
  return undefined
}

/**
 * Serialises a host message (response or event) for the WebSocket: plain JSON text (as `encodeWire`
 * writes it) when it holds no typed array, else one binary frame whose typed arrays are sent as raw
 * bytes (see the layout above).
 */
export function encodeServerFrame(message: WireServerMessage): string | Uint8Array<ArrayBuffer> {
  const arrays: Uint8Array[] = []
  let payloadBytes = 0
  let reservedKey = false
  const header = JSON.stringify(message, (key: string, value: unknown) => {
    if (typeof value === 'object' && value !== null) {
      if (ArrayBuffer.isView(value)) {
        const name = typedArrayName(value)
        if (name === undefined) throw new WireError('only typed arrays can be sent as binary data')
        const at = payloadBytes
        arrays.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
        payloadBytes = alignUp(at + value.byteLength)
        const length =
          value.byteLength / (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
        return { [TYPED_ARRAY_KEY]: name, at, n: length }
      }
      if (!Array.isArray(value) && hasOwn(value, TYPED_ARRAY_KEY)) reservedKey = true
    }
    return textReplacer(key, value)
  })
  // No typed array: the header is the message's plain JSON text (what `encodeWire` writes), `$ta`
  // keys and all, as text messages read nothing into them.
  if (arrays.length === 0) return header
  // In a frame header a plain object with a `$ta` key would be read back as a typed array reference:
  // refuse it rather than corrupt it.
  if (reservedKey)
    throw new WireError(`objects with a "${TYPED_ARRAY_KEY}" key cannot be sent with typed arrays`)
  const headerBytes = UTF8_ENCODER.encode(header)
  const payloadStart = alignUp(FRAME_PREFIX_BYTES + headerBytes.byteLength)
  const frame = new Uint8Array(payloadStart + payloadBytes)
  frame.set(FRAME_MAGIC, 0)
  new DataView(frame.buffer).setUint32(4, headerBytes.byteLength, true)
  frame.set(headerBytes, FRAME_PREFIX_BYTES)
  let at = payloadStart
  for (const bytes of arrays) {
    frame.set(bytes, at)
    at = alignUp(at + bytes.byteLength)
  }
  return frame
}

/** True when `data` is binary (an ArrayBuffer or a view of one, as `ws` and browsers deliver frames). */
export function isBinary(data: unknown): data is ArrayBuffer | ArrayBufferView {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data)
}

/**
 * Reads a binary frame: checks the magic and lengths, parses the header, and turns each typed-array
 * reference into a view of the payload. References must lie inside the payload, be aligned for
 * their class and not overlap. The views share the frame's memory: no copy is made unless the frame
 * itself sits at an unaligned offset (Node may hand over a slice of a pooled buffer).
 */
export function parseFrame(data: ArrayBuffer | ArrayBufferView): unknown {
  let bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (bytes.byteLength < FRAME_PREFIX_BYTES || FRAME_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new WireError('a binary message must start with "PSB1" and a header length')
  }
  if (bytes.byteOffset % FRAME_ALIGN !== 0) bytes = bytes.slice()
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true)
  if (headerLength > MAX_FRAME_HEADER_BYTES || FRAME_PREFIX_BYTES + headerLength > bytes.byteLength) {
    throw new WireError(`a binary message's header length ${headerLength} does not fit the message`)
  }
  let header: string
  try {
    header = UTF8_DECODER.decode(bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerLength))
  } catch {
    throw new WireError("a binary message's header must be UTF-8 text")
  }
  const payloadStart = alignUp(FRAME_PREFIX_BYTES + headerLength)
  const payloadLength = Math.max(0, bytes.byteLength - payloadStart)
  const used: [number, number][] = []

  function view(value: Record<string, unknown>): ArrayBufferView {
    const keys = Object.keys(value)
    if (keys.length !== 3 || !hasOwn(value, 'at') || !hasOwn(value, 'n')) {
      throw new WireError(
        `a typed array reference must be {"${TYPED_ARRAY_KEY}": name, "at": offset, "n": length}`
      )
    }
    const name = value[TYPED_ARRAY_KEY]
    const Class = typeof name === 'string' ? TYPED_ARRAY_CLASSES.get(name) : undefined
    if (Class === undefined) {
      const allowed = [...TYPED_ARRAY_CLASSES.keys()].join(', ')
      throw new WireError(`unknown typed array ${excerpt(name)}; allowed: ${allowed}`)
    }
    const { at, n } = value
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(n) || (at as number) < 0 || (n as number) < 0) {
      throw new WireError('a typed array reference needs whole, non-negative "at" and "n"')
    }
    const start = at as number
    const byteLength = (n as number) * Class.BYTES_PER_ELEMENT
    if (start % FRAME_ALIGN !== 0)
      throw new WireError(`${name} data must start at a multiple of ${FRAME_ALIGN}`)
    if (start + byteLength > payloadLength) {
      throw new WireError(`${name} data (${byteLength} bytes at ${start}) runs past the end of the message`)
    }
    used.push([start, start + byteLength])
    return new Class(bytes.buffer as ArrayBuffer, bytes.byteOffset + payloadStart + start, n as number)
  }

  let value: unknown
  try {
    value = JSON.parse(header, (key: string, item: unknown) => {
      if (key === '__proto__') return undefined // as in text: see `dropProtoKeys`
      if (isPlainObject(item) && hasOwn(item, TYPED_ARRAY_KEY)) return view(item)
      return item
    })
  } catch (err) {
    if (err instanceof WireError) throw err
    throw new WireError("a binary message's header must be valid JSON")
  }
  used.sort((a, b) => a[0] - b[0])
  for (let i = 1; i < used.length; i++) {
    if (used[i][0] < used[i - 1][1]) throw new WireError('typed arrays in a binary message must not overlap')
  }
  return value
}

/**
 * Largest message a client may send the web host (its WebSocket closes on a bigger one): requests
 * are small, but for an imported history record. The desktop app's IPC has no such limit.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024
