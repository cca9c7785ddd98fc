import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { SweepResult } from '../../src/shared/protocol'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * A thread sweep from the app in real Chromium: busy_wait(5 ms) × 8 tasks at 1 and 2 threads, two
 * repeats at least. The Scaling section draws both points and fills its table with the host's own
 * figures, and Run is disabled while the sweep runs. (browser.test.ts says why the suite is
 * skipped, or fails, without a Chromium.) `POOLSCOPE_SHOTS=<dir>` also saves screenshots.
 */

const executable = findChromium()
const UI_TIMEOUT = 60_000
const shots = process.env.POOLSCOPE_SHOTS

describe.skipIf(executable === null)('a thread sweep in a real browser', () => {
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

  /** Sets up the busy_wait job, opens the sweep and starts it; resolves once the sweep has started. */
  async function startSweep(scheme: 'light' | 'dark', width: number, height: number): Promise<void> {
    page = await stack.openApp()
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width, height })
    const open = page.getByRole('button', { name: 'Sweep threads…' })
    await expect.poll(() => open.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await page.getByLabel('Workload').selectOption('busy_wait')
    await page.locator('#job-tasks').fill('8')
    await page.locator('#job-ms').fill('5')
    await open.click()
    await page.locator('#sweep-threads').fill('1, 2')
    await page.locator('#sweep-repeat').fill('2')
    await page.locator('#sweep-seconds').fill('2')
    const start = page.getByRole('button', { name: 'Start sweep' })
    await expect.poll(() => start.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await start.click()
  }

  function finished(): Promise<void> {
    return page
      .locator('[data-test="sweep-status"]', { hasText: 'Finished' })
      .waitFor({ timeout: UI_TIMEOUT })
  }

  /** Pixels of the plot in the threads back end's marker colour (blue in either theme). */
  function markerPixels(): Promise<number> {
    return page.evaluate<number>(`(() => {
      const canvas = document.querySelector('.scaling .chart canvas')
      if (!canvas) return 0
      const context = canvas.getContext('2d')
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data
      let blue = 0
      for (let i = 0; i < pixels.length; i += 4) {
        const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
        if (b > 180 && b - r > 80 && b - g > 40) blue++
      }
      return blue
    })()`)
  }

  /** The sweep panel, the chart and the table, each scrolled into view. */
  async function screenshots(scheme: string, width: number): Promise<void> {
    await page.screenshot({ path: join(shots!, `sweep-${scheme}-${width}.png`) })
    await page.locator('.scaling .chart-box').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots!, `scaling-${scheme}-${width}.png`) })
    await page.locator('[data-test="scaling-points"]').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots!, `scaling-table-${scheme}-${width}.png`) })
  }

  it('draws both points and fills the table with the host’s figures; Run waits meanwhile', async () => {
    await startSweep('light', 1280, 800)
    const run = page.getByRole('button', { name: 'Run', exact: true })
    // While the sweep runs (or just after its start), Run says why it is disabled.
    const status = page.locator('[data-test="sweep-status"]')
    if ((await status.innerText()) !== 'Finished') {
      expect(await run.isDisabled()).toBe(true)
      expect(await run.getAttribute('title')).toMatch(/^A sweep is running/)
    }
    await finished()
    expect(await run.isEnabled()).toBe(true)

    const sweepId = (await page.locator('[data-test="scaling-caption"]').innerText()).split(' · ')[0]
    const reply = await stack.host.call('sweep.get', { sweepId })
    if (!reply.ok) throw new Error(reply.error.message)
    const result = reply.result as SweepResult
    const analysis = result.analysis[0].result!
    expect(analysis.points.map((p) => p.threads)).toEqual([1, 2])

    // The table: one row per point, with the host's median, runs and speedup.
    const rows = page.locator('[data-test="scaling-points"] tr[data-point]')
    expect(await rows.count()).toBe(2)
    for (const [i, point] of result.points.entries()) {
      const row = rows.nth(i)
      const cells = await row.locator('td').allInnerTexts()
      expect(cells[0]).toBe(String(point.threads))
      expect(Number((await row.locator('.median').innerText()).replace(' ms', ''))).toBeCloseTo(
        point.summary!.median,
        0
      )
      expect(Number(cells[2])).toBe(point.samples.length)
      expect(point.samples.length).toBeGreaterThanOrEqual(2)
      expect(cells[4]).toBe(`${analysis.points[i].speedup.toFixed(2)}×`)
    }
    // The chart: its description names both points, and the canvas drew the markers.
    const label = await page.locator('[data-test="scaling-chart"]').getAttribute('aria-label')
    expect(label).toContain(`1 thread: 1.00×; 2 threads: ${analysis.points[1].speedup.toFixed(2)}×`)
    await expect.poll(markerPixels, { timeout: UI_TIMEOUT }).toBeGreaterThan(40)
    // Two thread counts: the page says so instead of pretending to test a law.
    expect(await page.locator('[data-test="verdicts"]').innerText()).toContain(
      'Only two thread counts were measured'
    )
    expect(await page.locator('[data-test="fits-threads"] [data-model="amdahl"]').innerText()).toMatch(
      /serial fraction f = \d\.\d{3}/
    )
    if (shots) {
      mkdirSync(shots, { recursive: true })
      await screenshots('light', 1280)
    }
  })

  it.skipIf(!shots)('screenshots: dark at 1280 × 800, light and dark at 1024 × 640', async () => {
    for (const [scheme, width, height] of [
      ['dark', 1280, 800],
      ['light', 1024, 640],
      ['dark', 1024, 640]
    ] as const) {
      await startSweep(scheme, width, height)
      await finished()
      await expect.poll(markerPixels, { timeout: UI_TIMEOUT }).toBeGreaterThan(40)
      await screenshots(scheme, width)
      await page.close()
    }
  })
})
