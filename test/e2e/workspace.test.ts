import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'
import { focusRingsByTab, focused, seriousAxeFindings, textCutSideways } from './pageChecks'

/**
 * The workspace in real Chromium at the window sizes people use: what fits where, where focus goes,
 * the focus ring, and axe-core's findings in light and dark. (browser.test.ts says why the suite is
 * skipped, or fails, without a Chromium.)
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000

describe.skipIf(executable === null)('the workspace in a real browser', () => {
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

  async function openApp(width: number, height: number): Promise<Page> {
    page = await stack.openApp()
    await page.setViewportSize({ width, height })
    const preset = page.getByRole('button', { name: 'Notebook: map cell' })
    await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    return page
  }

  const run = () => page.getByRole('button', { name: 'Run', exact: true })
  const cancel = () => page.getByRole('button', { name: 'Cancel', exact: true })

  /** The map cell on 2 threads, `tasks` tasks of `elements`, run to its end with every row loaded. */
  async function runMapCell(tasks = 4, elements = '0..5'): Promise<void> {
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.locator('#job-elements').fill(elements)
    await page.locator('#job-tasks').fill(String(tasks))
    await page.locator('#job-threads').fill('2')
    await expect.poll(() => run().isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run().click()
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
    await page.locator('[role=row][aria-rowindex="2"] [role=cell].preview').waitFor({ timeout: UI_TIMEOUT })
  }

  /** A job long enough to cancel: 64 tasks of all 6-combinations of 40 elements. */
  async function startLongJob(): Promise<void> {
    await page.getByLabel('Workload').selectOption('combinations_n')
    await page.locator('#job-elements').fill('0..39')
    await page.getByLabel('n', { exact: true }).fill('6')
    await page.locator('#job-tasks').fill('64')
    await expect.poll(() => run().isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await run().click()
  }

  function box(selector: string) {
    return page
      .locator(selector)
      .first()
      .evaluate((el) => {
        const r = el.getBoundingClientRect()
        return { top: r.top, bottom: r.bottom, height: r.height, clientHeight: el.clientHeight }
      })
  }

  const documentScrolls = () =>
    page.evaluate<boolean>('document.scrollingElement.scrollHeight > window.innerHeight')

  it('gives the workspace the height at 1920×1080, and the status bar one line', async () => {
    await openApp(1920, 1080)
    expect((await box('.status-bar')).height).toBeLessThan(40)
    const layout = await box('.layout')
    expect(layout.height).toBeGreaterThan(1080 - 57 - 40)
    expect(await documentScrolls()).toBe(false)
  })

  it('keeps the results panel within the workspace at 1280×800 and shows an opened task’s tuples in view', async () => {
    await openApp(1280, 800)
    await runMapCell(40)
    const workspace = await box('.workspace')
    // 40 rows of 30 px would be 1,200 px: they scroll inside the table, never stretch the panel.
    expect((await box('.results')).height).toBeLessThanOrEqual(workspace.clientHeight)
    await page.getByRole('button', { name: 'Tuples of task 0' }).click()
    await page.locator('.tuple-detail li').first().waitFor({ timeout: UI_TIMEOUT })
    const detail = await box('.tuple-detail')
    expect(detail.top).toBeGreaterThanOrEqual(workspace.top)
    expect(detail.bottom).toBeLessThanOrEqual(workspace.top + workspace.clientHeight)
    const results = await box('.results')
    expect(detail.bottom).toBeLessThanOrEqual(results.bottom)
    expect(await documentScrolls()).toBe(false)

    await page.getByRole('button', { name: 'Close tuples' }).click()
    await expect.poll(() => focused(page)).toBe('button "Tuples of task 0"')
  })

  it('cuts no text sideways at 1024×640, and keeps a task’s tuples inside the panel however short', async () => {
    await openApp(1024, 640)
    expect(await textCutSideways(page)).toEqual([])
    // 100 elements: arguments longer than a row carries, so the pane offers the whole of them.
    await runMapCell(4, '0..99')
    expect(await textCutSideways(page)).toEqual([])
    await page.getByRole('button', { name: 'Tuples of task 0' }).click()
    await page.locator('.tuple-detail li').first().waitFor({ timeout: UI_TIMEOUT })
    await page.getByRole('button', { name: /^Whole arguments/ }).click()
    await page.locator('.full-args').waitFor({ timeout: UI_TIMEOUT })
    expect(await textCutSideways(page)).toEqual([])
    expect(await documentScrolls()).toBe(false)

    // How far the tuples pane, or anything drawn in it, reaches past the Results panel's border.
    const paneSpill = () =>
      page.evaluate<number>(`(() => {
        const panel = document.querySelector('.results')
        const inner = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).borderBottomWidth)
        const pane = panel.querySelector('.tuple-detail')
        const clip = getComputedStyle(pane).overflowY === 'visible' ? Infinity : pane.getBoundingClientRect().bottom
        const parts = [pane, ...pane.children].map((el) => Math.min(el.getBoundingClientRect().bottom, clip))
        return Math.max(0, Math.max(...parts) - inner)
      })()`)
    expect(await paneSpill()).toBe(0)
    await page.setViewportSize({ width: 1280, height: 480 })
    await expect.poll(paneSpill).toBe(0)
  })

  it('never drops focus to the page: Run, a finished job, Cancel, a cancelled job, a refused Run', async () => {
    await openApp(1280, 800)
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await run().focus()
    await page.keyboard.press('Enter')
    await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
    await expect.poll(() => focused(page)).toBe('button "Run"')

    await startLongJob()
    await expect.poll(() => focused(page)).toBe('button "Cancel"')
    expect(await cancel().isEnabled()).toBe(true)
    await page.keyboard.press('Enter')
    await page.getByRole('region', { name: 'Progress' }).getByText('Cancelled', { exact: true }).waitFor()
    await expect.poll(() => focused(page)).toBe('button "Run"')

    // Ctrl+Enter with two fields to fix: focus goes to the first, and the status bar says why.
    await page.locator('#job-elements').fill('')
    await page.locator('#job-tasks').fill('0')
    await page.keyboard.press('Control+Enter')
    await expect.poll(() => focused(page)).toBe('input#job-elements ""')
    const refusal = page.locator('.status-bar [role=alert]')
    expect(await refusal.getAttribute('title')).toMatch(/^Not run: elements .+ \(and 1 more field to fix\)$/)
    // On one line beside the state, however long.
    expect((await box('.status-bar')).height).toBeLessThan(40)
  })

  it('shows a focus ring of at least 3:1 on every control, light and dark', async () => {
    await openApp(1280, 800)
    await runMapCell()
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      const rings = await focusRingsByTab(page)
      expect(rings.length, scheme).toBeGreaterThan(15)
      expect(
        rings.filter((ring) => ring.contrast < 3),
        scheme
      ).toEqual([])
    }
  })

  it('has no serious or critical axe-core finding: empty, finished, cancelled and invalid, light and dark', async () => {
    await openApp(1280, 800)
    const check = async (state: string) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        expect(await seriousAxeFindings(page), `${state}, ${scheme}`).toEqual([])
      }
    }
    await check('empty')
    await runMapCell()
    await check('finished')
    await startLongJob()
    await expect.poll(() => cancel().isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
    await cancel().click()
    await page.getByRole('region', { name: 'Progress' }).getByText('Cancelled', { exact: true }).waitFor()
    await check('cancelled')
    await page.locator('#job-elements').fill('')
    await page.locator('#job-tasks').fill('0')
    await page.keyboard.press('Control+Enter')
    await page.locator('.status-bar [role=alert]').waitFor()
    await check('invalid')
  })
})
