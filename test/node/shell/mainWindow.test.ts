import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMainWindow, rendererDir, rendererUrl } from '../../../src/main/shell/mainWindow'
import { FakeBrowserWindow } from './electronMock'

vi.mock('electron', () => import('./electronMock'))

const mainDir = '/opt/PoolScope/resources/app.asar/out/main'

function stateFile(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'poolscope-window-')), 'window-state.json')
  if (content !== undefined) writeFileSync(file, content)
  return file
}

beforeEach(() => {
  FakeBrowserWindow.instances.length = 0
})

describe('main window', () => {
  it('is created with context isolation, the sandbox, no Node integration and web security', async () => {
    await createMainWindow({ mainDir, isPackaged: true, stateFile: stateFile() })
    const prefs = FakeBrowserWindow.instances[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false
    })
    expect(prefs.preload).toBe('/opt/PoolScope/resources/app.asar/out/preload/index.cjs')
  })

  it('loads the built renderer from app://poolscope in a packaged app, even if a dev server URL is set', async () => {
    const window = await createMainWindow({
      mainDir,
      isPackaged: true,
      devServerUrl: 'http://localhost:5173',
      stateFile: stateFile()
    })
    expect((window as unknown as FakeBrowserWindow).loadURL).toHaveBeenCalledWith(
      'app://poolscope/index.html'
    )
  })

  it('loads app://poolscope, never a file URL, in an unpackaged build without a dev server', () => {
    expect(rendererUrl({ isPackaged: false })).toBe('app://poolscope/index.html')
  })

  it('uses the dev server in development', () => {
    expect(rendererUrl({ isPackaged: false, devServerUrl: 'http://localhost:5173' })).toBe(
      'http://localhost:5173'
    )
  })

  it('serves the renderer directory that sits beside the main bundle', () => {
    expect(rendererDir(mainDir)).toBe('/opt/PoolScope/resources/app.asar/out/renderer')
  })

  it('reopens at the remembered size and position', async () => {
    await createMainWindow({
      mainDir,
      isPackaged: true,
      stateFile: stateFile('{"width":900,"height":600,"x":40,"y":50,"maximized":true}')
    })
    const window = FakeBrowserWindow.instances[0]
    expect(window.options).toMatchObject({ width: 900, height: 600, x: 40, y: 50, show: false })
    expect(window.maximize).toHaveBeenCalledOnce()
  })
})
