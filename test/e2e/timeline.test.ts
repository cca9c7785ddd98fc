import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { MAX_TASK_BARS } from '../../src/shared/timeline'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * The worker timeline in real Chromium, read from what it drew: every worker lane is covered from
 * its first pixel to its last (its parts add up to the wall time), a click on a task bar selects
 * its row in Results, and zooming into a million-task job reaches single tasks. (browser.test.ts
 * says why the suite is skipped, or fails, without a Chromium.)
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000
/** The chart's plot margins (charts/timeline.ts `grid`). */
const GRID = { left: 150, right: 28, top: 22, bottom: 40 }

describe.skipIf(executable === null)('the worker timeline in a real browser', () => {
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

  /** What ECharts said on the console: it warns there, and draws nothing, for a series it lacks. */
  let chartWarnings: string[] = []

  async function openApp(): Promise<Page> {
    page = await stack.openApp()
    chartWarnings = []
    page.on('console', (message) => {
      if (message.text().includes('[ECharts]')) chartWarnings.push(message.text())
    })
    await page.setViewportSize({ width: 1280, height: 800 })
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    return page
  }

  const run = () => page.getByRole('button', { name: 'Run', exact: true })
  const caption = () => page.locator('[data-test="timeline-caption"]').innerText()

  async function runJob(setUp: () => Promise<void>): Promise<void> {
    await setUp()
    await expect.poll(() => run().isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run().click()
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
    // The last window, with every chunk filed, has been drawn.
    await expect.poll(caption, { timeout: UI_TIMEOUT }).toMatch(/on 2 workers/)
    await page.waitForTimeout(400)
  }

  const busyWait = () =>
    runJob(async () => {
      await page.getByLabel('Workload').selectOption('busy_wait')
      await page.locator('#job-tasks').fill('6')
      await page.locator('#job-threads').fill('2')
    })

  /**
   * Per worker lane, the share of its plot width drawn in any colour, sampled along the lane's centre:
   * 1 when its parts cover the whole axis, from the pool's start-up (or zero) to the wall time.
   */
  function laneCoverage(lanes: number): Promise<number[]> {
    return page.evaluate<number[]>(`(() => {
      const grid = ${JSON.stringify(GRID)}
      const canvas = document.querySelector('.timeline .chart canvas')
      const ratio = canvas.width / canvas.getBoundingClientRect().width
      const context = canvas.getContext('2d')
      const plotTop = grid.top * ratio
      const plotHeight = canvas.height - (grid.top + grid.bottom) * ratio
      // The workers, the main thread, and PoolScope's own cost.
      const rows = ${lanes} + 2
      const from = Math.ceil(grid.left * ratio) + 1
      const to = Math.floor(canvas.width - grid.right * ratio) - 1
      return Array.from({ length: ${lanes} }, (_, lane) => {
        const y = Math.round(plotTop + ((lane + 0.5) * plotHeight) / rows)
        const pixels = context.getImageData(from, y, to - from, 1).data
        let drawn = 0
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 200) drawn++
        return drawn / (to - from)
      })
    })()`)
  }

  /** Where on the page worker 0's lane shows the task colour (blue, in either theme), if anywhere. */
  function taskPixel(): Promise<{ x: number; y: number } | null> {
    return page.evaluate<{ x: number; y: number } | null>(`(() => {
      const grid = ${JSON.stringify(GRID)}
      const canvas = document.querySelector('.timeline .chart canvas')
      const rect = canvas.getBoundingClientRect()
      const ratio = canvas.width / rect.width
      const context = canvas.getContext('2d')
      const plotHeight = rect.height - grid.top - grid.bottom
      // Low in worker 0's band (of four rows: two workers, the main thread, PoolScope's own cost):
      // a binned lane stacks its tasks from the bottom.
      const y = grid.top + (0.75 * plotHeight) / 4
      const from = grid.left + 2
      const to = rect.width - grid.right - 2
      const pixels = context.getImageData(from * ratio, y * ratio, (to - from) * ratio, 1).data
      for (let i = 0; i < pixels.length; i += 4) {
        const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
        if (b > 180 && b - r > 80 && b - g > 40) return { x: rect.left + from + i / 4 / ratio + 2, y: rect.top + y }
      }
      return null
    })()`)
  }

  it('covers each worker lane from start to end with its parts, so they add up to the wall time', async () => {
    await openApp()
    await busyWait()
    const coverage = await laneCoverage(2)
    for (const share of coverage) expect(share).toBeGreaterThan(0.99)
    expect(await caption()).toBe('6 tasks on 2 workers')
    // The legend names what the lanes are drawn in.
    const legend = await page.locator('.timeline .category-legend').innerText()
    for (const part of ['tasks', 'bookkeeping', 'waiting for work', 'idle at the end'])
      expect(legend).toContain(part)
    expect(chartWarnings).toEqual([])
    // The trace downloads, and opens: a task event for each of the six tasks, every lane named.
    const exportMenu = async (entry: string) => {
      await page.getByRole('button', { name: 'Export ▾' }).click()
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('menuitem', { name: entry }).click()
      ])
      return download
    }
    const download = await exportMenu('Export trace')
    const trace = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      traceEvents: { ph: string; cat?: string; name: string; args?: { name?: string } }[]
    }
    expect(trace.traceEvents.filter((e) => e.ph === 'X' && /^#\d+$/.test(e.name))).toHaveLength(6)
    const threads = trace.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name')
      .map((e) => e.args?.name ?? '')
    expect(threads).toContain('main thread')
    expect(threads.filter((name) => name.startsWith('worker '))).toHaveLength(2)
    // The timings: a header and six lines.
    const timings = readFileSync(await (await exportMenu('Export timings CSV')).path(), 'utf8')
    expect(timings.trimEnd().split('\n')).toHaveLength(7)
    // The chart as a PNG of its size on screen (at a pixel ratio of 1 here), on a white page.
    const png = readFileSync(await (await exportMenu('Save PNG')).path())
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    const box = await page.locator('.timeline .chart-box').boundingBox()
    expect(png.readUInt32BE(16)).toBe(Math.round(box!.width))
    expect(png.readUInt32BE(20)).toBe(Math.round(box!.height))
    await expect
      .poll(() =>
        page.getByText(/^Saved job-\w+-timeline\.png \(\d+ × \d+ px at 1×, light background\)$/).count()
      )
      .toBe(1)
  })

  it('selects and reveals the row of a clicked task bar', async () => {
    await openApp()
    await busyWait()
    // A pixel of worker 0's lane in the task colour, found on the canvas.
    const target = await taskPixel()
    expect(target).not.toBeNull()
    await page.mouse.click(target!.x, target!.y)
    const selected = page.locator('[role=row][aria-selected=true]')
    await selected.waitFor({ timeout: UI_TIMEOUT })
    expect(await selected.count()).toBe(1)
    expect(await selected.isVisible()).toBe(true)
    // The row names the worker that ran it: worker 0, whose lane was clicked (the third cell).
    expect(await selected.locator('[role=cell]').nth(2).innerText()).toBe('0')
  })

  it('zooms a 1,000,000-task job from time bins down to single task bars, and back with the keyboard', async () => {
    await openApp()
    await runJob(async () => {
      await page.getByRole('button', { name: 'Notebook: map cell' }).click()
      await page.locator('#job-tasks').fill('1000000')
      await page.locator('#job-threads').fill('2')
    })
    expect(await caption()).toBe('1,000,000 tasks on 2 workers · in time bins')
    // The wheel zooms about the pointer, held over a time when worker 0 ran tasks: each step keeps
    // that moment in view, so the zoom never ends in a gap between chunks, where no task ran.
    const busy = await taskPixel()
    expect(busy).not.toBeNull()
    await page.mouse.move(busy!.x, busy!.y)
    for (let notches = 0; notches < 60 && (await caption()).includes('time bins'); notches++) {
      await page.mouse.wheel(0, -100)
      await page.waitForTimeout(150)
    }
    await expect.poll(caption, { timeout: UI_TIMEOUT }).not.toContain('time bins')
    const shownNow = async () => Number(/^([\d,]+) tasks? on/.exec(await caption())![1].replace(/,/g, ''))
    await expect.poll(shownNow, { timeout: UI_TIMEOUT }).toBeGreaterThan(0)
    expect(await shownNow()).toBeLessThanOrEqual(MAX_TASK_BARS)
    // With the chart focused, 0 goes back to the whole job.
    await page.locator('.timeline .chart-box').focus()
    await page.keyboard.press('0')
    await expect.poll(caption, { timeout: UI_TIMEOUT }).toBe('1,000,000 tasks on 2 workers · in time bins')
  })
})
