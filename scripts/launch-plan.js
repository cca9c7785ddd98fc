// Decides what `npm start` and `npm run dev` run: the desktop app through electron-vite when Electron
// can open a window here, otherwise the web host, with one line saying why. Everything it learns
// about the machine comes through `system`, so tests can stand in for a display, a download or a
// binary that does not run.
import { ensureElectron } from './electron-binary.js'

/**
 * Why no Electron window can open here, judged without touching the binary, or null. Checked before
 * any download: 100 MB is wasted on a machine that could never show the window.
 */
export function desktopBlocker({ platform, env, isRoot }) {
  if (platform !== 'linux') return null
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)'
  }
  // Chromium exits at once as root unless its sandbox is off, and the app keeps its sandbox on.
  if (isRoot) return "Electron will not run as root without turning off Chromium's sandbox"
  return null
}

/**
 * Resolves to `{ executable }` when the desktop app can start, else to `{ blocker }`: no display,
 * no binary and no way to download one, or a binary that does not run on this machine.
 */
export async function desktopReadiness(system) {
  const blocker = desktopBlocker(system)
  if (blocker) return { blocker }
  const electron = await ensureElectron(system)
  if (!electron.executable) return electron
  const probe = await system.probe(electron.executable)
  return probe.ok ? electron : { blocker: `the Electron binary does not run here (${probe.error})` }
}

/** The one line printed when the web host stands in for the desktop app. */
export function fallbackNotice(mode, blocker) {
  return mode === 'dev'
    ? `PoolScope: hot reload needs the desktop app, which cannot start here: ${blocker}. Starting the web host instead (no hot reload).`
    : `PoolScope: the desktop app cannot start here: ${blocker}. Starting the web host instead.`
}

/**
 * What to run for `mode` ('start' or 'dev'): `{ command, args, env, notice }`, where notice is null
 * for the desktop app. `electron-vite preview` builds before it launches, so `start` needs no
 * separate build step; the located binary reaches electron-vite through ELECTRON_EXEC_PATH.
 */
export async function planLaunch(mode, system) {
  const desktop = await desktopReadiness(system)
  if (desktop.executable) {
    return {
      command: system.nodePath,
      args: [system.electronViteBin, mode === 'dev' ? 'dev' : 'preview'],
      env: { ...system.env, ELECTRON_EXEC_PATH: desktop.executable },
      notice: null
    }
  }
  return {
    command: system.nodePath,
    args: [system.webScript],
    env: system.env,
    notice: fallbackNotice(mode, desktop.blocker)
  }
}
