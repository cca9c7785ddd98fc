// The cluster back end against the threads back end on one machine: `npm run bench:cluster`
// (about three minutes on 2 cores), or `node bench/cluster.js [--runs N] [--warmup W]`.
//
// Starts its own redis-server on a random loopback port (nothing saved) and two `poolscope agent
// --threads 1` processes (the built CLI), then, rounds alternating the back ends (the order rotates
// each round, warm-up rounds discarded):
//
//   a. dispatch: 400 chunks of tiny tasks (pairs of a 3-tuple, map) at chunk sizes 1, 10, 100 and
//      1000 on 2 lanes: wall per chunk and per task, and from each job's chunk log the median
//      enqueue → pick-up (from when the lane was free) and reply → arrival, and Redis's own
//      commands and CPU time per chunk (INFO commandstats, reset before each cluster run);
//   b. the 8,143,200-tuple job (4 tasks × all 7-combinations of range(30), every tuple kept) on the
//      two 1-thread agents against threads with 2 threads: the ratio of their wall times, and the
//      cluster run's digest checked once against Python's;
//   c. Redis per-operation costs with redis-benchmark (one client: latency; 50 clients: capacity)
//      and from them, on paper, how many threads one Redis serves and the chunk size that keeps
//      queue traffic under 10% of its capacity.
//
// Prints markdown and writes bench/results/cluster-latest.json. The machine is shared: compare the
// ratios within a run, and read the load average printed with them.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createConnection } from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import { buildNode } from '../scripts/build-node.js'
import { BIG, bigSpec, buildBenchBundles, engineRun, machine, stats } from './lib.js'

const root = join(import.meta.dirname, '..')
const outdir = join(root, 'out', 'bench-cluster')
const log = (text) => process.stderr.write(text + '\n')
const LANES = 2
const CHUNK_SIZES = [1, 10, 100, 1000]
const CHUNKS_PER_RUN = 400
const BACKENDS = ['threads', 'cluster']
/** Python's digest of the 8.1 M-tuple job's results (README, cluster section). */
const BIG_DIGEST = '5d29c85b'

function parseArgs(argv) {
  const options = { runs: 5, warmup: 1 }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') options.runs = Number(argv[++i])
    else if (argv[i] === '--warmup') options.warmup = Number(argv[++i])
    else if (argv[i] === '--help') {
      console.log('usage: npm run bench:cluster -- [--runs N] [--warmup W]')
      process.exit(0)
    } else throw new Error(`unknown option ${argv[i]}; see --help`)
  }
  if (!(options.runs >= 1) || !(options.warmup >= 0)) throw new Error('--runs must be ≥ 1, --warmup ≥ 0')
  return options
}

/** A loopback port nothing listens on now. */
async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000)
    const refused = await new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    if (refused) return port
  }
}

/** Spawns a process and resolves once its stdout says `ready`; rejects if it exits first. */
function startProcess(command, args, ready, what) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 30_000)
    proc.stdout.on('data', (chunk) => {
      seen += chunk.toString()
      if (seen.includes(ready)) {
        clearTimeout(timer)
        proc.stdout.resume()
        resolve({ proc, exited })
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited with code ${code}: ${seen}`))
    })
  })
}

async function startRedis() {
  const port = await freePort()
  const server = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    'Ready to accept connections',
    'redis-server'
  )
  return { ...server, port, url: `redis://127.0.0.1:${port}` }
}

const startAgent = (url, name) =>
  startProcess(
    process.execPath,
    [join(root, 'bin', 'poolscope.js'), 'agent', '--redis', url, '--threads', '1', '--name', name],
    'taking chunks from',
    `agent ${name}`
  )

const tinySpec = (chunkSize) => ({
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: CHUNKS_PER_RUN * chunkSize },
  threads: LANES,
  chunkSize,
  keep: 'all'
})

/** Redis's own count and CPU time of each command since the last reset (INFO commandstats). */
async function commandStats(redis) {
  const text = await redis.info('commandstats')
  const byCommand = {}
  for (const match of text.matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm)) {
    byCommand[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) }
  }
  return byCommand
}

/** Redis's own CPU time so far, µs (INFO cpu: user + system, every thread of the server). */
async function redisCpuUs(redis) {
  const text = await redis.info('cpu')
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6
}

