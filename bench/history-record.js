// History records (issue 10): what saving an ended run costs and how large its record is, and what
// opening it again costs. `node bench/history-record.js [--tasks T] [--repeat R]`
//
// Jobs: the notebook map cell (combinations of 0..5, 2 × threads tasks), and T tasks (default
// 1,000,000) of the same cell kept whole and counted only, on 2 threads. For each, R times
// (default 3): the record's bytes, the save's wall time from the job's end (`job.finished`) to the
// record's rename, the main thread's longest stall meanwhile (event-loop delay, 1 ms resolution),
// and `history.open` (read, decode, re-plan, restore). Writes bench/results/history-record-latest.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats } from './lib.js'

const log = (text) => process.stderr.write(text + '\n')

function parseArgs(argv) {
  const options = { tasks: 1_000_000, repeat: 3 }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, text] = [argv[i], argv[i + 1]]
    if (flag === '--tasks') options.tasks = Number(text)
    else if (flag === '--repeat') options.repeat = Number(text)
    else throw new Error(`unknown flag ${flag}; use --tasks T, --repeat R`)
  }
  if (!(options.tasks >= 1) || !(options.repeat >= 1)) throw new Error('--tasks and --repeat must be ≥ 1')
  return options
}
const options = parseArgs(process.argv.slice(2))

const { files, sources } = await buildBenchBundles('bench-history', {
  history: 'bench/harness/historyEntry.ts',
  worker: 'src/main/worker.ts'
})
const { EngineHost, HistoryStore } = createRequire(import.meta.url)(files.history)
const folder = mkdtempSync(join(os.tmpdir(), 'poolscope-bench-history-'))
const host = new EngineHost({
  workerFile: files.worker,
  hardwareThreads: 2,
  history: await HistoryStore.open(folder)
})

const cell = (tasks, keep) => ({
  workload: 'combinations',
  style: 'map',
  threads: 2,
  keep,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], ...(tasks ? { tasks } : {}) }
})
const jobs = [
  ['notebook map cell', cell(undefined, 'all')],
  [`${options.tasks.toLocaleString('en-US')} tasks, kept`, cell(options.tasks, 'all')],
  [`${options.tasks.toLocaleString('en-US')} tasks, counts only`, cell(options.tasks, 'count')]
]

async function call(name, params) {
  const outcome = await host.call(name, params)
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`)
  return outcome.result
}

async function once(spec) {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  let endedAt = 0
  const saved = new Promise((resolve) => {
    const off = host.onEvent((event) => {
      if (event.type === 'job.finished') {
        endedAt = performance.now()
        delay.enable()
      }
      if (event.type === 'history.changed') {
        off()
        delay.disable()
        resolve(event.payload)
      }
    })
  })
  await call('job.start', { spec })
  const change = await saved
  const saveMs = performance.now() - endedAt
  if (change.change !== 'added') throw new Error(change.problem)
  const [entry] = (await call('history.list', {})).entries
  const opening = performance.now()
  const opened = await call('history.open', { id: entry.id })
  const openMs = performance.now() - opening
  return {
    bytes: entry.bytes,
    resultsKept: entry.facts.resultsKept,
    saveMs,
    stallMs: delay.max / 1e6,
    openMs,
    tasks: opened.summary.taskCount
  }
}

// A first small job warms the pool and the code paths.
await once(cell(1000, 'all'))
const results = []
for (const [name, spec] of jobs) {
  const runs = []
  for (let r = 0; r < options.repeat; r++) runs.push(await once(spec))
  const row = {
    job: name,
    tasks: runs[0].tasks,
    resultsKept: runs[0].resultsKept,
    recordBytes: stats(runs.map((run) => run.bytes)),
    saveMs: stats(runs.map((run) => run.saveMs)),
    longestStallMs: stats(runs.map((run) => run.stallMs)),
    openMs: stats(runs.map((run) => run.openMs))
  }
  results.push(row)
  log(
    `${name}: record ${(row.recordBytes.median / 2 ** 20).toFixed(2)} MiB (tuples ${row.resultsKept ? 'kept' : 'counts only'}), ` +
      `save ${row.saveMs.median.toFixed(0)} ms (min ${row.saveMs.min.toFixed(0)}, max ${row.saveMs.max.toFixed(0)}), ` +
      `longest main-thread stall ${row.longestStallMs.median.toFixed(1)} ms (max ${row.longestStallMs.max.toFixed(1)}), ` +
      `open ${row.openMs.median.toFixed(0)} ms`
  )
}
await host.dispose()
rmSync(folder, { recursive: true, force: true })
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
writeFileSync(
  join(import.meta.dirname, 'results', 'history-record-latest.json'),
  JSON.stringify({ machine: machine(sources), options, results }, null, 2) + '\n'
)
