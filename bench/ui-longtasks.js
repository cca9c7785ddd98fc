// `node bench/ui-longtasks.js [--runs N] [--only NAME] [--json]`: how smooth the renderer stays
// while a big job runs (progress streams in, the page polls its timeline and pages its results).
// Starts the real web host (`node scripts/web.js`), drives Debian's Chromium with playwright-core,
// runs each scenario through the form and records, from Run until the summary shows plus a second
// of settling:
//   - the page's long tasks (main-thread work over 50 ms, from the Long Tasks API): count, longest,
//     total blocked time (the sum of their durations);
//   - WebSocket messages from the host to the page, per second over the run and in the busiest second;
//   - then, with the job finished, jumps in the results table to rows no page has loaded yet, timing
//     each from the jump to the frame whose rows are all shown (one request for a 1,000-row page,
//     its decoding and the render), and long tasks while wheel-scrolling the table.
// Each run's log line names the scripts of the run's longest animation frame over 50 ms (from the
// Long Animation Frames API: invoker, its milliseconds, and forced layout), to say where time went.
// Each scenario runs --runs times (default 3) in a fresh page; the table shows medians.
/* global document, requestAnimationFrame -- functions passed to page.evaluate run in the page */
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.js'

const root = resolve(import.meta.dirname, '..')

const SCENARIOS = [
  {
    name: '100,000 × C(6,2)',
    workload: 'combinations',
    elements: '0..5',
    tasks: '100000'
  },
  {
    name: '1,000,000 × C(6,2)',
    workload: 'combinations',
    elements: '0..5',
    tasks: '1000000'
  },
  { name: '64 × C(26,5)', workload: 'combinations_n', elements: '0..25', n: '5', tasks: '64' }
]

/** Where the results table jumps to, as fractions of its rows: spread out, none on a loaded page. */
const JUMPS = [0.5, 0.137, 0.873, 0.31, 0.69, 0.999]

function option(name, fallback) {
  const at = process.argv.indexOf(name)
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback
}

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
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

/**
 * Counts host→page WebSocket messages in the page itself, with their arrival times (page clock).
 * Not with playwright's `framereceived`: that has DevTools copy every frame out of the renderer,
 * which costs the page's main thread tens of milliseconds per megabyte and would be measured too.
 */
function countFramesInPage() {
  globalThis.__frames = []
  const Native = globalThis.WebSocket
  globalThis.WebSocket = class extends Native {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', () => globalThis.__frames.push(performance.now()))
    }
  }
}

function busiestSecond(times, from, to) {
  let best = 0
  let first = 0
  const inRun = times.filter((t) => t >= from && t <= to)
  for (let last = 0; last < inRun.length; last++) {
    while (inRun[last] - inRun[first] >= 1000) first++
    best = Math.max(best, last - first + 1)
  }
  return best
}

/** Jumps the results table to `fraction` of its rows; resolves to ms until every shown row is loaded. */
function jumpAndWait(page, fraction) {
  return page.evaluate(
    (at) =>
      new Promise((resolveJump) => {
        const scroller = document.querySelector('[data-test=scroller]')
        const total = Number(document.querySelector('[role=table]').getAttribute('aria-rowcount')) - 1
        const target = Math.floor(at * total)
        const started = performance.now()
        scroller.scrollTop = at * (scroller.scrollHeight - scroller.clientHeight)
        const check = () => {
          const rows = scroller.querySelectorAll('[role=row]')
          const first = rows.length > 0 ? Number(rows[0].getAttribute('aria-rowindex')) - 2 : -1
          // Rows around the target, none still "loading…": this frame shows the page.
          const near = first >= Math.min(target, total - rows.length) - 100 && first <= target
          if (near && scroller.querySelector('.loading') === null) {
            resolveJump(performance.now() - started)
          } else if (performance.now() - started > 10_000) resolveJump(NaN)
          else requestAnimationFrame(check)
        }
        requestAnimationFrame(check)
      }),
    fraction
  )
}

async function resultsTimings(page) {
  const scroller = page.locator('[data-test=scroller]')
  await scroller.waitFor({ state: 'visible', timeout: 30_000 })
  await page.waitForFunction(() => document.querySelector('[data-test=scroller] .loading') === null)
  const jumps = []
  for (const fraction of JUMPS) jumps.push(await jumpAndWait(page, fraction))
  // Smooth scrolling: a second and a half of wheel steps over the table, long tasks counted.
  await page.evaluate(() => {
    globalThis.__longTasks = []
  })
  const box = await scroller.boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, 900)
    await page.waitForTimeout(50)
  }
  await page.waitForTimeout(300)
  const scrollLongTasks = await page.evaluate(() => globalThis.__longTasks)
  return { jumps, scrollLongTasks }
}

