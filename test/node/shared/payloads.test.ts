import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HistoryStore } from '../../../src/main/history/historyStore'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import {
  checkEvent,
  checkPayload,
  EventSchemas,
  PayloadError,
  ResultSchemas
} from '../../../src/shared/payloads'
import {
  checkedResult,
  CommandSchemas,
  createApi,
  METHOD_COMMANDS,
  type CommandName,
  type CommandOutcome,
  type EngineEvent,
  type Invoke,
  type JobSummary,
  type PlanSummary,
  type ProgressEvent,
  type TimingBatch
} from '../../../src/shared/protocol'
import { encodeServerFrame } from '../../../src/shared/wire/frames'
import { decodeServerMessage, isWireEvent } from '../../../src/shared/wire/messages'
import { faultyWorkerFile, workerFile } from '../../paths'
import { Agent } from '../../../src/main/cluster/agent'
import { redisAvailable, startRedis } from '../engine/backends/redisServer'

/** Every command, `cluster.agents` only where a redis-server can be started for it. */
const checkedCommands = (Object.keys(CommandSchemas) as CommandName[]).filter(
  (name) => name !== 'cluster.agents' || redisAvailable()
)

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** The message a check throws for `value`, or null when it passes. */
function problem(check: () => unknown): string | null {
  try {
    check()
    return null
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadError)
    return (err as Error).message
  }
}

/** A deep copy that keeps typed arrays (structuredClone does). */
const copy = <T>(value: T): T => structuredClone(value)

describe('the schemas cover the contract', () => {
  it('gives every command a result schema, and nothing else', () => {
    expect(Object.keys(ResultSchemas).sort()).toEqual(Object.keys(CommandSchemas).sort())
  })

  it('gives every event a payload schema, and nothing else', () => {
    expect(Object.keys(EventSchemas).sort()).toEqual([
      'history.changed',
      'job.finished',
      'job.progress',
      'sweep.finished',
      'sweep.progress'
    ])
  })

  it('knows the command behind every named method, the one createApi sends', async () => {
    const sent: string[] = []
    const invoke = ((name: CommandName) => {
      sent.push(name)
      return Promise.resolve(undefined)
    }) as unknown as Invoke
    const api = createApi(invoke, () => () => undefined)
    for (const [method, command] of Object.entries(METHOD_COMMANDS)) {
      await (api[method as keyof typeof METHOD_COMMANDS] as (...args: unknown[]) => Promise<unknown>)()
      expect(sent.at(-1)).toBe(command)
    }
    expect([...new Set(sent)].sort()).toEqual(Object.keys(CommandSchemas).sort())
  })
})

