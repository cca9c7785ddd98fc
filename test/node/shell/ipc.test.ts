import { describe, expect, it, vi } from 'vitest'
import type { IpcMain } from 'electron'
import { CommandSchemas } from '../../../src/shared/protocol'
import type { CommandOutcome, EngineEvent } from '../../../src/shared/protocol'
import { createIpcGate, EVENT_CHANNEL } from '../../../src/main/shell/ipc'
import type { TrustedWindow } from '../../../src/main/shell/ipc'
import { createAppUrlCheck } from '../../../src/main/shell/security'
import { FakeBrowserWindow, FakeFrame, FakeIpcMain, FakeWebContents } from './electronMock'

const APP_URL = 'app://poolscope/index.html'

function setup() {
  const ipcMain = new FakeIpcMain()
  const window = new FakeBrowserWindow({})
  window.webContents.mainFrame.url = APP_URL
  let listener: ((event: EngineEvent) => void) | null = null
  const unsubscribe = vi.fn()
  const host = {
    call: vi.fn(async (): Promise<CommandOutcome> => ({ ok: true, result: { cancelled: true } })),
    onEvent: vi.fn((next: (event: EngineEvent) => void) => {
      listener = next
      return unsubscribe
    })
  }
  let current: FakeBrowserWindow | null = window
  const gate = createIpcGate({
    ipcMain: ipcMain as unknown as IpcMain,
    host,
    getWindow: () => current as unknown as TrustedWindow | null,
    isAppUrl: createAppUrlCheck(APP_URL)
  })
  const unbind = gate.bind()
  const own = { sender: window.webContents, senderFrame: window.webContents.mainFrame }
  return {
    ipcMain,
    window,
    host,
    own,
    gate,
    unbind,
    unsubscribe,
    emit: (event: EngineEvent) => listener?.(event),
    closeWindow: () => {
      current = null
    }
  }
}

