import { parseElements } from '../elements'
import type { FieldParse, RecipeField } from './entry'

/**
 * The kinds of recipe field workloads share. Each reads what a person types, in the form or after a
 * CLI flag, into the value the spec holds; limits are the recipe schema's, so a value these accept
 * can still be refused there, with the field's path.
 */

/** The tuple every task works on: `0..5`, `range(6)` or a list such as `a,b,c`. */
export function elementsField(): RecipeField {
  return {
    key: 'elements',
    label: 'Elements',
    help: 'the tuple every task works on: 0..5 (inclusive), range(6), or a list such as 1,2,3 or a,b,c',
    defaultText: '0..5',
    example: '0..5',
    parse(text) {
      const parsed = parseElements(text)
      return parsed.ok ? parsed : { ok: false, error: parsed.error }
    }
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/
const WHOLE = /^[+-]?\d+$/

/**
 * A value, or a set of values each task draws one of: `3`, `2,3,4`, `(2, 3, 4)` or `[2,3,4]`.
 * `whole` allows integers only.
 */
export function choicesField(
  options: Pick<RecipeField, 'key' | 'label' | 'help' | 'defaultText' | 'example'> & { whole: boolean }
): RecipeField {
  const what = options.whole ? 'whole numbers' : 'numbers'
  return {
    ...options,
    parse(text) {
      const inner = text
        .trim()
        .replace(/^[([]\s*/, '')
        .replace(/\s*[)\]]$/, '')
      const items = inner.split(',').map((item) => item.trim())
      if (items.length > 1 && items.at(-1) === '') items.pop()
      const pattern = options.whole ? WHOLE : NUMBER
      if (inner === '' || !items.every((item) => pattern.test(item))) {
        return {
          ok: false,
          error: `${options.key} must be one of ${what} or several separated by commas, such as ${options.example} (got ${JSON.stringify(text.slice(0, 40))})`
        }
      }
      return { ok: true, value: items.map(Number) }
    }
  }
}

/** A half-open span `lo:hi` of whole numbers, as Python's `range(lo, hi)`. */
export function spanField(
  options: Pick<RecipeField, 'key' | 'label' | 'help' | 'defaultText' | 'example'>
): RecipeField {
  return {
    ...options,
    parse(text): FieldParse {
      const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text)
      if (!match) {
        return {
          ok: false,
          error: `${options.key} must be lo:hi, two whole numbers with lo ≤ hi, such as ${options.example} (half-open, as range(lo, hi))`
        }
      }
      return { ok: true, value: [Number(match[1]), Number(match[2])] }
    }
  }
}

/** One whole number, such as a sample count or an image width. */
export function wholeField(
  options: Pick<RecipeField, 'key' | 'label' | 'help' | 'defaultText' | 'example'>
): RecipeField {
  return {
    ...options,
    parse(text): FieldParse {
      const trimmed = text.trim().replace(/_/g, '')
      if (!WHOLE.test(trimmed)) {
        return {
          ok: false,
          error: `${options.key} must be one whole number, such as ${options.example} (got ${JSON.stringify(text.slice(0, 40))})`
        }
      }
      return { ok: true, value: Number(trimmed) }
    }
  }
}
