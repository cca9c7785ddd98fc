// The Electron entry: wires the shell modules together and nothing more. Each capability (window,
// security, app protocol, IPC gate, menu, job files, lifecycle) lives in its own module under ./shell.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { HistoryStore } from './history/historyStore'
import { EngineHost } from './host/engineHost'
import { serveApp } from './shell/appProtocol'
import { prepareBeforeReady } from './shell/beforeReady'
import { createIpcGate } from './shell/ipc'
import { exportResults, exportTrace, openJob, saveJob } from './shell/jobFiles'
import type { JobFileDeps } from './shell/jobFiles'
import { claimSingleInstance, disposeBeforeQuit, resolveWorkerFile, shutDownEngine } from './shell/lifecycle'
import { createMainWindow, rendererDir, rendererUrl } from './shell/mainWindow'
import { aboutDetail, buildMenuTemplate } from './shell/menu'
import {
  contentSecurityPolicy,
  createAppUrlCheck,
  denyPermissions,
  installContentSecurityPolicy,
  lockDownWebContents
} from './shell/security'
import { cancelJobsWhenPageGoes } from './shell/windowJobs'
import { WINDOW_STATE_FILE } from './shell/windowState'

/** The folder of saved runs, inside Electron's userData. */
const HISTORY_FOLDER = 'history'

const APP_NAME = 'PoolScope'
// First of all, while Electron still accepts it: sandbox every renderer, register app://.
prepareBeforeReady(app, protocol)

const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']
const appUrl = rendererUrl({ devServerUrl, isPackaged: app.isPackaged })
const isAppUrl = createAppUrlCheck(appUrl)

let mainWindow: BrowserWindow | null = null
const getWindow = (): BrowserWindow | null => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null)

// Before anything else: every web contents ever created may not navigate away, open windows or
// attach webviews.
app.on('web-contents-created', (_event, contents) => {
  lockDownWebContents(contents, { isAppUrl, openExternal: (url) => shell.openExternal(url) })
})

if (!claimSingleInstance(app, getWindow)) {
  app.quit()
} else {
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      dialog.showErrorBox(`${APP_NAME} could not start`, err instanceof Error ? err.message : String(err))
      app.quit()
    })
}

async function start(): Promise<void> {
  const host = new EngineHost({
    workerFile: resolveWorkerFile(__dirname),
    history: await HistoryStore.open(join(app.getPath('userData'), HISTORY_FOLDER)),
    versions: { electron: process.versions.electron, chrome: process.versions.chrome }
  })
  disposeBeforeQuit(app, () => shutDownEngine(host))

  const appSession = session.defaultSession
  installContentSecurityPolicy(
    appSession,
    contentSecurityPolicy({ dev: devServerUrl !== undefined, devServerOrigin: devServerUrl })
  )
  // The built renderer is served on app://poolscope/ with the production policy, also in
  // development, where the window shows the dev server instead.
  serveApp(protocol, {
    rendererDir: rendererDir(__dirname),
    contentSecurityPolicy: contentSecurityPolicy({ dev: false })
  })
  denyPermissions(appSession)

  createIpcGate({ ipcMain, host, getWindow, isAppUrl }).bind()

  const files: JobFileDeps = { host, dialog, getWindow }
  const menu = buildMenuTemplate(
    {
      openJob: () => void openJob(files),
      saveJob: () => void saveJob(files),
      exportResults: () => void exportResults(files),
      exportTrace: () => void exportTrace(files),
      showAbout: () => void showAbout()
    },
    { appName: APP_NAME, isPackaged: app.isPackaged, platform: process.platform }
  )
  Menu.setApplicationMenu(Menu.buildFromTemplate(menu))

  const openWindow = async (): Promise<void> => {
    mainWindow = await createMainWindow({
      mainDir: __dirname,
      devServerUrl,
      isPackaged: app.isPackaged,
      stateFile: join(app.getPath('userData'), WINDOW_STATE_FILE)
    })
    // A job left running by a closed, reloaded or crashed page is cancelled, not left burning cores.
    cancelJobsWhenPageGoes(mainWindow.webContents, host)
    mainWindow.on('closed', () => {
      mainWindow = null
    })
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (!getWindow()) void openWindow()
  })
  await openWindow()
}

async function showAbout(): Promise<void> {
  const options = {
    type: 'info' as const,
    title: `About ${APP_NAME}`,
    message: APP_NAME,
    detail: aboutDetail({
      appName: APP_NAME,
      appVersion: app.getVersion(),
      versions: process.versions,
      hardwareThreads: availableParallelism(),
      platform: process.platform,
      arch: process.arch
    }),
    buttons: ['OK']
  }
  const window = getWindow()
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options))
}
