import type { MenuItemConstructorOptions } from 'electron'

/**
 * The application menu as a plain template, built from the actions it triggers, so its shape can be
 * tested without Electron. Developer tools appear only in an unpackaged (development) app.
 */

/** What the menu items do; the app entry wires them to dialogs and the engine host. */
export interface MenuActions {
  openJob(): void
  saveJob(): void
  exportResults(): void
  exportTrace(): void
  showAbout(): void
}

export interface MenuOptions {
  appName: string
  isPackaged: boolean
  platform: NodeJS.Platform
}

/** Builds the menu template for the platform. */
export function buildMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin'
  const about: MenuItemConstructorOptions = {
    label: `About ${options.appName}`,
    click: () => actions.showAbout()
  }

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open job…', accelerator: 'CmdOrCtrl+O', click: () => actions.openJob() },
      { label: 'Save job…', accelerator: 'CmdOrCtrl+S', click: () => actions.saveJob() },
      { label: 'Export results…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportResults() },
      { label: 'Export trace…', click: () => actions.exportTrace() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' }
    ]
  }

  const viewItems: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' }
  ]
  if (!options.isPackaged) {
    viewItems.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' })
  }

  const template: MenuItemConstructorOptions[] = []
  if (isMac) {
    template.push({
      label: options.appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' }
      ]
    })
  }
  template.push(
    file,
    { label: '&Edit', role: 'editMenu' },
    { label: '&View', submenu: viewItems },
    { label: '&Window', role: 'windowMenu' }
  )
  if (!isMac) template.push({ label: '&Help', submenu: [about] })
  return template
}

/** Facts shown in the About dialog. */
export interface AboutInfo {
  appName: string
  appVersion: string
  versions: { electron?: string; chrome?: string; node?: string; v8?: string }
  hardwareThreads: number
  platform: string
  arch: string
}

/** The About dialog's detail text, one fact a line. */
export function aboutDetail(info: AboutInfo): string {
  const unknown = 'unknown'
  return [
    `Version ${info.appVersion}`,
    `Electron ${info.versions.electron ?? unknown}`,
    `Chrome ${info.versions.chrome ?? unknown}`,
    `Node.js ${info.versions.node ?? unknown}`,
    `V8 ${info.versions.v8 ?? unknown}`,
    `Hardware threads: ${info.hardwareThreads}`,
    `Platform: ${info.platform} ${info.arch}`
  ].join('\n')
}
