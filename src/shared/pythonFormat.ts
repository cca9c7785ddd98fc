import type { Element } from './elements'

/**
 * Text exactly as Python would print it: `repr` of tuples for `print(r)`, and
 * `json.dumps(value, separators=(',', ':'))` (ensure_ascii on) for digests and exports.
 */

/** Python's `repr` of an int or str. */
export function pyRepr(value: Element): string {
  if (typeof value === 'number') return String(value)
  // CPython prefers single quotes unless the text has a single quote and no double quote.
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of value) {
    const code = ch.codePointAt(0) as number
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** Python's `repr` of a tuple: `(0, 1)`, `(0,)` for one item, `()` for none. */
export function pyTuple(items: readonly string[]): string {
  if (items.length === 1) return `(${items[0]},)`
  return `(${items.join(', ')})`
}

/** `json.dumps` of a str with ensure_ascii: escapes quotes, backslashes, control and non-ASCII characters. */
export function pyJsonString(value: string): string {
  let out = '"'
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]
    const code = value.charCodeAt(i)
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\b') out += '\\b'
    else if (ch === '\f') out += '\\f'
    // Python escapes everything outside ' '..'~' (DEL included); UTF-16 units map one to one.
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += ch
  }
  return out + '"'
}

/** `json.dumps` of an int or str element. */
export function pyJsonElement(value: Element): string {
  return typeof value === 'number' ? String(value) : pyJsonString(value)
}

/**
 * Python's `repr` of a float, which `json.dumps` writes the same way: the shortest text that reads
 * back to the same double (as JavaScript's), with `.0` on whole values and Python's exponent form
 * (`1e-05`, `1e+16`) where Python switches to it, below 1e-4 and from 1e16.
 */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1e16 || magnitude < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split('e')
    const sign = exponent[0] === '-' ? '-' : '+'
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0')
    return `${mantissa}e${sign}${digits}`
  }
  const text = String(value)
  return text.includes('.') ? text : `${text}.0`
}

/** A value of a values layout as Python prints it (and `json.dumps` writes it): an int or a float. */
export function pyValue(value: number, format: 'int' | 'float'): string {
  return format === 'int' ? String(value) : pyFloat(value)
}
