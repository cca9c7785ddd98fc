// Threads against processes on the same jobs: `npm run bench:backends` (about two minutes on 2
// cores), or `node bench/backends.js [--runs N] [--warmup W] [--memory-runs M]`.
//
//   1. pool start-up: a fresh engine per run, the pool's own start-up (`poolStartupMs`: every
//      worker loaded and answering, and for processes every child's clock measured);
//   2. per-task cost: 100,000 tiny tasks (pairs of a 3-tuple, map) on a warm pool;
//   3. the 8,143,200-tuple job (4 tasks x all 7-combinations of range(30), every tuple kept) on a
//      warm pool: wall time, and for processes what copying the replies across cost;
//   4. peak memory of that job in a fresh process per run, pool start-up included: the parent's
//      VmHWM plus, for processes, each child's VmHWM (an upper bound of their simultaneous peak)
//      and the largest total RSS sampled every 10 ms.
//
// Runs alternate back ends (the order rotates each round), warm-up rounds are discarded, and the
// medians are printed as markdown and written to bench/results/backends-latest.json.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import {
  BIG,
  buildBenchBundles,
  THREADS,
  TINY,
  bigSpec,
  engineRun,
  machine,
  notebookSpec,
  procStatus,
  stats,
  tinySpec
} from './lib.js'

const BACKENDS = ['threads', 'processes']
const root = join(import.meta.dirname, '..')
const outdir = join(root, 'out', 'bench-backends')
const log = (text) => process.stderr.write(text + '\n')

// Forced GC between runs keeps one run's garbage out of the next one's clock: re-run with the flag.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    { stdio: 'inherit' }
  )
  process.exit(child.status ?? 1)
}

function parseArgs(argv) {
  const options = { runs: 5, warmup: 1, memoryRuns: 3, memoryChild: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--runs') options.runs = Number(argv[++i])
    else if (arg === '--warmup') options.warmup = Number(argv[++i])
    else if (arg === '--memory-runs') options.memoryRuns = Number(argv[++i])
    else if (arg === '--memory-child') options.memoryChild = argv[++i]
    else if (arg === '--help') {
      console.log('usage: npm run bench:backends -- [--runs N] [--warmup W] [--memory-runs M]')
      process.exit(0)
    } else throw new Error(`unknown option ${arg}; see --help`)
  }
  if (!(options.runs >= 1) || !(options.warmup >= 0) || !(options.memoryRuns >= 1)) {
    throw new Error('--runs and --memory-runs must be ≥ 1, --warmup ≥ 0')
  }
  return options
}

/** Bundles the engine, the worker and the processes back end's child (beside the worker) into out/bench-backends/. */
const buildBundles = () =>
  buildBenchBundles('bench-backends', {
    engine: 'bench/harness/engineEntry.ts',
    worker: 'src/main/worker.ts',
    processChild: 'src/main/engine/backends/processes/child.ts'
  })

const loadEngine = () => createRequire(import.meta.url)(join(outdir, 'engine.cjs')).Engine
const workerFile = join(outdir, 'worker.cjs')
/** The engine's warm back end: a private field, read here on purpose. */
const poolOf = (engine) => engine.pool
const withBackend = (spec, backend) => ({ ...spec(), backend })

/** One run of the 8.1M-tuple job in this (fresh) process; prints its memory figures as JSON. */
async function memoryChild(backend) {
  const Engine = loadEngine()
  const engine = new Engine({ workerFile, hardwareThreads: THREADS })
  const children = () => (backend === 'processes' ? (poolOf(engine)?.pids() ?? []) : [])
  let sampledPeakKiB = 0
  const sample = () => {
    let total = procStatus().rssKiB ?? 0
    for (const pid of children()) total += procStatus(pid).rssKiB ?? 0
    sampledPeakKiB = Math.max(sampledPeakKiB, total)
  }
  const sampler = setInterval(sample, 10)
  const run = await engineRun(engine, withBackend(bigSpec, backend), BIG.tuples)
  sample()
  clearInterval(sampler)
  const childHwmKiB = children().map((pid) => procStatus(pid).hwmKiB ?? 0)
  const parent = procStatus()
  process.stdout.write(
    JSON.stringify({
      backend,
      wallMs: run.wallMs,
      parentHwmKiB: parent.hwmKiB,
      childHwmKiB,
      sumHwmKiB: parent.hwmKiB + childHwmKiB.reduce((sum, kib) => sum + kib, 0),
      sampledPeakKiB
    }) + '\n'
  )
  await engine.dispose()
}

