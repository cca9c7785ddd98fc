import { WireError } from './errors'
import type { WireRequest, WireServerMessage } from './messages'

/**
 * JSON text messages: every request, and every host message without typed arrays (those travel as
 * binary frames, see `frames.ts`). Text messages are plain JSON: nothing in them is read as anything
 * but JSON, so a `"$ta"` key in a text message is just a key, left to the shape checks.
 *
 * Decoding is for untrusted text: anything that is not JSON text is refused with a `WireError`.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key)
}

/**
 * The `JSON.parse` reviver for untrusted text. JSON.parse makes `__proto__` an own property,
 * harmless here, but code that copies objects key by key would turn it into a prototype: drop it at
 * the door.
 */
export function dropProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value
}

/** The `JSON.stringify` replacer for text: refuses what JSON would silently lose or mangle. */
export function textReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') throw new WireError('BigInt values cannot be sent; send them as strings')
  if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) {
    throw new WireError('typed arrays cannot be sent as JSON text; host messages carry them in binary frames')
  }
  return value
}

/** Serialises a wire message (request, response, event) to plain JSON text. */
export function encodeWire(message: WireRequest | WireServerMessage): string {
  return JSON.stringify(message, textReplacer)
}

/** Parses JSON text, dropping `__proto__` keys; refuses anything that is not JSON text. */
export function parseWire(text: unknown): unknown {
  if (typeof text !== 'string') throw new WireError('a message must be JSON text')
  try {
    return JSON.parse(text, dropProtoKeys)
  } catch {
    throw new WireError('a message must be valid JSON')
  }
}
