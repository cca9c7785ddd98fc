import { pyFloat, pyJsonString, pyRepr, pyTuple } from './pythonFormat'

/*
 * What a custom function may return, and how its value is kept and shown. A task's value is a
 * number, a string, or an array whose items are numbers, strings or tuples (arrays) of numbers
 * and strings: what a Python pool function returns and `json.dumps` writes. The worker checks the
 * value and keeps it as canonical JSON text (`JSON.stringify` of the checked value); the host
 * reads that text back and writes it as Python does: `repr` for display and `print`, `json.dumps`
 * with `separators=(',', ':')` for digests and exports. Zod-free: the worker imports it.
 */

/** Most JSON text one task may return (UTF-8 bytes are at most three times this many characters). */
export const MAX_RESULT_JSON_CHARS = 1_000_000
/** Most tuples (items of the returned array) one task may return. */
export const MAX_RESULT_TUPLES = 1_000_000

/** The form a result must take, for every message that says it did not. */
export const RESULT_SHAPE =
  'return a number, a string, or an array of numbers, strings and tuples (arrays) of numbers and strings'

/** A custom function's value, checked: its canonical JSON text and how many tuples it counts as. */
export interface CheckedResult {
  json: string
  /** The array's length, or 1 for a number or a string. */
  tuples: number
}

/** Thrown for a value a task may not return; the worker fails the task with its message. */
export class ResultError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ResultError'
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'undefined') return 'undefined (did the function forget to return?)'
  if (typeof value === 'number') return String(value)
  return `a ${typeof value}`
}

/** Checks a scalar (a finite number or a string); `where` names it for the message. */
function scalarProblem(value: unknown, where: string): string | null {
  if (typeof value === 'string') return null
  if (typeof value === 'number')
    return Number.isFinite(value) ? null : `${where} is ${value}: JSON has no NaN or Infinity`
  return `${where} is ${kindOf(value)}`
}

/**
 * Checks a task's value and makes its canonical JSON text, or throws a ResultError saying what was
 * wrong and what is allowed. Walks at most MAX_RESULT_TUPLES items and stops as soon as the text
 * would pass MAX_RESULT_JSON_CHARS, so a huge or cyclic value costs little to refuse (a cycle is
 * an array inside a tuple, deeper than results go).
 */
export function checkResult(value: unknown): CheckedResult {
  if (!Array.isArray(value)) {
    const problem = scalarProblem(value, 'the value returned')
    if (problem) throw new ResultError(`${problem}; ${RESULT_SHAPE}`)
    const json = JSON.stringify(value)
    if (json.length > MAX_RESULT_JSON_CHARS) throw tooLong(json.length)
    return { json, tuples: 1 }
  }
  const items = value.length
  if (items > MAX_RESULT_TUPLES) {
    throw new ResultError(
      `the array returned has ${items.toLocaleString('en-US')} items; at most ${MAX_RESULT_TUPLES.toLocaleString('en-US')} tuples a task are kept`
    )
  }
  // Built as we go, so a value is read once (getters and proxies see one read) and the text's
  // length is known before it grows past the cap.
  const parts = new Array<string>(items)
  let chars = 2
  for (let i = 0; i < items; i++) {
    const item: unknown = value[i]
    let text: string
    if (Array.isArray(item)) {
      const width = item.length
      if (width > MAX_RESULT_TUPLES) throw tooLong(Infinity)
      const fields = new Array<string>(width)
      let tupleChars = 2
      for (let j = 0; j < width; j++) {
        const field: unknown = item[j]
        if (Array.isArray(field)) {
          throw new ResultError(
            `item ${i} of the array returned holds an array at ${j}: tuples hold numbers and strings, not arrays (nested deeper than tuples, or a cycle); ${RESULT_SHAPE}`
          )
        }
        const problem = scalarProblem(field, `item ${i}, field ${j} of the array returned`)
        if (problem) throw new ResultError(`${problem}; ${RESULT_SHAPE}`)
        fields[j] = JSON.stringify(field)
        tupleChars += fields[j].length + 1
        if (chars + tupleChars > MAX_RESULT_JSON_CHARS) throw tooLong(chars + tupleChars)
      }
      text = `[${fields.join(',')}]`
    } else {
      const problem = scalarProblem(item, `item ${i} of the array returned`)
      if (problem) throw new ResultError(`${problem}; ${RESULT_SHAPE}`)
      text = JSON.stringify(item)
    }
    parts[i] = text
    chars += text.length + 1
    if (chars > MAX_RESULT_JSON_CHARS) throw tooLong(chars)
  }
  return { json: `[${parts.join(',')}]`, tuples: items }
}

function tooLong(chars: number): ResultError {
  const size = Number.isFinite(chars)
    ? `more than ${MAX_RESULT_JSON_CHARS.toLocaleString('en-US')}`
    : 'too many'
  return new ResultError(
    `the value returned is too large: ${size} characters of JSON; a task may return at most ${MAX_RESULT_JSON_CHARS.toLocaleString('en-US')} (about 1 MB)`
  )
}

/**
 * The value kept of a result under a keep mode: the first `keep` tuples of an array (all when
 * `keep` is negative), or a scalar whole.
 */
export function keptResultJson(checked: CheckedResult, value: unknown, keep: number): string {
  if (keep < 0 || keep >= checked.tuples || !Array.isArray(value)) return checked.json
  return checkResult(value.slice(0, keep)).json
}

type Scalar = number | string
type Item = Scalar | Scalar[]
/** A checked value as JSON.parse gives it back. */
export type ResultValue = Scalar | Item[]

/** A number as Python has it: a JavaScript number that is whole is an int, any other a float. */
function pyNumber(value: number): string {
  if (!Number.isInteger(value)) return pyFloat(value)
  // Whole numbers beyond 2^53 still print every digit (`String` would write 1e+21).
  return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : BigInt(value).toString()
}

function pyScalarRepr(value: Scalar): string {
  return typeof value === 'number' ? pyNumber(value) : pyRepr(value)
}

function pyScalarJson(value: Scalar): string {
  return typeof value === 'number' ? pyNumber(value) : pyJsonString(value)
}

/** Python's `repr` of one item of a result: a number, a string or a tuple. */
export function resultItemRepr(item: Item): string {
  return Array.isArray(item) ? pyTuple(item.map(pyScalarRepr)) : pyScalarRepr(item)
}

/** `json.dumps` of one item of a result (a tuple becomes a JSON array, as in Python). */
export function resultItemJson(item: Item): string {
  return Array.isArray(item) ? `[${item.map(pyScalarJson).join(',')}]` : pyScalarJson(item)
}

/** Python's `repr` of a whole result: `3`, `'a'`, `[(1, 'a'), (2, 'b')]`. */
export function resultRepr(value: ResultValue): string {
  return Array.isArray(value) ? `[${value.map(resultItemRepr).join(', ')}]` : pyScalarRepr(value)
}

/** `json.dumps(result, separators=(',', ':'))` of a whole result (ASCII only). */
export function resultJson(value: ResultValue): string {
  return Array.isArray(value) ? `[${value.map(resultItemJson).join(',')}]` : pyScalarJson(value)
}
