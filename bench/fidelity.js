// Timing fidelity: are PoolScope's task timings right? `npm run bench:fidelity` (about a minute
// on 2 cores), or `node bench/fidelity.js [--repeat N] [--backend threads|processes|both]
// [--tiny-tasks T] [--no-write]`.
//
//   1. Durations. busy_wait(d) for d = 0.1, 1, 10 and 100 ms, a task a chunk, on every lane (many
//      tasks per lane, fewer for longer d), on a warm pool. Each task's duration as the engine
//      measured it (its start and end stamps, taken in the worker around the kernel call) is
//      compared with d: the bar is |measured - d| ≤ 2% of d + 50 µs. busy_wait spins until d has
//      passed on its own thread's clock and returns the spin it measured, so the error splits in
//      two: what the kernel overshot d by (the OS taking the core away near the deadline, and the
//      last turn of the loop) and what the engine's span adds around the kernel's (the call, the
//      bookkeeping between the two stamps, and anything V8 does inside the call but outside the
//      kernel's own clock reads). Both clocks are the same thread's, so the second part is the
//      timing's own error; the first is real time the task took.
//   2. Clock skew. Every chunk is a round trip between the main thread and a lane, stamped on both
//      clocks (sent, received, replied, arrived; the lane's stamps after the engine's correction).
//      Causality bounds each lane's residual skew from both sides; the tightest of thousands of trips
//      (src/main/engine/clockBounds.ts) says how far, at most and at least, the lane's clock can be
//      from the main thread's — measured without trusting the start-up offset. For processes, the
//      start-up offsets and the round trips they were measured with are shown too.
//   3. The engine's own cost per task: T tiny tasks (busy_wait(0), chunk size auto, results
//      counted, not kept): the summary's bookkeeping per task (overheadNsPerTask), the job's wall
//      time per task, and the engine-measured duration of a 0 ms task (the floor of a timing).
//
// Each figure is the median over --repeat runs (the pool stays warm across them). Printed as
// markdown and written to bench/results/fidelity-latest.json (unless --no-write).
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats, THREADS } from './lib.js'

const USAGE = [
  'usage: npm run bench:fidelity -- [--repeat N] [--backend threads|processes|both] [--tiny-tasks T] [--no-write]',
  '',
  '  --repeat N       runs of every measurement, medians reported (default 3)',
  '  --backend B      threads, processes or both (default both)',
  '  --tiny-tasks T   tasks of the per-task cost job (default 1000000)',
  '  --no-write       print only; do not write bench/results/fidelity-latest.json'
].join('\n')

/** The durations (ms) and how many tasks each lane runs of each per run: about half a second a lane. */
const DURATIONS = [
  { ms: 0.1, perLane: 1000 },
  { ms: 1, perLane: 300 },
  { ms: 10, perLane: 50 },
  { ms: 100, perLane: 6 }
]
const BAR = { fraction: 0.02, plusMs: 0.05 }
const withinBar = (errorMs, d) => Math.abs(errorMs) <= d * BAR.fraction + BAR.plusMs

const log = (text) => process.stderr.write(text + '\n')

function parseArgs(argv) {
  const options = { repeat: 3, backends: ['threads', 'processes'], tinyTasks: 1_000_000, write: true }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const text = argv[++i]
      if (text === undefined) throw new Error(`${arg} needs a value; see --help`)
      return text
    }
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else if (arg === '--repeat') options.repeat = Number(value())
    else if (arg === '--tiny-tasks') options.tinyTasks = Number(value())
    else if (arg === '--no-write') options.write = false
    else if (arg === '--backend') {
      const backend = value()
      if (backend === 'both') options.backends = ['threads', 'processes']
      else if (backend === 'threads' || backend === 'processes') options.backends = [backend]
      else throw new Error(`--backend must be threads, processes or both (got ${backend})`)
    } else throw new Error(`unknown option ${arg}; see --help`)
  }
  if (!Number.isInteger(options.repeat) || options.repeat < 1) {
    throw new Error(`--repeat must be a whole number ≥ 1 (got ${options.repeat})`)
  }
  if (!Number.isInteger(options.tinyTasks) || options.tinyTasks < 1 || options.tinyTasks > 10_000_000) {
    throw new Error(`--tiny-tasks must be a whole number from 1 to 10000000 (got ${options.tinyTasks})`)
  }
  return options
}

const busyWait = (backend, ms, tasks, extra = {}) => ({
  workload: 'busy_wait',
  style: 'map',
  threads: THREADS,
  chunkSize: 1,
  backend,
  inputs: { kind: 'recipe', ms: [ms], tasks },
  ...extra
})

