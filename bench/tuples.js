// The tuple workloads against each other and against Python: `npm run bench:tuples` (about two
// minutes on 2 cores), or `node bench/tuples.js [--runs N]`.
//
// Four jobs of about 8 million tuples each, every tuple kept, on 2 threads: all 7-combinations of
// range(30) (the notebook's big job), 7-permutations of range(11), product(range(9), repeat=7) and
// the power set of range(21). PoolScope's runs alternate jobs (the order rotates each round) on
// one warm pool; then bench/python/tuple_pool.py runs the same calls on multiprocessing.Pool(2)
// the same way. Prints medians as markdown and writes bench/results/tuples-latest.json.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { THREADS, buildBenchBundles, engineRun, machine, stats } from './lib.js'

const root = join(import.meta.dirname, '..')
const outdir = join(root, 'out', 'bench-tuples')
const log = (text) => process.stderr.write(text + '\n')

const JOBS = [
  { workload: 'combinations_n', elements: 30, n: 7, tasks: 4, tuples: 4 * 2_035_800 },
  { workload: 'permutations', elements: 11, n: 7, tasks: 5, tuples: 5 * 1_663_200 },
  { workload: 'product', elements: 9, n: 7, tasks: 2, tuples: 2 * 4_782_969 },
  { workload: 'powerset', elements: 21, n: null, tasks: 4, tuples: 4 * 2_097_152 }
]

function parseArgs(argv) {
  const options = { runs: 5 }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') options.runs = Number(argv[++i])
    else if (argv[i] === '--help') {
      console.log('usage: npm run bench:tuples -- [--runs N]')
      process.exit(0)
    } else throw new Error(`unknown option ${argv[i]}; see --help`)
  }
  if (!(options.runs >= 1)) throw new Error('--runs must be ≥ 1')
  return options
}

function specOf(job) {
  const elements = Array.from({ length: job.elements }, (_, i) => i)
  const args = Array.from({ length: job.tasks }, () => (job.n === null ? elements : [elements, job.n]))
  return {
    workload: job.workload,
    style: job.n === null ? 'map' : 'starmap',
    inputs: { kind: 'args', args },
    threads: THREADS,
    keep: 'all'
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  await buildBenchBundles('bench-tuples', {
    engine: 'bench/harness/engineEntry.ts',
    worker: 'src/main/worker.ts'
  })
  const { Engine } = createRequire(import.meta.url)(join(outdir, 'engine.cjs'))
  const engine = new Engine({ workerFile: join(outdir, 'worker.cjs'), hardwareThreads: THREADS })
  const ours = Object.fromEntries(JOBS.map((job) => [job.workload, []]))
  try {
    for (const job of JOBS) engine.release((await engineRun(engine, specOf(job), job.tuples)).job.id)
    for (let round = 0; round < options.runs; round++) {
      for (let i = 0; i < JOBS.length; i++) {
        const job = JOBS[(i + round) % JOBS.length]
        const { wallMs, job: ran } = await engineRun(engine, specOf(job), job.tuples)
        engine.release(ran.id)
        ours[job.workload].push(wallMs)
        log(`round ${round + 1}: ${job.workload} ${wallMs.toFixed(0)} ms`)
      }
    }
  } finally {
    await engine.dispose()
  }
  log('python: multiprocessing.Pool(2) on the same calls…')
  const python = spawnSync(
    'python3',
    [join(import.meta.dirname, 'python', 'tuple_pool.py'), String(THREADS), String(options.runs)],
    {
      input: JSON.stringify(JOBS),
      encoding: 'utf8',
      maxBuffer: 1 << 20
    }
  )
  const pythonTimes = python.status === 0 ? JSON.parse(python.stdout) : null
  if (!pythonTimes) log(`python3 failed (${python.status}): ${python.stderr.slice(0, 500)}`)

  const rows = JOBS.map((job) => {
    const mine = stats(ours[job.workload])
    const theirs = pythonTimes ? stats(pythonTimes[job.workload]) : null
    return {
      ...job,
      poolscopeMs: mine,
      pythonMs: theirs,
      speedupOverPython: theirs ? theirs.median / mine.median : null
    }
  })
  console.log(
    `| job | tuples | PoolScope median (min–max) ms | M tuples/s | Python Pool(2) median ms | PoolScope ÷ Python time |`
  )
  console.log('|---|---|---|---|---|---|')
  for (const row of rows) {
    const call =
      row.n === null
        ? `${row.workload}(range(${row.elements}))`
        : `${row.workload}(range(${row.elements}), ${row.n})`
    const python = row.pythonMs ? row.pythonMs.median.toFixed(0) : 'n/a'
    const ratio = row.pythonMs ? `${(row.poolscopeMs.median / row.pythonMs.median).toFixed(3)}×` : 'n/a'
    console.log(
      `| ${row.tasks} × ${call} | ${row.tuples.toLocaleString('en-US')} | ${row.poolscopeMs.median.toFixed(0)} (${row.poolscopeMs.min.toFixed(0)}–${row.poolscopeMs.max.toFixed(0)}) | ${(row.tuples / row.poolscopeMs.median / 1000).toFixed(1)} | ${python} | ${ratio} |`
    )
  }
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
  writeFileSync(
    join(import.meta.dirname, 'results', 'tuples-latest.json'),
    JSON.stringify({ machine: machine(), runs: options.runs, rows }, null, 1) + '\n'
  )
}

await main()
