import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { CommandOutcome } from '../../../scripts/electron-binary.js'
import { planLaunch } from '../../../scripts/launch-plan.js'
import type { LaunchSystem } from '../../../scripts/launch-plan.js'

const ELECTRON_DIR = '/project/node_modules/electron'
const DOWNLOADED_BINARY = join(ELECTRON_DIR, 'dist', 'electron')
const ELECTRON_VITE_BIN = '/project/node_modules/electron-vite/bin/electron-vite.js'
const WEB_SCRIPT = '/project/scripts/web.js'

interface MachineOptions {
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  isRoot?: boolean
  /** Whether Electron's binary has already been downloaded. */
  downloaded?: boolean
  /** What running Electron's installer does. */
  installer?: 'downloads' | 'fails' | 'leaves nothing'
  probe?: CommandOutcome
  electronInstalled?: boolean
  /** More files on disk, by path, with their text. */
  extraFiles?: Record<string, string>
}

/** A stand-in machine: a Linux desktop with Electron downloaded and working, unless told otherwise. */
function machine(options: MachineOptions = {}) {
  const files = new Map<string, string>()
  const download = () => {
    files.set(join(ELECTRON_DIR, 'path.txt'), 'electron')
    files.set(DOWNLOADED_BINARY, '')
  }
  if (options.downloaded ?? true) download()
  for (const [path, text] of Object.entries(options.extraFiles ?? {})) files.set(path, text)
  const installer = options.installer ?? 'downloads'
  const lines: string[] = []
  const system: LaunchSystem = {
    platform: options.platform ?? 'linux',
    env: options.env ?? { DISPLAY: ':0' },
    isRoot: options.isRoot ?? false,
    nodePath: '/usr/bin/node',
    electronDir: (options.electronInstalled ?? true) ? ELECTRON_DIR : null,
    electronVersion: '45.5.0',
    electronViteBin: ELECTRON_VITE_BIN,
    webScript: WEB_SCRIPT,
    exists: (path) => files.has(path),
    readText: (path) => files.get(path) ?? null,
    runInstaller: vi.fn(async (): Promise<CommandOutcome> => {
      if (installer === 'fails') return { ok: false, error: 'TypeError: fetch failed' }
      if (installer === 'downloads') download()
      return { ok: true }
    }),
    probe: vi.fn(async (): Promise<CommandOutcome> => options.probe ?? { ok: true }),
    log: (line) => lines.push(line)
  }
  return { system, lines }
}

describe('npm start on a machine where Electron can run', () => {
  it('runs electron-vite preview, which builds and then opens the window', async () => {
    const { system } = machine()
    const plan = await planLaunch('start', system)
    expect(plan.command).toBe('/usr/bin/node')
    expect(plan.args).toEqual([ELECTRON_VITE_BIN, 'preview'])
    expect(plan.notice).toBeNull()
  })

  it('hands electron-vite the binary it found through ELECTRON_EXEC_PATH', async () => {
    const { system } = machine()
    const plan = await planLaunch('start', system)
    expect(plan.env.ELECTRON_EXEC_PATH).toBe(DOWNLOADED_BINARY)
    expect(plan.env.DISPLAY).toBe(':0')
  })

  it('runs electron-vite dev for npm run dev', async () => {
    const { system } = machine()
    const plan = await planLaunch('dev', system)
    expect(plan.args).toEqual([ELECTRON_VITE_BIN, 'dev'])
    expect(plan.notice).toBeNull()
  })

  it('does not run the installer when the binary is already there', async () => {
    const { system, lines } = machine()
    await planLaunch('start', system)
    expect(system.runInstaller).not.toHaveBeenCalled()
    expect(lines).toEqual([])
  })

  it('checks that the binary it is about to launch runs', async () => {
    const { system } = machine()
    await planLaunch('start', system)
    expect(system.probe).toHaveBeenCalledWith(DOWNLOADED_BINARY)
  })

  it('downloads the binary once on first start, saying so, then opens the desktop app', async () => {
    const { system, lines } = machine({ downloaded: false })
    const plan = await planLaunch('start', system)
    expect(system.runInstaller).toHaveBeenCalledTimes(1)
    expect(lines).toEqual([
      'PoolScope: downloading Electron 45.5.0 (about 100 MB, first start only)…',
      'PoolScope: Electron downloaded.'
    ])
    expect(plan.args).toEqual([ELECTRON_VITE_BIN, 'preview'])
    expect(plan.env.ELECTRON_EXEC_PATH).toBe(DOWNLOADED_BINARY)
  })

  it('downloads again when path.txt names a binary that is gone', async () => {
    // path.txt without the file it names, as after a deleted dist folder.
    const { system } = machine({
      downloaded: false,
      extraFiles: { [join(ELECTRON_DIR, 'path.txt')]: 'electron' }
    })
    await planLaunch('start', system)
    expect(system.runInstaller).toHaveBeenCalledTimes(1)
  })

  it('uses ELECTRON_EXEC_PATH instead of downloading when it names a binary', async () => {
    const { system } = machine({
      downloaded: false,
      env: { DISPLAY: ':0', ELECTRON_EXEC_PATH: '/opt/electron/electron' },
      extraFiles: { '/opt/electron/electron': '' }
    })
    const plan = await planLaunch('start', system)
    expect(system.runInstaller).not.toHaveBeenCalled()
    expect(plan.env.ELECTRON_EXEC_PATH).toBe('/opt/electron/electron')
  })

  it('needs no DISPLAY on macOS', async () => {
    const { system } = machine({ platform: 'darwin', env: {} })
    const plan = await planLaunch('start', system)
    expect(plan.notice).toBeNull()
  })

  it('opens a window on a Wayland-only Linux desktop', async () => {
    const { system } = machine({ env: { WAYLAND_DISPLAY: 'wayland-0' } })
    const plan = await planLaunch('start', system)
    expect(plan.notice).toBeNull()
  })
})