describe('IPC gate', () => {
  it('binds one poolscope: channel for every command of the contract', () => {
    const { ipcMain } = setup()
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(CommandSchemas)
        .map((name) => `poolscope:${name}`)
        .sort()
    )
  })

  it("forwards a call from the app's own main frame to the host and returns its outcome", async () => {
    const { ipcMain, host, own } = setup()
    const outcome = await ipcMain.invoke('poolscope:job.cancel', own, { jobId: 'job-1' })
    expect(host.call).toHaveBeenCalledWith('job.cancel', { jobId: 'job-1' })
    expect(outcome).toEqual({ ok: true, result: { cancelled: true } })
  })

  it('refuses a call from another web contents without calling the host', async () => {
    const { ipcMain, host } = setup()
    const stranger = new FakeWebContents(APP_URL)
    const outcome = (await ipcMain.invoke(
      'poolscope:engine.info',
      { sender: stranger, senderFrame: stranger.mainFrame },
      {}
    )) as CommandOutcome
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } })
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses a call from a subframe of the app window without calling the host', async () => {
    const { ipcMain, host, window } = setup()
    const subframe = new FakeFrame(APP_URL)
    const outcome = (await ipcMain.invoke(
      'poolscope:engine.info',
      { sender: window.webContents, senderFrame: subframe },
      {}
    )) as CommandOutcome
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.message).toContain('main frame')
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses a call whose sender frame is gone', async () => {
    const { ipcMain, host, window } = setup()
    const outcome = (await ipcMain.invoke(
      'poolscope:engine.info',
      { sender: window.webContents, senderFrame: null },
      {}
    )) as CommandOutcome
    expect(outcome.ok).toBe(false)
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses a call when the main frame shows a page other than the app', async () => {
    const { ipcMain, host, own, window } = setup()
    window.webContents.mainFrame.url = 'https://evil.example.com/'
    const outcome = (await ipcMain.invoke('poolscope:engine.info', own, {})) as CommandOutcome
    expect(outcome.ok).toBe(false)
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses calls once the window is closed', async () => {
    const { ipcMain, host, own, closeWindow } = setup()
    closeWindow()
    expect(await ipcMain.invoke('poolscope:engine.info', own, {})).toMatchObject({ ok: false })
    expect(host.call).not.toHaveBeenCalled()
  })

  it('answers malformed parameters with { ok: false, error } without calling the host', async () => {
    const { ipcMain, host, own } = setup()
    const outcome = (await ipcMain.invoke('poolscope:job.results', own, {
      jobId: 'j',
      offset: -1,
      limit: 'ten'
    })) as CommandOutcome
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('INVALID_COMMAND')
      expect(outcome.error.message).toMatch(/^Command job\.results has invalid parameters: /)
    }
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses extra properties and extra arguments', async () => {
    const { ipcMain, host, own } = setup()
    expect(
      await ipcMain.invoke('poolscope:engine.info', own, { __proto__: null, admin: true })
    ).toMatchObject({ ok: false })
    expect(await ipcMain.invoke('poolscope:engine.info', own, {}, 'extra')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' }
    })
    expect(await ipcMain.invoke('poolscope:engine.info', own)).toMatchObject({ ok: false })
    expect(host.call).not.toHaveBeenCalled()
  })

  it.each(['toString', '__proto__', 'constructor', 'job.delete', 42, null])(
    'answers the unknown command %s with UNKNOWN_COMMAND without calling the host',
    async (name) => {
      const { gate, host, own } = setup()
      const outcome = await gate.dispatch(own as never, name, [{}])
      expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } })
      expect(host.call).not.toHaveBeenCalled()
    }
  )

  it('turns a host that throws into an INTERNAL error without details', async () => {
    const { ipcMain, host, own } = setup()
    host.call.mockRejectedValueOnce(new Error('at /home/me/secret.ts:1'))
    expect(await ipcMain.invoke('poolscope:engine.info', own, {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Command engine.info failed unexpectedly.' }
    })
  })

  it('refuses a call from a second window that shows the app page', async () => {
    const { ipcMain, host } = setup()
    const second = new FakeBrowserWindow({})
    const outcome = (await ipcMain.invoke(
      'poolscope:engine.info',
      { sender: second.webContents, senderFrame: second.webContents.mainFrame },
      {}
    )) as CommandOutcome
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: 'Command engine.info was refused: it came from another web page.'
      }
    })
    expect(host.call).not.toHaveBeenCalled()
  })

  it('refuses a call when the main frame shows a local file instead of app://poolscope', async () => {
    const { ipcMain, host, own, window } = setup()
    window.webContents.mainFrame.url = 'file:///opt/PoolScope/resources/app.asar/out/renderer/index.html'
    const outcome = (await ipcMain.invoke('poolscope:engine.info', own, {})) as CommandOutcome
    expect(!outcome.ok && outcome.error.message).toBe(
      'Command engine.info was refused: the window is not showing PoolScope.'
    )
    expect(host.call).not.toHaveBeenCalled()
  })

  it('passes on a host error as only its code and message, with file paths and stack removed', async () => {
    const { ipcMain, host, own } = setup()
    host.call.mockResolvedValueOnce({
      ok: false,
      error: {
        code: 'POOL_FAILED',
        message:
          "could not start a pool of 2 threads: Cannot find module '/home/alice/PoolScope/worker.cjs'\n    at load (/home/alice/PoolScope/main.cjs:3:1)",
        stack: 'Error: x\n    at /home/alice/PoolScope/main.cjs:3:1'
      } as never
    })
    expect(await ipcMain.invoke('poolscope:engine.info', own, {})).toEqual({
      ok: false,
      error: {
        code: 'POOL_FAILED',
        message: "could not start a pool of 2 threads: Cannot find module '<path>'"
      }
    })
  })

  it("pushes engine events to the window's web contents", () => {
    const { window, emit } = setup()
    const event = { type: 'job.progress', payload: { jobId: 'j' } } as unknown as EngineEvent
    emit(event)
    expect(window.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, event)
  })

  it('sends no event to a window whose web contents is destroyed', () => {
    const { window, emit } = setup()
    window.webContents.isDestroyed.mockReturnValue(true)
    emit({ type: 'job.progress', payload: { jobId: 'j' } } as unknown as EngineEvent)
    expect(window.webContents.send).not.toHaveBeenCalled()
  })

  it('sends no event to a destroyed window', () => {
    const { window, emit } = setup()
    window.isDestroyed.mockReturnValue(true)
    emit({ type: 'job.progress', payload: { jobId: 'j' } } as unknown as EngineEvent)
    expect(window.webContents.send).not.toHaveBeenCalled()
  })

  it('sends no event once the window is closed', () => {
    const { window, emit, closeWindow } = setup()
    closeWindow()
    emit({ type: 'job.progress', payload: { jobId: 'j' } } as unknown as EngineEvent)
    expect(window.webContents.send).not.toHaveBeenCalled()
  })

  it('unbinding removes every handler and the event subscription', () => {
    const { ipcMain, unbind, unsubscribe } = setup()
    unbind()
    expect(ipcMain.handlers.size).toBe(0)
    expect(unsubscribe).toHaveBeenCalledOnce()
  })
})
