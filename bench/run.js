// PoolScope benchmarks: `npm run bench` (full, 1–3 minutes on 2 cores) or `npm run bench -- --quick`.
// Each section warms every implementation, discards warm-up runs, then takes N runs that alternate
// implementations (the order rotates each round) so machine noise lands on all of them evenly.
// Prints markdown tables and writes bench/results/latest.json (a quick or partial run writes
// quick-latest.json instead). See BENCHMARKS.md for the method.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import os from 'node:os'
import { createInterface } from 'node:readline'
import { buildBench } from './build.js'
import {
  BIG,
  TINY,
  THREADS,
  bigSpec,
  createRawPool,
  engineRun,
  machine,
  notebookSpec,
  rawBig,
  rawNotebook,
  rawTiny,
  stats,
  tinySpec
} from './lib.js'

// Forced GC between runs keeps one run's garbage out of the next one's clock: re-run with the flag.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    {
      stdio: 'inherit'
    }
  )
  process.exit(child.status ?? 1)
}

function parseArgs(argv) {
  const options = { quick: false, runs: null, warmup: null, only: null, python: true, memoryRuns: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') options.quick = true
    else if (arg === '--no-python') options.python = false
    else if (arg === '--runs') options.runs = Number(argv[++i])
    else if (arg === '--warmup') options.warmup = Number(argv[++i])
    else if (arg === '--memory-runs') options.memoryRuns = Number(argv[++i])
    else if (arg === '--only') options.only = new Set(argv[++i].split(','))
    else if (arg === '--help') {
      console.log(
        'usage: npm run bench -- [--quick] [--runs N] [--warmup N] [--memory-runs N] [--only big,tiny,memory,notebook] [--no-python]'
      )
      process.exit(0)
    } else throw new Error(`unknown option ${arg}; see --help`)
  }
  options.runs ??= options.quick ? 3 : 7
  options.warmup ??= options.quick ? 1 : 2
  options.memoryRuns ??= options.quick ? 1 : 3
  if (!(options.runs >= 1) || !(options.warmup >= 0)) throw new Error('--runs must be ≥ 1 and --warmup ≥ 0')
  return options
}

const options = parseArgs(process.argv.slice(2))
const wants = (section) => !options.only || options.only.has(section)
const log = (text) => process.stderr.write(text + '\n')

/** The Python replica as a long-lived process with one warm pool, one JSON command per line. */
class PythonPool {
  static available() {
    const probe = spawnSync('python3', ['-c', 'import multiprocessing, itertools'], { stdio: 'ignore' })
    return probe.status === 0
  }

  constructor() {
    this.child = spawn('python3', [join(import.meta.dirname, 'python', 'notebook_pool.py'), 'serve'], {
      stdio: ['pipe', 'pipe', 'inherit']
    })
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]()
  }

  async send(command) {
    this.child.stdin.write(JSON.stringify(command) + '\n')
    const { value, done } = await this.lines.next()
    if (done) throw new Error('the Python replica exited')
    const reply = JSON.parse(value)
    if (!reply.ok) throw new Error(`Python replica: ${reply.error}`)
    return reply
  }

  async close() {
    await this.send({ op: 'quit' })
    this.child.stdin.end()
  }
}

/**
 * Warm-up rounds, then measured rounds; each round runs every implementation once, starting
 * with a different one each round. Returns wall-time samples (ms) per implementation.
 */
async function interleave(
  implementations,
  { warmup = options.warmup, runs = options.runs, forceGc = true } = {}
) {
  const names = Object.keys(implementations)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  const extras = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < warmup + runs; round++) {
    const measured = round >= warmup
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]
      if (forceGc) globalThis.gc()
      const result = await implementations[name]()
      if (measured) {
        samples[name].push(result.wallMs)
        extras[name].push(result.extra ?? null)
      }
    }
    log(`  round ${round + 1}/${warmup + runs}${measured ? '' : ' (warm-up, discarded)'}`)
  }
  return Object.fromEntries(names.map((name) => [name, { ...stats(samples[name]), extra: extras[name] }]))
}

const fmt = (value, digits = 1) => (value === null || value === undefined ? '—' : value.toFixed(digits))
const mops = (tuples, ms) => tuples / (ms / 1000) / 1e6
const row = (cells) => `| ${cells.join(' | ')} |`