async function runScenario(page, scenario) {
  await page.getByRole('button', { name: 'Notebook: map cell' }).click()
  await page.getByLabel('Workload').selectOption(scenario.workload)
  await page.getByLabel('Elements').fill(scenario.elements)
  if (scenario.n) await page.getByLabel('n', { exact: true }).fill(scenario.n)
  await page.getByLabel('Tasks').fill(scenario.tasks)
  const run = page.getByRole('button', { name: 'Run' })
  await page.waitForFunction((button) => !button.disabled, await run.elementHandle(), { timeout: 60_000 })
  // Let the page go quiet (the form's sizing request, first paint) before the clock starts.
  await page.waitForTimeout(500)
  await page.evaluate(() => {
    globalThis.__longTasks = []
    globalThis.__longFrames = []
  })
  const startedHere = performance.now()
  const started = await page.evaluate(() => performance.now())
  await run.click()
  await page.getByText('Number of results:').waitFor({ state: 'visible', timeout: 600_000 })
  const finished = await page.evaluate(() => performance.now())
  // Let the results table and charts settle, then read what the observer saw.
  await page.waitForTimeout(1000)
  const observedMs = performance.now() - startedHere
  const durations = await page.evaluate(() => globalThis.__longTasks)
  const longFrames = await page.evaluate(() => globalThis.__longFrames)
  const total = durations.reduce((sum, d) => sum + d, 0)
  const frames = await page.evaluate(() => globalThis.__frames)
  const runFrames = frames.filter((t) => t >= started && t <= finished).length
  const results = await resultsTimings(page)
  return {
    scenario: scenario.name,
    wallMs: Math.round(finished - started),
    longTasks: durations.length,
    longestMs: Math.round(Math.max(0, ...durations)),
    blockedMs: Math.round(total),
    blockedShare: total / observedMs,
    messagesPerSecond: runFrames / Math.max(0.001, (finished - started) / 1000),
    busiestSecond: busiestSecond(frames, started, finished),
    jumpMs: results.jumps.map((ms) => Math.round(ms)),
    jumpMedianMs: Math.round(median(results.jumps)),
    jumpMaxMs: Math.round(Math.max(...results.jumps)),
    scrollLongTasks: results.scrollLongTasks.length,
    scrollLongestMs: Math.round(Math.max(0, ...results.scrollLongTasks)),
    worstFrame: describeFrame(longFrames.sort((a, b) => b.duration - a.duration)[0])
  }
}

/** `68 ms at 820 ms: DOMWebSocket.onmessage 23 ms (layout 8), …`, or 'none' without a long frame. */
function describeFrame(frame) {
  if (!frame) return 'none'
  const scripts = frame.scripts
    .sort((a, b) => b.duration - a.duration)
    .slice(0, 4)
    .map((s) => `${s.invoker} ${s.duration} ms${s.layout > 0 ? ` (layout ${s.layout})` : ''}`)
  return `${frame.duration} ms frame: ${scripts.join(', ') || 'no script'}; style and render ${frame.render} ms`
}

function printTable(rows) {
  const columns = [
    ['scenario', (r) => r.scenario],
    ['runs', (r) => String(r.runs)],
    ['to summary ms', (r) => String(r.wallMs)],
    ['long tasks', (r) => String(r.longTasks)],
    ['longest ms', (r) => String(r.longestMs)],
    ['blocked ms', (r) => String(r.blockedMs)],
    ['msgs/s', (r) => r.messagesPerSecond.toFixed(1)],
    ['busiest 1 s', (r) => String(r.busiestSecond)],
    ['1,000-row page ms (median/max)', (r) => `${r.jumpMedianMs} / ${r.jumpMaxMs}`],
    ['scroll long tasks', (r) => `${r.scrollLongTasks} (longest ${r.scrollLongestMs} ms)`]
  ]
  const cells = rows.map((r) => columns.map(([, get]) => get(r)))
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((row) => row[i].length)))
  const line = (values) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`
  console.log(line(columns.map(([title]) => title)))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const row of cells) console.log(line(row))
}

/** Medians of every numeric field over the runs of one scenario. */
function summarise(name, runs) {
  const out = { scenario: name, runs: runs.length }
  for (const key of Object.keys(runs[0])) {
    if (typeof runs[0][key] === 'number') out[key] = median(runs.map((r) => r[key]))
  }
  return out
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
    args: CHROMIUM_ARGS
  })
  const runs = Math.max(1, Number(option('--runs', '3')) || 3)
  const only = option('--only', null)
  const scenarios = SCENARIOS.filter((s) => only === null || s.name.includes(only))
  const raw = []
  try {
    for (let i = 0; i < runs; i++) {
      for (const scenario of scenarios) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
        await page.addInitScript(countFramesInPage)
        await page.addInitScript(() => {
          globalThis.__longTasks = []
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) globalThis.__longTasks.push(entry.duration)
          }).observe({ type: 'longtask', buffered: true })
          globalThis.__longFrames = []
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
              if (entry.duration <= 50) continue
              globalThis.__longFrames.push({
                duration: Math.round(entry.duration),
                render:
                  entry.renderStart > 0
                    ? Math.round(entry.startTime + entry.duration - entry.renderStart)
                    : 0,
                scripts: entry.scripts.map((script) => ({
                  invoker: script.invoker,
                  duration: Math.round(script.duration),
                  layout: Math.round(script.forcedStyleAndLayoutDuration)
                }))
              })
            }
          }).observe({ type: 'long-animation-frame', buffered: true })
        })
        await page.goto(web.url)
        const preset = page.getByRole('button', { name: 'Notebook: map cell' })
        await page.waitForFunction((button) => !button.disabled, await preset.elementHandle(), {
          timeout: 30_000
        })
        const result = await runScenario(page, scenario)
        console.error(
          `run ${i + 1}/${runs} ${result.scenario}: ${result.longTasks} long tasks, longest ${result.longestMs} ms, ` +
            `${result.messagesPerSecond.toFixed(1)} msgs/s, jumps ${result.jumpMs.join('/')} ms; ` +
            `longest frame ${result.worstFrame}`
        )
        raw.push(result)
        await page.close()
      }
    }
  } finally {
    await browser.close()
    await web.stop()
  }
  const table = scenarios.map((s) =>
    summarise(
      s.name,
      raw.filter((r) => r.scenario === s.name)
    )
  )
  console.log(`Medians of ${runs} run(s); long tasks from Run to the summary plus 1 s of settling.`)
  printTable(table)
  if (process.argv.includes('--json')) console.log(JSON.stringify({ medians: table, runs: raw }, null, 2))
  return 0
}

process.exitCode = await main()
