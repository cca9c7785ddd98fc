import { execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { _electron as electron } from 'playwright-core'
import type { ElectronApplication, Page } from 'playwright-core'

/**
 * The packaged shape of the app in a real Electron: window, title, the notebook's map cell by point
 * and click. Runs wherever an Electron binary is installed; elsewhere it is skipped and says why.
 * Finding the binary never downloads it: `require('electron')` is only called once its file exists.
 */

const projectRoot = resolve(import.meta.dirname, '..', '..')
const require = createRequire(import.meta.url)

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The Electron executable, or why there is none. */
function findElectron(): { path: string } | { reason: string } {
  let packageDir: string
  try {
    packageDir = dirname(require.resolve('electron/package.json'))
  } catch {
    return { reason: 'the electron package is not installed' }
  }
  // Mirror node_modules/electron/index.js without its download fallback.
  const pathFile = join(packageDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH']
  const candidate = override
    ? join(override, relative ?? 'electron')
    : relative
      ? join(packageDir, 'dist', relative)
      : null
  if (!candidate)
    return { reason: 'no Electron binary was downloaded (node_modules/electron/path.txt is missing)' }
  if (!isExecutableFile(candidate)) return { reason: `${candidate} is not an executable file` }
  try {
    process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'] = '1'
    const resolved = require('electron') as unknown
    if (typeof resolved === 'string' && isExecutableFile(resolved)) return { path: resolved }
    return { reason: `require('electron') gave ${String(resolved)}, not an executable file` }
  } catch (err) {
    return { reason: `require('electron') failed: ${err instanceof Error ? err.message : String(err)}` }
  }
}

function findDisplay(): string | null {
  if (process.platform !== 'linux') return null
  if (process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']) return null
  return 'no display on Linux (run under xvfb-run)'
}

const found = findElectron()
const electronPath = 'path' in found ? found.path : null
const skipReason = 'reason' in found ? found.reason : findDisplay()
const available = electronPath !== null && skipReason === null
if (!available) console.warn(`Electron e2e skipped: ${skipReason}.`)

const UI_TIMEOUT = 30_000

describe('PoolScope in Electron', () => {
  let app: ElectronApplication | undefined
  let page: Page

  beforeAll(async () => {
    if (!available) return
    if (!existsSync(join(projectRoot, 'out', 'main', 'index.cjs'))) {
      execFileSync(
        process.execPath,
        [join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
        {
          cwd: projectRoot,
          stdio: 'inherit'
        }
      )
    }
    // The built renderer, not a dev server; and Electron as Electron, not as Node.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined &&
          entry[0] !== 'ELECTRON_RENDERER_URL' &&
          entry[0] !== 'ELECTRON_RUN_AS_NODE'
      )
    )
    const args = [projectRoot]
    // Chromium's sandbox refuses to start as root (CI containers).
    if (process.platform === 'linux' && process.getuid?.() === 0) args.unshift('--no-sandbox')
    app = await electron.launch({ executablePath: electronPath!, args, env, timeout: UI_TIMEOUT })
    page = await app.firstWindow({ timeout: UI_TIMEOUT })
  })

  afterAll(async () => {
    await app?.close()
  })

  it.skipIf(!available)('opens a window titled PoolScope', async () => {
    await page.waitForLoadState('domcontentloaded')
    expect(await page.title()).toBe('PoolScope')
  })

  it.skipIf(!available)('serves the page from app://poolscope, not from file://', async () => {
    expect(page.url()).toBe('app://poolscope/index.html')
    expect(
      await page.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext)
    ).toBe(true)
  })

  it.skipIf(!available)('runs the notebook map cell and shows the number of results', async () => {
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await preset.click()
    const run = page.getByRole('button', { name: 'Run', exact: true })
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run.click()
    await page.getByText('Number of results:').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT })
  })

  it.skipIf(!available)('keeps Node out of the page and exposes only the bridge', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>)['require'],
      process: typeof (globalThis as Record<string, unknown>)['process'],
      bridge: Object.keys((globalThis as unknown as { poolscope: object }).poolscope).sort()
    }))
    expect(globals.require).toBe('undefined')
    expect(globals.process).toBe('undefined')
    expect(globals.bridge).toContain('startJob')
  })
})