async function runJob(engine, spec) {
  const job = await engine.start(spec)
  const summary = await job.done
  if (summary.status !== 'done') throw new Error(`job ended ${summary.status}: ${summary.message}`)
  return { job, summary }
}

/** The value at quantile q (0..1) of sorted numbers, nearest rank. */
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
const sortedOf = (values) => Float64Array.from(values).sort()
const median = (values) => stats(values).median

/** One run of busy_wait(d): every task's error against d, split into the kernel's and the engine's part. */
function durationRun(job, d, tasks) {
  const errors = []
  const overshoot = []
  const added = []
  for (let task = 0; task < tasks; task++) {
    if (!job.timings.ran(task)) throw new Error(`task ${task} of busy_wait(${d}) did not run`)
    const measured = job.timings.end[task] - job.timings.start[task]
    const spun = job.results.positions(task)[0]
    errors.push(measured - d)
    overshoot.push(spun - d)
    added.push(measured - spun)
  }
  const abs = sortedOf(errors.map(Math.abs))
  const sortedAdded = sortedOf(added)
  return {
    tasks,
    medianErrorMs: median(errors),
    p95AbsErrorMs: quantile(abs, 0.95),
    maxAbsErrorMs: abs[abs.length - 1],
    withinBar: errors.filter((error) => withinBar(error, d)).length / tasks,
    // The timing's own part held to the same bar: what the engine's span adds to the kernel's.
    addedWithinBar: added.filter((extra) => withinBar(extra, d)).length / tasks,
    medianOvershootMs: median(overshoot),
    medianAddedMs: median(added),
    p95AddedMs: quantile(sortedAdded, 0.95),
    maxAddedMs: sortedAdded[sortedAdded.length - 1]
  }
}

/** One run of the tiny tasks: the engine's bookkeeping and wall per task, and a 0 ms task's timing. */
function tinyRun(job, summary, tasks) {
  const durations = new Float64Array(tasks)
  for (let task = 0; task < tasks; task++) durations[task] = job.timings.end[task] - job.timings.start[task]
  durations.sort()
  return {
    overheadNsPerTask: summary.overheadNsPerTask,
    wallNsPerTask: (summary.wallMs * 1e6) / tasks,
    zeroTaskMedianNs: quantile(durations, 0.5) * 1e6,
    zeroTaskP99Ns: quantile(durations, 0.99) * 1e6
  }
}

const fmt = (value, digits = 3) => (value === null || value === undefined ? '—' : value.toFixed(digits))
const us = (ms) => fmt(ms * 1000, 1)
const row = (cells) => `| ${cells.join(' | ')} |`

