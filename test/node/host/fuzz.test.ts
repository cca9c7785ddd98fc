// Seeded fuzz of EngineHost.call: malformed names, parameters of every wrong shape, and valid
// specs mutated at random. Every call must come back as a result or a typed `{ code, message }`,
// and no invalid command may start a job. Set FUZZ_SEED to repeat or vary a run; FUZZ_COUNT to
// run more commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import { ErrorCodes } from '../../../src/shared/errors'
import type { CommandOutcome, EngineEvent, JobSummary } from '../../../src/shared/protocol'
import { LIMITS } from '../../../src/shared/spec'
import { MAX_N_CHOICES } from '../../../src/shared/workloads'
import { projectRoot, workerFile } from '../../paths'

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de) >>> 0
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000)
/** Valid starts are cancelled at once; past this many, valid specs go to job.plan instead, so retention never hides a job. */
const MAX_STARTS = 12
const MAX_MESSAGE_LENGTH = 1000

/** mulberry32: a tiny, well-mixed 32-bit PRNG, so a seed replays the same commands everywhere. */
class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }
  chance(p: number): boolean {
    return this.next() < p
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
const HUGE = 'x'.repeat(100_000)
const HUGE_UNICODE = 'é€😀'.repeat(25_000)

const COMMAND_NAMES = [
  'engine.info',
  'job.plan',
  'job.start',
  'job.cancel',
  'job.summary',
  'job.list',
  'job.results',
  'job.tuples',
  'job.timings',
  'job.timeline',
  'job.cpu',
  'job.stats',
  'job.export'
] as const

const BAD_NAMES: readonly unknown[] = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
  '',
  ' ',
  'job',
  'job.',
  'JOB.START',
  ' job.start',
  'job.start ',
  'job.start\u0000',
  'job.start.__proto__',
  'job.plan/../engine.info',
  'jоb.start', // Cyrillic о
  HUGE,
  HUGE_UNICODE,
  '😀'.repeat(1000),
  0,
  -1,
  42,
  NaN,
  Infinity,
  1e300,
  true,
  false,
  null,
  undefined,
  [],
  ['job.start'],
  {},
  { name: 'job.start' },
  10n,
  // Not from any wire, but call() takes unknown: names with no string form must not make it reject.
  Symbol('job.start'),
  Object.create(null)
]

const BOUNDARY_NUMBERS = [
  -1,
  0,
  -0,
  0.5,
  1.5,
  2 ** 31,
  2 ** 31 - 0.5,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e300,
  -1e300,
  1e-300,
  NaN,
  Infinity,
  -Infinity,
  LIMITS.maxTasks + 1,
  LIMITS.maxThreads + 1,
  LIMITS.maxChunkSize + 1,
  MAX_N_CHOICES + 1,
  65,
  Number.MAX_VALUE,
  Number.MIN_SAFE_INTEGER
]

const ODD_STRINGS = [
  '',
  ' ',
  HUGE,
  HUGE_UNICODE,
  'ñ€😀\u0000\u202e\ufeff',
  '\u0000',
  '__proto__',
  'constructor',
  'toString',
  'all',
  'count',
  'auto',
  'map',
  'starmap',
  'recipe',
  'args',
  'combinations',
  'combinations_n',
  '0..5',
  'range(6)',
  '{"__proto__":{"polluted":1}}',
  '1',
  '-1',
  'NaN',
  'a'.repeat(201),
  'job-00000000'
]

/** Objects whose own keys are `__proto__` and `constructor`, as JSON.parse makes them from a wire message. */
function protoObject(rng: Rng): unknown {
  return rng.pick([
    () => JSON.parse('{"__proto__":{"polluted":1}}'),
    () => JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'),
    () => JSON.parse('{"__proto__":null,"constructor":"x","toString":1,"valueOf":[]}'),
    () => JSON.parse('{"__proto__":{"spec":{"workload":"combinations"}},"jobId":{"__proto__":"x"}}')
  ])()
}

function deepNest(depth: number, asArray: boolean): unknown {
  let value: unknown = 0
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value }
  return value
}

