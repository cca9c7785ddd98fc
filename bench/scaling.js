// Tiny tasks must scale: 1,000,000 tasks of combinations(0..5) (15 pairs each, every tuple kept by
// default) on 1 and on 2 threads, interleaved, on warm engines (one per pool size, so no run pays a
// pool start-up). Reports medians of the job's own wall time, µs per task, the 2-thread ÷ 1-thread
// ratio within each round, each lane's split into tasks and bookkeeping, and what every thread of
// the process spent: the workers, the main thread (which files the replies) and V8's helper
// threads (garbage collection, compilers), which on a 2-core machine all share the same 2 cores.
//
//   node bench/scaling.js [--rounds N] [--warmup W] [--tasks T] [--keep all|count] [--chunk auto|N]
//                         [--compare REV]
//
// --compare REV also builds the engine of git revision REV (its src/, into out/scaling-REV) and
// runs it in the same rounds, order rotating, so "before" and "after" see the same machine load.
//
// Every task is still timed (start and end on the shared clock). Each run also records, from
// Linux's /proc/self/task/<tid>/schedstat and stat, every thread's CPU time, its time spent
// runnable but waiting for a core, and its page faults: on a shared machine that tells a lane slowed
// by our own bookkeeping from a lane that was simply not running (the lane-time split is wall time,
// so it cannot tell them apart).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { build } from 'esbuild'
import { nodeBundleOptions } from '../scripts/build-node.js'
import { buildHostBundle, machine, stats } from './lib.js'

const USAGE =
  'usage: npm run bench:scaling -- [--rounds N] [--warmup W] [--tasks T] [--keep all|count] [--chunk auto|N] [--compare REV]'

function parseArgs(argv) {
  const options = { rounds: 9, warmup: 2, tasks: 1_000_000, keep: 'all', chunk: 'auto', compare: null }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, text] = [argv[i], argv[i + 1]]
    if (flag === '--help') {
      console.log(USAGE)
      process.exit(0)
    } else if (flag === '--rounds') options.rounds = Number(text)
    else if (flag === '--warmup') options.warmup = Number(text)
    else if (flag === '--tasks') options.tasks = Number(text)
    else if (flag === '--keep' && (text === 'all' || text === 'count')) options.keep = text
    else if (flag === '--chunk') options.chunk = text === 'auto' ? 'auto' : Number(text)
    else if (flag === '--compare' && text) options.compare = text
    else throw new Error(`unknown flag ${flag}; ${USAGE}`)
  }
  return options
}

const options = parseArgs(process.argv.slice(2))
const root = join(import.meta.dirname, '..')
const spec = (threads) => ({
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: options.tasks },
  threads,
  chunkSize: options.chunk,
  keep: options.keep
})

