import { performance } from 'node:perf_hooks'
import { checkResult, keptResultJson } from '../../shared/customResult'

/*
 * The worker's side of custom code: compiling the job's function, calling it on a task's arguments
 * and keeping its checked value as UTF-8 JSON. Only workers import this module: code never runs in
 * the main process or the renderer.
 */

type CustomFunction = (...args: unknown[]) => unknown

/** Compiled functions by their source, so each worker compiles a job's code once, not per chunk. */
const compiled = new Map<string, CustomFunction>()
/** At most this many sources are kept compiled (a worker runs one job at a time). */
const MAX_COMPILED = 8
/** The last source seen and its function: most chunks repeat it, and `===` on equal strings is cheap. */
let lastSource: string | null = null
let lastFunction: CustomFunction | null = null

/**
 * The function a job's source is, compiled once per worker in strict mode and in the global scope
 * (`new Function` sees no variable of this module). Throws the code's own error when evaluating
 * the expression throws, which the planner's syntax check makes rare.
 */
export function compileCustom(source: string): CustomFunction {
  if (source === lastSource && lastFunction) return lastFunction
  protectMeasuring()
  let fn = compiled.get(source)
  if (!fn) {
    // The newline keeps a trailing line comment from swallowing the closing parenthesis.
    const made: unknown = new Function(`'use strict'\nreturn (${source}\n)`)()
    if (typeof made !== 'function') throw new TypeError('the code is not a function')
    fn = made as CustomFunction
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(source, fn)
  }
  lastSource = source
  lastFunction = fn
  return fn
}

let measuringProtected = false

/**
 * Custom code runs in the same worker as the code that times it and reads the job's cancel flag,
 * so before any runs, what that code calls is made read-only: the clock (`performance.now`, its
 * origin) and `Atomics`. A function that mocks `performance.now` for its own use (measured: a job
 * then reported −912 ms of task time) now fails with "Cannot assign to read only property" instead
 * of making the pool's timings a fiction. This guards against accidents, not malice: on threads the
 * code has the process's rights anyway (see README, "Who may run custom code").
 */
function protectMeasuring(): void {
  if (measuringProtected) return
  measuringProtected = true
  const fixed = { writable: false, configurable: false } as const
  Object.defineProperty(performance, 'now', { ...fixed, value: performance.now })
  Object.defineProperty(performance, 'timeOrigin', { ...fixed, value: performance.timeOrigin })
  Object.freeze(Atomics)
  Object.defineProperty(globalThis, 'Atomics', { ...fixed, value: Atomics })
  Object.defineProperty(globalThis, 'performance', { ...fixed, value: globalThis.performance })
}

const encoder = new TextEncoder()

/** A custom task's outcome: how many tuples its value counts as, and the JSON kept of it (or none). */
export interface CustomOutcome {
  tuples: number
  kept: number
  /** UTF-8 JSON of the kept value; null when nothing is kept (count only). */
  json: Uint8Array | null
}

/**
 * Calls the function on a task's arguments and checks what it returned; throws (the task fails with
 * the message) when the function throws or its value is not a result (see checkResult).
 * `keep` is the chunk's keep code: -1 keeps all, 0 only the count, N the first N tuples.
 */
export function runCustom(fn: CustomFunction, args: readonly unknown[], keep: number): CustomOutcome {
  const value = fn(...args)
  const checked = checkResult(value)
  if (keep === 0) return { tuples: checked.tuples, kept: 0, json: null }
  const kept = keep < 0 ? checked.tuples : Math.min(keep, checked.tuples)
  return { tuples: checked.tuples, kept, json: encoder.encode(keptResultJson(checked, value, keep)) }
}

/**
 * Lays a chunk's kept JSON texts out in one buffer: per task a 4-byte little-endian byte length,
 * then the text, padded to 4 bytes. `offset[t]` gets where task t's length is; tasks with nothing
 * kept get a length of 0. A task's text is found from its offset alone, so the layout survives
 * buffers being concatenated (a history record packs every chunk's buffer into one).
 */
export function packJson(texts: ReadonlyArray<Uint8Array | null>, offset: Float64Array): ArrayBuffer {
  let bytes = 0
  for (const text of texts) bytes += 4 + Math.ceil((text?.length ?? 0) / 4) * 4
  const buffer = new ArrayBuffer(bytes)
  const view = new DataView(buffer)
  const out = new Uint8Array(buffer)
  let at = 0
  texts.forEach((text, t) => {
    offset[t] = at
    const length = text?.length ?? 0
    view.setUint32(at, length, true)
    if (text) out.set(text, at + 4)
    at += 4 + Math.ceil(length / 4) * 4
  })
  return buffer
}
