// PoolScope soak: `node bench/soak.js [--quick] [--cycles N] [--runs N] [--sample-every N]`.
// Through one EngineHost, back to back: N start/cancel cycles of a long job, then N full runs,
// the pool size alternating 1, 2, 3, 4 threads (a new pool every time). Counts errors and crashes
// (must be 0), checks that the process's OS threads come back to the pool's size, samples RSS after
// a forced GC and fits its slope (MB per 100 cycles) per phase. Prints a summary and writes
// bench/results/soak-latest.json. Exits 1 when anything failed.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildHostBundle, machine, stats } from './lib.js'

// RSS is sampled after a forced GC, so garbage not yet collected does not pass for a leak.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    { stdio: 'inherit' }
  )
  process.exit(child.status ?? 1)
}

const range = (n) => Array.from({ length: n }, (_, i) => i)

/** Cancelled at once: 400 tasks of all 7-combinations of range(30), counted only (seconds of work if it ran). */
const cancelSpec = (threads) => ({
  workload: 'combinations_n',
  style: 'starmap',
  threads,
  inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 400 },
  keep: 'count'
})

/** Run to the end: 64 tasks of all 5-combinations of range(20), every tuple kept (about 1 M tuples). */
const RUN_TUPLES = 64 * 15_504
const runSpec = (threads) => ({
  workload: 'combinations_n',
  style: 'starmap',
  threads,
  inputs: { kind: 'recipe', elements: range(20), n: [5], tasks: 64 },
  keep: 'all'
})

function parseArgs(argv) {
  const options = { quick: false, cycles: null, runs: null, sampleEvery: null, threads: [1, 2, 3, 4] }
  const count = (flag, value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1, got ${value}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') options.quick = true
    else if (arg === '--cycles') options.cycles = count(arg, argv[++i])
    else if (arg === '--runs') options.runs = count(arg, argv[++i])
    else if (arg === '--sample-every') options.sampleEvery = count(arg, argv[++i])
    else if (arg === '--threads')
      options.threads = String(argv[++i])
        .split(',')
        .map((n) => count(arg, n))
    else if (arg === '--help') {
      console.log(
        'usage: node bench/soak.js [--quick] [--cycles N (500)] [--runs N (100)] [--sample-every N] [--threads 1,2,3,4]'
      )
      process.exit(0)
    } else throw new Error(`unknown option ${arg}; see --help`)
  }
  options.cycles ??= options.quick ? 60 : 500
  options.runs ??= options.quick ? 20 : 100
  return options
}

/** OS threads of this process, or null off Linux. */
function osThreads() {
  try {
    return readdirSync('/proc/self/task').length
  } catch {
    return null
  }
}

const MiB = 2 ** 20

function sampleMemory(index) {
  globalThis.gc()
  const usage = process.memoryUsage()
  return {
    index,
    rssMB: usage.rss / MiB,
    heapUsedMB: usage.heapUsed / MiB,
    arrayBuffersMB: usage.arrayBuffers / MiB,
    threads: osThreads()
  }
}

/** Least-squares slope of y over x, times `per` (MB per 100 cycles with per = 100). */
function slope(samples, key, per = 100) {
  const n = samples.length
  if (n < 2) return null
  const mx = samples.reduce((s, p) => s + p.index, 0) / n
  const my = samples.reduce((s, p) => s + p[key], 0) / n
  let sxy = 0
  let sxx = 0
  for (const p of samples) {
    sxy += (p.index - mx) * (p[key] - my)
    sxx += (p.index - mx) ** 2
  }
  return sxx === 0 ? null : (sxy / sxx) * per
}

const round = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)))

const options = parseArgs(process.argv.slice(2))
/** Pool sizes, in turn: a new pool for every job unless there is only one. */
const THREAD_COUNTS = options.threads
const log = (text) => process.stderr.write(text + '\n')

const errors = []
const noteError = (where, detail) => {
  errors.push({ where, detail: String(detail).slice(0, 300) })
  if (errors.length <= 10) log(`  error in ${where}: ${String(detail).slice(0, 200)}`)
}
process.on('uncaughtException', (err) => noteError('uncaughtException', err?.stack ?? err))
process.on('unhandledRejection', (err) => noteError('unhandledRejection', err?.stack ?? err))

const { hostFile, workerFile, sources } = await buildHostBundle('soak')
const info = machine(sources)
const { EngineHost } = createRequire(import.meta.url)(hostFile)
const host = new EngineHost({
  workerFile,
  hardwareThreads: 2,
  onPoolError: (err) => noteError('pool error event', err?.message ?? err)
})

