import { excerpt } from './excerpt'

/**
 * Elements are the items a combination is drawn from: safe integers or printable ASCII strings, as a
 * Python tuple of ints or strs would hold. Workers never see them: they work on positions
 * (0..n-1) and the main side maps positions back to elements, which is also why duplicate elements
 * behave as in Python (combinations are by position, not by value).
 */
export type Element = number | string

export const MAX_ELEMENTS = 1_000_000
export const MAX_STRING_LENGTH = 200

/** Printable ASCII, the characters a user types into an elements list. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/** Why a single element is not allowed, or null when it is. */
export function elementProblem(value: unknown): string | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? null : `${value} is not a safe integer`
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH)
      return `a string element is longer than ${MAX_STRING_LENGTH} characters`
    return PRINTABLE_ASCII.test(value)
      ? null
      : `${excerpt(value)} contains characters outside printable ASCII`
  }
  return `${excerpt(value)} is neither an integer nor a string`
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string }

const INTEGER = /^[+-]?\d+$/
const RANGE_DOTS = /^\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*$/
const RANGE_CALL = /^\s*range\(\s*([+-]?\d+)\s*(?:,\s*([+-]?\d+)\s*)?(?:,\s*([+-]?\d+)\s*)?\)\s*$/

export const ELEMENTS_HELP =
  'use a range such as 0..5 (inclusive) or range(6), or a comma-separated list such as 1,2,3 or a,b,c'

/**
 * Parses what a user types for elements: `0..5` (inclusive, both ends), Python's `range(stop)`,
 * `range(start, stop[, step])`, or a comma list where integer-looking items become integers and
 * everything else stays a string (`a, b` gives "a" and "b").
 */
export function parseElements(text: string): ParseResult<Element[]> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, error: `elements are empty: ${ELEMENTS_HELP}` }
  const dots = RANGE_DOTS.exec(trimmed)
  if (dots) return rangeOf(Number(dots[1]), Number(dots[2]) + 1, 1)
  const call = RANGE_CALL.exec(trimmed)
  if (call) {
    const [a, b, c] = [call[1], call[2], call[3]].map((v) => (v === undefined ? undefined : Number(v)))
    if (b === undefined) return rangeOf(0, a as number, 1)
    return rangeOf(a as number, b, c ?? 1)
  }
  const items = trimmed.split(',').map((item) => item.trim())
  if (items.some((item) => item === '')) {
    return { ok: false, error: `elements have an empty item: ${ELEMENTS_HELP}` }
  }
  if (items.length > MAX_ELEMENTS) return { ok: false, error: `at most ${MAX_ELEMENTS} elements are allowed` }
  const values: Element[] = items.map((item) => (INTEGER.test(item) ? Number(item) : item))
  for (const value of values) {
    const problem = elementProblem(value)
    if (problem) return { ok: false, error: `element ${problem}: ${ELEMENTS_HELP}` }
  }
  return { ok: true, value: values }
}

function rangeOf(start: number, stop: number, step: number): ParseResult<Element[]> {
  if (![start, stop, step].every(Number.isSafeInteger)) {
    return { ok: false, error: `range bounds must be safe integers: ${ELEMENTS_HELP}` }
  }
  if (step === 0) return { ok: false, error: 'range step must not be zero' }
  const length = Math.max(0, Math.ceil((stop - start) / step))
  if (length === 0) return { ok: false, error: `the range is empty: ${ELEMENTS_HELP}` }
  if (length > MAX_ELEMENTS) return { ok: false, error: `a range may hold at most ${MAX_ELEMENTS} elements` }
  const values: number[] = new Array(length)
  for (let i = 0; i < length; i++) values[i] = start + i * step
  return { ok: true, value: values }
}
