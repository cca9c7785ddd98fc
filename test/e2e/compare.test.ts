import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../src/main/history/historyStore'
import { formatSpan } from '../../src/renderer/src/charts/timeline'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * Compare in real Chromium: the notebook map cell run on 1 and on 2 threads, both picked in
 * History and compared: both timelines are drawn on one axis that ends at the longer wall time
 * (the shorter run's lanes stop early on it), and the statistics show both wall times.
 * Screenshots go to $POOLSCOPE_SCREENSHOTS when it is set.
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000
const shots = process.env.POOLSCOPE_SCREENSHOTS
/** The timeline's plot margins (charts/timeline.ts `grid`). */
const GRID = { left: 150, right: 28, top: 22, bottom: 40 }

describe.skipIf(executable === null)('compare in a real browser', () => {
  let stack: BrowserStack
  let folder: string
  let store: HistoryStore

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'poolscope-e2e-compare-'))
    store = await HistoryStore.open(folder)
    stack = await startBrowserStack(executable!, { history: store })
  })
  afterAll(async () => {
    await stack?.close()
    await rm(folder, { recursive: true, force: true })
  })

  async function runMapCell(page: Page, threads: number, saved: number): Promise<void> {
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.locator('#job-threads').fill(String(threads))
    const run = page.getByRole('button', { name: 'Run', exact: true })
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run.click()
    await expect.poll(async () => (await store.list()).entries.length, { timeout: UI_TIMEOUT }).toBe(saved)
    await stack.host.history?.idle()
    await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
  }

  /**
   * (Run in the light theme.) Per compare timeline, how far across the plot worker 0's lane is drawn: the rightmost drawn
   * pixel along the lane's centre, 0 at the plot's left edge and 1 at its right.
   */
  function laneEnds(): Promise<number[]> {
    return page.evaluate<number[]>(`(() => {
      const grid = ${JSON.stringify(GRID)}
      return [...document.querySelectorAll('.compare-timeline')].map((box) => {
        const canvas = box.querySelector('canvas')
        const ratio = canvas.width / canvas.getBoundingClientRect().width
        const threads = Number(box.dataset.threads)
        const context = canvas.getContext('2d')
        const plotTop = grid.top * ratio
        const plotHeight = canvas.height - (grid.top + grid.bottom) * ratio
        const rows = threads + 2
        const from = Math.ceil(grid.left * ratio) + 1
        const to = Math.floor(canvas.width - grid.right * ratio) - 1
        const y = Math.round(plotTop + (0.5 * plotHeight) / rows)
        const pixels = context.getImageData(from, y, to - from, 1).data
        // Drawn: opaque and not a grid line (light grey, one pixel wide); the lane's last run of
        // three drawn pixels is where it ends.
        const drawn = (i) => {
          const [r, g, b, a] = pixels.slice(i * 4, i * 4 + 4)
          return a > 200 && Math.abs(r - 226) + Math.abs(g - 230) + Math.abs(b - 234) > 30
        }
        let last = -1
        for (let i = 2; i < pixels.length / 4; i++) if (drawn(i) && drawn(i - 1) && drawn(i - 2)) last = i
        return (last + 1) / (to - from)
      })
    })()`)
  }

  let page: Page

  it('runs the map cell on 1 and 2 threads, and compares them side by side on one time axis', async () => {
    page = await stack.openApp()
    await page.setViewportSize({ width: 1280, height: 800 })
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await runMapCell(page, 1, 1)
    await runMapCell(page, 2, 2)
    const { entries } = await store.list()
    const walls = new Map(entries.map((e) => [e.facts.threads as number, e.facts.wallMs as number]))
    const longer = Math.max(walls.get(1)!, walls.get(2)!)

    await page.getByRole('button', { name: 'History' }).click()
    const checks = page.locator('.history-entry input[type=checkbox]')
    await expect.poll(() => checks.count(), { timeout: UI_TIMEOUT }).toBe(2)
    // Keyboard: tick both with Space, then Compare 2.
    await checks.nth(0).focus()
    await page.keyboard.press('Space')
    await checks.nth(1).focus()
    await page.keyboard.press('Space')
    if (shots) await page.screenshot({ path: path.join(shots, 'compare-history-picked-light-1280x800.png') })
    await page.getByRole('button', { name: 'Compare 2' }).click()

    const timelines = page.locator('.compare-timeline')
    await expect.poll(() => timelines.locator('canvas').count(), { timeout: UI_TIMEOUT }).toBe(2)
    await expect
      .poll(() => page.locator('.compare-timeline .chart-empty').count(), { timeout: UI_TIMEOUT })
      .toBe(0)
    await page.waitForTimeout(300)
    // A is the one picked first: the newest in History, the 2-thread run.
    const facts = await page.locator('[data-test=compare-facts]').allTextContents()
    expect(facts[0]).toMatch(/^2 workers · threads back end · \d+ tasks · wall /)
    expect(facts[1]).toMatch(/^1 worker · threads back end · \d+ tasks · wall /)
    // One axis for both: job zero to the longer wall time.
    for (let i = 0; i < 2; i++) {
      const box = timelines.nth(i).locator('.chart-box')
      expect(Number(await box.getAttribute('data-axis-from'))).toBe(0)
      expect(Number(await box.getAttribute('data-axis-to'))).toBe(longer)
    }
    // Drawn on it: the longer run's lane reaches the right edge, the shorter's stops at its own wall time.
    const ends = await laneEnds()
    const fraction = [walls.get(2)! / longer, walls.get(1)! / longer]
    for (let i = 0; i < 2; i++) expect(Math.abs(ends[i] - fraction[i])).toBeLessThan(0.03)

    // The statistics show both wall times (as the host measured them) with their difference.
    const wallRow = page.locator('[data-test=compare-stats] tr[data-key=wall] td')
    const cells = await wallRow.allTextContents()
    expect(cells[0]).toContain(formatSpan(walls.get(2)!))
    expect(cells[1]).toContain(formatSpan(walls.get(1)!))
    expect(cells[3]).toBe(`${(walls.get(1)! / walls.get(2)!).toPrecision(3)}×`)
    expect(await page.locator('[data-test=compare-verdict]').textContent()).toMatch(/finished .* sooner than/)

    // Zoom in on one: both axes follow.
    await timelines.nth(1).locator('.chart-box').focus()
    await page.keyboard.press('+')
    await expect
      .poll(async () => Number(await timelines.nth(0).locator('.chart-box').getAttribute('data-axis-to')))
      .toBeCloseTo(longer * 0.75, 9)
    await page.keyboard.press('0')

    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        for (const [w, h] of [
          [1280, 800],
          [1024, 640]
        ]) {
          await page.setViewportSize({ width: w, height: h })
          await page.waitForTimeout(300)
          await page.screenshot({ path: path.join(shots, `compare-${scheme}-${w}x${h}.png`) })
          await page.locator('[data-test=compare-stats]').scrollIntoViewIfNeeded()
          await page.screenshot({ path: path.join(shots, `compare-${scheme}-${w}x${h}-stats.png`) })
          await page.locator('.compare-view h2').scrollIntoViewIfNeeded()
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.emulateMedia({ colorScheme: 'light' })
    }

    // Save PNG of both timelines: one file, said in the status bar.
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Save PNG' }).click()
    expect((await download).suggestedFilename()).toMatch(/^compare-.*-timelines\.png$/)

    // Esc closes and the workspace comes back.
    await page.getByRole('button', { name: 'Close the comparison' }).focus()
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('.compare-view').count()).toBe(0)
    expect(await page.locator('section[aria-label="Worker timeline"]').count()).toBe(1)
    expect(stack.pageErrors).toEqual([])
    await page.close()
  }, 180_000)

  /** Runs a small busy_wait sweep on the host to its end and saves it as a sweep record. */
  async function savedSweep(name: string, ms: number): Promise<void> {
    const ended = new Promise<void>((resolve) => {
      const stop = stack.host.onEvent((event) => {
        if (event.type === 'sweep.finished') {
          stop()
          resolve()
        }
      })
    })
    const started = await stack.host.call('sweep.start', {
      spec: { workload: 'busy_wait', style: 'map', inputs: { kind: 'recipe', ms: [ms], tasks: 8 } },
      threads: [1, 2],
      repeat: 2,
      maxSeconds: 3
    })
    if (!started.ok) throw new Error(started.error.message)
    await ended
    const got = await stack.host.call('sweep.get', {
      sweepId: (started.result as { sweepId: string }).sweepId
    })
    if (!got.ok) throw new Error(got.error.message)
    await store.save('sweep', name, { workload: 'busy_wait' }, got.result)
  }

  it('compares two saved sweeps: both speedup curves on one chart, their serial fractions side by side', async () => {
    await savedSweep('busy 2 ms', 2)
    await savedSweep('busy 4 ms', 4)
    const page = await stack.openApp()
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByRole('button', { name: 'History' }).click()
    await page.locator('input[aria-label="Compare busy 2 ms"]').check()
    // A run cannot join a sweep.
    expect(await page.locator('.history-entry input[type=checkbox]:disabled').count()).toBe(2)
    await page.locator('input[aria-label="Compare busy 4 ms"]').check()
    await page.getByRole('button', { name: 'Compare 2' }).click()
    await page.locator('.compare-overlay canvas').waitFor({ timeout: UI_TIMEOUT })
    const rows = page.locator('[data-test=compare-fractions] tbody tr')
    expect(await rows.count()).toBe(2)
    // A is the one picked first.
    expect(await rows.nth(0).locator('th').textContent()).toBe('A · busy 2 ms')
    expect(await rows.nth(1).locator('th').textContent()).toBe('B · busy 4 ms')
    // Two thread counts: Amdahl's one parameter is exactly determined, and the table says so.
    expect(await rows.nth(0).textContent()).toContain('exact')
    expect(await page.locator('.compare-overlay').getAttribute('aria-label')).toMatch(
      /“busy 2 ms” · threads: serial fraction -?\d\.\d{3}; “busy 4 ms” · threads: serial fraction -?\d\.\d{3}/
    )
    if (shots) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        for (const [w, h] of [
          [1280, 800],
          [1024, 640]
        ]) {
          await page.setViewportSize({ width: w, height: h })
          await page.waitForTimeout(300)
          await page.screenshot({ path: path.join(shots, `compare-sweeps-${scheme}-${w}x${h}.png`) })
        }
      }
    }
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Save PNG' }).click()
    expect((await download).suggestedFilename()).toBe('compare-busy-2-ms-vs-busy-4-ms-speedup.png')
    expect(stack.pageErrors).toEqual([])
    await page.close()
  }, 180_000)
})
