// Finds, downloads and checks the Electron binary for `npm start` and `npm run dev`.
// Electron 45 downloads its binary lazily, and electron-vite's `dev` and `preview` never trigger that
// download: they read node_modules/electron/path.txt and throw "Electron uninstall" without it. So a
// fresh clone has to run Electron's own installer first, once.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

/** How long Electron's installer may take: a slow link needs minutes for about 100 MB. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000

/** How long `electron --version` may take before the binary counts as not runnable. */
export const PROBE_TIMEOUT_MS = 20_000

/**
 * The downloaded executable named by the electron package's path.txt, or null when Electron has not
 * been downloaded (no path.txt, or it names a file that is not there).
 */
export function downloadedElectron({ electronDir, readText, exists }) {
  const relative = readText(join(electronDir, 'path.txt'))?.trim()
  if (!relative) return null
  const executable = join(electronDir, 'dist', relative)
  return exists(executable) ? executable : null
}

/**
 * Makes sure an Electron executable is on disk, running the installer when it is not; resolves to
 * `{ executable }` or to `{ blocker }`, a phrase saying why there is none.
 * `ELECTRON_EXEC_PATH` (which electron-vite honours too) names a binary to use instead of a download.
 */
export async function ensureElectron(system) {
  if (!system.electronDir) return { blocker: 'the electron package is not installed (npm ci installs it)' }
  const chosen = system.env.ELECTRON_EXEC_PATH
  if (chosen) {
    return system.exists(chosen)
      ? { executable: chosen }
      : { blocker: `ELECTRON_EXEC_PATH names ${chosen}, which does not exist` }
  }
  const present = downloadedElectron(system)
  if (present) return { executable: present }

  system.log(`PoolScope: downloading Electron ${system.electronVersion} (about 100 MB, first start only)…`)
  const download = await system.runInstaller()
  if (!download.ok) return { blocker: `Electron could not be downloaded (${download.error})` }
  const installed = downloadedElectron(system)
  if (!installed)
    return { blocker: "Electron's installer finished but left no binary in node_modules/electron" }
  system.log('PoolScope: Electron downloaded.')
  return { executable: installed }
}

/**
 * The line of a failed command's stderr that says what went wrong: the first one that is neither
 * blank nor a stack frame, shortened. Installers print whole stacks; one line is what a person needs.
 */
export function firstErrorLine(stderr) {
  const line = stderr
    .split(/\r?\n/)
    .map((text) => text.trim())
    .find((text) => text !== '' && !text.startsWith('at '))
  if (!line) return null
  return line.length > 160 ? `${line.slice(0, 159)}…` : line
}

/**
 * Runs a command to completion with stdin and stdout ignored and stderr kept; kills it after
 * `timeoutMs`. Resolves to `{ code, signal, timedOut, stderr }`; never rejects (a command that
 * cannot be spawned resolves with its error as stderr).
 */
export function runCaptured(command, args, { env = process.env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    let timedOut = false
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text) => (stderr += text))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, timedOut, stderr: `${stderr}${err.message}` })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, timedOut, stderr })
    })
  })
}

function describeDuration(ms) {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`
}

/** What a finished command means for the caller: `{ ok: true }` or `{ ok: false, error }`. */
export function outcomeOf({ code, timedOut, stderr }, timeoutMs) {
  if (timedOut) return { ok: false, error: `it did not finish within ${describeDuration(timeoutMs)}` }
  if (code === 0) return { ok: true }
  return { ok: false, error: firstErrorLine(stderr) ?? `it exited with code ${code}` }
}

/** Runs `node node_modules/electron/install.js`, which downloads the binary and writes path.txt. */
export async function runElectronInstaller(
  electronDir,
  { nodePath = process.execPath, timeoutMs = INSTALL_TIMEOUT_MS } = {}
) {
  const result = await runCaptured(nodePath, [join(electronDir, 'install.js')], { timeoutMs })
  return outcomeOf(result, timeoutMs)
}

/**
 * Checks that the binary can run on this machine at all (its shared libraries load), without a
 * window: `ELECTRON_RUN_AS_NODE` makes it behave as Node and print its version.
 */
export async function probeElectron(executable, { timeoutMs = PROBE_TIMEOUT_MS } = {}) {
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' }
  const result = await runCaptured(executable, ['--version'], { env, timeoutMs })
  return outcomeOf(result, timeoutMs)
}