/** The engine host and worker of git revision `rev`, bundled from its own src/ into out/. */
async function buildRevision(rev) {
  const commit = execFileSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' }).trim()
  const dir = join(root, 'out', `scaling-${commit}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  execFileSync('sh', ['-c', `git archive ${commit} src package.json | tar -x -C "${dir}"`], { cwd: root })
  writeFileSync(join(dir, 'hostEntry.ts'), "export { EngineHost } from './src/main/host/engineHost'\n")
  await build({
    absWorkingDir: dir,
    entryPoints: { host: join(dir, 'hostEntry.ts'), worker: join(dir, 'src', 'main', 'worker.ts') },
    outdir: join(dir, 'bundle'),
    ...nodeBundleOptions
  })
  return {
    name: commit,
    hostFile: join(dir, 'bundle', 'host.cjs'),
    workerFile: join(dir, 'bundle', 'worker.cjs')
  }
}

const current = await buildHostBundle('scaling')
const { sources } = current
const variants = [{ name: 'this tree', hostFile: current.hostFile, workerFile: current.workerFile }]
if (options.compare) variants.unshift(await buildRevision(options.compare))
const require = createRequire(import.meta.url)
for (const variant of variants) {
  const { EngineHost } = require(variant.hostFile)
  variant.engines = {
    1: new EngineHost({ workerFile: variant.workerFile, hardwareThreads: 2 }).engine,
    2: new EngineHost({ workerFile: variant.workerFile, hardwareThreads: 2 }).engine
  }
}

/** CPU, run-queue wait (ns) and minor page faults of every thread of this process, by tid. */
function threadStats() {
  const out = new Map()
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const [cpu, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const faults = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7])
      out.set(Number(tid), { cpu, wait, faults })
    }
  } catch {
    // not Linux, or a thread ended meanwhile: the figures are then partial or absent
  }
  return out
}

/**
 * Per-thread deltas: the main thread (tid = pid) apart, the `lanes` threads that used the most CPU
 * (the pool's workers), and the rest of the process's threads together (V8's helper threads:
 * concurrent marking and sweeping, compilers; the other engine's idle workers).
 */
function threadDeltas(before, after, lanes) {
  const deltas = []
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { cpu: 0, wait: 0, faults: 0 }
    deltas.push({
      tid,
      cpuMs: (now.cpu - then.cpu) / 1e6,
      waitMs: (now.wait - then.wait) / 1e6,
      faults: now.faults - then.faults
    })
  }
  const none = { cpuMs: NaN, waitMs: NaN, faults: NaN }
  const main = deltas.find((d) => d.tid === process.pid) ?? none
  const rest = deltas.filter((d) => d.tid !== process.pid).sort((a, b) => b.cpuMs - a.cpuMs)
  const workers = rest.slice(0, lanes)
  const helpersCpuMs = rest.slice(lanes).reduce((sum, d) => sum + d.cpuMs, 0)
  return { main, workers, helpersCpuMs }
}

const noop = () => {}

/** One job: its own wall time (planning and pool start-up excluded), lanes, and thread CPU times. */
async function runOnce(variant, threads) {
  // Listeners as the app's host attaches them, so progress events are built. Revisions before
  // issue 8 also streamed live timing batches to a `timings` listener, which their host attached:
  // passing one keeps a --compare against them honest. Later engines have no such listener.
  const job = await variant.engines[threads].start(spec(threads), {
    progress: noop,
    timings: noop,
    finished: noop
  })
  const eluBefore = performance.eventLoopUtilization()
  const before = threadStats()
  const summary = await job.done
  const threadsUsed = threadDeltas(before, threadStats(), threads)
  const elu = performance.eventLoopUtilization(eluBefore)
  if (summary.status !== 'done' || summary.tasksDone !== options.tasks) {
    throw new Error(`job ended ${summary.status} with ${summary.tasksDone} tasks done`)
  }
  const sum = (values) => values.reduce((a, b) => a + b, 0)
  const perTask = (ms) => (ms * 1e6) / options.tasks
  const lanes = summary.laneTime
  return {
    wallMs: summary.wallMs,
    usPerTask: (summary.wallMs * 1000) / options.tasks,
    overheadNsPerTask: summary.overheadNsPerTask ?? NaN,
    tasksMsPerLane: sum(lanes.map((lane) => lane.tasksMs)) / threads,
    bookkeepingMsPerLane: sum(lanes.map((lane) => lane.bookkeepingMs)) / threads,
    awaitingWorkMsPerLane: sum(lanes.map((lane) => lane.awaitingWorkMs)) / threads,
    idleAtEndMsPerLane: sum(lanes.map((lane) => lane.idleAtEndMs)) / threads,
    workerCpuNsPerTask: perTask(sum(threadsUsed.workers.map((w) => w.cpuMs))),
    workerWaitMsPerLane: sum(threadsUsed.workers.map((w) => w.waitMs)) / threads,
    workerFaultsPer1000: (sum(threadsUsed.workers.map((w) => w.faults)) * 1000) / options.tasks,
    mainCpuNsPerTask: perTask(threadsUsed.main.cpuMs),
    mainFaultsPer1000: (threadsUsed.main.faults * 1000) / options.tasks,
    mainEluActiveNsPerTask: perTask(elu.active),
    // Job.filingMs: main-thread time filing chunk replies (absent before it was measured).
    filingNsPerTask: typeof job.filingMs === 'number' ? perTask(job.filingMs) : NaN,
    filingMsPerChunk: typeof job.filingMs === 'number' ? job.filingMs / job.chunksFiled : NaN,
    helpersCpuNsPerTask: perTask(threadsUsed.helpersCpuMs),
    chunkSize: summary.chunkSize
  }
}

const rounds = []
const loadAtStart = os.loadavg()[0]
const runs = variants.flatMap((variant) => [1, 2].map((threads) => ({ variant, threads })))
for (let r = 0; r < options.warmup + options.rounds; r++) {
  // Rotate the order each round, so a drift in the machine's load favours no run.
  const order = runs.map((_, i) => runs[(i + r) % runs.length])
  const round = {}
  for (const { variant, threads } of order) {
    round[`${variant.name}/${threads}`] = await runOnce(variant, threads)
  }
  for (const variant of variants) {
    round[`${variant.name}/ratio`] = round[`${variant.name}/2`].wallMs / round[`${variant.name}/1`].wallMs
  }
  const label = r < options.warmup ? 'warm-up' : `round ${r - options.warmup + 1}`
  const parts = variants.map(
    (v) =>
      `${v.name}: 1 thread ${round[`${v.name}/1`].wallMs.toFixed(0)} ms, 2 threads ${round[`${v.name}/2`].wallMs.toFixed(0)} ms, ratio ${round[`${v.name}/ratio`].toFixed(3)}`
  )
  process.stderr.write(`${label}: ${parts.join('; ')} (load ${os.loadavg()[0].toFixed(2)})\n`)
  if (r >= options.warmup) rounds.push(round)
}
await Promise.all(variants.flatMap((variant) => Object.values(variant.engines).map((e) => e.dispose())))

const fields = [
  'wallMs',
  'usPerTask',
  'overheadNsPerTask',
  'tasksMsPerLane',
  'bookkeepingMsPerLane',
  'awaitingWorkMsPerLane',
  'idleAtEndMsPerLane',
  'workerCpuNsPerTask',
  'workerWaitMsPerLane',
  'workerFaultsPer1000',
  'mainCpuNsPerTask',
  'mainFaultsPer1000',
  'mainEluActiveNsPerTask',
  'filingNsPerTask',
  'filingMsPerChunk',
  'helpersCpuNsPerTask'
]
const summary = {}
for (const variant of variants) {
  for (const threads of [1, 2]) {
    const key = `${variant.name}/${threads}`
    const all = rounds.map((round) => round[key])
    summary[key] = { chunkSize: all[0].chunkSize }
    for (const field of fields) summary[key][field] = stats(all.map((run) => run[field]))
  }
  summary[`${variant.name}/ratio`] = stats(rounds.map((round) => round[`${variant.name}/ratio`]))
}

const f = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—')
console.log(
  `${options.tasks.toLocaleString('en-US')} tasks of combinations(0..5), keep ${options.keep}, chunk ${options.chunk}; medians of ${options.rounds} interleaved rounds`
)
console.log()
console.log(
  '| engine | threads | wall ms | µs/task | overheadNsPerTask | tasks ms per lane | bookkeeping ms per lane | awaiting work ms per lane | worker CPU ns/task | worker waiting for a core ms per lane | main thread CPU ns/task | main thread filing ns/task (ms/chunk) | V8 helper threads CPU ns/task | page faults per 1,000 tasks (main / workers) |'
)
console.log(
  '| ------ | ------: | ------: | ------: | ----------------: | ----------------: | ----------------------: | ------------------------: | -----------------: | ------------------------------------: | ----------------------: | -----------------------------------: | ----------------------------: | -------------------------------------------: |'
)
for (const variant of variants) {
  for (const threads of [1, 2]) {
    const s = summary[`${variant.name}/${threads}`]
    const m = (field, digits) => f(s[field].median, digits)
    console.log(
      `| ${variant.name} | ${threads} | ${m('wallMs', 1)} | ${m('usPerTask', 3)} | ${m('overheadNsPerTask', 0)} | ${m('tasksMsPerLane', 1)} | ${m('bookkeepingMsPerLane', 1)} | ${m('awaitingWorkMsPerLane', 1)} | ${m('workerCpuNsPerTask', 0)} | ${m('workerWaitMsPerLane', 1)} | ${m('mainCpuNsPerTask', 0)} | ${m('filingNsPerTask', 0)} (${m('filingMsPerChunk', 2)}) | ${m('helpersCpuNsPerTask', 0)} | ${m('mainFaultsPer1000', 1)} / ${m('workerFaultsPer1000', 1)} |`
    )
  }
}
console.log()
for (const variant of variants) {
  const ratio = summary[`${variant.name}/ratio`]
  console.log(
    `${variant.name}: 2 threads ÷ 1 thread wall (median of per-round ratios) ${f(ratio.median, 3)} (min ${f(ratio.min, 3)}, max ${f(ratio.max, 3)}); chunk size ${summary[`${variant.name}/1`].chunkSize}`
  )
}
console.log(`load average at start ${loadAtStart.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)}`)

const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'scaling-latest.json'),
  JSON.stringify(
    { machine: machine(sources), options, variants: variants.map((v) => v.name), summary, rounds },
    null,
    2
  ) + '\n'
)
