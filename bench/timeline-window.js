// The host's side of the timeline (issue 8): what `timelineWindow` (the function behind
// `job.timeline`) costs the main thread, on a job of 1,000,000 tasks of combinations(0..5)
// (15 pairs each, counts only, 2 threads). `npm run bench:timeline`, or
//
//   node bench/timeline-window.js [--jobs N] [--calls C] [--tasks T]
//
// For each of N jobs (default 8): while it runs, the whole job's window (600 bins, what the page's
// live refresh asks for twice a second) every 100 ms; once it has ended, C calls (default 30) of each
// of: the whole job in 600 bins, a window 1% of the job wide in 600 bins, and a window of about
// 1,000 tasks in detail (its width found by a few trial calls), each in the middle of the job.
// Each call is also timed with its reply encoded into the WebSocket frame the web host sends
// (`encodeServerFrame`), which the host's thread does too. Medians over all calls of all jobs, with
// min and max, and the share of one thread those calls would take at 2 a second (the live refresh).
// Writes bench/results/timeline-window-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats } from './lib.js'

const log = (text) => process.stderr.write(text + '\n')
/** How often the page asks for its window while a job runs (stores/timeline.ts LIVE_REFRESH_MS). */
const CALLS_PER_SECOND = 2
const SAMPLE_EVERY_MS = 100
const BINS = 600
const MAX_TASKS = 2000

function parseArgs(argv) {
  const options = { jobs: 8, calls: 30, tasks: 1_000_000 }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, text] = [argv[i], argv[i + 1]]
    if (flag === '--jobs') options.jobs = Number(text)
    else if (flag === '--calls') options.calls = Number(text)
    else if (flag === '--tasks') options.tasks = Number(text)
    else throw new Error(`unknown flag ${flag}; use --jobs N, --calls C, --tasks T`)
  }
  if (!(options.jobs >= 1) || !(options.calls >= 1) || !(options.tasks >= 1)) {
    throw new Error('--jobs, --calls and --tasks must be ≥ 1')
  }
  return options
}

const options = parseArgs(process.argv.slice(2))
const spec = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  keep: 'count',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: options.tasks }
}
// The engine, `timelineWindow`, the frame encoder and the worker, bundled into out/bench-timeline/.
const { files, sources } = await buildBenchBundles('bench-timeline', {
  timeline: 'bench/harness/timelineEntry.ts',
  worker: 'src/main/worker.ts'
})
const workerFile = files.worker
const { Engine, timelineWindow, encodeServerFrame } = createRequire(import.meta.url)(files.timeline)
const engine = new Engine({ workerFile, hardwareThreads: 2 })

/** One call, timed alone and with its reply's WebSocket frame built after it. */
function timed(job, request) {
  const started = performance.now()
  const window = timelineWindow(job, request)
  const measured = performance.now()
  const frame = encodeServerFrame({ id: 1, outcome: { ok: true, result: window } })
  const encoded = performance.now()
  return { windowMs: measured - started, encodedMs: encoded - started, window, bytes: frame.length }
}

/**
 * A window of about `tasks` tasks in the middle of the job: its width is scaled from trial calls
 * (tasks are not spread evenly over time), and the closest of the trials is kept.
 */
function detailRequest(job, whole, tasks) {
  const middle = (whole.from + whole.to) / 2
  const around = (width) => ({
    from: middle - width / 2,
    to: middle + width / 2,
    bins: BINS,
    maxTasks: MAX_TASKS
  })
  let width = ((whole.to - whole.from) * tasks) / options.tasks
  let best = null
  for (let trial = 0; trial < 12; trial++) {
    const shown = timelineWindow(job, around(width)).tasksInWindow
    const miss = Math.abs(Math.log(Math.max(1, shown) / tasks))
    if (best === null || miss < best.miss) best = { miss, width }
    if (miss < Math.log(1.1)) break
    width *= shown > 0 ? Math.sqrt(tasks / shown) : 4
  }
  return around(best.width)
}

