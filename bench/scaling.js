// Tiny tasks must scale: 1,000,000 tasks of combinations(0..5) (15 pairs each, counts only) on 1
// and on 2 threads, interleaved, on two warm engines (one per pool size, so no run pays a pool
// start-up). Reports medians of the job's own wall time, µs per task, the 2-thread ÷ 1-thread
// ratio within each round, and each lane's split into tasks and bookkeeping.
//
//   node bench/scaling.js [--rounds N] [--warmup W] [--tasks T]
//
// Every task is still timed (start and end on the shared clock). Each run also records, from
// Linux's /proc/self/task/<tid>/schedstat, every thread's CPU time and its time spent runnable but
// waiting for a core: on a shared machine that tells a lane slowed by our own bookkeeping from a
// lane that was simply not running (the lane-time split is wall time, so it cannot tell them apart).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { buildHostBundle, machine, stats } from './lib.js'

function parseArgs(argv) {
  const options = { rounds: 9, warmup: 2, tasks: 1_000_000 }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], Number(argv[i + 1])]
    if (flag === '--rounds') options.rounds = value
    else if (flag === '--warmup') options.warmup = value
    else if (flag === '--tasks') options.tasks = value
    else throw new Error(`unknown flag ${argv[i]}; use --rounds N, --warmup W, --tasks T`)
  }
  return options
}

const options = parseArgs(process.argv.slice(2))
const spec = (threads) => ({
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: options.tasks },
  threads,
  chunkSize: 'auto',
  keep: 'count'
})

const { hostFile, workerFile, sources } = await buildHostBundle('scaling')
const { EngineHost } = createRequire(import.meta.url)(hostFile)
const engines = {
  1: new EngineHost({ workerFile, hardwareThreads: 2 }).engine,
  2: new EngineHost({ workerFile, hardwareThreads: 2 }).engine
}

/** CPU and run-queue wait of every thread of this process, ns by tid (empty off Linux). */
function threadSchedstat() {
  const out = new Map()
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const [cpu, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      out.set(Number(tid), { cpu, wait })
    }
  } catch {
    // not Linux, or a thread ended meanwhile: the figures are then partial or absent
  }
  return out
}

/**
 * Per-thread deltas: the main thread (tid = pid) apart, then the `lanes` threads that used the most
 * CPU (the pool's workers; the other threads of the process are idle helpers).
 */
function schedDelta(before, after, lanes) {
  const deltas = []
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { cpu: 0, wait: 0 }
    deltas.push({ tid, cpuMs: (now.cpu - then.cpu) / 1e6, waitMs: (now.wait - then.wait) / 1e6 })
  }
  const main = deltas.find((d) => d.tid === process.pid) ?? { cpuMs: NaN, waitMs: NaN }
  const workers = deltas
    .filter((d) => d.tid !== process.pid)
    .sort((a, b) => b.cpuMs - a.cpuMs)
    .slice(0, lanes)
  return { main, workers }
}

/** One job: its own wall time (planning and pool start-up excluded), lanes, and process CPU time. */
async function runOnce(threads) {
  const job = await engines[threads].start(spec(threads))
  const cpuBefore = process.cpuUsage()
  const schedBefore = threadSchedstat()
  const summary = await job.done
  const sched = schedDelta(schedBefore, threadSchedstat(), threads)
  const cpu = process.cpuUsage(cpuBefore)
  if (summary.status !== 'done' || summary.tasksDone !== options.tasks) {
    throw new Error(`job ended ${summary.status} with ${summary.tasksDone} tasks done`)
  }
  const lanes = summary.laneTime
  return {
    wallMs: summary.wallMs,
    usPerTask: (summary.wallMs * 1000) / options.tasks,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainCpuMs: sched.main.cpuMs,
    mainWaitMs: sched.main.waitMs,
    workerCpuMsPerLane: sched.workers.map((w) => w.cpuMs),
    workerWaitMsPerLane: sched.workers.map((w) => w.waitMs),
    chunkSize: summary.chunkSize,
    overheadNsPerTask: summary.overheadNsPerTask ?? null,
    tasksMsPerLane: lanes.map((lane) => lane.tasksMs),
    bookkeepingMsPerLane: lanes.map((lane) => lane.bookkeepingMs),
    awaitingWorkMsPerLane: lanes.map((lane) => lane.awaitingWorkMs)
  }
}

