import { mkdirSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * The per-core view in real Chromium after the notebook's map preset: its caption names this
 * machine's logical CPUs, it grades the job's CPU use, and it drew each core's load in the
 * workers' tone under the worker timeline, on the same time axis. (browser.test.ts says why the
 * suite is skipped, or fails, without a Chromium.) `POOLSCOPE_SHOTS=<dir>` also saves screenshots.
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000
const shots = process.env.POOLSCOPE_SHOTS

describe.skipIf(executable === null)('the per-core view in a real browser', () => {
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

  /**
   * Runs the notebook's map cell; `busy`, instead, 8 tasks of busy_wait(150 ms) on its threads, so
   * that the job spans several samples.
   */
  async function runMapPreset(
    scheme: 'light' | 'dark',
    width: number,
    height: number,
    busy = false
  ): Promise<void> {
    page = await stack.openApp()
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width, height })
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await preset.click()
    if (busy) {
      await page.getByLabel('Workload').selectOption('busy_wait')
      await page.locator('#job-tasks').fill('8')
      await page.locator('#job-ms').fill('150')
    }
    const run = page.getByRole('button', { name: 'Run', exact: true })
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run.click()
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
  }

  /** Pixels in the cores' plot drawn in the workers' tone (blue in either theme). */
  function workerPixels(): Promise<number> {
    return page.evaluate<number>(`(() => {
      const canvas = document.querySelector('.cores .chart canvas')
      const rect = canvas.getBoundingClientRect()
      const ratio = canvas.width / rect.width
      const context = canvas.getContext('2d')
      // Below the workers graph (24 + 92 + 34 px), in the plot's margins (150 and 28 px).
      const top = 150 * ratio
      const pixels = context.getImageData(150 * ratio, top, canvas.width - 178 * ratio, canvas.height - top - 40 * ratio).data
      let blue = 0
      for (let i = 0; i < pixels.length; i += 4) {
        const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
        if (b > 180 && b - r > 80 && b - g > 40) blue++
      }
      return blue
    })()`)
  }

  it('shows each core and grades the job’s CPU use after the notebook’s map preset', async () => {
    await runMapPreset('light', 1280, 800)
    const caption = page.locator('[data-test="cores-caption"]')
    await expect
      .poll(() => caption.innerText(), { timeout: UI_TIMEOUT })
      .toMatch(
        new RegExp(
          `^${os.cpus().length} logical CPUs? · \\d+ physical cores? \\(.+\\) · sampled every \\d+ ms$`
        )
      )
    await expect
      .poll(() => page.locator('[data-test="cores-grade"] strong').innerText(), { timeout: UI_TIMEOUT })
      .toMatch(
        /^\d+\.\d\d workers in a task on average over the job: \d+% of the \d+ physical cores? — (poor|OK|ideal)/
      )
    expect(await page.locator('section.cores').getByRole('button', { name: 'Save PNG' }).isEnabled()).toBe(
      true
    )
  })

  it('draws the workers’ load on the cores under the timeline, on its time axis', async () => {
    await runMapPreset('light', 1280, 800, true)
    await expect.poll(workerPixels, { timeout: UI_TIMEOUT }).toBeGreaterThan(200)
    // Under the worker timeline, the same width: its plot lines up with the timeline's.
    const timeline = await page.locator('.timeline .chart-box').boundingBox()
    const cores = await page.locator('.cores .chart-box').boundingBox()
    expect(cores!.y).toBeGreaterThan(timeline!.y)
    expect([cores!.x, cores!.width]).toEqual([timeline!.x, timeline!.width])
    if (shots) {
      mkdirSync(shots, { recursive: true })
      await page.locator('.cores').scrollIntoViewIfNeeded()
      await page.locator('.cores').screenshot({ path: join(shots, 'cores-light-1280.png') })
    }
  })

  it.skipIf(!shots)('screenshots: dark at 1280 × 800, light at 1024 × 640', async () => {
    for (const [scheme, width, height] of [
      ['dark', 1280, 800],
      ['light', 1024, 640]
    ] as const) {
      await runMapPreset(scheme, width, height, true)
      await expect.poll(workerPixels, { timeout: UI_TIMEOUT }).toBeGreaterThan(100)
      await page.locator('.cores').scrollIntoViewIfNeeded()
      await page.locator('.cores').screenshot({ path: join(shots!, `cores-${scheme}-${width}.png`) })
      await page.screenshot({ path: join(shots!, `page-${scheme}-${width}.png`) })
      await page.close()
    }
  })
})
