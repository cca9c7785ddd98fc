import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { writeLaunchFile } from '../../src/main/web/launchFile'
import { CONTENT_SECURITY_POLICY } from '../../src/main/web/staticFiles'
import type { Locator, Page } from 'playwright-core'
import type { JobSummary } from '../../src/shared/protocol'
import {
  browserRequired,
  chromiumCandidates,
  findChromium,
  startBrowserStack,
  type BrowserStack
} from './browser'

/**
 * The renderer in real Chromium, served by the real web host over a real EngineHost: the notebook's
 * cells by point and click, cancel, bad input, and the host's refusals.
 */

const executable = findChromium()
const required = browserRequired()
if (executable === null && !required) {
  console.warn(
    `Skipping the browser suite: no Chromium found (looked at ${chromiumCandidates().join(', ')}). ` +
      'Install one (apt-get install chromium) or set POOLSCOPE_CHROMIUM; POOLSCOPE_REQUIRE_BROWSER=1 makes this a failure.'
  )
}

describe.runIf(executable === null && required)('browser suite requirement', () => {
  it('has a Chromium to run in, since POOLSCOPE_REQUIRE_BROWSER=1', () => {
    throw new Error(
      `POOLSCOPE_REQUIRE_BROWSER=1 but no Chromium was found (looked at ${chromiumCandidates().join(', ')}); ` +
        'install one (apt-get install chromium) or set POOLSCOPE_CHROMIUM'
    )
  })
})

const UI_TIMEOUT = 30_000

