import { BrowserWindow, screen } from 'electron'
import { join } from 'node:path'
import { APP_INDEX_URL } from './appProtocol'
import { secureWebPreferences } from './security'
import { loadWindowState, rememberWindowState } from './windowState'

/**
 * Creates the one PoolScope window: sandboxed, sized as last time, showing the built renderer
 * (or the dev server in development).
 */

export interface MainWindowOptions {
  /** Directory of the built main bundle (`out/main`); the preload and renderer sit beside it. */
  mainDir: string
  /** The Vite dev server's URL in development (`ELECTRON_RENDERER_URL`), unset in a build. */
  devServerUrl?: string
  isPackaged: boolean
  /** The JSON file that remembers the window's geometry. */
  stateFile: string
}

/** The built renderer directory (`out/renderer`), which `app://poolscope/` serves. */
export function rendererDir(mainDir: string): string {
  return join(mainDir, '..', 'renderer')
}

/**
 * The URL the window loads: the dev server's in development, otherwise the built `index.html` on
 * the app's own scheme (never `file://`, whose extra privileges the packaged app turns off).
 */
export function rendererUrl(options: Pick<MainWindowOptions, 'devServerUrl' | 'isPackaged'>): string {
  if (!options.isPackaged && options.devServerUrl) return options.devServerUrl
  return APP_INDEX_URL
}

/** Creates, locks down and loads the main window; shows it once the page is ready. */
export async function createMainWindow(options: MainWindowOptions): Promise<BrowserWindow> {
  const areas = screen.getAllDisplays().map((display) => display.workArea)
  const state = await loadWindowState(options.stateFile, areas)
  const url = rendererUrl(options)

  const window = new BrowserWindow({
    title: 'PoolScope',
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 720,
    minHeight: 480,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(join(options.mainDir, '..', 'preload', 'index.cjs'), {
      devTools: !options.isPackaged
    })
  })
  if (state.maximized) window.maximize()
  rememberWindowState(window, options.stateFile)

  // Navigation, new windows and webviews are denied for every web contents by the app-wide
  // `web-contents-created` hook in index.ts, which runs before this page starts loading.
  window.once('ready-to-show', () => window.show())
  await window.loadURL(url)
  return window
}
