import { existsSync } from 'node:fs'
import { join, sep } from 'node:path'
import type { App } from 'electron'

/**
 * App lifecycle pieces: one instance at a time, the engine disposed (pool destroyed) before quit,
 * and where the Piscina worker lives in a packaged app.
 */

/** The part of a BrowserWindow that a second launch brings forward. */
export interface FocusableWindow {
  isDestroyed(): boolean
  isMinimized(): boolean
  restore(): void
  show(): void
  focus(): void
}

/**
 * Takes the single-instance lock. Returns false when another PoolScope already runs (the caller
 * quits); otherwise a later launch focuses this instance's window.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>,
  getWindow: () => FocusableWindow | null
): boolean {
  if (!app.requestSingleInstanceLock()) return false
  app.on('second-instance', () => {
    const window = getWindow()
    if (!window || window.isDestroyed()) return
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  })
  return true
}

/** The status a job still running at quit ends with. */
export const QUIT_REASON = 'cancelled: PoolScope was quit'

/** The part of the EngineHost that quitting uses. */
export interface DisposableEngine {
  cancelRunning(reason: string): Promise<boolean>
  dispose(): Promise<void>
}

/**
 * Ends the running job with a status that says why (rather than the engine's generic shutdown
 * reason), then destroys the pool. Meant as the `dispose` of `disposeBeforeQuit`.
 */
export async function shutDownEngine(engine: DisposableEngine): Promise<void> {
  // A job that cannot be cancelled must not keep the pool alive: dispose runs regardless.
  await engine.cancelRunning(QUIT_REASON).catch(() => false)
  await engine.dispose()
}

/** Longest wait for the engine to shut down before the app quits anyway, in milliseconds. */
export const DISPOSE_TIMEOUT_MS = 5000

/**
 * Holds the first quit until `dispose()` (cancel jobs, destroy the pool) has finished or timed
 * out, then quits for real.
 */
export function disposeBeforeQuit(
  app: Pick<App, 'on' | 'quit'>,
  dispose: () => Promise<void>,
  timeoutMs = DISPOSE_TIMEOUT_MS
): void {
  let state: 'running' | 'disposing' | 'disposed' = 'running'
  app.on('before-quit', (event) => {
    if (state === 'disposed') return
    event.preventDefault()
    if (state === 'disposing') return
    state = 'disposing'
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    })
    void Promise.race([dispose().catch(() => undefined), timeout]).then(() => {
      clearTimeout(timer)
      state = 'disposed'
      app.quit()
    })
  })
}

/**
 * The worker file to give Piscina. Inside `app.asar` a CommonJS worker loads fine with require()
 * (Electron initialises asar support in worker threads); should it ever be unpacked (`asarUnpack`),
 * its real path under `app.asar.unpacked` is used instead.
 */
export function resolveWorkerFile(mainDir: string, exists: (path: string) => boolean = existsSync): string {
  const packed = join(mainDir, 'worker.cjs')
  const marker = `${sep}app.asar${sep}`
  if (!packed.includes(marker)) return packed
  const unpacked = packed.replace(marker, `${sep}app.asar.unpacked${sep}`)
  return exists(unpacked) ? unpacked : packed
}