describe('npm start where Electron cannot run', () => {
  it('starts the web host with one line naming the download error when the download fails', async () => {
    const { system } = machine({ downloaded: false, installer: 'fails' })
    const plan = await planLaunch('start', system)
    expect(plan.args).toEqual([WEB_SCRIPT])
    expect(plan.notice).toBe(
      'PoolScope: the desktop app cannot start here: Electron could not be downloaded (TypeError: fetch failed). Starting the web host instead.'
    )
  })

  it('does not download anything on Linux without a display', async () => {
    const { system } = machine({ downloaded: false, env: {} })
    const plan = await planLaunch('start', system)
    expect(system.runInstaller).not.toHaveBeenCalled()
    expect(plan.args).toEqual([WEB_SCRIPT])
    expect(plan.notice).toBe(
      'PoolScope: the desktop app cannot start here: there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset). Starting the web host instead.'
    )
  })

  it('does not launch Electron as root on Linux, whose sandbox refuses root', async () => {
    const { system } = machine({ isRoot: true })
    const plan = await planLaunch('start', system)
    expect(plan.args).toEqual([WEB_SCRIPT])
    expect(plan.notice).toBe(
      "PoolScope: the desktop app cannot start here: Electron will not run as root without turning off Chromium's sandbox. Starting the web host instead."
    )
  })

  it('starts the web host when the binary is there but does not run', async () => {
    const { system } = machine({
      probe: {
        ok: false,
        error: 'error while loading shared libraries: libnss3.so: cannot open shared object file'
      }
    })
    const plan = await planLaunch('start', system)
    expect(plan.args).toEqual([WEB_SCRIPT])
    expect(plan.notice).toBe(
      'PoolScope: the desktop app cannot start here: the Electron binary does not run here (error while loading shared libraries: libnss3.so: cannot open shared object file). Starting the web host instead.'
    )
  })

  it('says so when the installer reports success but leaves no binary', async () => {
    const { system } = machine({ downloaded: false, installer: 'leaves nothing' })
    const plan = await planLaunch('start', system)
    expect(plan.notice).toBe(
      "PoolScope: the desktop app cannot start here: Electron's installer finished but left no binary in node_modules/electron. Starting the web host instead."
    )
  })

  it('says so when ELECTRON_EXEC_PATH names a missing file, and downloads nothing', async () => {
    const { system } = machine({ env: { DISPLAY: ':0', ELECTRON_EXEC_PATH: '/nowhere/electron' } })
    const plan = await planLaunch('start', system)
    expect(system.runInstaller).not.toHaveBeenCalled()
    expect(plan.notice).toBe(
      'PoolScope: the desktop app cannot start here: ELECTRON_EXEC_PATH names /nowhere/electron, which does not exist. Starting the web host instead.'
    )
  })

  it('says the electron package is missing when dependencies were installed without it', async () => {
    const { system } = machine({ electronInstalled: false })
    const plan = await planLaunch('start', system)
    expect(plan.notice).toBe(
      'PoolScope: the desktop app cannot start here: the electron package is not installed (npm ci installs it). Starting the web host instead.'
    )
  })

  it('passes the environment to the web host unchanged', async () => {
    const { system } = machine({ env: { PATH: '/usr/bin' } })
    const plan = await planLaunch('start', system)
    expect(plan.env).toEqual({ PATH: '/usr/bin' })
  })

  it('tells npm run dev users that hot reload needs the desktop app', async () => {
    const { system } = machine({ env: {} })
    const plan = await planLaunch('dev', system)
    expect(plan.args).toEqual([WEB_SCRIPT])
    expect(plan.notice).toBe(
      'PoolScope: hot reload needs the desktop app, which cannot start here: there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset). Starting the web host instead (no hot reload).'
    )
  })
})
