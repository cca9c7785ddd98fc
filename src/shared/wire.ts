import { excerpt } from './excerpt'
import type { CommandOutcome, EngineEvent, EventName } from './protocol'
import { isErrorPath, type ErrorInfo } from './errors'

/**
 * The WebSocket message codec between the web host and the browser renderer.
 *
 * Requests, and host messages without typed arrays, are JSON text frames. A host message that
 * carries typed arrays (timing batches) is one binary frame (`encodeServerFrame`): a small JSON
 * header in which each typed array is a reference `{"$ta":"Float64Array","at":byteOffset,"n":length}`
 * into the payload that follows it. The receiver views the payload in place (`new Float64Array(buffer,
 * at, n)`), so a batch of a hundred thousand task timings costs no parsing and no copy; base64 JSON
 * cost the browser's main thread about 50 ms per megabyte, in one piece.
 *
 * The text form `{"$ta":"Float64Array","b64":"…"}` (`encodeWire`) stays for requests and tools.
 * Base64 is done here by hand so the browser path needs no `Buffer` and decoding can be strict.
 * Bytes are in the platform's order; every platform PoolScope runs on is little-endian.
 *
 * Decoding is for untrusted text: every shape is checked and refused with a `WireError` that says
 * what was wrong. Typed array classes come from a fixed allow-list, never from `globalThis`.
 */

/** A command sent by a client: `id` is echoed back in the response. */
export interface WireRequest {
  id: WireId
  name: string
  params: unknown
}

/** The host's answer to one request. `id` is null when the request was too broken to carry one. */
export interface WireResponse {
  id: WireId | null
  outcome: CommandOutcome
}

/** An engine event pushed to every connected client. */
export interface WireEvent {
  event: EngineEvent
}

export type WireServerMessage = WireResponse | WireEvent

/** Request ids: a non-negative safe integer or a short string. */
export type WireId = number | string

/** A message that does not follow the wire format. */
export class WireError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WireError'
  }
}

const MAX_ID_LENGTH = 64
const MAX_NAME_LENGTH = 100
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

/** Event names a client accepts; `satisfies` keeps this list in step with the contract. */
const EVENT_NAMES = {
  'job.progress': true,
  'job.timings': true,
  'job.finished': true
} as const satisfies Record<EventName, true>

// ---------------------------------------------------------------------------------------------
// Base64, strict, without Buffer (works the same in Node and in the browser).

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_CODES = new Uint8Array(B64_ALPHABET.length).map((_, i) => B64_ALPHABET.charCodeAt(i))
const B64_VALUES = (() => {
  const values = new Int16Array(128).fill(-1)
  for (let i = 0; i < B64_ALPHABET.length; i++) values[B64_ALPHABET.charCodeAt(i)] = i
  return values
})()
const PAD = 61 // '='
const ASCII = new TextDecoder()