/** Rounds of one run per back end, the first back end rotating; returns the measured samples. */
async function interleave(options, once) {
  const samples = Object.fromEntries(BACKENDS.map((backend) => [backend, []]))
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const measured = round >= options.warmup
    for (let i = 0; i < BACKENDS.length; i++) {
      const backend = BACKENDS[(round + i) % BACKENDS.length]
      globalThis.gc()
      const result = await once(backend)
      if (measured) samples[backend].push(result)
    }
    log(`  round ${round + 1}/${options.warmup + options.runs}${measured ? '' : ' (warm-up, discarded)'}`)
  }
  return samples
}

const fmt = (value, digits = 1) => (value === null || value === undefined ? '—' : value.toFixed(digits))
const row = (cells) => `| ${cells.join(' | ')} |`
const median = (values) => stats(values).median
const mib = (kib) => kib / 1024

async function main(options) {
  const { sources } = await buildBundles()
  const info = machine(sources)
  const Engine = loadEngine()
  const results = { machine: info, options, sections: {} }
  const tables = []

  // 1. Pool start-up, a fresh engine each run; the child processes' clocks and memory once warm.
  log(`start-up: a fresh pool of ${THREADS} per run`)
  const startup = await interleave(options, async (backend) => {
    const engine = new Engine({ workerFile, hardwareThreads: THREADS })
    try {
      const { summary } = await engineRun(engine, withBackend(notebookSpec, backend))
      const pool = poolOf(engine)
      const extra = { startupMs: summary.poolStartupMs }
      if (backend === 'processes') {
        extra.clocks = pool.clocks()
        extra.childRssKiB = pool.pids().map((pid) => procStatus(pid).rssKiB)
      }
      return extra
    } finally {
      await engine.dispose()
    }
  })
  const clocks = startup.processes.flatMap((run) => run.clocks)
  const offsets = clocks.map((clock) => Math.abs(clock.offsetMs))
  const childRss = startup.processes.flatMap((run) => run.childRssKiB)
  results.sections.startup = {
    threads: stats(startup.threads.map((run) => run.startupMs)),
    processes: stats(startup.processes.map((run) => run.startupMs)),
    clockOffsetsMs: clocks,
    childRssMiB: stats(childRss.map(mib))
  }
  const s = results.sections.startup
  tables.push(
    [
      `### Pool start-up, ${THREADS} workers (ms, fresh pool each run)`,
      '',
      row(['back end', 'median', 'min', 'max']),
      row(['---', '---:', '---:', '---:']),
      row(['threads', fmt(s.threads.median), fmt(s.threads.min), fmt(s.threads.max)]),
      row(['processes', fmt(s.processes.median), fmt(s.processes.min), fmt(s.processes.max)]),
      '',
      `Child clock offsets seen (|offset|, ${clocks.length} children): median ${fmt(median(offsets), 3)} ms, ` +
        `largest ${fmt(Math.max(...offsets), 3)} ms; the round trip they were measured with: median ` +
        `${fmt(median(clocks.map((clock) => clock.roundTripMs)), 3)} ms. ` +
        `A warm child's RSS: median ${fmt(s.childRssMiB.median)} MiB.`
    ].join('\n')
  )

  // 2 and 3 on one warm engine per back end: no run pays a pool start-up.
  const engines = Object.fromEntries(
    BACKENDS.map((backend) => [
      backend,
      new Engine({ workerFile, hardwareThreads: THREADS, budgetBytes: 256 * 2 ** 20 })
    ])
  )
  for (const backend of BACKENDS) await engineRun(engines[backend], withBackend(notebookSpec, backend))

  log(`tiny: ${TINY.tasks.toLocaleString('en')} tiny tasks on a warm pool`)
  const tiny = await interleave(options, async (backend) => {
    const { wallMs, summary } = await engineRun(engines[backend], withBackend(tinySpec, backend))
    return { wallMs, jobMs: summary.wallMs, overheadNsPerTask: summary.overheadNsPerTask }
  })
  const perTaskUs = (runs) => stats(runs.map((run) => (run.jobMs * 1000) / TINY.tasks))
  results.sections.tiny = Object.fromEntries(
    BACKENDS.map((backend) => [
      backend,
      {
        jobMs: stats(tiny[backend].map((run) => run.jobMs)),
        perTaskUs: perTaskUs(tiny[backend]),
        overheadNsPerTask: stats(tiny[backend].map((run) => run.overheadNsPerTask))
      }
    ])
  )
  const t = results.sections.tiny
  tables.push(
    [
      `### ${TINY.tasks.toLocaleString('en')} tiny tasks (pairs of a 3-tuple, map), warm pool of ${THREADS}`,
      '',
      row(['back end', 'job wall ms median', 'min', 'max', 'µs per task', 'bookkeeping ns per task']),
      row(['---', '---:', '---:', '---:', '---:', '---:']),
      ...BACKENDS.map((backend) =>
        row([
          backend,
          fmt(t[backend].jobMs.median),
          fmt(t[backend].jobMs.min),
          fmt(t[backend].jobMs.max),
          fmt(t[backend].perTaskUs.median, 3),
          fmt(t[backend].overheadNsPerTask.median, 0)
        ])
      )
    ].join('\n')
  )

  log(`big: ${BIG.tuples.toLocaleString('en')} tuples kept, warm pool`)
  const big = await interleave(options, async (backend) => {
    const before = backend === 'processes' ? poolOf(engines.processes).transfers() : null
    const { wallMs, summary } = await engineRun(engines[backend], withBackend(bigSpec, backend), BIG.tuples)
    const extra = { wallMs, jobMs: summary.wallMs }
    if (before) {
      const after = poolOf(engines.processes).transfers()
      extra.copyMs = after.ms - before.ms
      extra.copyBytes = after.bytes - before.bytes
    }
    return extra
  })
  for (const engine of Object.values(engines)) await engine.dispose()
  results.sections.big = {
    threads: { jobMs: stats(big.threads.map((run) => run.jobMs)) },
    processes: {
      jobMs: stats(big.processes.map((run) => run.jobMs)),
      copyMs: stats(big.processes.map((run) => run.copyMs)),
      copyBytes: big.processes[0].copyBytes
    }
  }
  const b = results.sections.big
  tables.push(
    [
      `### The ${BIG.tuples.toLocaleString('en')}-tuple job (${BIG.tasks} tasks × all ${BIG.k}-combinations of range(${BIG.elements}), all kept), warm pool of ${THREADS}`,
      '',
      row(['back end', 'job wall ms median', 'min', 'max']),
      row(['---', '---:', '---:', '---:']),
      ...BACKENDS.map((backend) =>
        row([backend, fmt(b[backend].jobMs.median), fmt(b[backend].jobMs.min), fmt(b[backend].jobMs.max)])
      ),
      '',
      `Processes: the replies (${fmt(b.processes.copyBytes / 2 ** 20)} MiB of tuples and tables) took ` +
        `${fmt(b.processes.copyMs.median)} ms in all (median) from the children's send to the parent's receipt, ` +
        'summed over the chunks (two lanes copy at once, so part of it overlaps).'
    ].join('\n')
  )

  // 4. Peak memory, a fresh process per run.
  log(
    `memory: the ${BIG.tuples.toLocaleString('en')}-tuple job in a fresh process, ${options.memoryRuns} run(s) each`
  )
  const memory = Object.fromEntries(BACKENDS.map((backend) => [backend, []]))
  for (let i = 0; i < options.memoryRuns; i++) {
    for (const backend of i % 2 ? [...BACKENDS].reverse() : BACKENDS) {
      const out = spawnSync(
        process.execPath,
        ['--expose-gc', import.meta.filename, '--memory-child', backend],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20
        }
      )
      if (out.status !== 0) throw new Error(`memory run (${backend}) failed: ${out.stderr}`)
      memory[backend].push(JSON.parse(out.stdout.trim().split('\n').pop()))
    }
    log(`  run ${i + 1}/${options.memoryRuns}`)
  }
  results.sections.memory = Object.fromEntries(
    BACKENDS.map((backend) => [
      backend,
      {
        parentHwmMiB: stats(memory[backend].map((run) => mib(run.parentHwmKiB))),
        sumHwmMiB: stats(memory[backend].map((run) => mib(run.sumHwmKiB))),
        sampledPeakMiB: stats(memory[backend].map((run) => mib(run.sampledPeakKiB))),
        runs: memory[backend]
      }
    ])
  )
  const m = results.sections.memory
  tables.push(
    [
      `### Peak memory of the ${BIG.tuples.toLocaleString('en')}-tuple job, fresh process each run (MiB, median of ${options.memoryRuns})`,
      '',
      row(['back end', 'parent VmHWM', 'parent + children VmHWM', 'largest total RSS sampled']),
      row(['---', '---:', '---:', '---:']),
      ...BACKENDS.map((backend) =>
        row([
          backend,
          fmt(m[backend].parentHwmMiB.median),
          fmt(m[backend].sumHwmMiB.median),
          fmt(m[backend].sampledPeakMiB.median)
        ])
      )
    ].join('\n')
  )

  const markdown = tables.join('\n\n')
  console.log(markdown)
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'backends-latest.json'), JSON.stringify({ ...results, markdown }, null, 2) + '\n')
  log(`wrote bench/results/backends-latest.json (${info.commit ?? 'no commit'})`)
}

const options = parseArgs(process.argv.slice(2))
if (options.memoryChild) {
  if (!BACKENDS.includes(options.memoryChild)) throw new Error(`--memory-child ${options.memoryChild}?`)
  await memoryChild(options.memoryChild)
} else {
  await main(options)
}
