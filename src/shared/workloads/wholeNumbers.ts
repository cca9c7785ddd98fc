import { z } from 'zod'
import { excerpt } from '../excerpt'

/**
 * Whole-number inputs with limits, checked the same way in a recipe (zod) and in a task's arguments
 * (parseCall), with one message that says what is allowed.
 */

function allowed(name: string, min: number, max: number, why: string): string {
  return `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}${why}`
}

/** A recipe field's schema: one whole number in [min, max]; `why` explains the limit. */
export function wholeSchema(name: string, min: number, max: number, why = ''): z.ZodNumber {
  const error = (issue: { input?: unknown }): string =>
    `${allowed(name, min, max, why)} (got ${excerpt(issue.input)})`
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error })
}

/** Why a task's argument is not a whole number in [min, max], or null when it is. */
export function wholeProblem(
  name: string,
  value: unknown,
  min: number,
  max: number,
  why = ''
): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return null
  return `${allowed(name, min, max, why)}, got ${excerpt(value)}`
}
