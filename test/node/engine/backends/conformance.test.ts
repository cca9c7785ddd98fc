// One suite, every back end: the same jobs give the same results and digests (Python's), the same
// faults fail the same tasks with the same messages, cancel is prompt and keeps what was computed,
// timestamps are on the job clock, pools are reused and disposed of without leftovers.
import { createHash } from 'node:crypto'
import { copyFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backend, LaneLabel } from '../../../../src/main/engine/backends/backend'
import { CANCEL_GRACE_MS, CHILD_FILE_NAME } from '../../../../src/main/engine/backends/processes/processes'
import { Engine } from '../../../../src/main/engine/engine'
import type { Job } from '../../../../src/main/engine/job'
import { mapCellSpec, starmapCellSpec } from '../../../../src/main/cli/notebookCommand'
import { POOL_BYTES_PER_PROCESS, POOL_BYTES_PER_THREAD, poolBytes } from '../../../../src/shared/memory'
import type { BackendKind, JobSpecInput } from '../../../../src/shared/spec'
import { faultyWorkerFile, nodeOutDir, workerFile } from '../../../paths'
import { Agent } from '../../../../src/main/cluster/agent'
import type { ClusterBackend } from '../../../../src/main/engine/backends/cluster/cluster'
import { redisAvailable, startRedis, type RedisServer } from './redisServer'
import { golden, type ArgsCase, type NotebookCase } from '../../cli/cliHarness'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
// The cluster joins where a redis-server can be started (CI installs one and requires it in the
// cluster suites): two agents of one thread each in this process, on a throwaway Redis.
const BACKEND_KINDS: BackendKind[] = redisAvailable()
  ? ['threads', 'processes', 'cluster']
  : ['threads', 'processes']
const LANES = 2

/** SHA-256 of `json.dumps(results, separators=(',', ':'))`, as the CLI's digest. */
function digestOf(job: Job): string {
  const hash = createHash('sha256')
  for (const slice of job.results.jsonChunks()) hash.update(slice)
  return hash.digest('hex')
}

/** The engine's warm back end (a private field: the suite looks behind the engine on purpose). */
function poolOf(engine: Engine): Backend {
  const pool = (engine as unknown as { pool: Backend | null }).pool
  if (!pool) throw new Error('the engine has no pool')
  return pool
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ESRCH')
    return false
  }
}

/** Tasks whose element counts pick faults in test/fixtures/faultyWorker.ts (13 throws, 17 exits, 19 sleeps 20 ms, 23 fills the heap, 29 never ends). */
function tasksOf(backend: BackendKind, sizes: number[], extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    workload: 'combinations',
    style: 'map',
    threads: LANES,
    backend,
    chunkSize: 1,
    inputs: { kind: 'args', args: sizes.map(range) },
    ...extra
  }
}

const argsCases = golden<ArgsCase[]>('args-digests.json').filter((c) => !c.large)
const notebookCases = golden<NotebookCase[]>('notebook.json').filter((c) => c.threads === LANES)
const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest
/** Digests of jobs run on every back end, to compare them across back ends at the end. */
const digests = new Map<string, Map<BackendKind, string>>()
function record(name: string, backend: BackendKind, digest: string): void {
  if (!digests.has(name)) digests.set(name, new Map())
  digests.get(name)?.set(backend, digest)
}

beforeAll(() => {
  // The processes back end finds its child entry beside the worker; the fault-injecting worker is
  // bundled apart (test/globalSetup.ts), so the child entry goes beside it too.
  copyFileSync(join(nodeOutDir, CHILD_FILE_NAME), join(dirname(faultyWorkerFile), CHILD_FILE_NAME))
})

