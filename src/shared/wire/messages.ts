import { excerpt } from '../excerpt'
import { isErrorPath, type ErrorInfo } from '../errors'
import type { CommandOutcome, EngineEvent, EventName } from '../protocol'
import { WireError } from './errors'
import { isBinary, parseFrame } from './frames'
import { hasOwn, isPlainObject, parseWire } from './json'

/**
 * The shapes of WebSocket messages between the web host and the browser renderer: requests,
 * responses and events. Decoding is for untrusted data: every shape is checked and refused with a
 * `WireError` that says what was wrong.
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

const MAX_ID_LENGTH = 64
const MAX_NAME_LENGTH = 100

/** Event names a client accepts; `satisfies` keeps this list in step with the contract. */
const EVENT_NAMES = {
  'job.progress': true,
  'job.finished': true,
  'sweep.progress': true,
  'sweep.finished': true,
  'history.changed': true
} as const satisfies Record<EventName, true>

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
    // Only the id is read: a request refused for its shape (an unexpected key such as "$ta", a bad
    // name) is still answered under its own id.
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
