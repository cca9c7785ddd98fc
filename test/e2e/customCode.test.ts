import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { webCodePolicy } from '../../src/main/web/codePolicy'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * Custom code in real Chromium against the web host as `npm run web -- --allow-code` starts it: a
 * person picks the custom workload, writes a function in the editor, sees a syntax error pointed
 * at, runs the fixed function on the pool (child processes under the permission model) and reads
 * its results and timeline. Without --allow-code the page says the host refuses custom code.
 * (browser.test.ts says why the suite is skipped, or fails, without a Chromium.)
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000

async function chooseCustom(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 })
  const workload = page.getByLabel('Workload')
  await expect.poll(() => workload.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
  await workload.selectOption('custom')
  await page.getByRole('textbox', { name: 'Code' }).waitFor({ timeout: UI_TIMEOUT })
}

/** Replaces the editor's text as typing would (inserted whole, so no bracket is auto-closed). */
async function writeCode(page: Page, code: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'Code' })
  await editor.click()
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText(code)
}

describe.skipIf(executable === null)(
  'custom code in a real browser, on a web host started with --allow-code',
  () => {
    let stack: BrowserStack
    let page: Page

    beforeAll(async () => {
      stack = await startBrowserStack(executable!, { customCode: webCodePolicy(true) })
    })
    afterEach(async () => {
      await page?.close()
    })
    afterAll(async () => {
      await stack?.close()
    })

    it('points at a syntax error, then runs the fixed function on the pool and shows its results and timeline', async () => {
      page = await stack.openApp()
      await chooseCustom(page)
      const run = page.getByRole('button', { name: 'Run', exact: true })

      await writeCode(page, '(x) => {\n  return [[x, x *]]\n}')
      const message = page.locator('#job-code-msg')
      await expect
        .poll(() => message.innerText(), { timeout: UI_TIMEOUT })
        .toMatch(/^line 2, column 18: syntax error: Unexpected token/)
      expect(await run.isEnabled()).toBe(false)

      await writeCode(page, "(x) => {\n  return [[x, x * x, x % 2 ? 'odd' : 'even']]\n}")
      await expect
        .poll(() => message.innerText(), { timeout: UI_TIMEOUT })
        .toMatch(/^one function of the task/)
      // This host runs custom code on child processes only, and the form moved there, saying so.
      await expect
        .poll(() => page.locator('input[name="job-backend"]:checked').inputValue(), { timeout: UI_TIMEOUT })
        .toBe('processes')
      expect(await page.locator('#job-code-isolation').innerText()).toContain('permission model')
      await page.locator('#job-tasks').fill('6')
      await page.locator('#job-threads').fill('2')
      await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
      await run.click()
      await page.getByText('Number of results: 6').waitFor({ timeout: UI_TIMEOUT })

      // Each task's result as Python prints it: task 3 returned [[3, 9, 'odd']].
      const row = page.locator('.scroller [role="row"]').nth(3)
      await expect.poll(() => row.innerText(), { timeout: UI_TIMEOUT }).toContain("(3, 9, 'odd')")
      // The timeline drew the job's tasks on both workers.
      await expect
        .poll(() => page.locator('[data-test="timeline-caption"]').innerText(), { timeout: UI_TIMEOUT })
        .toMatch(/6 tasks.* on 2 workers/)
      expect(stack.pageErrors).toEqual([])
    })

    it('fails a task that throws with its message, and the job still finishes', async () => {
      page = await stack.openApp()
      await chooseCustom(page)
      await writeCode(page, "(x) => {\n  if (x === 1) throw new Error('no ones here')\n  return x\n}")
      await page.locator('#job-tasks').fill('4')
      const run = page.getByRole('button', { name: 'Run', exact: true })
      await expect.poll(() => run.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
      await run.click()
      await page.getByText('Number of results:').waitFor({ timeout: UI_TIMEOUT })
      await expect
        .poll(() => page.locator('.scroller [role="row"]').nth(1).innerText(), { timeout: UI_TIMEOUT })
        .toContain('no ones here')
      await expect.poll(() => page.locator('.scroller [role="row"]').nth(2).innerText()).toContain('2')
    })
  }
)

describe.skipIf(executable === null)(
  'custom code in a real browser, on a web host started without --allow-code',
  () => {
    let stack: BrowserStack
    let page: Page

    beforeAll(async () => {
      stack = await startBrowserStack(executable!, { customCode: webCodePolicy(false) })
    })
    afterAll(async () => {
      await page?.close()
      await stack?.close()
    })

    it('says the host refuses custom code and how to allow it, and keeps Run off for it', async () => {
      page = await stack.openApp()
      await chooseCustom(page)
      const refused = page.locator('[data-test="code-refused"]')
      await expect.poll(() => refused.innerText(), { timeout: UI_TIMEOUT }).toContain('--allow-code')
      expect(await page.getByRole('button', { name: 'Run', exact: true }).isEnabled()).toBe(false)
    })
  }
)
