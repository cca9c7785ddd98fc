// The host's side of the per-core view (issue 9): what `coreOccupancy` (the workers' share of each
// core per CPU sample, computed from the job's timings whenever `job.cpu` is asked) costs the main
// thread. `node bench/core-occupancy.js [--tasks T] [--calls C]`
//
// 1. A real job of T tasks (default 1,000,000) of combinations(0..5) (15 pairs each, counts only,
//    2 threads), run twice: once alone, once with `job.cpu` asked as the host answers it (sliced,
//    anew at most every second) every 200 ms, each run's longest event-loop delay; once it has
//    ended, C calls (default 20) of `coreOccupancy` over the whole job, and the reply's frame size.
// 2. Synthetic timings of T tasks on 64 lanes and 128 cores over 6,000 samples (the sampler's cap):
//    the same function on a large machine's shape, where the per-lane walk and the per-core arrays
//    are largest.
// Medians with min and max. Writes bench/results/core-occupancy-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats } from './lib.js'

const log = (text) => process.stderr.write(text + '\n')

function parseArgs(argv) {
  const options = { tasks: 1_000_000, calls: 20 }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, text] = [argv[i], argv[i + 1]]
    if (flag === '--tasks') options.tasks = Number(text)
    else if (flag === '--calls') options.calls = Number(text)
    else throw new Error(`unknown flag ${flag}; use --tasks T, --calls C`)
  }
  if (!(options.tasks >= 1) || !(options.calls >= 1)) throw new Error('--tasks and --calls must be ≥ 1')
  return options
}
const options = parseArgs(process.argv.slice(2))

const { files, sources } = await buildBenchBundles('bench-cores', {
  cores: 'bench/harness/coreOccupancyEntry.ts',
  worker: 'src/main/worker.ts'
})
const { Engine, coreOccupancy, encodeServerFrame } = createRequire(import.meta.url)(files.cores)
const engine = new Engine({ workerFile: files.worker, hardwareThreads: 2 })
const spec = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  keep: 'count',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: options.tasks }
}

const time = (fn) => {
  const started = performance.now()
  const value = fn()
  return [performance.now() - started, value]
}

// A first small job warms the pool and the code paths.
await (
  await engine.start({ ...spec, inputs: { ...spec.inputs, tasks: 10_000 } })
).done

/**
 * Runs the job, polling `job.cpu` as the host answers it (`cpuSamplesSliced`) twice a second when
 * `poll`; returns the job, its summary, the event loop's longest delay (ms) and the polls' times.
 */
/** Faster than the page's 2/s, so that a job of under a second is polled a few times. */
const POLL_MS = 200

async function runJob(poll) {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const job = await engine.start(spec)
  const polls = []
  const timer = poll
    ? setInterval(() => {
        const started = performance.now()
        void job.cpuSamplesSliced().then(() => polls.push(performance.now() - started))
      }, POLL_MS)
    : null
  const summary = await job.done
  if (timer) clearInterval(timer)
  delay.disable()
  return { job, summary, maxDelayMs: delay.max / 1e6, polls }
}

log(`real job: ${options.tasks} tasks on 2 threads, without polling job.cpu, then polled every ${POLL_MS} ms`)
const quiet = await runJob(false)
const { job, summary, maxDelayMs, polls: live } = await runJob(true)
// The last reading comes an interval after the end.
await new Promise((resolve) => setTimeout(resolve, 300))
const samples = job.cpuSamples()
const ended = []
for (let i = 0; i < options.calls; i++) {
  const { start, end, lane, cpu, ranFlags: ran } = job.timings
  ended.push(time(() => coreOccupancy(samples, { start, end, lane, cpu, ran }, job.plan.threads))[0])
}
const frameBytes = encodeServerFrame({
  id: 1,
  outcome: { ok: true, result: { jobId: job.id, ...samples } }
}).length
await engine.dispose()

log(`synthetic: ${options.tasks} tasks on 64 lanes, 128 cores, 6000 samples`)
const lanes = 64
const cores = 128
const sampleCount = 6000
const spanMs = 600_000
const perLane = Math.ceil(options.tasks / lanes)
const taskMs = spanMs / perLane
const synthetic = {
  start: new Float64Array(options.tasks),
  end: new Float64Array(options.tasks),
  lane: new Uint16Array(options.tasks),
  cpu: new Int16Array(options.tasks)
}
// Chunks of 100 tasks dealt to lanes in turn, as the engine hands them out; a lane moves to
// another core now and then.
for (let t = 0; t < options.tasks; t++) {
  const chunk = Math.floor(t / 100)
  const lane = chunk % lanes
  const k = Math.floor(chunk / lanes) * 100 + (t % 100)
  synthetic.lane[t] = lane
  synthetic.start[t] = k * taskMs
  synthetic.end[t] = k * taskMs + taskMs * 0.95
  synthetic.cpu[t] = (lane * 2 + Math.floor(k / 5000)) % cores
}
const at = Float64Array.from({ length: sampleCount }, (_, i) => ((i + 1) * spanMs) / sampleCount)
const big = []
for (let i = 0; i < options.calls; i++) {
  big.push(time(() => coreOccupancy({ cores, from: 0, at }, synthetic, lanes))[0])
}

const round = ({ samples: _, n, ...s }) => ({
  n,
  ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(v.toFixed(2))]))
})
const results = {
  machine: machine(sources),
  tasks: options.tasks,
  realJob: {
    wallMs: Math.round(summary.wallMs),
    samples: samples.at.length,
    cores: samples.cores,
    replyFrameBytes: frameBytes,
    /** Each `job.cpu` answer while it ran, as the host works it out (sliced; anew at most every second). */
    whileRunningMs: live.length > 0 ? round(stats(live)) : null,
    polls: live.length,
    /** The event loop's longest delay while the job ran, without and with the polling. */
    maxLoopDelayMs: { quiet: Number(quiet.maxDelayMs.toFixed(1)), polled: Number(maxDelayMs.toFixed(1)) },
    wallMsQuiet: Math.round(quiet.summary.wallMs),
    endedMs: round(stats(ended))
  },
  synthetic: { lanes, cores, samples: sampleCount, ms: round(stats(big)) }
}
log(JSON.stringify(results, null, 2))
const resultsDir = join(import.meta.dirname, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'core-occupancy-latest.json'), JSON.stringify(results, null, 2) + '\n')