describe('what the engine host really sends passes its schema, whole', () => {
  let host: EngineHost
  const events: EngineEvent[] = []
  const replies = new Map<CommandName, CommandOutcome>()
  let failedJob: JobSummary
  let historyFolder: string

  async function call(name: CommandName, params: unknown): Promise<CommandOutcome> {
    const outcome = await host.call(name, params)
    if (!outcome.ok) throw new Error(`${name}: ${outcome.error.message}`)
    replies.set(name, outcome)
    return outcome
  }

  function finished(jobId: string): Promise<JobSummary> {
    return new Promise((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.type === 'job.finished' && event.payload.jobId === jobId) {
          stop()
          resolve(event.payload)
        }
      })
    })
  }

  beforeAll(async () => {
    // The fault-injecting worker, so that a task fails (13 elements) and a job can be cancelled
    // while it runs (19 elements: 20 ms a task).
    historyFolder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-payloads-'))
    host = new EngineHost({
      workerFile: faultyWorkerFile,
      hardwareThreads: 2,
      history: await HistoryStore.open(historyFolder)
    })
    host.onEvent((event) => events.push(event))
    await call('engine.info', {})
    await call('job.plan', {
      spec: {
        workload: 'combinations_n',
        style: 'starmap',
        keep: 'count',
        inputs: { kind: 'recipe', elements: ['a', 'b', 3], n: [1, 2], seed: 7, tasks: 5 }
      }
    })
    const started = await call('job.start', {
      spec: {
        workload: 'combinations',
        style: 'map',
        threads: 2,
        chunkSize: 1,
        keep: 3,
        taskTimeoutMs: 60_000,
        inputs: { kind: 'args', args: [range(6), range(13), range(7), range(4)] }
      }
    })
    const { jobId } = (started as { result: { jobId: string } }).result
    failedJob = await finished(jobId)
    await call('job.summary', { jobId })
    await call('job.results', { jobId, offset: 0, limit: 10 })
    await call('job.args', { jobId, task: 1 })
    await call('job.tuples', { jobId, task: 0, offset: 0, limit: 10 })
    await call('job.timings', { jobId, offset: 0, limit: 100 })
    await call('job.timeline', { jobId })
    await call('job.cpu', { jobId })
    await call('job.stats', { jobId })
    await call('job.export', { jobId, format: 'csv' })
    const slow = await host.call('job.start', {
      spec: {
        workload: 'combinations',
        style: 'map',
        threads: 2,
        inputs: { kind: 'recipe', elements: range(19), tasks: 200 }
      }
    })
    if (!slow.ok) throw new Error(slow.error.message)
    await call('job.cancel', { jobId: (slow.result as { jobId: string }).jobId })
    await call('job.list', {})
    await call('engine.memory', {})
    // The agents at a throwaway Redis (the cluster suites require redis-server in CI).
    if (redisAvailable()) {
      const redis = await startRedis()
      const agent = await Agent.start({ redis: redis.url, threads: 1, name: 'payload-agent', workerFile })
      try {
        await call('cluster.agents', { redis: redis.url })
      } finally {
        await agent.stop()
        await redis.stop()
      }
    }
    // A small sweep, to its end: two points of one run each.
    const sweepEnded = new Promise<void>((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.type === 'sweep.finished') {
          stop()
          resolve()
        }
      })
    })
    const sweep = await call('sweep.start', {
      spec: { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [1], tasks: 2 } },
      threads: [1, 2],
      repeat: 1,
      maxSeconds: 5
    })
    const { sweepId } = (sweep as { result: { sweepId: string } }).result
    await sweepEnded
    await call('sweep.get', { sweepId })
    await call('sweep.cancel', { sweepId })
    // The history: both jobs and the sweep were saved as they ended.
    await host.history?.idle()
    const listing = (await call('history.list', {})) as unknown as {
      result: { entries: Array<{ id: string; kind: string; facts: { status: string } }> }
    }
    const saved = listing.result.entries.find((entry) => entry.facts.status === 'failed')!
    await call('history.open', { id: saved.id })
    // The sweep was saved as it ended, too.
    await call('history.openSweep', {
      id: listing.result.entries.find((entry) => entry.kind === 'sweep')!.id
    })
    await call('history.rename', { id: saved.id, name: 'a failed run' })
    const exported = (await call('history.export', { id: saved.id })) as unknown as {
      result: { text: string }
    }
    await call('history.import', { text: exported.result.text })
    await call('history.delete', { id: saved.id })
    await call('history.restore', { id: saved.id })
  })
  afterAll(async () => {
    await host.dispose()
    await rm(historyFolder, { recursive: true, force: true })
  })

  it('ran the jobs the checks below rely on', () => {
    expect(replies.size).toBe(checkedCommands.length)
    expect(failedJob.status).toBe('failed')
    expect(failedJob.failures).toHaveLength(1)
    for (const type of Object.keys(EventSchemas)) expect(events.some((e) => e.type === type)).toBe(true)
  })

  it.each(checkedCommands)(
    'the reply to %s, as the host made it and after the WebSocket, with every field declared',
    (name) => {
      const outcome = replies.get(name)!
      expect(checkedResult(name, outcome)).toEqual(outcome.ok && outcome.result)
      const wire = decodeServerMessage(encodeServerFrame({ id: 1, outcome }))
      if (isWireEvent(wire)) throw new Error('expected a response')
      expect(checkedResult(name, wire.outcome)).toEqual(outcome.ok && outcome.result)
    }
  )

  it('every event, as the host made it and after the WebSocket', () => {
    for (const event of events) {
      expect(checkEvent(event)).toEqual(event)
      const wire = decodeServerMessage(encodeServerFrame({ event }))
      if (!isWireEvent(wire)) throw new Error('expected an event')
      expect(checkEvent(wire.event)).toEqual(event)
    }
  })

  describe('malformed payloads are refused with the command or event and the field path', () => {
    const summary = () => copy(failedJob)
    const plan = () => copy((replies.get('job.plan') as { result: PlanSummary }).result)
    const progress = () => copy(events.find((e) => e.type === 'job.progress')!.payload as ProgressEvent)
    const batch = () => copy((replies.get('job.timings') as { result: TimingBatch }).result)

    it('a lane time of the wrong type', () => {
      const bad = summary() as unknown as { laneTime: Array<{ tasksMs: unknown }> }
      bad.laneTime[0].tasksMs = '12.5'
      let error: unknown
      try {
        checkPayload('result', 'job.summary', bad)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(PayloadError)
      expect(error).toMatchObject({
        kind: 'result',
        payloadName: 'job.summary',
        path: ['laneTime', 0, 'tasksMs'],
        message:
          "the host's reply to job.summary is malformed at laneTime.0.tasksMs: expected number, received string"
      })
    })

    it('a missing field, a bad status, a spec without its threads', () => {
      const noWall = summary() as Partial<JobSummary>
      delete noWall.wallMs
      expect(problem(() => checkPayload('event', 'job.finished', noWall))).toBe(
        "the host's job.finished event is malformed at wallMs: expected number, received undefined"
      )
      expect(
        problem(() => checkPayload('result', 'job.list', [summary(), { ...summary(), status: 'lost' }]))
      ).toMatch(
        /^the host's reply to job\.list is malformed at 1\.status: Invalid option: expected one of "running"\|"done"/
      )
      const planned = plan()
      delete (planned.spec as Partial<PlanSummary['spec']>).threads
      expect(problem(() => checkPayload('result', 'job.plan', planned))).toBe(
        "the host's reply to job.plan is malformed at spec.threads: expected number, received undefined"
      )
      expect(problem(() => checkPayload('result', 'job.start', plan()))).toBe(
        "the host's reply to job.start is malformed at jobId: expected string, received undefined"
      )
    })

    it('a whole payload of the wrong kind', () => {
      expect(problem(() => checkPayload('result', 'job.results', 'rows'))).toBe(
        "the host's reply to job.results is malformed: expected object, received string"
      )
      expect(problem(() => checkedResult('job.results', null))).toBe(
        "the host's reply to job.results is not an outcome { ok, result }"
      )
    })

    it('a progress event whose counts are text', () => {
      const bad = { ...progress(), tasksDone: '3' }
      expect(problem(() => checkEvent({ type: 'job.progress', payload: bad }))).toBe(
        "the host's job.progress event is malformed at tasksDone: expected number, received string"
      )
    })

    it('timing columns of the wrong kind, or plain lists', () => {
      expect(
        problem(() => checkPayload('result', 'job.timings', { ...batch(), start: new Float32Array(4) }))
      ).toBe("the host's reply to job.timings is malformed at start: expected Float64Array")
      expect(problem(() => checkPayload('result', 'job.timings', { ...batch(), lane: [0, 1, 0, 1] }))).toBe(
        "the host's reply to job.timings is malformed at lane: expected Uint16Array"
      )
    })

    it('events of no known type, or no event at all', () => {
      expect(problem(() => checkEvent({ type: 'job.gone', payload: {} }))).toBe(
        'the host sent an event of unknown type job.gone'
      )
      expect(problem(() => checkEvent({ type: 'toString', payload: {} }))).toBe(
        'the host sent an event of unknown type toString'
      )
      // Timings are a command's reply, never an event.
      expect(problem(() => checkEvent({ type: 'job.timings', payload: batch() }))).toBe(
        'the host sent an event of unknown type job.timings'
      )
      expect(problem(() => checkEvent(null))).toMatch(/not an object/)
    })
  })

  it('lets a newer host add fields: undeclared keys are dropped, not refused', () => {
    const newer = { ...copy(failedJob), backend: 'threads', spec: { ...copy(failedJob.spec), layout: 'x' } }
    const checked = checkPayload('result', 'job.summary', newer)
    expect(checked).toEqual(failedJob)
    expect(checked).not.toHaveProperty('backend')
    expect(checked.spec).not.toHaveProperty('layout')
  })

  it('accepts typed arrays made in another realm (as a context bridge may hand them over)', () => {
    const batch = (replies.get('job.timings') as { result: TimingBatch }).result
    const foreign = runInNewContext('new Int32Array([7])') as Int32Array
    expect(foreign instanceof Int32Array).toBe(false)
    expect(checkPayload('result', 'job.timings', { ...batch, task: foreign }).task).toBe(foreign)
  })
})