/** Rounds of one run per back end, the first back end rotating; returns the measured samples. */
async function interleave(options, once) {
  const samples = Object.fromEntries(BACKENDS.map((backend) => [backend, []]))
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const measured = round >= options.warmup
    for (let i = 0; i < BACKENDS.length; i++) {
      const backend = BACKENDS[(round + i) % BACKENDS.length]
      const result = await once(backend)
      if (measured) samples[backend].push(result)
    }
  }
  return samples
}

/** `redis-benchmark` on the throwaway server: requests per second and median latency per command. */
function redisBenchmark(port, clients, requests) {
  const run = spawnSync(
    'redis-benchmark',
    [
      '-p',
      String(port),
      '-c',
      String(clients),
      '-n',
      String(requests),
      '-t',
      'set,get,lpush,rpop,incr',
      '--csv'
    ],
    { encoding: 'utf8' }
  )
  if (run.status !== 0) return null
  const rows = {}
  for (const line of run.stdout.trim().split('\n').slice(1)) {
    const cells = line.split(',').map((cell) => cell.replace(/"/g, ''))
    // test, rps, avg_latency_ms, min, p50, p95, p99, max
    rows[cells[0]] = { rps: Number(cells[1]), avgMs: Number(cells[2]), p50Ms: Number(cells[4]) }
  }
  return rows
}

const fmt = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits)
const row = (cells) => `| ${cells.join(' | ')} |`
const median = (values) => stats(values).median
const loadNow = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')

async function main() {
  const options = parseArgs(process.argv.slice(2))
  log('building the engine bundle and the CLI…')
  const { sources } = await buildBenchBundles('bench-cluster', {
    engine: 'bench/harness/clusterEntry.ts',
    worker: 'src/main/worker.ts'
  })
  await buildNode({ ifStale: true })
  const { Engine, dispatchTimes, CLUSTER_DISPATCH_MS } = createRequire(import.meta.url)(
    join(outdir, 'engine.cjs')
  )
  const redis = await startRedis()
  const agents = []
  const admin = new Redis(redis.port, '127.0.0.1')
  const engine = new Engine({ workerFile: join(outdir, 'worker.cjs'), hardwareThreads: LANES })
  const results = { machine: null, options, loadAverage: {}, sections: {} }
  const tables = []
  try {
    agents.push(...(await Promise.all(['bench-a', 'bench-b'].map((name) => startAgent(redis.url, name)))))
    const on = (spec, backend) =>
      backend === 'cluster' ? { ...spec, backend, redis: redis.url } : { ...spec, backend }
    results.loadAverage.start = os.loadavg()

    // a. Dispatch cost at chunk sizes 1 … 1000.
    results.sections.dispatch = {}
    for (const chunkSize of CHUNK_SIZES) {
      log(`dispatch: ${CHUNKS_PER_RUN} chunks of ${chunkSize} (load ${loadNow()})`)
      const samples = await interleave(options, async (backend) => {
        if (backend === 'cluster') await admin.config('RESETSTAT')
        const cpuBefore = await redisCpuUs(admin)
        const { summary, job } = await engineRun(engine, on(tinySpec(chunkSize), backend))
        const cpuUs = (await redisCpuUs(admin)) - cpuBefore
        const redisStats = backend === 'cluster' ? await commandStats(admin) : null
        const times = dispatchTimes(job.chunks)
        engine.release(job.id)
        return { wallMs: summary.wallMs, chunks: job.chunks.length, ...times, redisStats, redisCpuUs: cpuUs }
      })
      results.sections.dispatch[chunkSize] = samples
    }
    const dispatchRows = []
    for (const chunkSize of CHUNK_SIZES) {
      const tasks = CHUNKS_PER_RUN * chunkSize
      for (const backend of BACKENDS) {
        const runs = results.sections.dispatch[chunkSize][backend]
        const wall = median(runs.map((r) => r.wallMs))
        const pickup = median(runs.map((r) => r.pickupMs))
        const back = median(runs.map((r) => r.returnMs))
        const dispatch = median(runs.map((r) => r.dispatchMs))
        let redisCalls = null
        let redisUs = null
        if (backend === 'cluster') {
          // Commands scripts call are counted too (commandstats lists them beside EVALSHA), so the
          // calls are Redis's work, not round trips; its CPU is what INFO cpu says it used.
          const perChunk = runs.map((r) => ({
            calls: Object.values(r.redisStats).reduce((sum, c) => sum + c.calls, 0) / r.chunks,
            usec: r.redisCpuUs / r.chunks
          }))
          redisCalls = median(perChunk.map((p) => p.calls))
          redisUs = median(perChunk.map((p) => p.usec))
        }
        dispatchRows.push({
          chunkSize,
          backend,
          tasks,
          wallMs: wall,
          wallPerChunkMs: (wall * LANES) / CHUNKS_PER_RUN,
          wallPerTaskUs: (wall * LANES * 1000) / tasks,
          pickupMs: pickup,
          returnMs: back,
          dispatchMs: dispatch,
          dispatchPerTaskUs: (dispatch * 1000) / chunkSize,
          redisCallsPerChunk: redisCalls,
          redisUsPerChunk: redisUs
        })
      }
    }
    results.sections.dispatchRows = dispatchRows
    const last = results.sections.dispatch[CHUNK_SIZES[0]].cluster.at(-1).redisStats
    results.sections.redisCommandsAtChunk1 = last
    // Each run's command table was summed above; the record keeps the last one only.
    for (const bySize of Object.values(results.sections.dispatch)) {
      for (const run of bySize.cluster) delete run.redisStats
    }
    tables.push(
      [
        `### a. Dispatch per chunk: ${CHUNKS_PER_RUN} chunks of tiny tasks on ${LANES} lanes (medians of ${options.runs})`,
        '',
        row([
          'chunk size',
          'back end',
          'wall ms',
          'lane-ms per chunk',
          'lane-µs per task',
          'enqueue → pick-up ms',
          'reply → arrival ms',
          'dispatch µs per task',
          'Redis commands / chunk',
          'Redis CPU µs / chunk'
        ]),
        row(['---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
        ...dispatchRows.map((r) =>
          row([
            r.chunkSize,
            r.backend,
            fmt(r.wallMs, 0),
            fmt(r.wallPerChunkMs, 2),
            fmt(r.wallPerTaskUs, 1),
            fmt(r.pickupMs, 3),
            fmt(r.returnMs, 3),
            fmt(r.dispatchPerTaskUs, 2),
            fmt(r.redisCallsPerChunk, 1),
            fmt(r.redisUsPerChunk, 0)
          ])
        ),
        '',
        `lane-ms per chunk = wall × lanes ÷ chunks; dispatch = enqueue → pick-up + reply → arrival ` +
          `(chunk log medians); the planner assumes ${CLUSTER_DISPATCH_MS} ms a cluster chunk. ` +
          `Redis commands at chunk size 1 (last run): ` +
          Object.entries(last)
            .sort((a, b) => b[1].calls - a[1].calls)
            .map(
              ([name, c]) =>
                `${name} ${(c.calls / CHUNKS_PER_RUN).toFixed(1)}/chunk ${(c.usec / c.calls).toFixed(1)} µs`
            )
            .join(', ')
      ].join('\n')
    )
    results.loadAverage.afterDispatch = os.loadavg()

    // b. The 8.1 M-tuple job.
    log(`8.1 M-tuple job: 2 one-thread agents against threads on 2 (load ${loadNow()})`)
    let digestChecked = null
    const big = await interleave(options, async (backend) => {
      const { summary, job, wallMs } = await engineRun(engine, on(bigSpec(), backend), BIG.tuples)
      if (backend === 'cluster' && digestChecked === null) {
        const hash = createHash('sha256')
        for (const slice of job.results.jsonChunks()) hash.update(slice)
        digestChecked = hash.digest('hex')
      }
      const times = dispatchTimes(job.chunks)
      engine.release(job.id)
      return {
        wallMs: summary.wallMs,
        outerMs: wallMs,
        startupMs: summary.poolStartupMs,
        chunkSize: summary.chunkSize,
        ...times
      }
    })
    if (!digestChecked.startsWith(BIG_DIGEST)) {
      throw new Error(`the cluster run's digest ${digestChecked} is not Python's ${BIG_DIGEST}…`)
    }
    // The same job counted, not kept: what is left when 57 MB of packed tuples need not cross Redis.
    log(`8.1 M-tuple job counted, not kept (load ${loadNow()})`)
    const counted = await interleave(options, async (backend) => {
      const { summary, job } = await engineRun(engine, on({ ...bigSpec(), keep: 'count' }, backend))
      engine.release(job.id)
      return { wallMs: summary.wallMs }
    })
    const countedRatios = counted.threads.map((t, i) => t.wallMs / counted.cluster[i].wallMs)
    const ratios = big.threads.map((t, i) => t.wallMs / big.cluster[i].wallMs)
    results.sections.big = {
      threads: stats(big.threads.map((r) => r.wallMs)),
      cluster: stats(big.cluster.map((r) => r.wallMs)),
      clusterStartupMs: stats(big.cluster.map((r) => r.startupMs)),
      pickupMs: {
        threads: median(big.threads.map((r) => r.pickupMs)),
        cluster: median(big.cluster.map((r) => r.pickupMs))
      },
      returnMs: {
        threads: median(big.threads.map((r) => r.returnMs)),
        cluster: median(big.cluster.map((r) => r.returnMs))
      },
      ratioPerRound: ratios,
      ratio: stats(ratios),
      digest: digestChecked,
      counted: {
        threads: stats(counted.threads.map((r) => r.wallMs)),
        cluster: stats(counted.cluster.map((r) => r.wallMs)),
        ratio: stats(countedRatios)
      }
    }
    const b = results.sections.big
    tables.push(
      [
        `### b. The 8,143,200-tuple job: two 1-thread agents against threads on 2 (ms, medians of ${options.runs})`,
        '',
        row(['back end', 'median', 'min', 'max']),
        row(['---', '---:', '---:', '---:']),
        row(['threads (2)', fmt(b.threads.median, 0), fmt(b.threads.min, 0), fmt(b.threads.max, 0)]),
        row([
          'cluster (2 agents × 1)',
          fmt(b.cluster.median, 0),
          fmt(b.cluster.min, 0),
          fmt(b.cluster.max, 0)
        ]),
        row([
          'threads (2), counted only',
          ...['median', 'min', 'max'].map((k) => fmt(b.counted.threads[k], 0))
        ]),
        row(['cluster, counted only', ...['median', 'min', 'max'].map((k) => fmt(b.counted.cluster[k], 0))]),
        '',
        `Speed of cluster relative to threads (threads wall ÷ cluster wall, per round, then the median): ` +
          `${fmt(b.ratio.median, 2)}× (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}); goal ≥ 0.7×; ` +
          `counted only (no results cross Redis): ${fmt(b.counted.ratio.median, 2)}×. ` +
          `Cluster pool start-up (connect, clock, agents; not in the wall): median ${fmt(b.clusterStartupMs.median, 1)} ms. ` +
          `Auto chunk size: threads ${big.threads[0].chunkSize}, cluster ${big.cluster[0].chunkSize} task(s) of 2,035,800 tuples (14 MB packed each). Per chunk: enqueue → pick-up ${fmt(b.pickupMs.cluster, 1)} ms ` +
          `(threads ${fmt(b.pickupMs.threads, 1)}), reply → arrival ${fmt(b.returnMs.cluster, 1)} ms ` +
          `(threads ${fmt(b.returnMs.threads, 1)}). Digest ${digestChecked.slice(0, 8)}… = Python's.`
      ].join('\n')
    )
    results.loadAverage.afterBig = os.loadavg()

    // c. Redis per-operation costs and capacity.
    log(`redis-benchmark (load ${loadNow()})`)
    // What moving one 8.1 M-tuple chunk's reply (14 MB) costs by itself: SET from one client, GET
    // and DEL from another, as the agent and the coordinator do.
    const reply = Buffer.alloc(2_035_800 * 7, 7)
    const other = new Redis(redis.port, '127.0.0.1')
    const setMs = []
    const getMs = []
    for (let i = 0; i < options.runs; i++) {
      let t = performance.now()
      await admin.set('bench:reply', reply)
      setMs.push(performance.now() - t)
      t = performance.now()
      const got = await other.multi().getBuffer('bench:reply').del('bench:reply').exec()
      getMs.push(performance.now() - t)
      if (got[0][1].length !== reply.length) throw new Error('the 14 MB value came back short')
    }
    other.disconnect()
    // A pipeline of 1,000 small SETs: Redis's per-command cost without a round trip each.
    const pipelineUs = []
    for (let i = 0; i < options.runs; i++) {
      const pipe = admin.pipeline()
      for (let k = 0; k < 1000; k++) pipe.set(`bench:small:${k}`, 'x')
      const t = performance.now()
      await pipe.exec()
      pipelineUs.push(performance.now() - t)
    }
    results.sections.transfer = {
      bytes: reply.length,
      setMs: stats(setMs),
      getDelMs: stats(getMs),
      pipelinedSetUs: stats(pipelineUs)
    }
    const latency = redisBenchmark(redis.port, 1, 20_000)
    const capacity = redisBenchmark(redis.port, 50, 100_000)
    results.sections.redisBenchmark = { oneClient: latency, fiftyClients: capacity }
    const cluster1 = dispatchRows.find((r) => r.backend === 'cluster' && r.chunkSize === 1)
    const callsPerChunk = cluster1.redisCallsPerChunk
    const usPerChunk = cluster1.redisUsPerChunk
    const opsCapacity = capacity ? median(Object.values(capacity).map((c) => c.rps)) : null
    // Chunks a second one Redis can take: one second of its CPU (its commands run on one thread)
    // over the CPU a chunk cost it, network reads and writes included.
    const chunksPerSecond = 1e6 / usPerChunk
    results.sections.capacity = { callsPerChunk, usPerChunk, opsCapacity, chunksPerSecond }
    const paper = [16, 64, 256, 1024].map((threads) => {
      // A thread finishing chunks of W ms of work asks 1000 / W chunks a second; the queue is the
      // limit when threads × 1000 / W reaches chunksPerSecond; under 10%: W ≥ threads × 1000 / (0.1 × capacity).
      const limitW = (threads * 1000) / chunksPerSecond
      const tenPercentW = (threads * 1000) / (0.1 * chunksPerSecond)
      return { threads, queueBoundBelowMs: limitW, tenPercentChunkMs: tenPercentW }
    })
    results.sections.paper = paper
    const benchRows = latency
      ? Object.keys(latency).map((name) =>
          row([name, fmt(latency[name].p50Ms * 1000, 0), fmt(capacity?.[name]?.rps ?? NaN, 0)])
        )
      : ['| redis-benchmark not found | | |']
    tables.push(
      [
        '### c. Redis per operation, and how many threads one Redis serves (on paper)',
        '',
        row(['command', 'p50 round trip, 1 client (µs)', 'requests/s, 50 clients']),
        row(['---', '---:', '---:']),
        ...benchRows,
        '',
        `One cluster chunk costs Redis ${fmt(callsPerChunk, 1)} commands (those BullMQ's scripts call included) ` +
          `and ${fmt(usPerChunk, 0)} µs of its CPU (INFO cpu, chunk size 1); one Redis then takes at most ` +
          `${fmt(chunksPerSecond, 0)} chunks a second. For scale: plain commands from 50 clients ran at a median ` +
          `${fmt(opsCapacity, 0)} a second, i.e. ${fmt(1e6 / opsCapacity, 1)} µs each; 1,000 SETs in one ioredis pipeline: ` +
          `${fmt(results.sections.transfer.pipelinedSetUs.median, 1)} µs each. ` +
          `A 14 MB reply by itself (the 8.1 M-tuple job's chunk): SET ${fmt(results.sections.transfer.setMs.median, 1)} ms, ` +
          `GET + DEL from another client ${fmt(results.sections.transfer.getDelMs.median, 1)} ms (medians).`,
        '',
        row([
          'lane threads',
          'queue is the limit for chunks shorter than (ms of work)',
          'chunk work for < 10% of Redis (ms)'
        ]),
        row(['---:', '---:', '---:']),
        ...paper.map((p) => row([p.threads, fmt(p.queueBoundBelowMs, 2), fmt(p.tenPercentChunkMs, 1)]))
      ].join('\n')
    )
    results.loadAverage.end = os.loadavg()
  } finally {
    await engine.dispose()
    for (const agent of agents) agent.proc.kill('SIGINT')
    await Promise.race([Promise.all(agents.map((a) => a.exited)), new Promise((r) => setTimeout(r, 5000))])
    for (const agent of agents) agent.proc.kill('SIGKILL')
    admin.disconnect()
    redis.proc.kill('SIGKILL')
    await redis.exited
  }
  results.machine = machine(sources)
  console.log(
    `Load average: start ${results.loadAverage.start.map((x) => x.toFixed(2)).join(' ')}, end ${results.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}\n`
  )
  console.log(tables.join('\n\n'))
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
  writeFileSync(
    join(import.meta.dirname, 'results', 'cluster-latest.json'),
    JSON.stringify(results, null, 1) + '\n'
  )
}

await main()
// Whatever the clients left behind (a reconnect timer of a connection to the Redis this bench has
// stopped) must not keep the bench alive once its figures are written.
const left = process.getActiveResourcesInfo().filter((what) => what !== 'TTYWrap')
if (left.length > 0) log(`exiting with ${left.length} resources still open: ${left.join(', ')}`)
process.exit(0)
