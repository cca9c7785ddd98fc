import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * The statistics in real Chromium after the notebook's map preset: every figure with its
 * explanation, agreeing with the wall time Progress reports; the duration histogram drawn; the
 * queue-wait percentiles in order; the histogram saved as a PNG. (browser.test.ts says why the
 * suite is skipped, or fails, without a Chromium.)
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000

/** Milliseconds from a duration as the page prints it (`2.5 ms`, `310 ns`, `1.20 s`, `58.1 µs`). */
function ms(text: string): number {
  const match = /([\d.,]+)\s*(ns|µs|ms|s)\b/.exec(text)
  if (!match) throw new Error(`no duration in ${JSON.stringify(text)}`)
  const scale = { ns: 1e-6, µs: 1e-3, ms: 1, s: 1000 }[match[2] as 'ns' | 'µs' | 'ms' | 's']
  return Number(match[1].replace(/,/g, '')) * scale
}

describe.skipIf(executable === null)('the statistics in a real browser', () => {
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

  it('shows the map preset’s figures, histogram and queue waits, and saves the histogram', async () => {
    page = await stack.openApp()
    await page.setViewportSize({ width: 1280, height: 800 })
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await preset.click()
    const run = page.getByRole('button', { name: 'Run', exact: true })
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run.click()
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })

    const section = page.getByRole('region', { name: 'Statistics' })
    await expect
      .poll(() => section.locator('[data-test="stats-caption"]').innerText(), { timeout: UI_TIMEOUT })
      .toMatch(/^over (\d+) tasks on (\d+) workers$/)
    const caption = await section.locator('[data-test="stats-caption"]').innerText()
    const [, tasks, workers] = /^over (\d+) tasks on (\d+) workers$/.exec(caption)!
    // The map preset: twice as many tasks as threads.
    expect(Number(tasks)).toBe(2 * Number(workers))

    const figure = async (name: string) => {
      const item = section.locator('.stats-figure').filter({ has: page.locator('dt', { hasText: name }) })
      return {
        value: await item.locator('.stats-value').innerText(),
        explain: await item.locator('.stats-explain').innerText()
      }
    }
    const names = await section.locator('.stats-figure dt').allInnerTexts()
    expect(names).toEqual(expect.arrayContaining(['Wall time', 'Utilization', 'Speedup', 'Load imbalance']))
    for (const name of names) expect((await figure(name)).explain.length).toBeGreaterThan(20)
    // The same wall time as Progress, each rounded its own way.
    const progressWall = await page
      .locator('.panel')
      .filter({ hasText: 'Wall time' })
      .first()
      .locator('strong')
      .first()
      .innerText()
    const wall = ms((await figure('Wall time')).value)
    expect(Math.abs(wall - ms(progressWall))).toBeLessThanOrEqual(0.06 * ms(progressWall) + 0.01)
    expect((await figure('Utilization')).value).toMatch(/^\d+(\.\d+)?%$/)
    expect((await figure('Speedup')).value).toMatch(/^\d+\.\d+×$/)

    // Queue waits: p50 ≤ p90 ≤ p99 ≤ max.
    const rows = section.locator('.stats-table tbody tr')
    expect(await rows.locator('th').allInnerTexts()).toEqual(['p50', 'p90', 'p99', 'max', 'mean'])
    const waits = (await rows.locator('td').allInnerTexts()).map(ms)
    for (let i = 1; i < 4; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1])

    // The histogram drew its bars: pixels in the tasks' blue.
    await expect
      .poll(
        () =>
          page.evaluate<number>(`(() => {
            const canvas = document.querySelector('.stats-chart canvas')
            if (!canvas) return 0
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
            let blue = 0
            for (let i = 0; i < data.length; i += 4) {
              if (data[i + 2] > 180 && data[i + 2] - data[i] > 80 && data[i + 2] - data[i + 1] > 40) blue++
            }
            return blue
          })()`),
        { timeout: UI_TIMEOUT }
      )
      .toBeGreaterThan(100)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Save PNG of the task durations' }).click()
    ])
    const png = readFileSync(await download.path())
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(download.suggestedFilename()).toMatch(/\.png$/)
  })
})
