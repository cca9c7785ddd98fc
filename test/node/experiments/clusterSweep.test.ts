// Sweeps across agents: each point of a cluster sweep is a cluster job with that many lanes on the
// agents registered at the spec's Redis (here a throwaway redis-server and two 1-thread agents in
// this process), with the same results as on threads; one sweep can compare threads with cluster.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../src/main/cluster/agent'
import { Engine } from '../../../src/main/engine/engine'
import type { Job } from '../../../src/main/engine/job'
import { prepareSweep, startSweep } from '../../../src/main/experiments/startSweep'
import type { SweepReport } from '../../../src/main/cli/sweepOutput'
import { workerFile } from '../../paths'
import { golden, runCli, type ArgsCase } from '../cli/cliHarness'
import { redisAvailable, startRedis, type RedisServer } from '../engine/backends/redisServer'

const available = redisAvailable()
/** The notebook's map cell (4 tasks of all pairs of range(6)): Python's digest. */
const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest
const MAP_CELL = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 4 }
}

function digestOf(job: Job): string {
  const hash = createHash('sha256')
  for (const slice of job.results.jsonChunks()) hash.update(slice)
  return hash.digest('hex')
}

describe.skipIf(!available)(
  `sweeps on the cluster back end${available ? '' : ' (skipped: no redis-server on PATH)'}`,
  () => {
    let redis: RedisServer
    let agents: Agent[]
    let engine: Engine
    beforeAll(async () => {
      redis = await startRedis()
      agents = await Promise.all(
        ['sweep-a', 'sweep-b'].map((name) => Agent.start({ redis: redis.url, threads: 1, name, workerFile }))
      )
      engine = new Engine({ workerFile, hardwareThreads: 2 })
    }, 30_000)
    afterAll(async () => {
      await engine?.dispose()
      await Promise.all((agents ?? []).map((agent) => agent.stop()))
      await redis?.stop()
    })

    /** The jobs the sweep starts (the runner forgets each once measured; its results stay readable). */
    function recordJobs(): Job[] {
      const jobs: Job[] = []
      const start = Engine.prototype.start.bind(engine)
      engine.start = async (...args) => {
        const job = await start(...args)
        jobs.push(job)
        return job
      }
      return jobs
    }

    it('runs every point as a cluster job with that many lanes, with Python’s digest', async () => {
      const jobs = recordJobs()
      const sweep = await startSweep(
        engine,
        { ...MAP_CELL, backend: 'cluster', redis: redis.url },
        { threads: [1, 2], repeat: 2, maxSeconds: 1, keepResults: true }
      )
      const result = await sweep.done
      expect(result.status, result.message ?? '').toBe('done')
      expect(result.options.backends).toEqual(['cluster'])
      expect(result.points.map((p) => [p.backend, p.threads])).toEqual([
        ['cluster', 1],
        ['cluster', 2]
      ])
      for (const point of result.points) {
        expect(point.runs.length).toBeGreaterThanOrEqual(2)
        // The work runs on the agents: this machine's other load cannot be told from theirs.
        for (const run of point.runs) expect(run.outsideCores).toBeNull()
      }
      // Warm-ups and measured runs: every one on the cluster, with the spec's Redis and its lanes.
      expect(jobs.length).toBeGreaterThanOrEqual(6)
      for (const job of jobs) {
        expect(job.plan.spec.backend).toBe('cluster')
        expect(job.plan.spec.redis).toBe(redis.url)
        expect(digestOf(job)).toBe(mapDigest)
        const labels = job.laneLabels()
        expect(labels).toHaveLength(job.plan.threads)
        if (job.plan.threads === 2) expect(labels.map((l) => l.host)).toEqual(['sweep-a', 'sweep-b'])
      }
      expect(new Set(jobs.map((job) => job.plan.threads))).toEqual(new Set([1, 2]))
    }, 60_000)

    it('compares threads with cluster in one sweep, the Redis going with the cluster points only', async () => {
      const jobs = recordJobs()
      const sweep = await startSweep(
        engine,
        { ...MAP_CELL, backend: 'cluster', redis: redis.url },
        { threads: [1, 2], backends: ['threads', 'cluster'], repeat: 1, maxSeconds: 1, keepResults: true }
      )
      const result = await sweep.done
      expect(result.status, result.message ?? '').toBe('done')
      expect(new Set(result.points.map((p) => `${p.backend} ${p.threads}`))).toEqual(
        new Set(['threads 1', 'threads 2', 'cluster 1', 'cluster 2'])
      )
      const on = (kind: string) => jobs.filter((job) => job.plan.spec.backend === kind)
      expect(on('threads').length).toBeGreaterThanOrEqual(4)
      expect(on('cluster').length).toBeGreaterThanOrEqual(4)
      for (const job of on('threads')) expect(job.plan.spec.redis).toBeUndefined()
      for (const job of jobs) expect(digestOf(job)).toBe(mapDigest)
    }, 60_000)

    it('refuses a cluster point without a Redis URL, naming the point', async () => {
      await expect(
        prepareSweep(engine, MAP_CELL, { threads: [1, 2], backends: ['cluster'] })
      ).rejects.toThrow('sweep at 1 cluster: the cluster back end needs redis')
    })

    it('lets a cluster sweep go beyond this machine’s thread cap: the lanes are the agents’', async () => {
      const setup = await prepareSweep(
        engine,
        { ...MAP_CELL, backend: 'cluster', redis: redis.url },
        { threads: [1, 64] }
      )
      expect(setup.options.threads).toEqual([1, 64])
      await expect(prepareSweep(engine, MAP_CELL, { threads: [1, 64] })).rejects.toThrow(
        'threads: 64 is more than this machine allows'
      )
    })

    it('runs from the CLI: poolscope sweep --backend cluster --redis URL', async () => {
      const result = await runCli([
        'sweep',
        '--workload',
        'combinations',
        '--elements',
        '0..5',
        '--tasks',
        '4',
        '--backend',
        'cluster',
        '--redis',
        redis.url,
        '--threads',
        '1,2',
        '--repeat',
        '1',
        '--max-seconds',
        '1',
        '--json'
      ])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const report = JSON.parse(result.stdout) as SweepReport
      expect(report.status).toBe('done')
      expect(report.spec.backend).toBe('cluster')
      expect(report.spec.redis).toBe(redis.url)
      expect(report.points.map((p) => [p.backend, p.threads])).toEqual([
        ['cluster', 1],
        ['cluster', 2]
      ])
      expect(report.points.every((p) => p.medianMs !== null && p.medianMs > 0)).toBe(true)
    }, 60_000)

    it('poolscope run says what a cluster job’s queue operations cost and which chunk size keeps them under 5%', async () => {
      // 400 tiny tasks in chunks of 1: a few ms of queue work per chunk against microseconds of work.
      const args = [
        'run',
        '--workload',
        'combinations',
        '--elements',
        '0..2',
        '--tasks',
        '400',
        '--chunksize',
        '1'
      ]
      const result = await runCli([...args, '--backend', 'cluster', '--redis', redis.url, '--threads', '2'])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const line = result.stdout.split('\n').find((l) => l.startsWith('Queue: '))
      expect(line).toMatch(
        /^Queue: queue operations take about \d+% of the work \(400 chunks × \d+\.\d\d ms\), more than 5\.0%; /
      )
      // Even one chunk per lane costs more than 5% of so little work.
      expect(line).toContain('even chunks of 200 tasks (one per lane) leave')
      expect(line).toMatch(
        /per chunk \d+\.\d\d ms enqueue → pick-up \+ \d+\.\d\d ms reply → arrival \(medians\)$/
      )
      // Other back ends have no queue line.
      const local = await runCli([...args, '--threads', '2'])
      expect(local.code).toBe(0)
      expect(local.stdout).not.toContain('Queue: ')
    }, 60_000)

    it('refuses --redis on a sweep that is not on the cluster back end', async () => {
      const stray = await runCli(['sweep', '--redis', redis.url, '--threads', '1'])
      expect(stray.code).toBe(2)
      expect(stray.stderr).toContain('--redis: is only for --backend cluster')
      const wrong = await runCli(['sweep', '--backend', 'agents', '--threads', '1'])
      expect(wrong.code).toBe(2)
      expect(wrong.stderr).toContain('must be threads, processes, cluster or both (got "agents")')
    })
  }
)