const CASES = [
  'while running (whole job, 600 bins)',
  'whole job, 600 bins',
  '1% of the job, 600 bins',
  'about 1,000 tasks, detail'
]
const samples = Object.fromEntries(
  CASES.map((name) => [name, { window: [], encoded: [], tasks: [], bytes: [] }])
)
const record = (name, call) => {
  samples[name].window.push(call.windowMs)
  samples[name].encoded.push(call.encodedMs)
  samples[name].tasks.push(call.window.tasksInWindow)
  samples[name].bytes.push(call.bytes)
}

// A first job warms the pool and compiles the code paths; it is not measured.
await (
  await engine.start(spec)
).done
const jobWalls = []
for (let j = 0; j < options.jobs; j++) {
  const job = await engine.start(spec)
  // While it runs: the live refresh's request.
  const sampler = setInterval(() => {
    if (job.isRunning) record(CASES[0], timed(job, { bins: BINS, maxTasks: MAX_TASKS }))
  }, SAMPLE_EVERY_MS)
  const summary = await job.done
  clearInterval(sampler)
  if (summary.status !== 'done') throw new Error(`job ended ${summary.status}: ${summary.message}`)
  jobWalls.push(summary.wallMs)
  const whole = timelineWindow(job, { bins: BINS, maxTasks: MAX_TASKS })
  const middle = (whole.from + whole.to) / 2
  const span = whole.to - whole.from
  const requests = {
    [CASES[1]]: { bins: BINS, maxTasks: MAX_TASKS },
    [CASES[2]]: { from: middle - span / 200, to: middle + span / 200, bins: BINS, maxTasks: MAX_TASKS },
    [CASES[3]]: detailRequest(job, whole, 1000)
  }
  for (let i = 0; i < options.calls; i++) {
    for (const [name, request] of Object.entries(requests))
      record(name, timed(job, request, false), timed(job, request, true))
  }
  log(
    `job ${j + 1}/${options.jobs}: ${summary.wallMs.toFixed(0)} ms, ${samples[CASES[0]].window.length} live samples so far`
  )
}
await engine.dispose()

const results = Object.fromEntries(
  CASES.map((name) => {
    const s = samples[name]
    return [
      name,
      {
        window: stats(s.window),
        encoded: stats(s.encoded),
        tasksInWindow: stats(s.tasks),
        frameBytes: stats(s.bytes)
      }
    ]
  })
)
const fmt = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2))
const share = (ms) => `${((100 * ms * CALLS_PER_SECOND) / 1000).toFixed(1)}%`
console.log(
  `timelineWindow on ${options.tasks.toLocaleString('en')}-task jobs (${options.jobs} jobs, wall ${jobWalls.map((ms) => ms.toFixed(0)).join('/')} ms), ms per call: median (min–max)`
)
console.log(
  '| window | calls | tasks in window | ms per call | with its frame encoded | frame KiB | main thread at 2 calls/s |'
)
console.log('|---|--:|--:|--:|--:|--:|--:|')
for (const name of CASES) {
  const r = results[name]
  // A job too short to be sampled while it ran has no calls of that case.
  if (r.window.n === 0) {
    console.log(`| ${name} | 0 | — | — | — | — | — |`)
    continue
  }
  console.log(
    `| ${name} | ${r.window.n} | ${Math.round(r.tasksInWindow.median).toLocaleString('en')} | ` +
      `${fmt(r.window.median)} (${fmt(r.window.min)}–${fmt(r.window.max)}) | ` +
      `${fmt(r.encoded.median)} (${fmt(r.encoded.min)}–${fmt(r.encoded.max)}) | ` +
      `${(r.frameBytes.median / 1024).toFixed(0)} | ${share(r.encoded.median)} |`
  )
}
const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'timeline-window-latest.json'),
  JSON.stringify({ machine: machine(sources), options, jobWallMs: jobWalls, results }, null, 2) + '\n'
)
