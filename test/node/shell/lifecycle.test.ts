import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { App } from 'electron'
import { EngineHost } from '../../../src/main/host/engineHost'
import {
  claimSingleInstance,
  disposeBeforeQuit,
  QUIT_REASON,
  resolveWorkerFile,
  shutDownEngine
} from '../../../src/main/shell/lifecycle'
import { aboutDetail, buildMenuTemplate } from '../../../src/main/shell/menu'
import type { MenuActions } from '../../../src/main/shell/menu'
import { workerFile } from '../../paths'

class FakeApp extends EventEmitter {
  readonly quit = vi.fn(() => {
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) }
    this.emit('before-quit', event)
    return event
  })
  readonly requestSingleInstanceLock = vi.fn(() => true)
}

describe('quitting', () => {
  it('holds the quit until the engine host is disposed, then quits', async () => {
    const app = new FakeApp()
    let finish: () => void = () => undefined
    const dispose = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)))
    disposeBeforeQuit(app as unknown as App, dispose)

    const first = app.quit()
    expect(first.defaultPrevented).toBe(true)
    expect(dispose).toHaveBeenCalledOnce()
    expect(app.quit().defaultPrevented).toBe(true)
    expect(dispose).toHaveBeenCalledOnce()

    finish()
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(3))
    expect(app.quit.mock.results[2].value.defaultPrevented).toBe(false)
  })

  it('quits anyway when disposing fails', async () => {
    const app = new FakeApp()
    disposeBeforeQuit(app as unknown as App, () => Promise.reject(new Error('pool stuck')))
    app.quit()
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(2))
  })

  it('quits anyway when disposing takes too long', async () => {
    const app = new FakeApp()
    disposeBeforeQuit(app as unknown as App, () => new Promise<void>(() => undefined), 20)
    app.quit()
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(2))
  })
})

describe('quitting mid-job', () => {
  it('cancels the running job with a reason in its status, destroys the pool and quits', async () => {
    const host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const started = await host.call('job.start', {
      spec: {
        workload: 'combinations_n',
        style: 'starmap',
        threads: 2,
        chunkSize: 1,
        keep: 'count',
        inputs: { kind: 'recipe', elements: Array.from({ length: 28 }, (_, i) => i), n: [7], tasks: 200 }
      }
    })
    if (!started.ok) throw new Error(started.error.message)
    const job = host.engine.job((started.result as { jobId: string }).jobId)
    const app = new FakeApp()
    disposeBeforeQuit(app as unknown as App, () => shutDownEngine(host))

    expect(app.quit().defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(2))

    expect(app.quit.mock.results[1].value.defaultPrevented).toBe(false)
    const summary = await job.done
    expect(summary.status).toBe('cancelled')
    expect(summary.message).toMatch(/^cancelled: PoolScope was quit: \d+ of 200 tasks completed/)
    expect(host.engine.runningJob).toBeNull()
    // The pool is gone: the engine starts nothing more.
    expect(
      await host.call('job.start', {
        spec: {
          workload: 'combinations',
          style: 'map',
          threads: 2,
          inputs: { kind: 'recipe', elements: [0, 1, 2] }
        }
      })
    ).toEqual({ ok: false, error: { code: 'POOL_FAILED', message: 'the engine has shut down' } })
  })

  it('disposes the engine even when cancelling the job fails', async () => {
    const engine = {
      cancelRunning: vi.fn(async () => Promise.reject(new Error('stuck'))),
      dispose: vi.fn(async () => undefined)
    }
    await shutDownEngine(engine)
    expect(engine.cancelRunning).toHaveBeenCalledWith(QUIT_REASON)
    expect(engine.dispose).toHaveBeenCalledOnce()
  })
})

describe('single instance', () => {
  it('quits a second launch', () => {
    const app = new FakeApp()
    app.requestSingleInstanceLock.mockReturnValue(false)
    expect(claimSingleInstance(app as unknown as App, () => null)).toBe(false)
  })

  it('focuses the existing window when another launch happens', () => {
    const app = new FakeApp()
    const window = {
      isDestroyed: () => false,
      isMinimized: () => true,
      restore: vi.fn(),
      show: vi.fn(),
      focus: vi.fn()
    }
    expect(claimSingleInstance(app as unknown as App, () => window)).toBe(true)
    app.emit('second-instance')
    expect(window.restore).toHaveBeenCalledOnce()
    expect(window.focus).toHaveBeenCalledOnce()
  })
})

describe('worker file', () => {
  const packed = join('/opt/PoolScope/resources/app.asar', 'out', 'main')

  it('is worker.cjs beside the main bundle', () => {
    expect(resolveWorkerFile('/repo/out/main')).toBe(join('/repo/out/main', 'worker.cjs'))
  })

  it('stays inside app.asar when it is not unpacked', () => {
    expect(resolveWorkerFile(packed, () => false)).toBe(join(packed, 'worker.cjs'))
  })

  it('moves to app.asar.unpacked when it was unpacked', () => {
    expect(resolveWorkerFile(packed, () => true)).toBe(
      join('/opt/PoolScope/resources/app.asar.unpacked', 'out', 'main', 'worker.cjs')
    )
  })
})

describe('menu', () => {
  const actions: MenuActions = {
    openJob: vi.fn(),
    saveJob: vi.fn(),
    exportResults: vi.fn(),
    exportTrace: vi.fn(),
    showAbout: vi.fn()
  }
  const roles = (template: ReturnType<typeof buildMenuTemplate>) => JSON.stringify(template)

  it('offers developer tools only in an unpackaged app', () => {
    expect(
      roles(buildMenuTemplate(actions, { appName: 'PoolScope', isPackaged: false, platform: 'linux' }))
    ).toContain('toggleDevTools')
    expect(
      roles(buildMenuTemplate(actions, { appName: 'PoolScope', isPackaged: true, platform: 'linux' }))
    ).not.toContain('toggleDevTools')
  })

  it('has Open job…, Save job…, Export results… and Export trace… in the File menu', () => {
    const [file] = buildMenuTemplate(actions, { appName: 'PoolScope', isPackaged: true, platform: 'linux' })
    const labels = (file.submenu as { label?: string }[]).map((item) => item.label)
    expect(labels).toEqual(
      expect.arrayContaining(['Open job…', 'Save job…', 'Export results…', 'Export trace…'])
    )
    const exportTrace = (file.submenu as { label?: string; click?: () => void }[]).find(
      (item) => item.label === 'Export trace…'
    )
    exportTrace?.click?.()
    expect(actions.exportTrace).toHaveBeenCalledTimes(1)
  })

  it('shows versions and the hardware thread count in About', () => {
    expect(
      aboutDetail({
        appName: 'PoolScope',
        appVersion: '0.1.0',
        versions: { electron: '45.5.0', chrome: '142.0.0.0', node: '22.20.0', v8: '14.2' },
        hardwareThreads: 8,
        platform: 'linux',
        arch: 'x64'
      })
    ).toBe(
      'Version 0.1.0\nElectron 45.5.0\nChrome 142.0.0.0\nNode.js 22.20.0\nV8 14.2\nHardware threads: 8\nPlatform: linux x64'
    )
  })
})
