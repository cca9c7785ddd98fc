// Shared pieces of the benchmarks: the jobs (as engine specs and as raw Piscina runs), the raw
// pool, statistics and the machine description. Used by run.js and memory-child.js.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { build } from 'esbuild'
import { Piscina } from 'piscina'
import { nodeBundleOptions } from '../scripts/build-node.js'

export const THREADS = 2
const range = (n) => Array.from({ length: n }, (_, i) => i)

/** Benchmark 1: 4 tasks × all 7-combinations of range(30), every tuple kept. */
export const BIG = { tasks: 4, elements: 30, k: 7, tuples: 4 * 2_035_800 }
export const bigSpec = () => ({
  workload: 'combinations_n',
  style: 'starmap',
  inputs: { kind: 'args', args: Array.from({ length: BIG.tasks }, () => [range(BIG.elements), BIG.k]) },
  threads: THREADS,
  chunkSize: 'auto',
  keep: 'all'
})

/** Benchmark 2: 100,000 tiny tasks, pairs of a 3-tuple via map. */
export const TINY = { tasks: 100_000, rawChunk: 1000 }
export const tinySpec = () => ({
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: TINY.tasks },
  threads: THREADS,
  chunkSize: 'auto',
  keep: 'all'
})

/** Benchmark 4: the notebook's map cell, 2 × threads tasks of range(6) (tasks defaults to 2 × threads). */
export const notebookSpec = () => ({
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: range(6) },
  threads: THREADS,
  chunkSize: 'auto',
  keep: 'all'
})

export const rawWorkerFile = join(import.meta.dirname, 'raw', 'worker.js')

/** A plain Piscina pool with warm threads: the baseline. */
export async function createRawPool(threads = THREADS) {
  const pool = new Piscina({
    filename: rawWorkerFile,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60 * 60 * 1000
  })
  pool.on('error', (error) => {
    throw error
  })
  // Enough small tasks that every thread has loaded the worker before any clock starts.
  await Promise.all(range(threads * 4).map(() => pool.run({ n: 6, k: 2 })))
  return pool
}

export async function rawBig(pool) {
  const started = performance.now()
  const results = await Promise.all(range(BIG.tasks).map(() => pool.run({ n: BIG.elements, k: BIG.k })))
  const wallMs = performance.now() - started
  const ints = results.reduce((sum, r) => sum + r.length, 0)
  if (ints !== BIG.tuples * BIG.k) throw new Error(`raw big job returned ${ints / BIG.k} tuples`)
  const last = results[BIG.tasks - 1]
  if (last[0] !== 0 || last[6] !== 6 || last[last.length - 1] !== 29 || last[last.length - 7] !== 23) {
    throw new Error('raw big job returned tuples out of itertools order')
  }
  return { wallMs, results }
}

export async function rawTiny(pool) {
  const chunks = TINY.tasks / TINY.rawChunk
  const started = performance.now()
  const results = await Promise.all(range(chunks).map(() => pool.run({ n: 3, k: 2, count: TINY.rawChunk })))
  const wallMs = performance.now() - started
  const ints = results.reduce((sum, r) => sum + r.length, 0)
  if (ints !== TINY.tasks * 3 * 2) throw new Error(`raw tiny job returned ${ints / 2} tuples`)
  return { wallMs }
}

export async function rawNotebook(pool) {
  const started = performance.now()
  await Promise.all(range(THREADS * 2).map(() => pool.run({ n: 6, k: 2 })))
  return { wallMs: performance.now() - started }
}

/** Runs one engine job on the engine's warm pool; wall time is measured around start and done. */
export async function engineRun(engine, spec, expectTuples) {
  const started = performance.now()
  const job = await engine.start(spec)
  const summary = await job.done
  const wallMs = performance.now() - started
  if (summary.status !== 'done') throw new Error(`engine job ended ${summary.status}: ${summary.message}`)
  if (expectTuples !== undefined && summary.tuplesKept !== expectTuples) {
    throw new Error(`engine job kept ${summary.tuplesKept} tuples, expected ${expectTuples}`)
  }
  return { wallMs, summary, job }
}

/** VmHWM / VmRSS of this process in KiB (worker threads share it, so they are included). */
export function procStatus(pid = 'self') {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
      return match ? Number(match[1]) : null
    }
    return { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS') }
  } catch {
    return { hwmKiB: null, rssKiB: null }
  }
}

export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length, samples }
}

/** The machine, the runtimes and the commit; `sources` (bundled files) are checked for local edits. */
export function machine(sources = ['src']) {
  let cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown'
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match) cpuModel = match[1].trim()
  } catch {
    // not Linux: os.cpus() is what there is
  }
  let python = null
  try {
    python = execFileSync('python3', ['-c', 'import sys; print(sys.version.split()[0])'], {
      encoding: 'utf8'
    }).trim()
  } catch {
    python = null
  }
  let commit = null
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }).trim()
    const dirty = git('status', '--porcelain', '--', ...sources) !== ''
    commit = `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted edits to bundled sources' : ''}`
  } catch {
    commit = null
  }
  return {
    commit,
    cpuModel,
    logicalCpus: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    node: process.versions.node,
    v8: process.versions.v8,
    python,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    date: new Date().toISOString()
  }
}

/**
 * Bundles `entries` (name → TypeScript source, relative to the repository) into out/<name>/, a
 * folder of its own so a bench never races another build. Returns each entry's bundle by name, as
 * `<entry>.cjs`, and the sources they use (for the run's record).
 */
export async function buildBenchBundles(name, entries) {
  const root = join(import.meta.dirname, '..')
  const outdir = join(root, 'out', name)
  const result = await build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([entry, source]) => [entry, join(root, source)])
    ),
    outdir,
    ...nodeBundleOptions
  })
  const sources = Object.keys(result.metafile.inputs).filter((file) => file.startsWith('src/'))
  const files = Object.fromEntries(Object.keys(entries).map((entry) => [entry, join(outdir, `${entry}.cjs`)]))
  return { files, sources }
}

/** Bundles the EngineHost (the surface every front door uses) and the worker into out/<name>/. */
export async function buildHostBundle(name) {
  const { files, sources } = await buildBenchBundles(name, {
    host: 'bench/harness/hostEntry.ts',
    worker: 'src/main/worker.ts'
  })
  return { hostFile: files.host, workerFile: files.worker, sources }
}