async function main() {
  const started = Date.now()
  const python = options.python && PythonPool.available()
  if (!python) {
    log(
      options.python
        ? 'python3 (with multiprocessing) not found: the Python columns are skipped.'
        : '--no-python: the Python columns are skipped.'
    )
  }
  const { engineFile, workerFile, sources } = await buildBench()
  const info = machine(sources)
  const { Engine } = createRequire(import.meta.url)(engineFile)
  // A results budget of 256 MiB: the engine forgets earlier runs' 57 MiB results as a long session
  // would, instead of retaining twenty of them in the bench process.
  const engine = new Engine({ workerFile, hardwareThreads: THREADS, budgetBytes: 256 * 2 ** 20 })
  const raw = await createRawPool()
  const py = python ? new PythonPool() : null
  if (py) await py.send({ op: 'start', processes: THREADS })
  const results = {
    machine: info,
    options: { ...options, only: options.only && [...options.only] },
    sections: {}
  }
  const tables = []

  if (wants('big')) {
    log(
      `big: ${BIG.tasks} tasks × C(${BIG.elements}, ${BIG.k}), keep all (${BIG.tuples.toLocaleString('en')} tuples)`
    )
    const impls = {
      engine: async () => {
        const { wallMs, summary } = await engineRun(engine, bigSpec(), BIG.tuples)
        return { wallMs, extra: { engineWallMs: summary.wallMs, busyMsPerLane: summary.busyMsPerLane } }
      },
      raw: async () => ({ wallMs: (await rawBig(raw)).wallMs })
    }
    if (py) impls.python = async () => ({ wallMs: (await py.send({ op: 'big' })).wallMs })
    const r = await interleave(impls)
    const section = { tuples: BIG.tuples, wallMs: r, ratios: {} }
    section.ratios.engineVsRaw = r.raw.median / r.engine.median
    if (py) section.ratios.engineVsPython = r.python.median / r.engine.median
    results.sections.big = section
    const lines = [
      `### 1. Throughput: ${BIG.tasks} tasks × all ${BIG.k}-combinations of range(${BIG.elements}) (${BIG.tuples.toLocaleString('en')} tuples kept), ${THREADS} threads/processes`,
      '',
      row(['implementation', 'wall ms median', 'min', 'max', 'M tuples/s (median)', 'engine speed ×']),
      row(['---', '---:', '---:', '---:', '---:', '---:'])
    ]
    const label = {
      engine: 'PoolScope engine (keep all, every task timed)',
      raw: 'raw Piscina (Int32Array + move)',
      python: 'Python Pool.starmap(get_combinations_n)'
    }
    for (const name of Object.keys(r)) {
      const s = r[name]
      lines.push(
        row([
          label[name],
          fmt(s.median),
          fmt(s.min),
          fmt(s.max),
          fmt(mops(BIG.tuples, s.median), 2),
          fmt(s.median / r.engine.median, 2)
        ])
      )
    }
    const jobOnly = stats(r.engine.extra.map((e) => e.engineWallMs))
    section.engineJobOnlyMs = jobOnly
    lines.push('', `Engine: the job's own \`wallMs\` (planning excluded) median ${fmt(jobOnly.median)} ms.`)
    tables.push(lines.join('\n'))
  }

  if (wants('tiny')) {
    log(`tiny: ${TINY.tasks.toLocaleString('en')} tasks of pairs of (0, 1, 2)`)
    let chunkSize = null
    const impls = {
      engine: async () => {
        const { wallMs, summary } = await engineRun(engine, tinySpec(), TINY.tasks * 3)
        chunkSize = summary.chunkSize
        return { wallMs, extra: { engineWallMs: summary.wallMs } }
      },
      raw: async () => rawTiny(raw)
    }
    if (py) impls.python = async () => ({ wallMs: (await py.send({ op: 'tiny', tasks: TINY.tasks })).wallMs })
    const r = await interleave(impls)
    const us = (ms) => (ms * 1000) / TINY.tasks
    const section = {
      tasks: TINY.tasks,
      engineChunkSize: chunkSize,
      rawChunkSize: TINY.rawChunk,
      wallMs: r,
      usPerTask: {}
    }
    for (const name of Object.keys(r))
      section.usPerTask[name] = { median: us(r[name].median), min: us(r[name].min), max: us(r[name].max) }
    results.sections.tiny = section
    const label = {
      engine: `PoolScope engine (auto chunk = ${chunkSize})`,
      raw: `raw Piscina (${TINY.rawChunk} tasks per chunk)`,
      python: 'Python Pool.map(get_combinations), default chunksize'
    }
    const lines = [
      `### 2. Overhead: ${TINY.tasks.toLocaleString('en')} tiny tasks (pairs of a 3-tuple, map), ${THREADS} threads/processes`,
      '',
      row(['implementation', 'wall ms median', 'µs/task median', 'min', 'max']),
      row(['---', '---:', '---:', '---:', '---:'])
    ]
    for (const name of Object.keys(r)) {
      lines.push(
        row([
          label[name],
          fmt(r[name].median),
          fmt(us(r[name].median), 3),
          fmt(us(r[name].min), 3),
          fmt(us(r[name].max), 3)
        ])
      )
    }
    const jobOnly = stats(r.engine.extra.map((e) => e.engineWallMs))
    section.engineJobOnlyMs = jobOnly
    lines.push(
      '',
      `Engine wall is measured around \`engine.start(spec)\` … \`await job.done\`, so it includes planning the 100,000 tasks; ` +
        `the job's own \`wallMs\` (dispatch to last result, planning excluded): median ${fmt(jobOnly.median)} ms = ${fmt(us(jobOnly.median), 3)} µs/task.`
    )
    tables.push(lines.join('\n'))
  }

  if (wants('notebook')) {
    log('notebook: the map cell (2 × threads tasks of range(6)) on a warm pool, then pool start-up')
    const impls = {
      engine: async () => {
        const { wallMs, summary } = await engineRun(engine, notebookSpec(), THREADS * 2 * 15)
        return { wallMs, extra: { engineWallMs: summary.wallMs } }
      },
      raw: async () => rawNotebook(raw)
    }
    if (py) impls.python = async () => ({ wallMs: (await py.send({ op: 'notebook' })).wallMs })
    // A cell takes about a millisecond, so this section affords many rounds: enough warm-up for
    // the JIT to settle on every path, and enough samples for a stable median.
    // Measured twice: in steady state, and right after a forced full GC as the other sections
    // are. A forced GC before each millisecond-long cell costs the JavaScript pools about twice
    // their steady-state time (Python's pool is not affected), so both figures are reported.
    const rounds = { warmup: 20, runs: Math.max(21, options.runs * 3) }
    const warm = await interleave(impls, { ...rounds, forceGc: false })
    const afterGc = await interleave(impls, rounds)
    // Start-up: a fresh pool per run (engine: a new Engine whose first job starts the pool;
    // Python: Pool() and then a map that every worker has answered).
    const startup = {
      engine: async () => {
        const fresh = new Engine({ workerFile, hardwareThreads: THREADS })
        const { summary } = await engineRun(fresh, notebookSpec())
        await fresh.dispose()
        return { wallMs: summary.poolStartupMs }
      }
    }
    if (py) {
      startup.python = async () => {
        const reply = await py.send({ op: 'start', processes: THREADS })
        return { wallMs: reply.readyMs, extra: { ctorMs: reply.ctorMs } }
      }
    }
    const start = await interleave(startup)
    results.sections.notebook = { warm, afterGc, startup: start }
    const label = { engine: 'PoolScope engine', raw: 'raw Piscina (reference)', python: 'Python Pool.map' }
    const lines = [
      `### 4. The notebook's map cell: ${THREADS * 2} tasks of range(6), ${THREADS} threads/processes`,
      '',
      row([
        'implementation',
        'warm-pool wall ms median',
        'min',
        'max',
        'after forced GC ms median',
        'pool start-up ms median',
        'min',
        'max'
      ]),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])
    ]
    for (const name of Object.keys(warm)) {
      const s = start[name]
      lines.push(
        row([
          label[name],
          fmt(warm[name].median, 2),
          fmt(warm[name].min, 2),
          fmt(warm[name].max, 2),
          fmt(afterGc[name].median, 2),
          fmt(s?.median),
          fmt(s?.min),
          fmt(s?.max)
        ])
      )
    }
    if (py) {
      const ctor = stats(start.python.extra.map((e) => e.ctorMs))
      lines.push(
        '',
        `Python start-up is \`Pool(${THREADS})\` plus a first \`map\` answered by every worker; \`Pool()\` alone: median ${fmt(ctor.median)} ms.`
      )
      lines.push(
        `Engine start-up is \`poolStartupMs\`: new Piscina pool until every thread has loaded the worker and answered.`
      )
      results.sections.notebook.ratios = { pythonOverEngineWarm: warm.python.median / warm.engine.median }
    }
    tables.push(lines.join('\n'))
  }

  await engine.dispose()
  await raw.destroy()
  if (py) await py.close()

  if (wants('memory')) {
    log(
      `memory: the ${BIG.tuples.toLocaleString('en')}-tuple job in fresh processes, ${options.memoryRuns} run(s) each`
    )
    const runChild = (args, cmd) => {
      const out = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 })
      if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${out.stderr}`)
      return JSON.parse(out.stdout.trim().split('\n').pop())
    }
    const samples = { engine: [], raw: [], python: [] }
    for (let i = 0; i < options.memoryRuns; i++) {
      samples.engine.push(
        runChild([join(import.meta.dirname, 'memory-child.js'), 'engine'], process.execPath)
      )
      samples.raw.push(runChild([join(import.meta.dirname, 'memory-child.js'), 'raw'], process.execPath))
      if (python)
        samples.python.push(
          runChild(
            [join(import.meta.dirname, 'python', 'notebook_pool.py'), 'memory', String(THREADS)],
            'python3'
          )
        )
      log(`  run ${i + 1}/${options.memoryRuns}`)
    }
    const mib = (kib) => kib / 1024
    const section = {
      engine: { ...stats(samples.engine.map((s) => mib(s.hwmKiB))), runs: samples.engine },
      raw: { ...stats(samples.raw.map((s) => mib(s.hwmKiB))), runs: samples.raw }
    }
    if (python) {
      section.python = { ...stats(samples.python.map((s) => mib(s.sumHwmKiB))), runs: samples.python }
      section.pythonParent = stats(samples.python.map((s) => mib(s.parentHwmKiB)))
      section.pythonRusage = stats(samples.python.map((s) => mib(s.rusageSelfKiB + s.rusageLargestChildKiB)))
    }
    results.sections.memory = section
    const lines = [
      `### 3. Peak memory of the ${BIG.tuples.toLocaleString('en')}-tuple job, fresh process each run (MiB)`,
      '',
      row(['implementation', 'peak MiB median', 'min', 'max', 'how measured']),
      row(['---', '---:', '---:', '---:', '---'])
    ]
    lines.push(
      row([
        'PoolScope engine',
        fmt(section.engine.median),
        fmt(section.engine.min),
        fmt(section.engine.max),
        'VmHWM of the process (worker threads included), read at the end of the job'
      ])
    )
    lines.push(
      row([
        'raw Piscina (reference)',
        fmt(section.raw.median),
        fmt(section.raw.min),
        fmt(section.raw.max),
        'same'
      ])
    )
    if (python) {
      lines.push(
        row([
          'Python Pool.starmap',
          fmt(section.python.median),
          fmt(section.python.min),
          fmt(section.python.max),
          `sum of VmHWM of the parent and its ${THREADS} pool workers, read from /proc before the pool closes`
        ])
      )
      lines.push(
        row([
          '… of which the parent',
          fmt(section.pythonParent.median),
          fmt(section.pythonParent.min),
          fmt(section.pythonParent.max),
          'VmHWM of the parent'
        ])
      )
      lines.push(
        row([
          '… getrusage view',
          fmt(section.pythonRusage.median),
          fmt(section.pythonRusage.min),
          fmt(section.pythonRusage.max),
          'ru_maxrss SELF + CHILDREN (largest child only)'
        ])
      )
    }
    tables.push(lines.join('\n'))
  }

  // Verdicts against the bar.
  const targets = []
  const s = results.sections
  if (s.big) {
    targets.push({
      target: 'engine ≥ 0.8× raw Piscina tuples/s',
      measured: s.big.ratios.engineVsRaw,
      pass: s.big.ratios.engineVsRaw >= 0.8,
      unit: '×'
    })
    if (s.big.ratios.engineVsPython !== undefined) {
      targets.push({
        target: 'engine ≥ 25× Python tuples/s',
        measured: s.big.ratios.engineVsPython,
        pass: s.big.ratios.engineVsPython >= 25,
        unit: '×'
      })
    }
  }
  if (s.tiny)
    targets.push({
      target: 'engine ≤ 1 µs per tiny task',
      measured: s.tiny.usPerTask.engine.median,
      pass: s.tiny.usPerTask.engine.median <= 1,
      unit: 'µs'
    })
  if (s.memory)
    targets.push({
      target: 'engine peak ≤ 400 MiB for the 8.1M-tuple job',
      measured: s.memory.engine.median,
      pass: s.memory.engine.median <= 400,
      unit: 'MiB'
    })
  if (s.notebook?.ratios)
    targets.push({
      target: "notebook map cell on a warm pool no slower than Python's pool",
      measured: s.notebook.warm.engine.median / s.notebook.warm.python.median,
      pass: s.notebook.warm.engine.median <= s.notebook.warm.python.median,
      unit: '× Python'
    })
  results.targets = targets
  const targetLines = [
    '### Targets',
    '',
    row(['target', 'measured (medians)', 'verdict']),
    row(['---', '---:', '---'])
  ]
  if (targets.length === 0) targetLines.push(row(['(no target is measured by this selection)', '—', '—']))
  for (const t of targets)
    targetLines.push(
      row([t.target, `${fmt(t.measured, t.unit === 'µs' ? 3 : 2)} ${t.unit}`, t.pass ? 'PASS' : 'MISS'])
    )
  if (s.notebook?.ratios) {
    targetLines.push(
      '',
      `Notebook cell: engine ${fmt(s.notebook.warm.engine.median, 2)} ms, Python ${fmt(s.notebook.warm.python.median, 2)} ms on a warm pool (steady state); ` +
        `after a forced full GC ${fmt(s.notebook.afterGc.engine.median, 2)} vs ${fmt(s.notebook.afterGc.python.median, 2)} ms. Pool start-up is reported apart.`
    )
  }
  tables.push(targetLines.join('\n'))
  results.elapsedSeconds = (Date.now() - started) / 1000
  results.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)))

  const header = [
    `## PoolScope bench — ${info.date}`,
    '',
    `${info.cpuModel}, ${info.logicalCpus} logical CPUs, Node ${info.node}, Python ${info.python ?? 'not found'}; ` +
      `commit ${info.commit ?? 'unknown'}; ${options.warmup} warm-up + ${options.runs} measured rounds (memory: ${options.memoryRuns} fresh processes each); load average at start ${info.loadAverage.join(' ')}, at end ${results.loadAverageAtEnd.join(' ')}.`
  ].join('\n')
  console.log([header, ...tables, `_bench took ${fmt(results.elapsedSeconds)} s_`].join('\n\n'))
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const file = resultsFileName(options)
  writeFileSync(join(dir, file), await asJson(results))
  log(
    file === REFERENCE_RESULTS
      ? `wrote ${join('bench', 'results', file)}`
      : `wrote ${join('bench', 'results', file)} (a quick or partial run; the reference ${join('bench', 'results', REFERENCE_RESULTS)} is left as it was)`
  )
}

/** The committed reference results, which only a full run may replace. */
const REFERENCE_RESULTS = 'latest.json'

/**
 * Where a run's results go: a full run (every section, Python compared)
 * replaces the committed reference; a `--quick`, `--only` or `--no-python` run writes the
 * git-ignored quick-latest.json, so trying the bench never overwrites the figures BENCHMARKS.md quotes.
 */
function resultsFileName({ quick, only, python }) {
  return quick || only || !python ? 'quick-latest.json' : REFERENCE_RESULTS
}

/** The results as JSON, formatted the way the repository's Prettier config formats JSON. */
async function asJson(value) {
  const text = JSON.stringify(value, null, 2) + '\n'
  try {
    const prettier = await import('prettier')
    const config = (await prettier.resolveConfig(join(import.meta.dirname, 'results', 'latest.json'))) ?? {}
    return await prettier.format(text, { ...config, parser: 'json' })
  } catch {
    return text
  }
}

await main()
