import { pyRepr, pyTuple } from '../../shared/pythonFormat'

/*
 * A task's arguments as text: whole, as Python shows them, and the part that tells a job's tasks
 * apart (`n=3`), which the results table shows first.
 */

/** One argument as Python shows it: a list as a tuple, a number or string as its repr. */
function argToPython(value: unknown): string {
  return Array.isArray(value)
    ? pyTuple(value.map(argToPython))
    : typeof value === 'number' || typeof value === 'string'
      ? pyRepr(value)
      : String(value)
}

/** A task's arguments as Python shows them: `(0, 1, 2)` for elements, `((0, 1, 2), 3)` for (elements, n). */
export function argsToPython(args: readonly unknown[]): string {
  return args.length === 1 ? argToPython(args[0]) : pyTuple(args.map(argToPython))
}

/**
 * `argToPython`, stopped soon after `max` characters: an elements argument may hold a million
 * elements, and a row shows only the start of it.
 */
function argToPythonUpTo(value: unknown, max: number): string {
  let out = ''
  const write = (text: string): boolean => {
    out += text
    return out.length <= max
  }
  const show = (item: unknown): boolean => {
    if (!Array.isArray(item)) return write(argToPython(item))
    if (!write('(')) return false
    for (let i = 0; i < item.length; i++) {
      if (i > 0 && !write(', ')) return false
      if (!show(item[i])) return false
    }
    return write(item.length === 1 ? ',)' : ')')
  }
  show(value)
  return out
}

/** Whether two arguments are equal as values: numbers and strings, and lists of them item by item. */
function sameArg(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!sameArg(a[i], b[i])) return false
  return true
}

/**
 * The positions of the parameters whose argument is not the same in every one of a job's distinct
 * calls (a job's tasks share a handful of calls: the planner keeps each distinct one once). None
 * when the job has one call, since then every task has the same arguments. Lists shared by
 * reference, as a recipe's elements are, compare at once.
 */
export function varyingParams(calls: readonly { readonly args: readonly unknown[] }[]): number[] {
  if (calls.length < 2) return []
  const first = calls[0].args
  const width = calls.reduce((most, call) => Math.max(most, call.args.length), 0)
  const varying: number[] = []
  for (let param = 0; param < width; param++) {
    if (calls.some((call) => call.args.length !== first.length || !sameArg(call.args[param], first[param])))
      varying.push(param)
  }
  return varying
}

/**
 * The varying part of a task's arguments in short `name=value` form, in call order: `n=3` for
 * `get_combinations_n(elements, n)` when only n varies, `lo=0, hi=125000` for count_primes, the
 * elements themselves (`elements=(0, 1, 2)`) when they are what varies, and empty when nothing
 * does. About `max` characters at most, ending in `…` when cut.
 */
export function varyingText(
  args: readonly unknown[],
  params: readonly string[],
  varying: readonly number[],
  max: number
): string {
  let out = ''
  for (const param of varying) {
    if (out.length > 0) out += ', '
    out += `${params[param] ?? `arg${param + 1}`}=${argToPythonUpTo(args[param], max)}`
    if (out.length > max) return `${out.slice(0, max - 1)}…`
  }
  return out
}