/** Polls a locator until `read` gives `expected` (playwright-core has no web-first assertions). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeout = UI_TIMEOUT): Promise<void> {
  await expect.poll(read, { timeout }).toEqual(expected)
}

const visible = (locator: Locator, timeout = UI_TIMEOUT) => locator.waitFor({ state: 'visible', timeout })
const enabled = (locator: Locator) => eventually(() => locator.isEnabled(), true)

describe.skipIf(executable === null)('PoolScope in a real browser', () => {
  let stack: BrowserStack
  let page: Page

  beforeAll(async () => {
    stack = await startBrowserStack(executable!)
  })
  afterEach(async () => {
    await page?.close()
  })
  afterAll(async () => {
    await stack?.close()
  })

  async function openApp(address?: string): Promise<Page> {
    page = await stack.openApp(address)
    // The presets are enabled once the engine answered `engine.info`.
    await enabled(page.getByRole('button', { name: 'Notebook: map cell' }))
    return page
  }

  async function hardwareThreads(): Promise<number> {
    const outcome = await stack.host.call('engine.info', {})
    if (!outcome.ok) throw new Error(outcome.error.message)
    return (outcome.result as { hardwareThreads: number }).hardwareThreads
  }

  async function jobs(): Promise<JobSummary[]> {
    const outcome = await stack.host.call('job.list', {})
    if (!outcome.ok) throw new Error(outcome.error.message)
    return outcome.result as JobSummary[]
  }

  /** Waits for the finished summary and returns its text. */
  async function finishedSummary(): Promise<string> {
    const summary = page.getByText('Number of results:')
    await visible(summary)
    return (
      await summary.locator('xpath=ancestor-or-self::*[contains(., "Number of threads:")][1]').innerText()
    )
      .replace(/\s+/g, ' ')
      .trim()
  }

  interface ResultRowView {
    args: string
    count: number
    first: string
  }

  /** Reads the results table (an ARIA grid of divs) as the user sees it; null while rows load. */
  async function readRows(): Promise<ResultRowView[] | null> {
    const table = page.getByRole('region', { name: 'Results' }).getByRole('table')
    if ((await table.count()) === 0) return null
    return table.evaluate((element) => {
      const headers = [...element.querySelectorAll('[role=columnheader]')].map((h) =>
        (h.textContent ?? '').trim()
      )
      const argsAt = headers.indexOf('Arguments')
      const countAt = headers.indexOf('Tuples')
      const previewAt = headers.indexOf('Tuples (Python)')
      const rows = [...element.querySelectorAll('[role=row]')].filter((row) =>
        row.querySelector('[role=cell]')
      )
      const cells = rows.map((row) =>
        [...row.querySelectorAll('[role=cell]')].map((c) => (c.textContent ?? '').trim())
      )
      if (cells.some((row) => row.length <= previewAt)) return null
      return cells.map((row) => ({
        args: row[argsAt],
        count: Number(row[countAt].replace(/[^\d]/g, '')),
        first: /\([^()]*\)/.exec(row[previewAt])?.[0] ?? ''
      }))
    })
  }

  /** Waits until the results table shows `expected` fully loaded rows, and returns them. */
  async function resultRows(expected: number): Promise<ResultRowView[]> {
    await expect.poll(async () => (await readRows())?.length ?? -1, { timeout: UI_TIMEOUT }).toBe(expected)
    return (await readRows()) ?? []
  }

  it('runs the notebook map cell: 2 × threads results, each the 15 pairs of range(6)', async () => {
    await openApp()
    const threads = await hardwareThreads()
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await eventually(() => page.getByLabel('Elements').inputValue(), '0..5')
    await page.getByRole('button', { name: 'Run' }).click()

    const summary = await finishedSummary()
    expect(summary).toContain(`Number of threads: ${threads}`)
    expect(summary).toContain(`Number of results: ${2 * threads}`)
    const rows = await resultRows(2 * threads)
    expect(rows).toHaveLength(2 * threads)
    for (const row of rows) {
      expect(row.count).toBe(15)
      expect(row.first).toBe('(0, 1)')
    }
    expect(stack.pageErrors).toEqual([])
  })

  it('runs the notebook starmap cell: 2 × threads results of C(6, n) tuples, n from (2, 3, 4)', async () => {
    await openApp()
    const threads = await hardwareThreads()
    await page.getByRole('button', { name: 'Notebook: starmap cell' }).click()
    await eventually(() => page.getByLabel('Workload').inputValue(), 'combinations_n')
    await page.getByRole('button', { name: 'Run' }).click()

    const summary = await finishedSummary()
    expect(summary).toContain(`Number of results: ${2 * threads}`)
    const rows = await resultRows(2 * threads)
    expect(rows).toHaveLength(2 * threads)
    const expected: Record<string, number> = { '2': 15, '3': 20, '4': 15 }
    for (const row of rows) {
      const n = /,\s*(\d+)\)\s*$/.exec(row.args)?.[1] ?? ''
      expect(Object.keys(expected)).toContain(n)
      expect(row.count).toBe(expected[n])
      expect(row.first).toBe(n === '2' ? '(0, 1)' : n === '3' ? '(0, 1, 2)' : '(0, 1, 2, 3)')
    }
  })

  it('runs count_primes over 0:1000000 in eight pieces: one count a row, 78,498 in all', async () => {
    await openApp()
    await page.getByLabel('Workload').selectOption('count_primes')
    await eventually(() => page.getByLabel('Span').inputValue(), '0:1000000')
    await page.locator('#job-tasks').fill('8')
    await page.locator('#job-threads').fill('2')
    await eventually(() => page.locator('[data-test=size]').innerText(), '8 tasks = 8 values')
    await page.getByRole('button', { name: 'Run' }).click()

    const summary = await finishedSummary()
    expect(summary).toContain('Number of threads: 2')
    expect(summary).toContain('Number of results: 8')
    const facts = (await page.locator('[data-test=facts]').innerText()).replace(/\s+/g, ' ')
    expect(facts).toContain('on 2 worker threads')
    expect(facts).toContain('8 values kept')
    const table = page.getByRole('region', { name: 'Results' }).getByRole('table')
    const readValues = () =>
      table.evaluate((element) => {
        const headers = [...element.querySelectorAll('[role=columnheader]')].map((h) =>
          (h.textContent ?? '').trim()
        )
        const argsAt = headers.indexOf('Arguments')
        const valueAt = headers.indexOf('Value (Python)')
        return [...element.querySelectorAll('[role=row]')]
          .map((row) => [...row.querySelectorAll('[role=cell]')].map((c) => (c.textContent ?? '').trim()))
          .filter((cells) => cells.length > valueAt && /^\d+$/.test(cells[valueAt] ?? ''))
          .map((cells) => ({ args: cells[argsAt], value: Number(cells[valueAt]) }))
      })
    await expect.poll(async () => (await readValues()).length, { timeout: UI_TIMEOUT }).toBe(8)
    const rows = await readValues()
    // The bounds vary between the tasks, so they come first, by name.
    expect(rows[0]).toEqual({ args: 'lo=0, hi=125000 · (0, 125000)', value: 11734 })
    expect(rows[7].args).toBe('lo=875000, hi=1000000 · (875000, 1000000)')
    expect(rows.reduce((sum, row) => sum + row.value, 0)).toBe(78_498)
    expect(stack.pageErrors).toEqual([])
  })

  it('cancels a long job, keeps it marked partial, and runs the next job normally', async () => {
    await openApp()
    await page.getByLabel('Workload').selectOption('combinations_n')
    await page.getByLabel('Elements').fill('0..39')
    await page.getByLabel('n', { exact: true }).fill('6')
    await page.getByLabel('Tasks').fill('64')
    const cancel = page.getByRole('button', { name: 'Cancel' })
    await page.getByRole('button', { name: 'Run' }).click()
    await enabled(cancel)
    await cancel.click()
    await visible(page.getByRole('region', { name: 'Progress' }).getByText('Cancelled', { exact: true }))
    const [cancelled] = (await jobs()).slice(-1)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.partial).toBe(true)
    expect(cancelled.tasksDone).toBeLessThan(64)

    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.getByRole('button', { name: 'Run' }).click()
    const threads = await hardwareThreads()
    const summary = await finishedSummary()
    expect(summary).toContain(`Number of results: ${2 * threads}`)
    expect((await jobs()).slice(-1)[0].status).toBe('done')
  })

  it('shows an error for empty elements and starts no job', async () => {
    await openApp()
    const before = (await jobs()).length
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.getByLabel('Elements').fill('')
    await eventually(() => page.getByLabel('Elements').getAttribute('aria-invalid'), 'true')
    await visible(page.getByText(/elements (are|must not be) empty/i).first())
    await eventually(() => page.getByRole('button', { name: 'Run' }).isEnabled(), false)
    await page.keyboard.press('Control+Enter')
    expect((await jobs()).length).toBe(before)
  })

  it('shows an error for zero tasks and starts no job', async () => {
    await openApp()
    const before = (await jobs()).length
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.getByLabel('Tasks').fill('0')
    await visible(page.getByText(/tasks must be at least 1/i).first())
    await eventually(() => page.getByRole('button', { name: 'Run' }).isEnabled(), false)
    await page.keyboard.press('Control+Enter')
    expect((await jobs()).length).toBe(before)
  })

  it('shows errors for empty elements and zero tasks together, and starts no job', async () => {
    await openApp()
    const before = (await jobs()).length
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.getByLabel('Elements').fill('')
    await page.getByLabel('Tasks').fill('0')
    await visible(page.getByText(/elements (are|must not be) empty/i).first())
    await eventually(() => page.getByRole('button', { name: 'Run' }).isEnabled(), false)
    await page.getByRole('button', { name: 'Run' }).click({ force: true })
    expect((await jobs()).length).toBe(before)
  })

  it('shows a clear error when the page is opened with a wrong token', async () => {
    const wrong = await stack.browser.newPage()
    await wrong.goto(stack.web.url.replace(/token=[^&]+/, 'token=wrong'))
    const alert = wrong.getByRole('alert').first()
    await visible(alert)
    expect(await alert.innerText()).toContain(
      'the web host refused the connection: open the exact address it printed, with its ?token='
    )
    await wrong.close()
  })

  it('trades the printed token for an HttpOnly session cookie and takes it out of the address bar', async () => {
    await openApp()
    expect(page.url()).toBe(`http://127.0.0.1:${stack.web.port}/`)
    const cookies = await page.context().cookies()
    expect(cookies).toEqual([
      expect.objectContaining({ name: `poolscope-${stack.web.port}`, httpOnly: true, sameSite: 'Strict' })
    ])
    expect(cookies[0].value).not.toBe(stack.web.token)
    expect(await page.evaluate<string>('document.cookie')).toBe('')
  })

  it('logs a browser in from the launch file once; the same file does nothing for a second browser', async () => {
    const launch = await writeLaunchFile(stack.web.oneTimeUrl())
    try {
      await openApp(pathToFileURL(launch.path).href)
      expect(page.url()).toBe(`http://127.0.0.1:${stack.web.port}/`)
      const second = await stack.browser.newPage()
      await second.goto(pathToFileURL(launch.path).href)
      await visible(second.getByRole('alert').first())
      expect(await second.getByRole('alert').first().innerText()).toContain(
        'the web host refused the connection'
      )
      await second.close()
    } finally {
      await launch.remove()
    }
  })

  it('serves a CSP that lets the page reach its own WebSocket and blocks a socket to another port', async () => {
    await openApp()
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(meta).toBe(CONTENT_SECURITY_POLICY)
    // A string, so the test transform's helpers never reach the page.
    const blocked = await page.evaluate<string>(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true })
      try { new WebSocket('ws://127.0.0.1:${stack.web.port + 1}/ws') } catch (err) { resolve('threw ' + err.name) }
    })`)
    expect(blocked).toBe('connect-src')
  })

  describe('WebSocket admission on the real host', () => {
    function attempt(query: string, origin?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${stack.web.port}/ws${query}`, origin ? { origin } : {})
        ws.once('open', () => {
          ws.close()
          resolve(101)
        })
        ws.once('unexpected-response', (_req, res) => {
          res.resume()
          ws.terminate()
          resolve(res.statusCode ?? 0)
        })
        ws.once('error', reject)
      })
    }
    const ownOrigin = () => `http://127.0.0.1:${stack.web.port}`

    it('refuses a missing token', async () => {
      expect(await attempt('', ownOrigin())).toBe(401)
    })
    it('refuses a wrong token', async () => {
      expect(await attempt('?token=not-the-token', ownOrigin())).toBe(401)
    })
    it('refuses a foreign Origin even with the right token', async () => {
      expect(await attempt(`?token=${stack.web.token}`, 'http://attacker.example')).toBe(403)
    })
    it('accepts the right token from its own origin', async () => {
      expect(await attempt(`?token=${stack.web.token}`, ownOrigin())).toBe(101)
    })
  })
})