describe.each(BACKEND_KINDS)('the %s back end', (backend) => {
  let engine: Engine
  let faulty: Engine
  /** On the cluster: a Redis and two agents for each engine (the faulty one's run the fault-injecting worker). */
  const redisOf = new Map<Engine, RedisServer>()
  const agents: Agent[] = []
  beforeAll(async () => {
    engine = new Engine({ workerFile, hardwareThreads: LANES })
    faulty = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: LANES, workerHeapLimitMb: 64 })
    if (backend !== 'cluster') return
    for (const [on, file, heapLimitMb] of [
      [engine, workerFile, undefined],
      [faulty, faultyWorkerFile, 64]
    ] as const) {
      const redis = await startRedis()
      redisOf.set(on, redis)
      for (const name of ['agent-a', 'agent-b'])
        agents.push(await Agent.start({ redis: redis.url, threads: 1, name, workerFile: file, heapLimitMb }))
    }
  }, 30_000)
  afterAll(async () => {
    await engine.dispose()
    await faulty.dispose()
    await Promise.all(agents.map((agent) => agent.stop()))
    await Promise.all([...redisOf.values()].map((redis) => redis.stop()))
  })

  /** The spec on this back end (on the cluster, with the engine's Redis). */
  function on(spec: JobSpecInput, engineOf = engine): JobSpecInput {
    const redis = redisOf.get(engineOf)
    return { ...spec, backend, ...(redis ? { redis: redis.url } : {}) }
  }

  async function run(spec: JobSpecInput, engineOf = engine): Promise<Job> {
    const job = await engineOf.start(on(spec, engineOf))
    await job.done
    return job
  }

  describe('results', () => {
    it("gives the notebook's map cell Python's digest", async () => {
      const job = await run(mapCellSpec(LANES))
      expect((await job.done).status).toBe('done')
      const digest = digestOf(job)
      expect(digest).toBe(mapDigest)
      record('map', backend, digest)
    })

    it("prints the notebook's starmap cells as Python does, and digests seed 2023's", async () => {
      for (const c of notebookCases.filter((x) => x.cell === 'starmap')) {
        const job = await run(starmapCellSpec(LANES, c.seed as number))
        const printed = range(job.plan.taskCount).map((task) => job.results.taskText(task))
        // The golden starts with print(data[-1]) and the two header lines.
        expect(printed).toEqual(c.lines.slice(3))
        record(`starmap-${c.seed}`, backend, digestOf(job))
      }
      const job = await run(starmapCellSpec(LANES, 2023))
      expect(job.summary()).toMatchObject({ status: 'done', tasksDone: 2 * LANES })
      record('starmap-2023', backend, digestOf(job))
    })

    it("gives every golden args file Python's digest", async () => {
      for (const c of argsCases) {
        const job = await run({
          workload: c.workload,
          style: c.style,
          threads: LANES,
          inputs: { kind: 'args', args: c.args }
        } as JobSpecInput)
        expect(job.summary()).toMatchObject({ status: 'done', tasksDone: c.tasks, tuplesProduced: c.tuples })
        expect(digestOf(job), c.name).toBe(c.digest)
      }
    })

    it('runs the values workloads: count_primes gives the eight counts of 0:1000000, busy_wait its durations', async () => {
      const primes = await run({
        workload: 'count_primes',
        style: 'starmap',
        threads: LANES,
        inputs: { kind: 'recipe', span: [0, 1_000_000], tasks: 8 }
      })
      const counts = JSON.parse(Buffer.concat([...primes.results.jsonChunks()]).toString()) as number[]
      expect(counts).toEqual([11734, 10310, 9860, 9634, 9448, 9252, 9210, 9050])
      record('count-primes', backend, digestOf(primes))
      const spin = await run({
        workload: 'busy_wait',
        style: 'map',
        threads: LANES,
        inputs: { kind: 'recipe', ms: [3], tasks: 4 }
      })
      for (let task = 0; task < 4; task++)
        expect(Number(spin.results.taskText(task))).toBeGreaterThanOrEqual(3)
      // Whole microseconds: every finished task counts its full 3,000.
      expect(spin.progress()).toMatchObject({ tasksDone: 4, workDone: 12_000, workTotal: 12_000 })
    })

    it('puts every timestamp on the job clock and every task on a lane 0..lanes-1', async () => {
      const job = await run({
        workload: 'combinations_n',
        style: 'starmap',
        threads: LANES,
        chunkSize: 50,
        inputs: { kind: 'recipe', elements: range(12), n: [3, 4, 5], seed: 7, tasks: 2000 }
      })
      const summary = await job.done
      expect(summary.status).toBe('done')
      const { start, end, lane } = job.timings
      const lanesSeen = new Set<number>()
      let outside = 0
      // Both clocks read in ms with µs resolution: allow a microsecond of rounding; on a cluster,
      // also what each agent's clock offset may be off by (measured against Redis's clock).
      const slack =
        0.001 +
        (backend === 'cluster'
          ? Math.max(...(poolOf(engine) as ClusterBackend).clocks().map((c) => c.uncertaintyMs))
          : 0)
      for (let task = 0; task < summary.taskCount; task++) {
        if (!(start[task] >= -slack && end[task] >= start[task] && end[task] <= summary.wallMs + slack))
          outside++
        lanesSeen.add(lane[task])
      }
      expect(outside).toBe(0)
      expect([...lanesSeen].sort()).toEqual(range(LANES))
      for (const parts of summary.laneTime) expect(parts.tasksMs).toBeGreaterThan(0)
    })

    it('labels its lanes: its own processes for processes, this process for threads, agents for the cluster', async () => {
      const job = await run(mapCellSpec(LANES))
      const labels: LaneLabel[] = poolOf(engine).laneLabels()
      expect(labels.map((label) => label.lane)).toEqual(range(LANES))
      // The job's summary names who ran each lane, as the front doors show it.
      expect(job.summary().lanes).toEqual(labels)
      for (const label of labels) {
        expect(label.threadId).toBeGreaterThan(0)
        expect(Number.isFinite(label.clockOffsetMs)).toBe(true)
      }
      const pids = labels.map((label) => label.pid)
      if (backend === 'cluster') {
        // Two agents in this process, a lane each, named by agent; one clock, so offsets are
        // within what was measured.
        expect(labels.map((label) => label.host)).toEqual(['agent-a', 'agent-b'])
        expect(pids).toEqual(labels.map(() => process.pid))
        for (const label of labels)
          expect(Math.abs(label.clockOffsetMs)).toBeLessThanOrEqual((label.clockUncertaintyMs ?? 0) + 1)
      } else if (backend === 'threads') {
        expect(pids).toEqual(labels.map(() => process.pid))
        expect(labels.every((label) => label.clockOffsetMs === 0)).toBe(true)
      } else {
        expect(new Set(pids).size).toBe(LANES)
        expect(pids).not.toContain(process.pid)
        // Processes on one machine read the same clock: their offsets are well under a millisecond.
        for (const label of labels) expect(Math.abs(label.clockOffsetMs)).toBeLessThan(5)
      }
    })
  })

  describe('faults', () => {
    it('fails a task that throws alone, with its message', async () => {
      const job = await run(tasksOf(backend, [6, 13, 7]), faulty)
      const summary = await job.done
      expect(summary).toMatchObject({ status: 'failed', tasksDone: 2, tasksFailed: 1 })
      expect(summary.failures).toEqual([{ task: 1, message: 'Error: boom on purpose' }])
      expect(job.results.row(2)).toMatchObject({ status: 'done', count: 21 })
    })

    it('fails the tasks of a worker that exits, and the job goes on with a replacement', async () => {
      const job = await run(tasksOf(backend, [6, 17, 7, 6, 8, 6]), faulty)
      const summary = await job.done
      expect(summary).toMatchObject({ status: 'failed', tasksDone: 5, tasksFailed: 1 })
      expect(summary.failures).toHaveLength(1)
      expect(summary.failures[0].task).toBe(1)
      expect(summary.failures[0].message).toMatch(/^the worker stopped while running this task: .*exited/)
      expect(job.results.row(4)).toMatchObject({ status: 'done', count: 28 })
      const next = await run(tasksOf(backend, [6, 6, 6, 6]), faulty)
      expect(next.summary()).toMatchObject({ status: 'done', tuplesProduced: 60 })
    })

    it('fails a task that fills its heap with a message naming the heap limit', async () => {
      const job = await run(tasksOf(backend, [6, 23, 7]), faulty)
      const summary = await job.done
      expect(summary.status).toBe('failed')
      expect(summary.failures).toEqual([
        {
          task: 1,
          message:
            "ran out of memory: it reached the worker's 64 MB heap limit; its worker thread was replaced"
        }
      ])
      expect(job.results.row(2)).toMatchObject({ status: 'done', count: 21 })
    })

    it('stops an endless task at the task timeout, and the job continues', async () => {
      const job = await run(tasksOf(backend, [6, 29, 7, 6], { taskTimeoutMs: 300 }), faulty)
      const summary = await job.done
      expect(summary).toMatchObject({ status: 'failed', tasksDone: 3, tasksFailed: 1 })
      expect(summary.failures).toEqual([
        {
          task: 1,
          message: 'ran longer than the 300 ms task timeout; it was stopped and its worker thread replaced'
        }
      ])
      expect(summary.wallMs).toBeGreaterThan(300)
      expect(summary.wallMs).toBeLessThan(3000)
      const next = await run(tasksOf(backend, [6, 6, 6, 6]), faulty)
      expect(next.summary()).toMatchObject({ status: 'done', tuplesProduced: 60 })
    })
  })

  describe('cancel', () => {
    it('stops a long job promptly and keeps what was computed intact', async () => {
      // 200 tasks that sleep 20 ms each: about 2 s on two lanes.
      const job = await faulty.start(on(tasksOf(backend, Array(200).fill(19), { chunkSize: 4 }), faulty))
      await expect.poll(() => job.progress().tasksDone, { timeout: 5000, interval: 10 }).toBeGreaterThan(10)
      const cancelledAt = performance.now()
      job.cancel()
      const summary = await job.done
      expect(performance.now() - cancelledAt).toBeLessThan(1000)
      expect(summary.status).toBe('cancelled')
      expect(summary.partial).toBe(true)
      expect(summary.tasksDone).toBeGreaterThan(10)
      expect(summary.tasksDone).toBeLessThan(200)
      expect(summary.tasksFailed).toBe(0)
      const pairs = job.results.taskText(0)
      let done = 0
      for (let task = 0; task < 200; task++) {
        if (job.results.statusOf(task) !== 'done') continue
        done++
        expect(job.results.taskText(task)).toBe(pairs)
      }
      expect(done).toBe(summary.tasksDone)
      expect(job.results.row(0)).toMatchObject({ status: 'done', count: 171 })
    })

    it('stops a long CPU-bound task midway within its checks', async () => {
      // 400 tasks of all 7-combinations of range(30), counted only: many seconds on two lanes.
      const job = await engine.start(
        on({
          workload: 'combinations_n',
          style: 'starmap',
          threads: LANES,
          keep: 'count',
          inputs: { kind: 'recipe', elements: range(30), n: [7], tasks: 400 }
        })
      )
      await expect.poll(() => job.progress().tuplesDone, { timeout: 5000, interval: 10 }).toBeGreaterThan(0)
      const cancelledAt = performance.now()
      job.cancel()
      const summary = await job.done
      expect(performance.now() - cancelledAt).toBeLessThan(1000)
      expect(summary).toMatchObject({ status: 'cancelled', tasksFailed: 0 })
      expect(summary.tasksDone).toBeLessThan(400)
    })

    // A thread's endless task cannot be reached by a cancel flag; only a task timeout stops it on
    // the threads back end. A child process can be killed: the processes back end does so.
    it.runIf(backend === 'processes')(
      'kills a child stuck in an endless task after the grace period, and the next job runs',
      async () => {
        const job = await faulty.start(tasksOf(backend, [29, 6, 6, 6, 6, 6]))
        await expect
          .poll(() => job.progress().tasksDone, { timeout: 5000, interval: 10 })
          .toBeGreaterThanOrEqual(5)
        const stuckPid = poolOf(faulty).laneLabels()[0].pid
        const cancelledAt = performance.now()
        job.cancel()
        const summary = await job.done
        const took = performance.now() - cancelledAt
        expect(took).toBeGreaterThanOrEqual(CANCEL_GRACE_MS - 5)
        expect(took).toBeLessThan(CANCEL_GRACE_MS + 1000)
        expect(summary).toMatchObject({ status: 'cancelled', tasksDone: 5, tasksFailed: 1 })
        expect(summary.failures[0]).toEqual({
          task: 0,
          message: `the worker stopped while running this task: it did not stop within ${CANCEL_GRACE_MS} ms of the cancel; its process was killed`
        })
        expect(
          poolOf(faulty)
            .laneLabels()
            .map((label) => label.pid)
        ).not.toContain(stuckPid)
        const next = await run(tasksOf(backend, [6, 6, 6, 6]), faulty)
        expect(next.summary()).toMatchObject({ status: 'done', tuplesProduced: 60 })
      }
    )

    it.runIf(backend === 'processes')(
      'fails the chunk of a child killed from outside, and the job goes on with a replacement',
      async () => {
        const job = await faulty.start(tasksOf(backend, Array(40).fill(19), { chunkSize: 2 }))
        await expect.poll(() => job.progress().tasksDone, { timeout: 5000, interval: 5 }).toBeGreaterThan(2)
        const victim = poolOf(faulty).laneLabels()[1].pid
        process.kill(victim, 'SIGKILL')
        const summary = await job.done
        expect(summary.status).toBe('failed')
        expect(summary.tasksDone + summary.tasksFailed).toBe(40)
        expect(summary.tasksFailed).toBeGreaterThanOrEqual(1)
        expect(summary.tasksFailed).toBeLessThanOrEqual(2)
        expect(summary.failures.some((f) => /the worker process was killed by SIGKILL/.test(f.message))).toBe(
          true
        )
        const labels = poolOf(faulty).laneLabels()
        expect(labels.map((label) => label.pid)).not.toContain(victim)
        expect(labels.map((label) => label.lane)).toEqual(range(LANES))
      }
    )
  })
})

