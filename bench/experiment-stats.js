// What the sweep statistics (issue 10) cost: the bootstrap CI of a point's median, and the scaling
// fits of a whole sweep. Both run after every round of a sweep (adaptive stopping re-summarises each
// point; the page refits as points arrive), so they must stay far below a run's 100 ms.
//
//   node bench/experiment-stats.js [--calls C]
//
// Times C calls (default 200) of: bootstrapMedianCi on 5, 30 and 100 samples at 2,000 resamples,
// and analyzeScaling (Amdahl, Gustafson and USL fits) on sweeps of 3, 6 and 9 thread counts with 3%
// noise. Medians with min and max, after 20 warm-up calls. Writes
// bench/results/experiment-stats-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildBenchBundles, machine, stats } from './lib.js'

const log = (text) => process.stderr.write(text + '\n')

function parseArgs(argv) {
  const options = { calls: 200 }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, text] = [argv[i], argv[i + 1]]
    if (flag === '--calls') options.calls = Number(text)
    else throw new Error(`unknown flag ${flag}; use --calls C`)
  }
  if (!(Number.isInteger(options.calls) && options.calls >= 1))
    throw new Error('--calls must be a whole number ≥ 1')
  return options
}

/** Milliseconds per call of `fn(i)`, over `calls` calls after 20 unmeasured ones. */
function time(calls, fn) {
  for (let i = 0; i < 20; i++) fn(i)
  const samples = []
  for (let i = 0; i < calls; i++) {
    const start = performance.now()
    fn(i)
    samples.push(performance.now() - start)
  }
  return stats(samples)
}

const options = parseArgs(process.argv.slice(2))
const { files, sources } = await buildBenchBundles('bench-experiment-stats', {
  stats: 'bench/harness/experimentStatsEntry.ts'
})
const { bootstrapMedianCi, analyzeScaling } = createRequire(import.meta.url)(files.stats)

// Deterministic pseudo-noise: the bench must time the same work every run.
const wobble = (i, j) => 1 + 0.03 * Math.sin(i * 12.9898 + j * 78.233)
const results = {}
for (const n of [5, 30, 100]) {
  const samples = Array.from({ length: n }, (_, j) => 500 * wobble(0, j))
  const s = time(options.calls, (i) => bootstrapMedianCi(samples, { seed: i, resamples: 2000 }))
  results[`bootstrap ${n} samples × 2000`] = s
  log(
    `bootstrap ${n} samples × 2,000 resamples: median ${s.median.toFixed(2)} ms (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`
  )
}
for (const ns of [
  [1, 2, 4],
  [1, 2, 4, 8, 16, 32],
  [1, 2, 3, 4, 6, 8, 12, 16, 32]
]) {
  const s = time(options.calls, (i) =>
    analyzeScaling(ns.map((n, j) => ({ threads: n, timeMs: 1000 * (0.1 + 0.9 / n) * wobble(i, j) })))
  )
  results[`fits ${ns.length} thread counts`] = s
  log(
    `analyzeScaling, ${ns.length} thread counts: median ${s.median.toFixed(2)} ms (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`
  )
}

const outDir = join(import.meta.dirname, 'results')
mkdirSync(outDir, { recursive: true })
const summary = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [k, { median: v.median, min: v.min, max: v.max, n: v.n }])
)
writeFileSync(
  join(outDir, 'experiment-stats-latest.json'),
  JSON.stringify({ machine: machine(sources), calls: options.calls, results: summary }, null, 2) + '\n'
)
