// `npm run screenshots`: the README's screenshots, made anew from the app as it is. Builds the app
// for the web host, starts it (`node scripts/web.js`), drives Debian's Chromium with playwright-core
// at 1280×800 and writes docs/screenshot-<scene>-<light|dark>.png for each scene:
//   - map: the notebook's map cell, finished (run twice, on the warm pool);
//   - million: a 1,000,000-task map job on 2 threads, a task half-way through selected in Results,
//     which zooms the timeline to it and its neighbours;
//   - cancelled: a long starmap job cancelled after a second and a half;
//   - cores: 8 tasks of busy_wait(150 ms) on 2 threads, the per-core view in sight;
//   - stats: the million-task job's statistics in sight.
// `--only SCENE` makes one scene; `--scheme light|dark` one theme.
/* global document -- functions passed to page.evaluate run in the page */
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, findChromium } from './chromium.js'
import { startWebHostChild } from './web-host-child.js'

const root = resolve(import.meta.dirname, '..')
const WIDTH = 1280
const HEIGHT = 800
const TIMEOUT = 60_000

function option(name) {
  const at = process.argv.indexOf(name)
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : null
}

const run = (page) => page.getByRole('button', { name: 'Run', exact: true })

async function runAndWait(page) {
  await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled)
  await run(page).click()
  await page.getByText('Number of results:').waitFor({ timeout: TIMEOUT })
  // The last timeline window, with every chunk filed, has been drawn.
  await page.waitForTimeout(1200)
}

const SCENES = {
  async map(page) {
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    // Twice: the second run finds the pool warm, so the timeline shows the job, not the start-up.
    await runAndWait(page)
    await runAndWait(page)
  },
  async million(page) {
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.locator('#job-tasks').fill('1000000')
    await page.locator('#job-threads').fill('2')
    await runAndWait(page)
    // Select a task half-way through the job in Results: the timeline zooms to it and its
    // neighbours, the selected one outlined.
    await page.locator('[data-test=scroller] [role=row]').first().waitFor({ timeout: TIMEOUT })
    await page.evaluate(() => {
      const scroller = document.querySelector('[data-test=scroller]')
      scroller.scrollTop = 0.5 * (scroller.scrollHeight - scroller.clientHeight)
    })
    await page.waitForTimeout(1000)
    await page.locator('[data-test=scroller] [role=row]').nth(4).click()
    await page.waitForTimeout(1500)
    await page.locator('.timeline').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.waitForTimeout(300)
  },
  async cores(page) {
    // Two threads spinning: 8 tasks of busy_wait(150 ms), several CPU samples long.
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.getByLabel('Workload').selectOption('busy_wait')
    await page.locator('#job-tasks').fill('8')
    await page.locator('#job-ms').fill('150')
    await runAndWait(page)
    await page.locator('.cores').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.waitForTimeout(300)
  },
  async stats(page) {
    await page.getByRole('button', { name: 'Notebook: map cell' }).click()
    await page.locator('#job-tasks').fill('1000000')
    await page.locator('#job-threads').fill('2')
    await runAndWait(page)
    await page.locator('.job-stats').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.waitForTimeout(300)
  },
  async cancelled(page) {
    await page.getByLabel('Workload').selectOption('combinations_n')
    await page.locator('#job-elements').fill('0..39')
    await page.getByLabel('n', { exact: true }).fill('6')
    await page.locator('#job-tasks').fill('64')
    await page.locator('#job-threads').fill('2')
    await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled)
    await run(page).click()
    await page.waitForTimeout(1500)
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
    await page.getByRole('region', { name: 'Progress' }).getByText('Cancelled', { exact: true }).waitFor()
    await page.waitForTimeout(1200)
  }
}

const only = option('--only')
const schemes = option('--scheme') ? [option('--scheme')] : ['light', 'dark']
const executablePath = findChromium()
if (!executablePath) {
  console.error('No Chromium found (apt-get install -y chromium).')
  process.exit(1)
}
for (const step of ['build-node.js', 'build-renderer.js']) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', step)], { stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}
const host = await startWebHostChild()
const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS })
try {
  for (const [name, scene] of Object.entries(SCENES)) {
    if (only && only !== name) continue
    for (const scheme of schemes) {
      const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } })
      await page.emulateMedia({ colorScheme: scheme })
      await page.goto(host.url)
      // The presets are enabled once the engine has answered.
      await page.getByRole('button', { name: 'Notebook: map cell' }).waitFor()
      await page.waitForTimeout(500)
      await scene(page)
      const file = join(root, 'docs', `screenshot-${name}-${scheme}.png`)
      await page.screenshot({ path: file })
      console.log(file)
      await page.close()
    }
  }
} finally {
  await browser.close()
  await host.stop()
}