/** Encodes bytes as standard, padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4)
  let o = 0
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out[o++] = B64_CODES[n >>> 18]
    out[o++] = B64_CODES[(n >>> 12) & 63]
    out[o++] = B64_CODES[(n >>> 6) & 63]
    out[o++] = B64_CODES[n & 63]
  }
  const rest = bytes.length - i
  if (rest > 0) {
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0)
    out[o++] = B64_CODES[n >>> 18]
    out[o++] = B64_CODES[(n >>> 12) & 63]
    out[o++] = rest === 2 ? B64_CODES[(n >>> 6) & 63] : PAD
    out[o++] = PAD
  }
  // The output is pure ASCII, so any UTF-8 decoder turns it into text in one call.
  return ASCII.decode(out)
}

/** Decodes standard, padded base64; anything else (bad length, characters, padding) is refused. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 !== 0) throw new WireError('base64 text must have a length that is a multiple of 4')
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const bytes = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length
    let n = 0
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j)
      let value: number
      if (code === PAD && last && j >= 4 - padding) value = 0
      else value = code < 128 ? B64_VALUES[code] : -1
      if (value < 0) throw new WireError(`base64 text has an invalid character at position ${i + j}`)
      n = (n << 6) | value
    }
    bytes[o++] = n >>> 16
    if (o < bytes.length) bytes[o++] = (n >>> 8) & 255
    if (o < bytes.length) bytes[o++] = n & 255
  }
  return bytes
}

// ---------------------------------------------------------------------------------------------
// JSON with typed arrays.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key)
}

function typedArrayName(value: ArrayBufferView): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value)
  for (const [name, Class] of TYPED_ARRAY_CLASSES) {
    if (proto === Class.prototype) return name
  }
  return undefined
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') throw new WireError('BigInt values cannot be sent; send them as strings')
  if (typeof value !== 'object' || value === null) return value
  if (ArrayBuffer.isView(value)) {
    const name = typedArrayName(value)
    if (name === undefined) throw new WireError('only typed arrays can be sent as binary data')
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    return { [TYPED_ARRAY_KEY]: name, b64: bytesToBase64(bytes) }
  }
  // A plain object with a `$ta` key would be read back as a typed array: refuse it rather than corrupt it.
  if (!Array.isArray(value) && hasOwn(value, TYPED_ARRAY_KEY)) {
    throw new WireError(`objects with a "${TYPED_ARRAY_KEY}" key cannot be sent`)
  }
  return value
}

function decodeTypedArray(value: Record<string, unknown>): ArrayBufferView {
  const keys = Object.keys(value)
  if (keys.length !== 2 || !hasOwn(value, 'b64')) {
    throw new WireError(`a typed array must be {"${TYPED_ARRAY_KEY}": name, "b64": text} and nothing else`)
  }
  const name = value[TYPED_ARRAY_KEY]
  const b64 = value.b64
  const Class = typeof name === 'string' ? TYPED_ARRAY_CLASSES.get(name) : undefined
  if (Class === undefined) {
    const allowed = [...TYPED_ARRAY_CLASSES.keys()].join(', ')
    throw new WireError(`unknown typed array ${excerpt(name)}; allowed: ${allowed}`)
  }
  if (typeof b64 !== 'string') throw new WireError('a typed array\'s "b64" must be a string')
  const bytes = base64ToBytes(b64)
  if (bytes.byteLength % Class.BYTES_PER_ELEMENT !== 0) {
    throw new WireError(`${name} data must be a multiple of ${Class.BYTES_PER_ELEMENT} bytes`)
  }
  // `bytes` owns a fresh, aligned buffer: view it directly, without a copy.
  return new Class(bytes.buffer, 0, bytes.byteLength / Class.BYTES_PER_ELEMENT)
}

function reviver(key: string, value: unknown): unknown {
  // JSON.parse makes `__proto__` an own property, harmless here, but code that copies objects key
  // by key would turn it into a prototype: drop it at the door.
  if (key === '__proto__') return undefined
  if (isPlainObject(value) && hasOwn(value, TYPED_ARRAY_KEY)) return decodeTypedArray(value)
  return value
}

/** Serialises any wire message (request, response, event) to JSON text, typed arrays packed. */
export function encodeWire(message: WireRequest | WireServerMessage): string {
  return JSON.stringify(message, replacer)
}

/** Parses JSON text, unpacking typed arrays; refuses anything that is not JSON or breaks the packing. */
export function parseWire(text: unknown): unknown {
  if (typeof text !== 'string') throw new WireError('a message must be JSON text')
  try {
    return JSON.parse(text, reviver)
  } catch (err) {
    if (err instanceof WireError) throw err
    throw new WireError('a message must be valid JSON')
  }
}

// ---------------------------------------------------------------------------------------------
// Binary frames: JSON header + typed-array payload, for host messages that carry typed arrays.
//
//   bytes 0..3   magic "PSB1"
//   bytes 4..7   header length H, uint32 little-endian
//   bytes 8..    H bytes of UTF-8 JSON; each typed array is {"$ta": name, "at": offset, "n": length}
//   then zero padding to a multiple of 8, then the payload: each array's bytes at its `at` (relative
//   to the payload start), every `at` a multiple of 8 so every class can be viewed in place.

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

/** True when `message` holds a typed array anywhere (plain objects and arrays are searched). */
function holdsTypedArray(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 64) return false
  if (ArrayBuffer.isView(value)) return true
  const items: unknown[] = Array.isArray(value) ? value : Object.values(value)
  // Long plain arrays (result rows) hold no typed arrays in this contract: look at a few only.
  const limit = Math.min(items.length, Array.isArray(value) ? 16 : items.length)
  for (let i = 0; i < limit; i++) if (holdsTypedArray(items[i], depth + 1)) return true
  return false
}

/**
 * Serialises a host message (response or event) for the WebSocket: JSON text when it holds no typed
 * array, else one binary frame whose typed arrays are sent as raw bytes (see the layout above).
 */
export function encodeServerFrame(message: WireServerMessage): string | Uint8Array<ArrayBuffer> {
  if (!holdsTypedArray(message)) return encodeWire(message)
  const arrays: Uint8Array[] = []
  let payloadBytes = 0
  const header = JSON.stringify(message, function (this: unknown, key: string, value: unknown) {
    if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) {
      const name = typedArrayName(value)
      if (name === undefined) throw new WireError('only typed arrays can be sent as binary data')
      const at = payloadBytes
      arrays.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      payloadBytes = alignUp(at + value.byteLength)
      const length = value.byteLength / (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
      return { [TYPED_ARRAY_KEY]: name, at, n: length }
    }
    return replacer.call(this, key, value)
  })
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
function isBinary(data: unknown): data is ArrayBuffer | ArrayBufferView {
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
      if (key === '__proto__') return undefined
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

// ---------------------------------------------------------------------------------------------
// Message shapes.

function checkKeys(
  value: Record<string, unknown>,
  what: string,
  required: string[],
  optional: string[] = []
) {
  for (const key of required) {
    if (!hasOwn(value, key)) throw new WireError(`${what} needs "${key}"`)
  }
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new WireError(`${what} has an unexpected key ${excerpt(key)}`)
    }
  }
}

