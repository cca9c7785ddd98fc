import { chromium, type Browser, type Page } from 'playwright-core'
import { buildRendererIfStale } from '../../scripts/build-renderer.js'
import { CHROMIUM_ARGS } from '../../scripts/chromium.js'
import type { CustomCodePolicy } from '../../src/main/engine/engine'
import type { HistoryStore } from '../../src/main/history/historyStore'
import { EngineHost } from '../../src/main/host/engineHost'
import { startWebHost, type WebHost } from '../../src/main/web/server'
import { workerFile } from '../paths'

/**
 * The real-browser harness: the web host in-process over a real EngineHost, and Debian's Chromium
 * driven by playwright-core (never a downloaded browser).
 */

export { chromiumCandidates, findChromium } from '../../scripts/chromium.js'

/** True when CI demands the browser suite (`POOLSCOPE_REQUIRE_BROWSER=1`): a missing browser then fails. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.POOLSCOPE_REQUIRE_BROWSER === '1'
}

export interface BrowserStack {
  host: EngineHost
  web: WebHost
  browser: Browser
  /** Uncaught errors of every page opened so far. */
  pageErrors: string[]
  /**
   * A fresh page (in a fresh browser context, so no cookie carries over) on `address`: by default
   * the printed URL with its `?token=`, which the host trades for a session cookie and a redirect to `/`.
   */
  openApp(address?: string): Promise<Page>
  close(): Promise<void>
}

/** Builds the renderer if stale, starts EngineHost + web host, and launches Chromium. */
export async function startBrowserStack(
  executablePath: string,
  options: { history?: HistoryStore; customCode?: CustomCodePolicy } = {}
): Promise<BrowserStack> {
  const staticDir = await buildRendererIfStale()
  const host = new EngineHost({ workerFile, history: options.history, customCode: options.customCode })
  const web = await startWebHost({ host, staticDir })
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 })
  } catch (err) {
    await web.close()
    await host.dispose()
    throw err
  }
  const pageErrors: string[] = []
  return {
    host,
    web,
    browser,
    pageErrors,
    async openApp(address = web.url) {
      const page = await browser.newPage()
      page.on('pageerror', (error) => pageErrors.push(error.message))
      await page.goto(address)
      return page
    },
    async close() {
      await browser.close().catch(() => undefined)
      await web.close()
      await host.dispose()
    }
  }
}
