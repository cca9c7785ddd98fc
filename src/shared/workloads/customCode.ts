import { parse, type Node, type Options } from 'acorn'

/**
 * A custom workload's code, checked without running it: it is parsed (acorn builds a syntax tree
 * and evaluates nothing), so the form can point at a mistake as the person types and every front
 * door refuses code that could not even compile, before any worker is started. Running it is the
 * workers' business alone.
 */

/** The longest code accepted, in characters: a function, not a program. */
export const MAX_CODE_CHARS = 64 * 1024

/** What a check found: the function's parameter names, or the first problem and where it is (1-based). */
export type CodeCheck =
  { ok: true; params: string[] } | { ok: false; message: string; line: number; column: number }

const PARSE_OPTIONS: Options = { ecmaVersion: 2022, sourceType: 'script', locations: true }

/** The form the code must take, for every message that says it was not. */
export const CODE_SHAPE =
  'write one function of the task’s arguments, such as `function work(x) { return x * x }` or `(x) => x * x`'

interface FunctionNode extends Node {
  params: Node[]
  async?: boolean
  generator?: boolean
}

function at(code: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < code.length; i++) {
    if (code.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

function refuse(code: string, offset: number, message: string): CodeCheck {
  return { ok: false, message, ...at(code, offset) }
}

/** The one function the code declares or is, or null. */
function theFunction(program: Node & { body: Node[] }): FunctionNode | null {
  if (program.body.length !== 1) return null
  const statement = program.body[0] as Node & { expression?: Node }
  if (statement.type === 'FunctionDeclaration') return statement as FunctionNode
  if (statement.type === 'ExpressionStatement' && statement.expression) {
    const expression = statement.expression
    if (expression.type === 'FunctionExpression' || expression.type === 'ArrowFunctionExpression') {
      return expression as FunctionNode
    }
  }
  return null
}

/** Checks custom code's syntax and shape. Never runs it. */
export function checkCustomCode(code: unknown): CodeCheck {
  if (typeof code !== 'string') return { ok: false, message: 'code must be text', line: 1, column: 1 }
  if (code.length > MAX_CODE_CHARS) {
    return refuse(
      code,
      MAX_CODE_CHARS,
      `code is ${code.length.toLocaleString('en-US')} characters; at most ${MAX_CODE_CHARS.toLocaleString('en-US')} are allowed`
    )
  }
  if (code.trim() === '') return { ok: false, message: `code is empty: ${CODE_SHAPE}`, line: 1, column: 1 }
  let program: Node & { body: Node[] }
  try {
    program = parse(code, PARSE_OPTIONS) as Node & { body: Node[] }
  } catch (err) {
    const offset = (err as { pos?: unknown }).pos
    // acorn appends " (line:column)" to its messages; the position is reported on its own.
    const message = err instanceof Error ? err.message.replace(/\s*\(\d+:\d+\)$/, '') : String(err)
    return refuse(code, typeof offset === 'number' ? offset : 0, `syntax error: ${message}`)
  }
  // A parenthesised function expression parses as an expression statement too: `(function (x) {…})`.
  const fn = theFunction(program)
  if (!fn) {
    const first = program.body[0] ?? program
    const second = program.body[1]
    return refuse(
      code,
      second ? second.start : first.start,
      second
        ? `code must be one function, not several statements: ${CODE_SHAPE}`
        : `code is not a function: ${CODE_SHAPE}`
    )
  }
  if (fn.async)
    return refuse(code, fn.start, 'the function must not be async: tasks run synchronously in a worker')
  if (fn.generator)
    return refuse(code, fn.start, 'the function must not be a generator: return the result instead')
  const params = fn.params.map((param) => code.slice(param.start, param.end))
  return { ok: true, params }
}

/**
 * The source text of the one function checked code declares or is (without comments or a `;`
 * around it), or null for code `checkCustomCode` refuses. A worker compiles it as an expression,
 * `(function work(x) {…})` or `((x) => …)`, in strict mode.
 */
export function customFunctionSource(code: string): string | null {
  if (!checkCustomCode(code).ok) return null
  const program = parse(code, PARSE_OPTIONS) as Node & { body: Node[] }
  const fn = theFunction(program)
  return fn ? code.slice(fn.start, fn.end) : null
}