// Every event, by job: exactly one job.finished each, and nothing after it.
const finished = new Map()
const waiters = new Map()
let lateEvents = 0
host.onEvent((event) => {
  const { jobId } = event.payload
  if (finished.has(jobId)) lateEvents++
  if (event.type !== 'job.finished') return
  finished.set(jobId, event.payload)
  waiters.get(jobId)?.(event.payload)
  waiters.delete(jobId)
})
const finishedEvent = (jobId) =>
  finished.has(jobId)
    ? Promise.resolve(finished.get(jobId))
    : new Promise((resolveFinished) => waiters.set(jobId, resolveFinished))

/**
 * A job's summary once it has ended and the engine is idle again: its job.finished event arrives
 * a moment before the engine lets go of the job, and a start sent in between is refused.
 */
async function ended(jobId) {
  const summary = await finishedEvent(jobId)
  await host.engine.job(jobId).done
  return summary
}

async function call(where, name, params) {
  const outcome = await host.call(name, params)
  if (!outcome.ok) {
    noteError(where, `${outcome.error.code}: ${outcome.error.message}`)
    return null
  }
  return outcome.result
}

// Warm-up: the first pool and every lazily started helper thread exist before the baseline.
const threadsBeforePool = osThreads()
const warmStarted = await call('warm-up', 'job.start', { spec: runSpec(2) })
if (warmStarted) await ended(warmStarted.jobId)
const baseline = sampleMemory(0)
const nonPoolThreads = baseline.threads === null ? null : baseline.threads - 2
log(
  `soak: ${options.cycles} start/cancel cycles, then ${options.runs} full runs, threads ${THREAD_COUNTS.join(', ')} in turn`
)

async function phase(name, count, step) {
  // A multiple of the pool sizes' count by default, so every sample is taken with the same pool size.
  const sampleEvery =
    options.sampleEvery ?? THREAD_COUNTS.length * Math.max(1, Math.round(count / 50 / THREAD_COUNTS.length))
  const samples = [sampleMemory(0)]
  const started = performance.now()
  let lastThreads = 2
  for (let i = 0; i < count; i++) {
    lastThreads = THREAD_COUNTS[i % THREAD_COUNTS.length]
    await step(i, lastThreads)
    if ((i + 1) % sampleEvery === 0 || i + 1 === count) samples.push(sampleMemory(i + 1))
    if ((i + 1) % Math.max(1, Math.round(count / 10)) === 0) {
      const last = samples[samples.length - 1]
      log(`  ${name} ${i + 1}/${count}: RSS ${last.rssMB.toFixed(1)} MB, ${errors.length} errors`)
    }
  }
  const seconds = (performance.now() - started) / 1000
  const half = samples.filter((s) => s.index >= count / 2)
  return {
    count,
    seconds: round(seconds, 1),
    sampleEvery,
    lastThreads,
    rssStartMB: round(samples[0].rssMB, 1),
    rssEndMB: round(samples[samples.length - 1].rssMB, 1),
    rssMaxMB: round(Math.max(...samples.map((s) => s.rssMB)), 1),
    rssSlopeMBPer100: round(slope(samples, 'rssMB')),
    rssSlopeSecondHalfMBPer100: round(slope(half, 'rssMB')),
    heapSlopeMBPer100: round(slope(samples, 'heapUsedMB')),
    samples: samples.map((s) => ({
      index: s.index,
      rssMB: round(s.rssMB, 1),
      heapUsedMB: round(s.heapUsedMB, 1),
      arrayBuffersMB: round(s.arrayBuffersMB, 1),
      threads: s.threads
    }))
  }
}

const cancelReplyMs = []
const cancelStatuses = {}
const cycles = await phase('cycle', options.cycles, async (i, threads) => {
  const started = await call(`cycle ${i} start`, 'job.start', { spec: cancelSpec(threads) })
  if (!started) return
  const sent = performance.now()
  const reply = await call(`cycle ${i} cancel`, 'job.cancel', { jobId: started.jobId })
  cancelReplyMs.push(performance.now() - sent)
  const summary = await ended(started.jobId)
  cancelStatuses[summary.status] = (cancelStatuses[summary.status] ?? 0) + 1
  if (reply && !reply.cancelled && summary.status !== 'done') {
    noteError(`cycle ${i} cancel`, `cancelled: false for a job that ended ${summary.status}`)
  }
  if (summary.status === 'failed') noteError(`cycle ${i} job`, summary.message)
})

