// `node bench/ui-longtasks.js`: how smooth the renderer stays while a big job streams progress,
// timings and results into it. Starts the real web host (`node scripts/web.js`), drives Debian's
// Chromium with playwright-core, runs each scenario through the form and records the page's long
// tasks (main-thread work over 50 ms, from the Long Tasks API) from Run until the summary shows.
// Prints one line per scenario and, with --json, the raw numbers.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { chromium } from 'playwright-core'

const root = resolve(import.meta.dirname, '..')

const SCENARIOS = [
  {
    name: 'many small tasks (100,000 × C(6,2))',
    workload: 'combinations',
    elements: '0..5',
    tasks: '100000'
  },
  { name: 'many tuples (64 × C(26,5))', workload: 'combinations_n', elements: '0..25', n: '5', tasks: '64' }
]

function findChromium() {
  const candidates = [
    process.env.POOLSCOPE_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome'
  ]
  return candidates.find((path) => path && existsSync(path)) ?? null
}

/** Starts `npm run web` as a child and resolves to its URL and a stop function. */
function startWebHost() {
  const child = spawn(process.execPath, [join(root, 'scripts', 'web.js'), '--no-open'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolveStart, rejectStart) => {
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /running at (http:\/\/\S+)/.exec(output)
      if (match) {
        resolveStart({
          url: match[1],
          stop: () =>
            new Promise((resolveStop) => {
              child.once('exit', () => resolveStop())
              child.kill('SIGINT')
            })
        })
      }
    })
    child.once('exit', (code) => rejectStart(new Error(`the web host exited early (code ${code})`)))
  })
}

async function runScenario(page, scenario) {
  await page.getByRole('button', { name: 'Notebook: map cell' }).click()
  await page.getByLabel('Workload').selectOption(scenario.workload)
  await page.getByLabel('Elements').fill(scenario.elements)
  if (scenario.n) await page.getByLabel('n', { exact: true }).fill(scenario.n)
  await page.getByLabel('Tasks').fill(scenario.tasks)
  const run = page.getByRole('button', { name: 'Run' })
  await page.waitForFunction((button) => !button.disabled, await run.elementHandle(), { timeout: 30_000 })
  await page.evaluate(() => {
    globalThis.__longTasks = []
  })
  const started = Date.now()
  await run.click()
  await page.getByText('Number of results:').waitFor({ state: 'visible', timeout: 600_000 })
  const wallMs = Date.now() - started
  // Let the results table and charts settle, then read what the observer saw.
  await page.waitForTimeout(1000)
  const observedMs = Date.now() - started
  const durations = await page.evaluate(() => globalThis.__longTasks)
  const total = durations.reduce((sum, d) => sum + d, 0)
  return {
    scenario: scenario.name,
    wallMs,
    longTasks: durations.length,
    longestMs: Math.round(Math.max(0, ...durations)),
    blockedMs: Math.round(total),
    blockedShare: total / observedMs
  }
}

async function main() {
  const executablePath = findChromium()
  if (!executablePath) {
    console.error('No Chromium found: install one (apt-get install chromium) or set POOLSCOPE_CHROMIUM.')
    return 1
  }
  const web = await startWebHost()
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  })
  const results = []
  try {
    for (const scenario of SCENARIOS) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      await page.addInitScript(() => {
        globalThis.__longTasks = []
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) globalThis.__longTasks.push(entry.duration)
        }).observe({ type: 'longtask', buffered: true })
      })
      await page.goto(web.url)
      const preset = page.getByRole('button', { name: 'Notebook: map cell' })
      await page.waitForFunction((button) => !button.disabled, await preset.elementHandle(), {
        timeout: 30_000
      })
      results.push(await runScenario(page, scenario))
      await page.close()
    }
  } finally {
    await browser.close()
    await web.stop()
  }
  for (const r of results) {
    console.log(
      `${r.scenario}: ${r.wallMs} ms to the summary, ${r.longTasks} long tasks, longest ${r.longestMs} ms, ` +
        `${r.blockedMs} ms blocked (${(r.blockedShare * 100).toFixed(1)}% of the run plus 1 s settling)`
    )
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2))
  return 0
}

process.exitCode = await main()