/** A short list of odd elements: mostly valid ones, with a few that are not. */
function oddElements(rng: Rng): unknown[] {
  const length = rng.int(21)
  const pool: Array<() => unknown> = [
    () => rng.int(100),
    () => -rng.int(100),
    () => rng.pick(['a', 'b', 'xyz', '', ' ', '~']),
    () => rng.pick(BOUNDARY_NUMBERS),
    () => rng.pick(ODD_STRINGS),
    () => null,
    () => true,
    () => [rng.int(5)],
    () => ({ x: 1 }),
    () => protoObject(rng),
    () => deepNest(rng.int(50), true),
    () => rng.pick([HUGE, [HUGE], { text: HUGE }, HUGE_UNICODE])
  ]
  return Array.from({ length }, () => (rng.chance(0.7) ? pool[rng.int(3)]() : rng.pick(pool)()))
}

/** A value of any shape, favouring boundaries and odd types. */
function oddValue(rng: Rng): unknown {
  switch (rng.int(13)) {
    case 0:
    case 1:
      return rng.pick(BOUNDARY_NUMBERS)
    case 2:
      return rng.int(8)
    case 3:
      return rng.pick(ODD_STRINGS)
    case 4:
      return rng.pick([null, undefined, true, false, 10n])
    case 5:
      return rng.pick([[], {}, [[]], [{}], [null]])
    case 6:
      return oddElements(rng)
    case 7:
      return protoObject(rng)
    case 8:
      return deepNest(rng.pick([10, 100, 1000, 5000]), rng.chance(0.5))
    case 9:
      return { workload: 'combinations', inputs: rng.pick(ODD_STRINGS) }
    case 10:
      return String(rng.pick(BOUNDARY_NUMBERS))
    case 11:
      // ~100 KB of user input in every shape an error message might quote.
      return rng.pick([HUGE, HUGE_UNICODE, [HUGE], { text: HUGE }, [[HUGE], 2], [range(3), HUGE]])
    default:
      return [rng.pick(BOUNDARY_NUMBERS), rng.pick(ODD_STRINGS)]
  }
}

/** Valid specs, each small: the fuzz mutates them. */
function validSpec(rng: Rng): Record<string, unknown> {
  return rng.pick([
    () => ({
      workload: 'combinations',
      style: 'map',
      threads: 2,
      inputs: { kind: 'recipe', elements: range(6) }
    }),
    () => ({
      workload: 'combinations_n',
      style: 'starmap',
      threads: 2,
      inputs: { kind: 'recipe', elements: ['a', 'b', 'c', 'd'], n: [1, 2, 3], seed: 7, tasks: 6 },
      keep: 'count'
    }),
    () => ({
      workload: 'combinations',
      style: 'map',
      threads: 1,
      chunkSize: 1,
      inputs: { kind: 'args', args: [[0, 1, 2], ['x', 'y'], [5]] },
      keep: 2
    }),
    () => ({
      workload: 'combinations_n',
      style: 'starmap',
      chunkSize: 'auto',
      inputs: {
        kind: 'args',
        args: [
          [[0, 1, 2, 3], 2],
          [['p', 'q'], 1]
        ]
      }
    })
  ])()
}

type Container = Record<string, unknown> | unknown[]

interface Site {
  container: Container
  path: string
  depth: number
}

/** Every object or array inside `value` (itself included), with its path, to pick a mutation site from. */
function sites(value: unknown, path = '', depth = 0, found: Site[] = []): Site[] {
  if (value === null || typeof value !== 'object' || depth > 6) return found
  found.push({ container: value as Container, path, depth })
  for (const [key, child] of Object.entries(value))
    sites(child, path ? `${path}.${key}` : key, depth + 1, found)
  return found
}

const ADDED_KEYS = ['extra', '__proto__', 'constructor', 'prototype', 'toString', '', 'é😀', HUGE]

/** Sets an own property, even `__proto__`, the way JSON.parse does. */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true })
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number') return String(value)
  if (value === undefined) return 'undefined'
  const text = safeJson(value)
  return text.length > 40 ? `${Array.isArray(value) ? 'array' : 'object'}(${text.length} chars)` : text
}

