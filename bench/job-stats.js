// What `job.stats` costs the host's main thread on a job of 1,000,000 tasks of combinations(0..5)
// (15 pairs each, counts only, 2 threads). `npm run bench:stats`, or
//
//   node bench/job-stats.js [--jobs N] [--calls C] [--tasks T]
//
// For each of N jobs (default 3): the first `statsOfJob` (what the first `job.stats` pays: the
// summary, one pass over the tasks, the selections and the histogram; later calls are answered from
// the cache), then C more computations of the same statistics without the cache (default 10).
// Medians with min and max, in wall time and in CPU time (process.cpuUsage: the workers are idle
// by then, so it is the main thread's, and less swayed by other load on a shared machine).
// Writes bench/results/job-stats-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats } from './lib.js'

const log = (text) => process.stderr.write(text + '\n')

function parseArgs(argv) {
  const options = { jobs: 3, calls: 10, tasks: 1_000_000 }
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
const { files, sources } = await buildBenchBundles('bench-stats', {
  stats: 'bench/harness/statsEntry.ts',
  worker: 'src/main/worker.ts'
})
const { Engine, jobStats, statsInputOf, statsOfJob } = createRequire(import.meta.url)(files.stats)
const engine = new Engine({ workerFile: files.worker, hardwareThreads: 2 })

// A first job warms the pool; it is not measured.
await (
  await engine.start(spec)
).done
const first = []
const again = []
const againCpu = []
const walls = []
let last = null
for (let j = 0; j < options.jobs; j++) {
  const job = await engine.start(spec)
  const summary = await job.done
  if (summary.status !== 'done') throw new Error(`job ended ${summary.status}: ${summary.message}`)
  walls.push(summary.wallMs)
  let started = performance.now()
  last = statsOfJob(job)
  first.push(performance.now() - started)
  for (let i = 0; i < options.calls; i++) {
    started = performance.now()
    const cpu = process.cpuUsage()
    jobStats(statsInputOf(job))
    again.push(performance.now() - started)
    const used = process.cpuUsage(cpu)
    againCpu.push((used.user + used.system) / 1000)
  }
  log(
    `job ${j + 1}/${options.jobs}: wall ${summary.wallMs.toFixed(0)} ms, first stats ${first.at(-1).toFixed(1)} ms`
  )
}
await engine.dispose()

const results = { firstCall: stats(first), uncachedCall: stats(again), uncachedCallCpu: stats(againCpu) }
const fmt = (s) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
console.log(
  `job.stats on ${options.tasks.toLocaleString('en')}-task jobs (${options.jobs} jobs, wall ${walls.map((ms) => ms.toFixed(0)).join('/')} ms): ` +
    `first call ${fmt(results.firstCall)}, each uncached call ${fmt(results.uncachedCall)} ` +
    `(CPU ${fmt(results.uncachedCallCpu)}); ` +
    `histogram ${last.durations.histogram.scale} in ${last.durations.histogram.counts.length} bins`
)
const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'job-stats-latest.json'),
  JSON.stringify({ machine: machine(sources), options, jobWallMs: walls, results }, null, 2) + '\n'
)