function isWireId(value: unknown): value is WireId {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
}

/** Reads the `id` of a request that failed to decode, when it has a usable one, so the error can be answered. */
export function salvageRequestId(text: unknown): WireId | null {
  if (typeof text !== 'string') return null
  try {
    // Plain JSON, without the typed-array reviver: a request refused for carrying a reserved key
    // (such as "$ta" in the wrong place) is still answered under its own id.
    const value: unknown = JSON.parse(text)
    return isPlainObject(value) && hasOwn(value, 'id') && isWireId(value.id) ? value.id : null
  } catch {
    return null
  }
}

/** Decodes a client's request: exactly `{ id, name, params }` (params may be omitted). */
export function decodeRequest(text: unknown): WireRequest {
  const value = parseWire(text)
  if (!isPlainObject(value)) throw new WireError('a request must be an object { id, name, params }')
  checkKeys(value, 'a request', ['id', 'name'], ['params'])
  if (!isWireId(value.id)) {
    throw new WireError(
      `a request id must be a non-negative integer or a string of 1 to ${MAX_ID_LENGTH} characters`
    )
  }
  if (typeof value.name !== 'string' || value.name.length === 0 || value.name.length > MAX_NAME_LENGTH) {
    throw new WireError(`a request name must be a string of 1 to ${MAX_NAME_LENGTH} characters`)
  }
  return { id: value.id, name: value.name, params: hasOwn(value, 'params') ? value.params : {} }
}

function decodeErrorInfo(value: unknown): ErrorInfo {
  if (!isPlainObject(value) || typeof value.code !== 'string' || typeof value.message !== 'string') {
    throw new WireError('an error outcome needs "error": { code, message } with string values')
  }
  const info: ErrorInfo = { code: value.code as ErrorInfo['code'], message: value.message }
  if (hasOwn(value, 'path')) {
    if (!isErrorPath(value.path)) {
      throw new WireError(
        'an error\'s "path" must be a list of at most 16 field names and whole non-negative indexes'
      )
    }
    info.path = [...value.path]
  }
  return info
}

function decodeOutcome(value: unknown): CommandOutcome {
  if (!isPlainObject(value) || typeof value.ok !== 'boolean') {
    throw new WireError('an outcome must be { ok: true, result } or { ok: false, error }')
  }
  if (value.ok) {
    checkKeys(value, 'a success outcome', ['ok', 'result'])
    return { ok: true, result: value.result } as CommandOutcome
  }
  checkKeys(value, 'an error outcome', ['ok', 'error'])
  return { ok: false, error: decodeErrorInfo(value.error) }
}

function decodeEvent(value: unknown): EngineEvent {
  if (!isPlainObject(value)) throw new WireError('an event must be an object { type, payload }')
  checkKeys(value, 'an event', ['type', 'payload'])
  const type = value.type
  if (typeof type !== 'string' || !hasOwn(EVENT_NAMES, type)) {
    throw new WireError(
      `unknown event type ${excerpt(type)}; allowed: ${Object.keys(EVENT_NAMES).join(', ')}`
    )
  }
  if (!isPlainObject(value.payload)) throw new WireError(`the payload of ${type} must be an object`)
  return { type, payload: value.payload } as unknown as EngineEvent
}

/**
 * Decodes a message from the host: a response `{ id, outcome }` or an event `{ event }`, from JSON
 * text or from a binary frame (an ArrayBuffer or a byte view).
 */
export function decodeServerMessage(data: unknown): WireServerMessage {
  const value = isBinary(data) ? parseFrame(data) : parseWire(data)
  if (!isPlainObject(value)) throw new WireError('a host message must be an object')
  if (hasOwn(value, 'event')) {
    checkKeys(value, 'an event message', ['event'])
    return { event: decodeEvent(value.event) }
  }
  checkKeys(value, 'a response', ['id', 'outcome'])
  if (value.id !== null && !isWireId(value.id))
    throw new WireError('a response id must be a request id or null')
  return { id: value.id, outcome: decodeOutcome(value.outcome) }
}

/** True for a decoded host message that is an event. */
export function isWireEvent(message: WireServerMessage): message is WireEvent {
  return hasOwn(message, 'event')
}
