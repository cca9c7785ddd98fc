import { beforeAll, describe, expect, it, vi } from 'vitest'
import { PayloadError } from '../../../src/shared/payloads'
import { apiFromBridge, RemoteError } from '../../../src/shared/protocol'
import type { EngineEvent, OutcomeBridge, PoolScopeApi } from '../../../src/shared/protocol'
import * as electron from './electronMock'

vi.mock('electron', () => import('./electronMock'))

/** The named methods of PoolScopeApi, spelled out so that a new one is a deliberate change. */
const API_METHODS = [
  'args',
  'cancelJob',
  'cancelSweep',
  'clusterAgents',
  'cpu',
  'exportJob',
  'getSweep',
  'historyDelete',
  'historyExport',
  'historyImport',
  'historyList',
  'historyOpen',
  'historyOpenSweep',
  'historyRename',
  'historyRestore',
  'info',
  'jobSummary',
  'listJobs',
  'memory',
  'onEvent',
  'planJob',
  'results',
  'startJob',
  'startSweep',
  'stats',
  'timeline',
  'timings',
  'tuples'
]

const progress = {
  jobId: 'j',
  tasksDone: 1,
  tasksFailed: 0,
  tasksTotal: 4,
  tuplesDone: 15,
  tuplesTotal: 60,
  elapsedMs: 3
}

let bridge: OutcomeBridge
/** What the page builds over the bridge (src/renderer/src/api). */
let api: PoolScopeApi
let exposedAs: unknown

beforeAll(async () => {
  await import('../../../src/preload/index')
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce()
  ;[exposedAs, bridge] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as unknown as [
    string,
    OutcomeBridge
  ]
  api = apiFromBridge(bridge)
})

describe('preload bridge', () => {
  it('exposes exactly the named methods of PoolScopeApi on window.poolscope', () => {
    expect(exposedAs).toBe('poolscope')
    expect(Object.keys(bridge).sort()).toEqual(API_METHODS)
    for (const name of API_METHODS) expect(typeof bridge[name as keyof OutcomeBridge]).toBe('function')
  })

  it('exposes no ipcRenderer, process or env', () => {
    const exposed = bridge as unknown as Record<string, unknown>
    for (const forbidden of ['ipcRenderer', 'invoke', 'send', 'process', 'env', 'require']) {
      expect(exposed[forbidden]).toBeUndefined()
    }
    expect(Object.values(exposed)).not.toContain(electron.ipcRenderer)
  })

  it('invokes the poolscope: channel of the command with its parameters', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { total: 0, rows: [] } })
    await expect(api.results('job-1', 0, 50)).resolves.toEqual({ total: 0, rows: [] })
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('poolscope:job.results', {
      jobId: 'job-1',
      offset: 0,
      limit: 50
    })
  })

  it('asks the job.timings channel for a page of timings, typed arrays passed through', async () => {
    const page = {
      jobId: 'job-1',
      task: Int32Array.from([4, 5]),
      start: Float64Array.from([0.5, 1]),
      end: Float64Array.from([1, 2.5]),
      lane: Uint16Array.from([0, 1]),
      cpu: Int16Array.from([-1, 1]),
      tid: Int32Array.from([-1, 9])
    }
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: page })
    await expect(api.timings('job-1', 4, 2)).resolves.toEqual(page)
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('poolscope:job.timings', {
      jobId: 'job-1',
      offset: 4,
      limit: 2
    })
  })

  it('resolves an error outcome as data, since contextBridge would strip an Error’s code', async () => {
    const outcome = { ok: false, error: { code: 'UNKNOWN_JOB', message: 'No job job-9; known jobs: none.' } }
    electron.ipcRenderer.invoke.mockResolvedValueOnce(outcome)
    await expect(bridge.jobSummary('job-9')).resolves.toEqual(outcome)
  })

  it('lets the page reject an error outcome with a RemoteError that keeps the code', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'UNKNOWN_JOB', message: 'No job job-9; known jobs: none.' }
    })
    const error = await api.jobSummary('job-9').catch((err: unknown) => err)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ code: 'UNKNOWN_JOB', message: 'No job job-9; known jobs: none.' })
  })

  it('lets the page reject a refused spec with a RemoteError that keeps the field path', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'INVALID_SPEC', message: 'threads: threads must be at least 1', path: ['threads'] }
    })
    const error = await api.planJob({}).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ code: 'INVALID_SPEC', path: ['threads'] })
  })

  it('delivers engine events without the IPC event, and unsubscribes', () => {
    const listener = vi.fn()
    const unsubscribe = api.onEvent(listener)
    const event: EngineEvent = { type: 'job.progress', payload: progress }
    electron.ipcRenderer.emit('poolscope:event', { sender: electron.ipcRenderer }, event)
    expect(listener).toHaveBeenCalledExactlyOnceWith(event)
    unsubscribe()
    electron.ipcRenderer.emit('poolscope:event', { sender: electron.ipcRenderer }, event)
    expect(listener).toHaveBeenCalledOnce()
    expect(electron.ipcRenderer.listenerCount('poolscope:event')).toBe(0)
  })

  it('lets the page reject a malformed result, naming the command and the field', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { total: '3', rows: [] } })
    const error = await api.results('job-1', 0, 50).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(PayloadError)
    expect((error as Error).message).toBe(
      "the host's reply to job.results is malformed at total: expected number, received string"
    )
  })

  it('lets the page drop and report a malformed event, and deliver the next good one', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const listener = vi.fn()
    const unsubscribe = api.onEvent(listener)
    const bad = { type: 'job.progress', payload: { jobId: 'j' } }
    electron.ipcRenderer.emit('poolscope:event', { sender: electron.ipcRenderer }, bad)
    const good: EngineEvent = { type: 'job.progress', payload: progress }
    electron.ipcRenderer.emit('poolscope:event', { sender: electron.ipcRenderer }, good)
    unsubscribe()
    expect(listener).toHaveBeenCalledExactlyOnceWith(good)
    expect(errors).toHaveBeenCalledExactlyOnceWith(
      'PoolScope: dropped an event from the host:',
      "the host's job.progress event is malformed at tasksDone: expected number, received undefined"
    )
    errors.mockRestore()
  })
})
