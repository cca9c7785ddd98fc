// `node bench/ui-longtasks.js [--runs N] [--only NAME] [--json] [--no-timeline]`: how smooth the
// renderer stays while a big job runs (progress streams in, the page polls its timeline and pages
// its results). Starts the real web host (`node scripts/web.js`), drives Debian's Chromium with
// playwright-core, runs each scenario through the form and records, from Run until the summary shows plus a second of settling:
//   - the page's long tasks (main-thread work over 50 ms, from the Long Tasks API): count, longest,
//     total blocked time (the sum of their durations);
//   - WebSocket messages from the host to the page, per second over the run and in the busiest
//     second, and by kind (`job.timeline` replies, `job.timings` and `job.progress` events) with the
//     bytes received;
//   - then, with the job finished, jumps in the results table to rows no page has loaded yet, timing
//     each from the jump to the frame whose rows are all shown (one request for a 1,000-row page,
//     its decoding and the render), and long tasks while wheel-scrolling the table;
//   - then the worker timeline (issue 8): focuses its chart and presses `+` from the whole job until
//     the caption no longer says `in time bins` (a window of single task bars; at least
//     MIN_ZOOM_STEPS presses, so a job drawn in tasks from the start still zooms), then `→`
//     PAN_STEPS times and `0` (the whole job again); one key at a time, each once the last one's
//     window is on screen. Per key, on the page's clock from the key event's time stamp:
//       view ms    to the end of the first animation frame after the keydown handlers ran: the chart
//                  redrawn at the new range with the window at hand (TimelineChart rebuilds its
//                  option in a requestAnimationFrame its key handler schedules, and ours, from a
//                  keydown listener on the window, is queued after it; ECharts paints its canvas
//                  inside setOption, so it is drawn by then);
//       window ms  to the end of the first animation frame after the page handled the reply to the
//                  key's `job.timeline` request: a message listener added after the page's own runs
//                  once the page has decoded and checked the reply, the store has taken it and Vue
//                  has queued the chart's redraw, and queues our frame after that redraw. Split into
//                  the wait until the request was sent (the store waits 60 ms for input to pause),
//                  the round trip, and the page's own work from the reply to that frame;
//     and the page's long tasks over the whole key sequence (count, longest, total blocked).
// Each run's log lines name the scripts of the run's (and the key sequence's) longest animation
// frame over 50 ms (from the Long Animation Frames API: invoker, its milliseconds, and forced
// layout), to say where time went, and list the tasks each key's window showed.
// Each scenario runs --runs times (default 3) in a fresh page; the tables show medians. --no-timeline
// skips the timeline phase (for a build from before issue 8, whose page has no timeline caption).
/* global document, requestAnimationFrame -- functions passed to page.evaluate run in the page */
import process from 'node:process'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.js'
import { startWebHostChild } from '../scripts/web-host-child.js'

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

/** Zoom presses at least, and at most, per timeline phase; how long one may take to show its window. */
const MIN_ZOOM_STEPS = 2
const MAX_ZOOM_STEPS = 40
const ZOOM_STEP_TIMEOUT_MS = 10_000
const WITH_TIMELINE = !process.argv.includes('--no-timeline')
/** Pans (right arrow, a fifth of the view each) at the single-task zoom, after the zoom presses. */
const PAN_STEPS = 4

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

/**
 * Counts host→page WebSocket messages in the page itself, with their arrival times (page clock).
 * Not with playwright's `framereceived`: that has DevTools copy every frame out of the renderer,
 * which costs the page's main thread tens of milliseconds per megabyte and would be measured too.
 * Each message is also named from the first bytes of its header (`event:job.progress`, or
 * `reply:job.timeline` for the reply to a request the page sent under that id) and sized. A
 * listener is added after the page's own message listener, so `__afterMessage` runs once the page
 * has handled the message and its microtasks (store updates, Vue's watchers) have run.
 */
