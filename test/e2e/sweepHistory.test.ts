import { mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../src/main/history/historyStore'
import type { SavedSweep } from '../../src/shared/protocol'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * A sweep in History, in real Chromium: busy_wait(5 ms) × 8 tasks at 1 and 2 threads is saved as it
 * ends, survives a reload of the page, and opens again in the Scaling section with its chart and
 * table, marked as from history. `POOLSCOPE_SHOTS=<dir>` also saves screenshots (light and dark).
 */

const executable = findChromium()
const UI_TIMEOUT = 60_000
const shots = process.env.POOLSCOPE_SHOTS

describe.skipIf(executable === null)('a sweep in History, in a real browser', () => {
  let stack: BrowserStack
  let folder: string
  let page: Page

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-e2e-sweephistory-'))
    stack = await startBrowserStack(executable!, { history: await HistoryStore.open(folder) })
  })
  afterAll(async () => {
    await page?.close()
    await stack?.close()
    await rm(folder, { recursive: true, force: true })
  })

  async function ready(): Promise<void> {
    const open = page.getByRole('button', { name: 'Sweep threads…' })
    await expect.poll(() => open.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
  }

  it('saves a finished sweep, and after a reload opens it from History with its chart and table', async () => {
    page = await stack.openApp()
    await page.setViewportSize({ width: 1280, height: 800 })
    await ready()
    await page.getByLabel('Workload').selectOption('busy_wait')
    await page.locator('#job-tasks').fill('8')
    await page.locator('#job-ms').fill('5')
    await page.getByRole('button', { name: 'Sweep threads…' }).click()
    await page.locator('#sweep-threads').fill('1, 2')
    await page.locator('#sweep-repeat').fill('2')
    await page.locator('#sweep-seconds').fill('2')
    const start = page.getByRole('button', { name: 'Start sweep' })
    await expect.poll(() => start.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await start.click()
    await page.locator('[data-test="sweep-status"]', { hasText: 'Finished' }).waitFor({ timeout: UI_TIMEOUT })
    const label = await page.locator('[data-test="scaling-chart"]').getAttribute('aria-label')
    const rowsBefore = await page.locator('[data-test="scaling-points"] tr[data-point]').allInnerTexts()
    await stack.host.history?.idle()

    await page.reload()
    await ready()
    expect(await page.locator('section.scaling').count()).toBe(0)
    // A preset loads through the page's file picker and runs nothing.
    const preset = {
      format: 'poolscope-job',
      version: 1,
      spec: { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [5], tasks: 8 } },
      sweep: { threads: [1, 2], backends: ['threads'], repeat: 2, maxSeconds: 2 }
    }
    await page.locator('input[aria-label="Load a preset file"]').setInputFiles({
      name: 'busy.poolscope.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(preset))
    })
    await page.locator('[data-test="preset-message"]').waitFor({ timeout: UI_TIMEOUT })
    expect(await page.locator('#job-tasks').inputValue()).toBe('8')
    expect(await page.locator('#sweep-threads').inputValue()).toBe('1, 2')
    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await page.screenshot({ path: path.join(shots, `preset-loaded-${scheme}.png`) })
      }
      await page.emulateMedia({ colorScheme: 'light' })
    }
    // Nothing ran: the sweep setup shows its fields, and no sweep has a status.
    expect(await page.locator('[data-test="sweep-status"]').count()).toBe(0)
    await page.getByRole('button', { name: 'History' }).click()
    const entry = page.locator('.history-entry').first()
    await entry.waitFor({ timeout: UI_TIMEOUT })
    expect(await entry.locator('.entry-name').innerText()).toBe('busy_wait map sweep, 1, 2 on threads')
    expect(await entry.locator('.entry-facts').innerText()).toMatch(
      /^sweep · busy_wait · threads 1, 2 on threads · 2 points · serial fraction -?\d\.\d{3} · /
    )
    if (shots) {
      mkdirSync(shots, { recursive: true })
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await page.screenshot({ path: path.join(shots, `sweep-history-panel-${scheme}.png`) })
      }
      await page.emulateMedia({ colorScheme: 'light' })
    }

    const id = await entry.getAttribute('data-id')
    await entry.getByRole('button', { name: /^Open / }).click()
    await page.locator('[data-test="scaling-from"]').waitFor({ timeout: UI_TIMEOUT })
    expect(await page.locator('[data-test="scaling-from"]').innerText()).toMatch(
      /^From history: “busy_wait map sweep, 1, 2 on threads”, saved .+\. It ran then; nothing ran now\.$/
    )
    // The same chart and table as when it finished, from the same result the host saved.
    expect(await page.locator('[data-test="scaling-chart"]').getAttribute('aria-label')).toBe(label)
    expect(await page.locator('[data-test="scaling-points"] tr[data-point]').allInnerTexts()).toEqual(
      rowsBefore
    )
    const reply = await stack.host.call('history.openSweep', { id })
    if (!reply.ok) throw new Error(reply.error.message)
    const saved = reply.result as SavedSweep
    expect(label).toContain(`2 threads: ${saved.result.analysis[0].result!.points[1].speedup.toFixed(2)}×`)
    // The canvas drew the markers (blue in either theme).
    const blue = (): Promise<number> =>
      page.evaluate<number>(`(() => {
        const canvas = document.querySelector('.scaling .chart canvas')
        if (!canvas) return 0
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
        let n = 0
        for (let i = 0; i < pixels.length; i += 4) {
          const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
          if (b > 180 && b - r > 80 && b - g > 40) n++
        }
        return n
      })()`)
    await expect.poll(blue, { timeout: UI_TIMEOUT }).toBeGreaterThan(40)
    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        for (const [w, h] of [
          [1280, 800],
          [1024, 640]
        ]) {
          await page.setViewportSize({ width: w, height: h })
          await page.locator('section.scaling').scrollIntoViewIfNeeded()
          await page.screenshot({ path: path.join(shots, `sweep-history-open-${scheme}-${w}x${h}.png`) })
        }
      }
    }
  })
})