const runWallMs = []
const runs = await phase('run', options.runs, async (i, threads) => {
  const sent = performance.now()
  const started = await call(`run ${i} start`, 'job.start', { spec: runSpec(threads) })
  if (!started) return
  const summary = await ended(started.jobId)
  runWallMs.push(performance.now() - sent)
  if (summary.status !== 'done' || summary.tuplesKept !== RUN_TUPLES || summary.threads !== threads) {
    noteError(
      `run ${i}`,
      `ended ${summary.status} with ${summary.tuplesKept} tuples on ${summary.threads} threads: ${summary.message}`
    )
  }
})

const threadsAtEnd = osThreads()
const poolAtEnd = runs.lastThreads
const threadsBackToPool = nonPoolThreads === null ? null : threadsAtEnd === nonPoolThreads + poolAtEnd
if (threadsBackToPool === false) {
  noteError(
    'threads',
    `${threadsAtEnd} OS threads at the end, expected ${nonPoolThreads} + a pool of ${poolAtEnd}`
  )
}
if (lateEvents > 0) noteError('events', `${lateEvents} events arrived for jobs after their job.finished`)
await host.dispose()
const threadsAfterDispose = osThreads()
const totalSeconds = cycles.seconds + runs.seconds
const cancelStats = cancelReplyMs.length > 0 ? stats(cancelReplyMs) : null
const runStats = runWallMs.length > 0 ? stats(runWallMs) : null
const p95 = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.95)]

const results = {
  machine: info,
  options,
  ok: errors.length === 0,
  errors: errors.length,
  errorDetails: errors.slice(0, 50),
  lateEvents,
  threads: {
    beforePool: threadsBeforePool,
    baselineWithPoolOf2: baseline.threads,
    nonPool: nonPoolThreads,
    atEnd: threadsAtEnd,
    poolAtEnd,
    backToPoolSize: threadsBackToPool,
    afterDispose: threadsAfterDispose,
    maxSampled: Math.max(...[...cycles.samples, ...runs.samples].map((s) => s.threads ?? 0))
  },
  cycles: {
    ...cycles,
    statuses: cancelStatuses,
    cancelReplyMs: cancelStats && {
      median: round(cancelStats.median),
      p95: round(p95(cancelReplyMs)),
      max: round(cancelStats.max)
    }
  },
  runs: {
    ...runs,
    tuplesPerRun: RUN_TUPLES,
    wallMs: runStats && {
      median: round(runStats.median),
      p95: round(p95(runWallMs)),
      max: round(runStats.max)
    }
  },
  totalSeconds: round(totalSeconds, 1)
}

const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'soak-latest.json'), JSON.stringify(results, null, 2) + '\n')

const t = results.threads
console.log(`## Soak (${info.date}, ${info.cpuModel}, ${info.logicalCpus} CPUs, Node ${info.node}, ${info.commit})
- ${cycles.count} start/cancel cycles in ${cycles.seconds} s: statuses ${JSON.stringify(cancelStatuses)}, cancel reply median ${results.cycles.cancelReplyMs?.median} ms, p95 ${results.cycles.cancelReplyMs?.p95} ms, max ${results.cycles.cancelReplyMs?.max} ms
- ${runs.count} full runs (${RUN_TUPLES} tuples kept each) in ${runs.seconds} s: median ${results.runs.wallMs?.median} ms per run
- threads ${THREAD_COUNTS.join(', ')} in turn${THREAD_COUNTS.length > 1 ? ' (a new pool each job)' : ''}; errors and crashes: ${errors.length}; events after a job's end: ${lateEvents}
- OS threads: ${t.beforePool} before any pool, ${t.baselineWithPoolOf2} with a warm pool of 2, ${t.atEnd} at the end with a pool of ${t.poolAtEnd} (${t.backToPoolSize === null ? 'not Linux: not counted' : t.backToPoolSize ? 'back to the pool size' : 'NOT back to the pool size'}), ${t.afterDispose} after dispose
- RSS (after forced GC) cycles: ${cycles.rssStartMB} → ${cycles.rssEndMB} MB (max ${cycles.rssMaxMB}), slope ${cycles.rssSlopeMBPer100} MB per 100 cycles (second half ${cycles.rssSlopeSecondHalfMBPer100})
- RSS runs: ${runs.rssStartMB} → ${runs.rssEndMB} MB (max ${runs.rssMaxMB}), slope ${runs.rssSlopeMBPer100} MB per 100 runs (second half ${runs.rssSlopeSecondHalfMBPer100})
- total ${round(totalSeconds, 1)} s; ${results.ok ? 'PASS' : 'FAIL'}; JSON in bench/results/soak-latest.json`)
process.exit(results.ok ? 0 : 1)
