// A small stand-in for the parts of `electron` the shell uses, in the manner of Electron Fiddle's
// tests/mocks/electron.ts. Tests load it with `vi.mock('electron', () => import('./electronMock'))`.
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

let nextId = 1

/** A frame of a page; the main frame of a FakeWebContents, or a subframe made by a test. */
export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++
  readonly mainFrame: FakeFrame
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  readonly send = vi.fn()
  readonly isDestroyed = vi.fn(() => false)
  readonly setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: string }) => {
    this.windowOpenHandler = handler
  })
  constructor(url = 'app://poolscope/index.html') {
    super()
    this.mainFrame = new FakeFrame(url)
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.mainFrame.url = url
  })
  readonly isDestroyed = vi.fn(() => false)
  readonly maximize = vi.fn()
  readonly isMaximized = vi.fn(() => false)
  readonly show = vi.fn()
  readonly focus = vi.fn()
  readonly getNormalBounds = vi.fn(() => ({ x: 10, y: 20, width: 1000, height: 700 }))
  constructor(readonly options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.instances.push(this)
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>()
  readonly handle = vi.fn((channel: string, handler: Handler) => {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, handler)
  })
  readonly removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel)
  })
  /** Calls a bound channel as the renderer would, with a chosen sender. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return handler(event, ...args)
  }
}

export class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined)
  readonly send = vi.fn()
  readonly sendSync = vi.fn()
}

export const app = {
  isPackaged: false,
  isReady: vi.fn(() => false),
  enableSandbox: vi.fn(),
  getPath: vi.fn(() => '/tmp/poolscope-test-user-data'),
  getVersion: vi.fn(() => '0.1.0'),
  on: vi.fn(),
  quit: vi.fn(),
  requestSingleInstanceLock: vi.fn(() => true),
  whenReady: vi.fn(() => Promise.resolve())
}

export const BrowserWindow = FakeBrowserWindow
export const ipcMain = new FakeIpcMain()
export const ipcRenderer = new FakeIpcRenderer()
export const contextBridge = { exposeInMainWorld: vi.fn() }
export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }
export const shell = { openExternal: vi.fn(async () => undefined) }
export const screen = {
  getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }])
}
export const dialog = {
  showMessageBox: vi.fn(async () => ({ response: 0, checkboxChecked: false })),
  showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
  showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
  showErrorBox: vi.fn()
}
export const Menu = { buildFromTemplate: vi.fn((template: unknown) => template), setApplicationMenu: vi.fn() }
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn()
  }
}

export default {
  app,
  BrowserWindow,
  ipcMain,
  ipcRenderer,
  contextBridge,
  protocol,
  shell,
  screen,
  dialog,
  Menu,
  session
}
