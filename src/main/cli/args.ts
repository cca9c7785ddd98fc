/**
 * Command-line flags: `--name value`, `--name=value` and boolean `--name`. A flag's value is the
 * next argument whatever it looks like, so `--n -1` reaches validation and is refused there with a
 * message about n, not about an unknown option.
 */

/** A bad command line: one line naming the flag, what was wrong and what is allowed. Exit code 2. */
export class UsageError extends Error {
  constructor(
    readonly flag: string | null,
    message: string
  ) {
    super(message)
    this.name = 'UsageError'
  }

  /** The single stderr line, e.g. `poolscope: --threads: must be a whole number from 1 to 256 (got "abc")`. */
  get line(): string {
    return `poolscope: ${this.flag ? `${this.flag}: ` : ''}${this.message}`
  }
}

export interface FlagDefinition {
  /** With the leading dashes, e.g. `--threads`. */
  name: string
  /** What the value looks like in help and in "needs a value" messages, e.g. `4`; absent for booleans. */
  example?: string
}

/** Parsed flags: the value text of each flag given, or `true` for booleans. */
export type ParsedFlags = Map<string, string | true>

/** Shows a value the way error messages quote it. */
export function quote(value: string): string {
  return JSON.stringify(value)
}

/** Parses `argv` against the flags a command knows; throws a UsageError for anything else. */
export function parseFlags(
  argv: readonly string[],
  known: readonly FlagDefinition[],
  command: string
): ParsedFlags {
  const byName = new Map(known.map((flag) => [flag.name, flag]))
  const flags: ParsedFlags = new Map()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h') {
      flags.set('--help', true)
      continue
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(null, `unexpected argument ${quote(arg)}; see poolscope ${command} --help`)
    }
    const equals = arg.indexOf('=')
    const name = equals >= 0 ? arg.slice(0, equals) : arg
    const definition = byName.get(name)
    if (!definition) {
      throw new UsageError(name, `unknown option for poolscope ${command}; see poolscope ${command} --help`)
    }
    if (flags.has(name)) throw new UsageError(name, 'given more than once; give it once')
    if (definition.example === undefined) {
      if (equals >= 0) throw new UsageError(name, `takes no value (got ${quote(arg.slice(equals + 1))})`)
      flags.set(name, true)
      continue
    }
    if (equals >= 0) {
      flags.set(name, arg.slice(equals + 1))
    } else if (i + 1 < argv.length) {
      flags.set(name, argv[++i])
    } else {
      throw new UsageError(name, `needs a value, e.g. ${name} ${definition.example}`)
    }
  }
  return flags
}

/** The text of a valued flag, or undefined when it was not given. */
export function flagText(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.get(name)
  return typeof value === 'string' ? value : undefined
}

const WHOLE = /^[+-]?\d+$/

/** A whole number within [min, max], or a UsageError that states the range. */
export function parseWhole(flag: string, text: string, min: number, max: number): number {
  const trimmed = text.trim()
  const value = Number(trimmed)
  if (!WHOLE.test(trimmed) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(flag, `must be a whole number from ${min} to ${max} (got ${quote(text)})`)
  }
  return value
}