async function main(options) {
  const { files, sources } = await buildBenchBundles('bench-fidelity', {
    fidelity: 'bench/harness/fidelityEntry.ts',
    worker: 'src/main/worker.ts',
    processChild: 'src/main/engine/backends/processes/child.ts'
  })
  const info = machine(sources)
  const { Engine, laneClockBounds, leastSkewMs } = createRequire(import.meta.url)(files.fidelity)
  const results = { machine: info, options, bar: BAR, backends: {} }
  const tables = []
  const started = performance.now()

  for (const backend of options.backends) {
    const engine = new Engine({ workerFile: files.worker, hardwareThreads: THREADS })
    try {
      // The pool starts, and every lane runs a first task, before anything is measured.
      await runJob(engine, busyWait(backend, 1, THREADS * 4))
      const bounds = []
      const durations = Object.fromEntries(DURATIONS.map(({ ms }) => [ms, []]))
      const tiny = []
      for (let run = 0; run < options.repeat; run++) {
        for (const { ms, perLane } of DURATIONS) {
          const tasks = perLane * THREADS
          const { job } = await runJob(engine, busyWait(backend, ms, tasks))
          durations[ms].push(durationRun(job, ms, tasks))
          laneClockBounds(job.chunks, bounds)
        }
        const { job, summary } = await runJob(
          engine,
          busyWait(backend, 0, options.tinyTasks, { chunkSize: 'auto', keep: 'count' })
        )
        tiny.push(tinyRun(job, summary, options.tinyTasks))
        log(`  ${backend}: run ${run + 1}/${options.repeat}`)
      }
      const pool = engine.pool
      const clocks = backend === 'processes' ? pool.clocks() : null
      const medianOf = (runs, key) => median(runs.map((one) => one[key]))
      results.backends[backend] = {
        durations: Object.fromEntries(
          DURATIONS.map(({ ms }) => {
            const runs = durations[ms]
            const keys = Object.keys(runs[0]).filter((key) => key !== 'tasks')
            const summary = Object.fromEntries(keys.map((key) => [key, medianOf(runs, key)]))
            // The largest error of any run, not the median of each run's largest.
            summary.maxAbsErrorMs = Math.max(...runs.map((one) => one.maxAbsErrorMs))
            summary.maxAddedMs = Math.max(...runs.map((one) => one.maxAddedMs))
            return [ms, { tasksPerRun: runs[0].tasks, ...summary, runs }]
          })
        ),
        clockSkew: bounds.map((lane) => ({ ...lane, leastSkewMs: leastSkewMs(lane) })),
        startupClocks: clocks,
        tiny: {
          tasks: options.tinyTasks,
          ...Object.fromEntries(Object.keys(tiny[0]).map((key) => [key, medianOf(tiny, key)])),
          runs: tiny
        }
      }
    } finally {
      await engine.dispose()
    }
  }

  for (const backend of options.backends) {
    const b = results.backends[backend]
    tables.push(
      [
        `### busy_wait(d) on ${backend}, ${THREADS} lanes: measured duration − d (median of ${options.repeat} runs)`,
        '',
        row([
          'd (ms)',
          'tasks a run',
          'median error µs',
          'p95 abs error µs',
          'max abs error µs',
          'within 2% + 50 µs',
          'kernel overshoot µs (median)',
          'engine adds µs (median / p95 / max)',
          'engine part within 2% + 50 µs'
        ]),
        row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
        ...DURATIONS.map(({ ms }) => {
          const d = b.durations[ms]
          return row([
            String(ms),
            String(d.tasksPerRun),
            us(d.medianErrorMs),
            us(d.p95AbsErrorMs),
            us(d.maxAbsErrorMs),
            `${fmt(d.withinBar * 100, 1)}%`,
            us(d.medianOvershootMs),
            `${us(d.medianAddedMs)} / ${us(d.p95AddedMs)} / ${us(d.maxAddedMs)}`,
            `${fmt(d.addedWithinBar * 100, 2)}%`
          ])
        })
      ].join('\n')
    )
  }

  tables.push(
    [
      `### Clock skew between each lane and the main thread, after the engine's correction`,
      '',
      'From every chunk round trip of the runs above: the lane clock is at least … and at most … ahead of the main thread (µs).',
      '',
      row([
        'back end',
        'lane',
        'round trips',
        'at least',
        'at most',
        'least skew possible',
        'start-up offset (round trip)'
      ]),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...options.backends.flatMap((backend) =>
        results.backends[backend].clockSkew.map((lane) => {
          const clock = results.backends[backend].startupClocks?.find((one) => one.lane === lane.lane)
          return row([
            backend,
            String(lane.lane),
            String(lane.trips),
            us(lane.aheadAtLeastMs),
            us(lane.aheadAtMostMs),
            us(lane.leastSkewMs),
            clock ? `${us(clock.offsetMs)} (${us(clock.roundTripMs)})` : '0 (none: one clock per process)'
          ])
        })
      )
    ].join('\n')
  )

  tables.push(
    [
      `### The engine's own cost per task: ${options.tinyTasks.toLocaleString('en')} busy_wait(0) tasks, chunk size auto (median of ${options.repeat} runs)`,
      '',
      row([
        'back end',
        'bookkeeping ns a task',
        'job wall ns a task',
        'a 0 ms task measured, ns (median / p99)'
      ]),
      row(['---', '---:', '---:', '---:']),
      ...options.backends.map((backend) => {
        const t = results.backends[backend].tiny
        return row([
          backend,
          fmt(t.overheadNsPerTask, 0),
          fmt(t.wallNsPerTask, 0),
          `${fmt(t.zeroTaskMedianNs, 0)} / ${fmt(t.zeroTaskP99Ns, 0)}`
        ])
      })
    ].join('\n')
  )

  const markdown = tables.join('\n\n')
  console.log(markdown)
  results.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)))
  log(
    `took ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${info.loadAverage.join(', ')} ` +
      `at the start, ${results.loadAverageAtEnd.join(', ')} at the end`
  )
  if (options.write) {
    const dir = join(import.meta.dirname, 'results')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'fidelity-latest.json'), JSON.stringify({ ...results, markdown }, null, 2) + '\n')
    log(`wrote bench/results/fidelity-latest.json (${info.commit ?? 'no commit'})`)
  }
}

await main(parseArgs(process.argv.slice(2)))
