// Event-loop stalls: how long the host's thread is held by each command on a job of ten million
// tasks. A 1 ms interval timer records the longest gap between its ticks while each command runs;
// a gap is time no other client's message, progress event or reply could get through.
//
//   node bench/stalls.js [--tasks N] [--repeats R] [--threads 1,2]
//
// With 1 pool thread a core is left for the host's own thread, so a gap measures our work; with as
// many threads as cores, the OS's scheduling of the busy workers adds to it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildHostBundle, machine, stats } from './lib.js'

const USAGE = 'usage: npm run bench:stalls -- [--tasks N] [--repeats R] [--threads 1,2]'

function parseArgs(argv) {
  const options = { tasks: 10_000_000, repeats: 3, threads: [1, 2] }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]]
    if (flag === '--help') {
      console.log(USAGE)
      process.exit(0)
    } else if (flag === '--tasks') options.tasks = Number(value)
    else if (flag === '--repeats') options.repeats = Number(value)
    else if (flag === '--threads') options.threads = value.split(',').map(Number)
    else throw new Error(`unknown flag ${flag}; ${USAGE}`)
    i++
  }
  return options
}

/** Records the longest gap between ticks of a 1 ms timer since the last `take()`. */
function stallMeter() {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  return {
    take() {
      const value = Math.max(longest, performance.now() - last)
      longest = 0
      last = performance.now()
      return value
    },
    stop: () => clearInterval(timer)
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30))

/** Runs one command and returns the longest stall while it ran, in ms, and its outcome. */
async function measure(meter, run) {
  await settle()
  meter.take()
  const outcome = await run()
  await settle()
  return { stallMs: meter.take(), outcome }
}

async function oneRound(host, spec) {
  const meter = stallMeter()
  const row = {}
  const call = (name, params) => host.call(name, params)
  row['job.plan'] = (await measure(meter, () => call('job.plan', { spec }))).stallMs
  const started = await measure(meter, () => call('job.start', { spec }))
  if (!started.outcome.ok) throw new Error(started.outcome.error.message)
  row['job.start'] = started.stallMs
  const jobId = started.outcome.result.jobId
  row['running (2 s)'] = (
    await measure(meter, () => new Promise((resolve) => setTimeout(resolve, 2000)))
  ).stallMs
  // What the page polls twice a second while a job runs: the whole job's timeline, in bins.
  row['job.timeline (running)'] = (await measure(meter, () => call('job.timeline', { jobId }))).stallMs
  row['job.summary (running)'] = (await measure(meter, () => call('job.summary', { jobId }))).stallMs
  row['job.cancel'] = (await measure(meter, () => call('job.cancel', { jobId }))).stallMs
  row['job.results (1,000 rows)'] = (
    await measure(meter, () => call('job.results', { jobId, offset: 0, limit: 1000 }))
  ).stallMs
  row['job.timings (200,000)'] = (
    await measure(meter, () => call('job.timings', { jobId, offset: 0, limit: 200_000 }))
  ).stallMs
  row['job.export (csv)'] = (await measure(meter, () => call('job.export', { jobId, format: 'csv' }))).stallMs
  meter.stop()
  return row
}

const options = parseArgs(process.argv.slice(2))
const { hostFile, workerFile, sources } = await buildHostBundle('stalls')
const { EngineHost } = createRequire(import.meta.url)(hostFile)
const host = new EngineHost({ workerFile, hardwareThreads: 2 })
const results = {}
for (const threads of options.threads) {
  const spec = {
    workload: 'combinations_n',
    style: 'starmap',
    keep: 'count',
    threads,
    inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: options.tasks }
  }
  const rounds = []
  for (let r = 0; r < options.repeats; r++) rounds.push(await oneRound(host, spec))
  results[threads] = Object.fromEntries(
    Object.keys(rounds[0]).map((name) => [name, stats(rounds.map((round) => round[name]))])
  )
}
await host.dispose()

const names = Object.keys(results[options.threads[0]])
console.log(`Longest event-loop stall per command, ms (median of ${options.repeats}; ${options.tasks} tasks)`)
console.log(
  ['command'.padEnd(26), ...options.threads.map((t) => `${t} thread${t > 1 ? 's' : ''}`.padStart(11))].join(
    ''
  )
)
for (const name of names) {
  const cells = options.threads.map((t) => results[t][name].median.toFixed(0).padStart(11))
  console.log([name.padEnd(26), ...cells].join(''))
}
const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'stalls-latest.json'),
  JSON.stringify({ machine: machine(sources), options, results }, null, 2) + '\n'
)