const rounds = []
const loadAtStart = os.loadavg()[0]
for (let r = 0; r < options.warmup + options.rounds; r++) {
  // Alternate which thread count goes first, so a drift in the machine's load favours neither.
  const order = r % 2 === 0 ? [1, 2] : [2, 1]
  const round = {}
  for (const threads of order) round[threads] = await runOnce(threads)
  round.ratio = round[2].wallMs / round[1].wallMs
  const label = r < options.warmup ? 'warm-up' : `round ${r - options.warmup + 1}`
  process.stderr.write(
    `${label}: 1 thread ${round[1].wallMs.toFixed(0)} ms, 2 threads ${round[2].wallMs.toFixed(0)} ms, ratio ${round.ratio.toFixed(3)}\n`
  )
  if (r >= options.warmup) rounds.push(round)
}
await Promise.all(Object.values(engines).map((engine) => engine.dispose()))

const sum = (values) => values.reduce((a, b) => a + b, 0)
const summary = {}
for (const threads of [1, 2]) {
  const runs = rounds.map((round) => round[threads])
  summary[threads] = {
    wallMs: stats(runs.map((run) => run.wallMs)),
    usPerTask: stats(runs.map((run) => run.usPerTask)),
    cpuMs: stats(runs.map((run) => run.cpuMs)),
    mainCpuMs: stats(runs.map((run) => run.mainCpuMs)),
    workerCpuMsPerLane: stats(runs.map((run) => sum(run.workerCpuMsPerLane) / threads)),
    workerWaitMsPerLane: stats(runs.map((run) => sum(run.workerWaitMsPerLane) / threads)),
    workerCpuNsPerTask: stats(runs.map((run) => (sum(run.workerCpuMsPerLane) * 1e6) / options.tasks)),
    mainCpuNsPerTask: stats(runs.map((run) => (run.mainCpuMs * 1e6) / options.tasks)),
    overheadNsPerTask: stats(runs.map((run) => run.overheadNsPerTask ?? NaN)),
    // Per lane, then per task: the bookkeeping of all lanes over all tasks.
    bookkeepingMsPerLane: stats(runs.map((run) => sum(run.bookkeepingMsPerLane) / threads)),
    tasksMsPerLane: stats(runs.map((run) => sum(run.tasksMsPerLane) / threads)),
    bookkeepingNsPerTask: stats(runs.map((run) => (sum(run.bookkeepingMsPerLane) * 1e6) / options.tasks)),
    chunkSize: runs[0].chunkSize
  }
}
summary.ratio = stats(rounds.map((round) => round.ratio))

const f = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—')
console.log(
  `${options.tasks.toLocaleString('en-US')} tasks of combinations(0..5), keep count; medians of ${options.rounds} interleaved rounds`
)
console.log(
  '| threads | wall ms | µs/task | tasks ms per lane | bookkeeping ms per lane | bookkeeping ns/task | worker CPU ms per lane | worker waiting for a core ms per lane | worker CPU ns/task | main thread CPU ns/task |'
)
console.log(
  '| ------: | ------: | ------: | ----------------: | ----------------------: | ------------------: | ---------------------: | ------------------------------------: | -----------------: | ----------------------: |'
)
for (const threads of [1, 2]) {
  const s = summary[threads]
  console.log(
    `| ${threads} | ${f(s.wallMs.median)} | ${f(s.usPerTask.median, 3)} | ${f(s.tasksMsPerLane.median)} | ${f(s.bookkeepingMsPerLane.median)} | ${f(s.bookkeepingNsPerTask.median, 0)} | ${f(s.workerCpuMsPerLane.median)} | ${f(s.workerWaitMsPerLane.median)} | ${f(s.workerCpuNsPerTask.median, 0)} | ${f(s.mainCpuNsPerTask.median, 0)} |`
  )
}
console.log(
  `2 threads ÷ 1 thread wall (median of per-round ratios): ${f(summary.ratio.median, 3)} (min ${f(summary.ratio.min, 3)}, max ${f(summary.ratio.max, 3)}); load average at start ${loadAtStart.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)}`
)

const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'scaling-latest.json'),
  JSON.stringify({ machine: machine(sources), options, summary, rounds }, null, 2) + '\n'
)