/** Applies one random mutation somewhere inside `root` (mutated in place); returns what it did. */
function mutate(rng: Rng, root: Record<string, unknown>): string {
  const all = sites(root)
  // Half the time the deepest containers (elements, args, n): where the workload's own checks run.
  const deepest = Math.max(...all.map((site) => site.depth))
  const { container: site, path } = rng.chance(0.5)
    ? rng.pick(all.filter((s) => s.depth >= deepest - 1))
    : rng.pick(all)
  const keys = Object.keys(site)
  const key = keys.length > 0 ? rng.pick(keys) : null
  const op = key === null ? 2 : rng.int(5)
  const where = (k: string | null) => {
    const name = k === null ? '' : k.length > 40 ? `[key of ${k.length} chars]` : k
    return path ? `${path}.${name}` : name
  }
  switch (op) {
    case 0: {
      const value = oddValue(rng)
      if (Array.isArray(site)) site[Number(key)] = value
      else setOwn(site, key as string, value)
      return `set ${where(key)}=${describeValue(value)}`
    }
    case 1:
      if (Array.isArray(site)) site.splice(Number(key), 1)
      else delete site[key as string]
      return `drop ${where(key)}`
    case 2: {
      const value = oddValue(rng)
      if (Array.isArray(site)) {
        site.push(value)
        return `push ${path}[]=${describeValue(value)}`
      }
      const added = rng.pick(ADDED_KEYS)
      setOwn(site, added, value)
      return `add ${where(added)}=${describeValue(value)}`
    }
    case 3: {
      // Change the type but keep the "meaning": 2 ↔ "2", [a] ↔ {0: a}.
      const old = (site as Record<string, unknown>)[key as string]
      const changed =
        typeof old === 'number'
          ? String(old)
          : typeof old === 'string'
            ? Number(old)
            : Array.isArray(old)
              ? { ...old }
              : old !== null && typeof old === 'object'
                ? Object.values(old)
                : String(old)
      ;(site as Record<string, unknown>)[key as string] = changed
      return `retype ${where(key)}=${describeValue(changed)}`
    }
    default: {
      const value = rng.pick(BOUNDARY_NUMBERS)
      ;(site as Record<string, unknown>)[key as string] = value
      return `bound ${where(key)}=${value}`
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
  } catch {
    return '<unserialisable>'
  }
}

interface FuzzCommand {
  name: unknown
  params: unknown
  /** What the command was made of, short enough to print in a failure. */
  label: string
}

function jobIdFor(rng: Rng, knownIds: readonly string[]): unknown {
  if (knownIds.length > 0 && rng.chance(0.5)) return rng.pick(knownIds)
  return rng.chance(0.5) ? rng.pick(['job-00000000', 'x', 'job-' + 'f'.repeat(60)]) : oddValue(rng)
}

/** Valid parameters for every command but the spec ones, to be mutated. */
function validParams(rng: Rng, name: string, knownIds: readonly string[]): Record<string, unknown> {
  const jobId = jobIdFor(rng, knownIds)
  switch (name) {
    case 'job.cancel':
    case 'job.summary':
    case 'job.cpu':
    case 'job.stats':
      return { jobId }
    case 'job.results':
      return { jobId, offset: rng.int(5), limit: 1 + rng.int(10) }
    case 'job.tuples':
      return { jobId, task: rng.int(5), offset: rng.int(20), limit: 1 + rng.int(10) }
    case 'job.timings':
      return { jobId, offset: rng.int(5), limit: 1 + rng.int(100) }
    case 'job.timeline': {
      const from = rng.pick([-50, 0, 0.5, 1e-9, 1e6])
      return {
        jobId,
        from,
        to: from + rng.pick([1e-6, 0.01, 3, 1e9]),
        bins: 1 + rng.int(2000),
        maxTasks: rng.int(5001)
      }
    }
    case 'job.export':
      return { jobId, format: rng.pick(['csv', 'json']) }
    case 'job.plan':
    case 'job.start':
      return { spec: validSpec(rng) }
    default:
      return {}
  }
}

function nextCommand(rng: Rng, knownIds: readonly string[]): FuzzCommand {
  const roll = rng.next()
  if (roll < 0.1) {
    const name = rng.pick(BAD_NAMES)
    const label =
      typeof name === 'string' && name.length > 40
        ? `string(${name.length})`
        : name !== null && typeof name === 'object' && Object.getPrototypeOf(name) === null
          ? 'Object.create(null)'
          : typeof name === 'symbol'
            ? String(name)
            : safeJson(name)
    return { name, params: rng.chance(0.5) ? {} : oddValue(rng), label: `name ${label}` }
  }
  const name = rng.pick(COMMAND_NAMES)
  if (roll < 0.25) {
    const params = rng.chance(0.3) ? protoObject(rng) : oddValue(rng)
    return { name, params, label: `${name} params=${safeJson(params).slice(0, 60)}` }
  }
  const specCommand = roll < 0.65
  const commandName = specCommand ? rng.pick(['job.plan', 'job.start'] as const) : name
  const params = validParams(rng, commandName, knownIds)
  const steps = 1 + rng.int(3)
  const done: string[] = []
  for (let i = 0; i < steps; i++) done.push(mutate(rng, params))
  return { name: commandName, params, label: `${commandName} ${done.join('; ')}` }
}

const ERROR_CODES = new Set<string>(Object.values(ErrorCodes))

interface Record_ {
  command: FuzzCommand
  outcome?: CommandOutcome
  rejection?: unknown
}

describe(`EngineHost under ${COUNT} fuzzed commands (FUZZ_SEED=${SEED})`, () => {
  let host: EngineHost
  const records: Record_[] = []
  const startedIds: string[] = []
  const finished = new Map<string, JobSummary>()
  const waiters = new Map<string, (summary: JobSummary) => void>()
  const codes: Record<string, number> = {}

  function finishedSummary(jobId: string): Promise<JobSummary> {
    const summary = finished.get(jobId)
    if (summary) return Promise.resolve(summary)
    return new Promise((resolve) => waiters.set(jobId, resolve))
  }

  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    host.onEvent((event: EngineEvent) => {
      if (event.type !== 'job.finished') return
      finished.set(event.payload.jobId, event.payload)
      waiters.get(event.payload.jobId)?.(event.payload)
    })
    // One real finished job, so job.results, job.tuples and friends meet an id that exists.
    const warm = await host.call('job.start', {
      spec: {
        workload: 'combinations',
        style: 'map',
        threads: 2,
        inputs: { kind: 'recipe', elements: range(6) }
      }
    })
    if (!warm.ok) throw new Error(`warm-up job refused: ${warm.error.message}`)
    const warmId = (warm.result as { jobId: string }).jobId
    startedIds.push(warmId)
    await finishedSummary(warmId)

    const rng = new Rng(SEED)
    for (let i = 0; i < COUNT; i++) {
      const command = nextCommand(rng, startedIds)
      if (
        command.name === 'job.start' &&
        startedIds.length >= MAX_STARTS &&
        (await wouldStart(command.params))
      ) {
        command.name = 'job.plan'
        command.label = command.label.replace('job.start', 'job.plan')
      }
      const record: Record_ = { command }
      records.push(record)
      try {
        record.outcome = await host.call(command.name, command.params)
      } catch (err) {
        record.rejection = err
        continue
      }
      const code = record.outcome.ok ? 'ok' : String(record.outcome.error?.code)
      const tally = `${COMMAND_NAMES.includes(command.name as never) ? command.name : 'bad name'}→${code}`
      codes[tally] = (codes[tally] ?? 0) + 1
      if (record.outcome.ok && command.name === 'job.start') {
        const jobId = (record.outcome.result as { jobId: string }).jobId
        startedIds.push(jobId)
        await host.call('job.cancel', { jobId })
        // Wait for the end, so the next start meets an idle engine (cancel races are cancel.test.ts's).
        await finishedSummary(jobId)
      }
    }
  }, 60_000)

  afterAll(async () => {
    const byCode: Record<string, number> = {}
    for (const [key, n] of Object.entries(codes)) {
      const code = key.split('→')[1]
      byCode[code] = (byCode[code] ?? 0) + n
    }
    console.info(`fuzz seed ${SEED}: ${records.length} commands, outcomes ${JSON.stringify(byCode)}`)
    console.info(`fuzz seed ${SEED}: by command ${JSON.stringify(codes)}`)
    await host?.dispose()
  })

  /** True when a job.start with these parameters would start a job: they plan, and within budget. */
  async function wouldStart(params: unknown): Promise<boolean> {
    const plan = await host.call('job.plan', params)
    return plan.ok && !(plan.result as { overBudget: string | null }).overBudget
  }

  function failures(check: (record: Record_) => string | null): string[] {
    const found: string[] = []
    for (const record of records) {
      const problem = check(record)
      if (problem) found.push(`${record.command.label.slice(0, 160)} → ${problem}`)
    }
    return found.slice(0, 20).concat(found.length > 20 ? [`… and ${found.length - 20} more`] : [])
  }

  it(`sends ${COUNT} commands, every one of which resolves instead of rejecting`, () => {
    expect(records).toHaveLength(COUNT)
    expect(
      failures((r) =>
        r.outcome ? null : `rejected: ${String((r.rejection as Error)?.message ?? r.rejection)}`
      )
    ).toEqual([])
  })

  it('answers every command with a result or an error whose code is in the error table', () => {
    expect(
      failures(({ outcome }) => {
        if (!outcome) return null
        if (outcome.ok === true && 'result' in outcome) return null
        if (outcome.ok !== false) return `not an outcome: ${safeJson(outcome).slice(0, 100)}`
        if (!ERROR_CODES.has(outcome.error?.code)) return `unknown code ${safeJson(outcome.error?.code)}`
        if (typeof outcome.error.message !== 'string' || outcome.error.message.length === 0) {
          return 'empty message'
        }
        return null
      })
    ).toEqual([])
  })

  it('never puts a stack trace or a path of this repository in an error message', () => {
    expect(
      failures(({ outcome }) => {
        if (!outcome || outcome.ok || typeof outcome.error?.message !== 'string') return null
        const { message } = outcome.error
        if (message.includes('\n    at ')) return `stack trace: ${message.slice(0, 200)}`
        if (message.includes(projectRoot)) return `file path: ${message.slice(0, 200)}`
        return null
      })
    ).toEqual([])
  })

  it(`keeps every error message within ${MAX_MESSAGE_LENGTH} characters`, () => {
    expect(
      failures(({ outcome }) => {
        if (!outcome || outcome.ok || typeof outcome.error?.message !== 'string') return null
        const { code, message } = outcome.error
        return message.length > MAX_MESSAGE_LENGTH
          ? `${code} of ${message.length} chars: ${message.slice(0, 80)}`
          : null
      })
    ).toEqual([])
  })

  it('starts a job only for a job.start that succeeded, and each of those ended cancelled or done', () => {
    expect(startedIds.length).toBeGreaterThan(1)
    expect(startedIds.length).toBeLessThanOrEqual(MAX_STARTS)
    expect(host.engine.listJobs().length).toBe(startedIds.length)
    expect(new Set(host.engine.listJobs().map((job) => job.id))).toEqual(new Set(startedIds))
    expect(new Set(finished.keys())).toEqual(new Set(startedIds))
    for (const id of startedIds) expect(['cancelled', 'done']).toContain(finished.get(id)?.status)
  })

  it('leaves Object.prototype unpolluted by __proto__ and constructor keys', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false)
  })

  it('then runs the notebook map cell to done: 4 tasks of 15 pairs each', async () => {
    const outcome = await host.call('job.start', {
      spec: {
        workload: 'combinations',
        style: 'map',
        inputs: { kind: 'recipe', elements: range(6), tasks: 4 }
      }
    })
    expect(outcome.ok).toBe(true)
    const { jobId } = (outcome as { result: { jobId: string } }).result
    const summary = await finishedSummary(jobId)
    expect(summary).toMatchObject({ status: 'done', taskCount: 4, tasksDone: 4, tuplesProduced: 60 })
    const page = await host.call('job.results', { jobId, offset: 0, limit: 10 })
    expect(page.ok && (page.result as { rows: Array<{ count: number }> }).rows.map((r) => r.count)).toEqual([
      15, 15, 15, 15
    ])
  })
})