function countFramesInPage() {
  globalThis.__frames = []
  globalThis.__frameInfo = []
  globalThis.__sent = []
  globalThis.__afterMessage = null
  const requests = new Map()
  const decoder = new TextDecoder()
  const nameOf = (data) => {
    // Binary frames: an 8-byte prefix, then the JSON header.
    const head =
      typeof data === 'string'
        ? data.slice(0, 80)
        : decoder.decode(new Uint8Array(data, 8, Math.max(0, Math.min(80, data.byteLength - 8))))
    const event = /^\{"event":\{"type":"([\w.]+)"/.exec(head)
    if (event) return { name: `event:${event[1]}`, id: null }
    const id = /^\{"id":(\d+)/.exec(head)
    return id
      ? { name: `reply:${requests.get(Number(id[1])) ?? '?'}`, id: Number(id[1]) }
      : { name: '?', id: null }
  }
  const Native = globalThis.WebSocket
  globalThis.WebSocket = class extends Native {
    constructor(...args) {
      super(...args)
      let info = null
      super.addEventListener('message', (message) => {
        globalThis.__frames.push(performance.now())
        info = nameOf(message.data)
        info.bytes = typeof message.data === 'string' ? message.data.length : message.data.byteLength
        globalThis.__frameInfo.push(info)
      })
      this.__after = (message) => globalThis.__afterMessage?.(info, message)
    }
    addEventListener(type, listener, options) {
      super.addEventListener(type, listener, options)
      if (type === 'message' && this.__after && !this.__afterAdded) {
        this.__afterAdded = true
        super.addEventListener('message', this.__after)
      }
    }
    send(data) {
      const request = typeof data === 'string' ? /^\{"id":(\d+),"name":"([\w.]+)"/.exec(data) : null
      if (request) requests.set(Number(request[1]), request[2])
      globalThis.__sent.push({
        at: performance.now(),
        id: request ? Number(request[1]) : null,
        name: request?.[2]
      })
      return super.send(data)
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

/**
 * Arms the page for one press of a timeline key (see the header): resolves `globalThis.__zoomStep`
 * at the first animation frame after the page handled the reply to the first `job.timeline`
 * request sent after the key, or after `timeout` ms with what it saw.
 */
function armZoomStep(timeout) {
  const caption = document.querySelector('[data-test="timeline-caption"]')
  const sentBefore = globalThis.__sent.length
  const step = { key: NaN, view: NaN, sent: NaN, reply: NaN, drawn: NaN, caption: '' }
  globalThis.__zoomStep = new Promise((resolveStep) => {
    const onKey = (event) => {
      globalThis.removeEventListener('keydown', onKey)
      const now = performance.now()
      // The event's own time stamp (before any handler ran), if it is on this clock.
      step.key = event.timeStamp <= now && event.timeStamp > now - 1000 ? event.timeStamp : now
      // Queued after the chart's own redraw, which its keydown handler has just scheduled.
      requestAnimationFrame(() => {
        step.view = performance.now()
      })
    }
    globalThis.addEventListener('keydown', onKey)
    const finish = () => {
      globalThis.__afterMessage = null
      clearTimeout(timer)
      step.caption = caption.textContent
      resolveStep(step)
    }
    globalThis.__afterMessage = (info) => {
      const request = globalThis.__sent.slice(sentBefore).find((r) => r.name === 'job.timeline')
      if (!request || info.id !== request.id) return
      globalThis.__afterMessage = null
      step.sent = request.at
      step.reply = globalThis.__frames.at(-1)
      // The store has taken the window and the chart has queued its redraw: the frame after it.
      requestAnimationFrame(() => {
        step.drawn = performance.now()
        finish()
      })
    }
    const timer = setTimeout(finish, timeout)
  })
}

/** Presses `key` on the focused chart and waits for its window to be drawn; returns the step's times. */
async function timelineStep(page, key) {
  await page.evaluate(armZoomStep, ZOOM_STEP_TIMEOUT_MS)
  await page.keyboard.press(key)
  const step = await page.evaluate(() => globalThis.__zoomStep)
  // A breath between presses, as a person would take; long tasks are still being counted.
  await page.waitForTimeout(100)
  return {
    key,
    viewMs: step.view - step.key,
    windowMs: step.drawn - step.key,
    waitMs: step.sent - step.key,
    roundTripMs: step.reply - step.sent,
    renderMs: step.drawn - step.reply,
    caption: step.caption
  }
}

/**
 * The timeline phase (see the header): `+` from the whole job to single tasks, PAN_STEPS pans to
 * the right at that zoom, then `0` back to the whole job.
 */
async function timelineZoom(page) {
  const caption = page.locator('[data-test="timeline-caption"]')
  // The last window, with every chunk filed, shows the whole job: its caption has no range.
  await page.waitForFunction(
    () =>
      / on \d+ workers?( · in time bins)?$/.test(
        document.querySelector('[data-test="timeline-caption"]')?.textContent ?? ''
      ),
    null,
    { timeout: 30_000 }
  )
  await page.locator('.timeline .chart-box').focus()
  await page.waitForTimeout(300)
  await page.evaluate(() => {
    globalThis.__longTasks = []
    globalThis.__longFrames = []
  })
  const zoom = []
  while (zoom.length < MAX_ZOOM_STEPS) {
    const text = await caption.textContent()
    if (!text.includes('time bins') && zoom.length >= MIN_ZOOM_STEPS) break
    zoom.push(await timelineStep(page, '+'))
  }
  const pans = []
  for (let i = 0; i < PAN_STEPS; i++) pans.push(await timelineStep(page, 'ArrowRight'))
  const whole = await timelineStep(page, '0')
  await page.waitForTimeout(300)
  const longTasks = await page.evaluate(() => globalThis.__longTasks)
  const longFrames = await page.evaluate(() => globalThis.__longFrames)
  return { zoom, pans, whole, longTasks, longFrames }
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
  const frameInfo = await page.evaluate(() => globalThis.__frameInfo)
  const inRun = frames.map((t, i) => [t, frameInfo[i]]).filter(([t]) => t >= started && t <= finished)
  const runSeconds = Math.max(0.001, (finished - started) / 1000)
  const perSecond = (name) => inRun.filter(([, info]) => info.name === name).length / runSeconds
  const results = await resultsTimings(page)
  const timeline = WITH_TIMELINE
    ? await timelineZoom(page)
    : { zoom: [], pans: [], whole: null, longTasks: [], longFrames: [] }
  const steps = [...timeline.zoom, ...timeline.pans, timeline.whole].filter(Boolean)
  const views = steps.map((s) => s.viewMs)
  const windows = steps.map((s) => s.windowMs)
  const renders = steps.map((s) => s.renderMs)
  const shownTasks = steps.map((s) => /^([\d,]+) tasks? on/.exec(s.caption)?.[1] ?? '?')
  return {
    scenario: scenario.name,
    wallMs: Math.round(finished - started),
    longTasks: durations.length,
    longestMs: Math.round(Math.max(0, ...durations)),
    blockedMs: Math.round(total),
    blockedShare: total / observedMs,
    messagesPerSecond: inRun.length / runSeconds,
    timelineRepliesPerSecond: perSecond('reply:job.timeline'),
    timingsEventsPerSecond: perSecond('event:job.timings'),
    progressEventsPerSecond: perSecond('event:job.progress'),
    receivedKiBPerSecond: inRun.reduce((sum, [, info]) => sum + info.bytes, 0) / 1024 / runSeconds,
    busiestSecond: busiestSecond(frames, started, finished),
    jumpMs: results.jumps.map((ms) => Math.round(ms)),
    jumpMedianMs: Math.round(median(results.jumps)),
    jumpMaxMs: Math.round(Math.max(...results.jumps)),
    scrollLongTasks: results.scrollLongTasks.length,
    scrollLongestMs: Math.round(Math.max(0, ...results.scrollLongTasks)),
    worstFrame: describeFrame(longFrames.sort((a, b) => b.duration - a.duration)[0]),
    zoomPresses: timeline.zoom.length,
    zoomFinalCaption: timeline.zoom.at(-1)?.caption ?? '',
    stepTasks: shownTasks,
    stepViewMs: views.map((ms) => Math.round(ms)),
    stepWindowMs: windows.map((ms) => Math.round(ms)),
    stepRenderMs: renders.map((ms) => Math.round(ms)),
    stepViewMedianMs: median(views),
    stepViewMaxMs: Math.max(...views),
    stepWindowMedianMs: median(windows),
    stepWindowMaxMs: Math.max(...windows),
    stepWaitMedianMs: median(steps.map((s) => s.waitMs)),
    stepRoundTripMedianMs: median(steps.map((s) => s.roundTripMs)),
    stepRenderMedianMs: median(renders),
    stepRenderMaxMs: Math.max(...renders),
    zoomLongTasks: timeline.longTasks.length,
    zoomLongestMs: Math.round(Math.max(0, ...timeline.longTasks)),
    zoomBlockedMs: Math.round(timeline.longTasks.reduce((sum, d) => sum + d, 0)),
    zoomWorstFrame: describeFrame(timeline.longFrames.sort((a, b) => b.duration - a.duration)[0])
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

/** The run's table: long tasks and messages while the job runs, then the results table. */
const RUN_COLUMNS = [
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

/** What the host sent while the job ran, by kind. */
const MESSAGE_COLUMNS = [
  ['scenario', (r) => r.scenario],
  ['msgs/s', (r) => r.messagesPerSecond.toFixed(1)],
  ['job.timeline replies/s', (r) => r.timelineRepliesPerSecond.toFixed(1)],
  ['job.timings events/s', (r) => r.timingsEventsPerSecond.toFixed(1)],
  ['job.progress events/s', (r) => r.progressEventsPerSecond.toFixed(1)],
  ['KiB/s received', (r) => r.receivedKiBPerSecond.toFixed(0)]
]

/** The timeline's keys: per step (zoom presses, pans, back to the whole job), then the sequence. */
const ZOOM_COLUMNS = [
  ['scenario', (r) => r.scenario],
  ['runs', (r) => String(r.runs)],
  ['+ presses', (r) => String(r.zoomPresses)],
  ['view ms (median/max)', (r) => `${Math.round(r.stepViewMedianMs)} / ${Math.round(r.stepViewMaxMs)}`],
  ['window ms (median/max)', (r) => `${Math.round(r.stepWindowMedianMs)} / ${Math.round(r.stepWindowMaxMs)}`],
  [
    'of which wait / trip / render ms',
    (r) =>
      `${Math.round(r.stepWaitMedianMs)} / ${Math.round(r.stepRoundTripMedianMs)} / ${Math.round(r.stepRenderMedianMs)}`
  ],
  ['render max ms', (r) => String(Math.round(r.stepRenderMaxMs))],
  ['long tasks', (r) => String(r.zoomLongTasks)],
  ['longest ms', (r) => String(r.zoomLongestMs)],
  ['blocked ms', (r) => String(r.zoomBlockedMs)]
]

function printTable(rows, columns) {
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
  const web = await startWebHostChild()
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
        if (WITH_TIMELINE)
          console.error(
            `  timeline: ${result.zoomPresses} presses to "${result.zoomFinalCaption}"; tasks shown ` +
              `${result.stepTasks.join('/')}; view ${result.stepViewMs.join('/')} ms; window ` +
              `${result.stepWindowMs.join('/')} ms; ${result.zoomLongTasks} long tasks, longest ` +
              `${result.zoomLongestMs} ms; longest frame ${result.zoomWorstFrame}`
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
  printTable(table, RUN_COLUMNS)
  console.log('\nHost→page messages while the job ran, by kind (medians of runs).')
  printTable(table, MESSAGE_COLUMNS)
  if (WITH_TIMELINE) {
    console.log(
      `\nThe timeline: + from the whole job to single tasks, ${PAN_STEPS} pans (→), 0 back to the whole job. ` +
        'Per key, ms from the key to the frame with the new view (view) and with its window (window: the ' +
        'wait for input to pause, the round trip, the page from the reply to the frame); long tasks over ' +
        "the whole sequence. Medians of runs (max: median of each run's max)."
    )
    printTable(table, ZOOM_COLUMNS)
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify({ medians: table, runs: raw }, null, 2))
  return 0
}

process.exitCode = await main()
