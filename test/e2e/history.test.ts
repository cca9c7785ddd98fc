import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../src/main/history/historyStore'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * History in real Chromium: a run is saved as it ends, survives a reload of the page, and opens
 * again in the workspace with its results and timeline. Screenshots of the panel go to
 * $POOLSCOPE_SCREENSHOTS when it is set.
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000
const shots = process.env.POOLSCOPE_SCREENSHOTS

describe.skipIf(executable === null)('history in a real browser', () => {
  let stack: BrowserStack
  let folder: string

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-e2e-history-'))
    stack = await startBrowserStack(executable!, { history: await HistoryStore.open(folder) })
  })
  afterAll(async () => {
    await stack?.close()
    await rm(folder, { recursive: true, force: true })
  })

  async function ready(page: Page): Promise<void> {
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
  }

  it('saves the notebook map run, and after a reload opens it with its results and timeline', async () => {
    const page = await stack.openApp()
    await page.setViewportSize({ width: 1280, height: 800 })
    await ready(page)
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    const run = page.getByRole('button', { name: 'Run', exact: true })
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run.click()
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
    const firstRow = page.locator('[role=row][aria-rowindex="2"] [role=cell].preview')
    await firstRow.waitFor({ timeout: UI_TIMEOUT })
    const preview = await firstRow.textContent()
    await stack.host.history?.idle()

    await page.reload()
    await ready(page)
    await expect.poll(() => page.getByText('Number of results:').count()).toBe(0)
    await page.getByRole('button', { name: 'History' }).click()
    const entry = page.locator('.history-entry').first()
    await entry.waitFor({ timeout: UI_TIMEOUT })
    expect(await entry.textContent()).toMatch(/combinations map, 4 tasks on 2 threads/)
    expect(await page.locator('[data-test=history-folder]').textContent()).toBe(folder)
    // Keyboard: focus starts in the search field.
    expect(await page.evaluate('document.activeElement?.id')).toBe('history-search')
    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        for (const [w, h] of [
          [1280, 800],
          [1024, 640]
        ]) {
          await page.setViewportSize({ width: w, height: h })
          await page.screenshot({ path: path.join(shots, `history-panel-${scheme}-${w}x${h}.png`) })
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.emulateMedia({ colorScheme: 'light' })
    }

    await entry.getByRole('button', { name: /^Open / }).click()
    await page.locator('[data-test=restored]').waitFor({ timeout: UI_TIMEOUT })
    expect(await page.locator('[data-test=restored]').textContent()).toMatch(
      /Restored from history: “combinations map/
    )
    await firstRow.waitFor({ timeout: UI_TIMEOUT })
    expect(await firstRow.textContent()).toBe(preview)
    // The timeline draws the run's tasks: its canvas is there and its summary names the lanes.
    await page.locator('.timeline canvas').first().waitFor({ timeout: UI_TIMEOUT })
    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await page.screenshot({ path: path.join(shots, `history-restored-${scheme}-1280x800.png`) })
      }
    }
    expect(stack.pageErrors).toEqual([])
    await page.close()
  }, 120_000)
})