describe('across back ends', () => {
  it('reports every back end as available outside the packaged desktop app, custom code on each', () => {
    const engine = new Engine({ workerFile, hardwareThreads: LANES })
    expect(engine.info().backends).toEqual([
      { name: 'threads', available: true, reason: null },
      { name: 'processes', available: true, reason: null },
      // Whether agents are up is known only with a Redis URL: at start, or from cluster.agents.
      { name: 'cluster', available: true, reason: null }
    ])
    expect(engine.info().customCode.backends).toEqual(['threads', 'processes', 'cluster'])
  })

  it('gives the same digests on every back end', () => {
    expect([...digests.keys()].sort()).toEqual([
      'count-primes',
      'map',
      'starmap-0',
      'starmap-2023',
      'starmap-42'
    ])
    for (const [name, byBackend] of digests) {
      expect([...byBackend.keys()], name).toEqual(BACKEND_KINDS)
      expect(byBackend.get('processes'), name).toBe(byBackend.get('threads'))
      if (BACKEND_KINDS.includes('cluster'))
        expect(byBackend.get('cluster'), name).toBe(byBackend.get('threads'))
    }
  })

  it('reuses a pool for the same back end and size, and starts a new one when the back end changes', async () => {
    const engine = new Engine({ workerFile, hardwareThreads: LANES })
    try {
      const poolFacts = async (backend: BackendKind) => {
        const summary = await (await engine.start({ ...mapCellSpec(LANES), backend })).done
        return { reused: summary.poolReused, started: summary.poolStartupMs > 0, kind: poolOf(engine).kind }
      }
      expect(await poolFacts('threads')).toEqual({ reused: false, started: true, kind: 'threads' })
      expect(await poolFacts('threads')).toEqual({ reused: true, started: false, kind: 'threads' })
      expect(await poolFacts('processes')).toEqual({ reused: false, started: true, kind: 'processes' })
      const pids = poolOf(engine)
        .laneLabels()
        .map((label) => label.pid)
      expect(await poolFacts('processes')).toEqual({ reused: true, started: false, kind: 'processes' })
      expect(
        poolOf(engine)
          .laneLabels()
          .map((label) => label.pid)
      ).toEqual(pids)
      // Switching back stops the children.
      expect(await poolFacts('threads')).toEqual({ reused: false, started: true, kind: 'threads' })
      expect(pids.filter(isAlive)).toEqual([])
    } finally {
      await engine.dispose()
    }
  })

  it('hears of a processes child that dies while idle, replaces it and runs the next job', async () => {
    const heard: string[] = []
    const engine = new Engine({
      workerFile,
      hardwareThreads: LANES,
      onPoolError: (error) => heard.push(error.message)
    })
    try {
      await (
        await engine.start({ ...mapCellSpec(LANES), backend: 'processes' })
      ).done
      const [victim] = poolOf(engine).laneLabels()
      process.kill(victim.pid, 'SIGKILL')
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(['the worker process was killed by SIGKILL'])
      const next = await (await engine.start({ ...mapCellSpec(LANES), backend: 'processes' })).done
      expect(next).toMatchObject({ status: 'done', poolReused: true, tuplesProduced: 60 })
      const labels = poolOf(engine).laneLabels()
      expect(labels[victim.lane].pid).not.toBe(victim.pid)
      expect(isAlive(victim.pid)).toBe(false)
    } finally {
      await engine.dispose()
    }
  })

  it('counts a pool of processes against the memory budget at its own, larger size', async () => {
    const engine = new Engine({ workerFile, hardwareThreads: LANES })
    try {
      const planned = async (backend: BackendKind) =>
        BigInt((await engine.plan({ ...mapCellSpec(LANES), backend })).summary.memoryBytes)
      expect(await planned('processes')).toBe(
        (await planned('threads')) + BigInt(LANES * (POOL_BYTES_PER_PROCESS - POOL_BYTES_PER_THREAD))
      )
      await (
        await engine.start({ ...mapCellSpec(LANES), backend: 'processes' })
      ).done
      expect(engine.memory().poolBytes).toBe(poolBytes(LANES, 'processes'))
    } finally {
      await engine.dispose()
    }
  })

  it('leaves no child process alive after dispose, even with a child stuck in an endless task', async () => {
    const engine = new Engine({ workerFile: faultyWorkerFile, hardwareThreads: LANES })
    const job = await engine.start(tasksOf('processes', [29, 6]))
    await expect.poll(() => job.progress().tasksDone, { timeout: 5000, interval: 10 }).toBe(1)
    const pids = poolOf(engine)
      .laneLabels()
      .map((label) => label.pid)
    expect(pids.every(isAlive)).toBe(true)
    // Dispose cancels the job: the stuck child is killed after the grace period, then all exit.
    await engine.dispose()
    expect(pids.filter(isAlive)).toEqual([])
  })
})
