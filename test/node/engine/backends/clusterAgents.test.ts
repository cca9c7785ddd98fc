// The cluster back end with its agents as real processes (`poolscope agent`), as a user runs them:
// the CLI's digest is Python's, and an agent killed with SIGKILL mid-job loses no chunk: BullMQ
// hands its chunk to the other agent and the job ends with the threads back end's digest.
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backend } from '../../../../src/main/engine/backends/backend'
import type { ClusterBackend } from '../../../../src/main/engine/backends/cluster/cluster'
import { Engine } from '../../../../src/main/engine/engine'
import type { Job } from '../../../../src/main/engine/job'
import type { JobSpecInput } from '../../../../src/shared/spec'
import { workerFile } from '../../../paths'
import { captureStream, golden, parseReport, runCli, type ArgsCase } from '../../cli/cliHarness'
import { killWhileHolding, startAgentProcess, type AgentProcess } from './agentProcess'
import { redisAvailable, startRedis, type RedisServer } from './redisServer'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const available = redisAvailable()
const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest

function digestOf(job: Job): string {
  const hash = createHash('sha256')
  for (const slice of job.results.jsonChunks()) hash.update(slice)
  return hash.digest('hex')
}

describe.skipIf(!available)(
  `poolscope agent processes${available ? '' : ' (skipped: no redis-server on PATH; apt-get install redis-server)'}`,
  () => {
    let redis: RedisServer
    const agents: AgentProcess[] = []
    beforeAll(async () => {
      redis = await startRedis()
      agents.push(
        ...(await Promise.all(['proc-a', 'proc-b'].map((name) => startAgentProcess(redis.url, name))))
      )
    }, 40_000)
    afterAll(async () => {
      for (const agent of agents) agent.proc.kill('SIGKILL')
      await Promise.all(agents.map((agent) => agent.exited))
      await redis?.stop()
    })

    it("runs the notebook's map cell from the CLI with Python's digest", async () => {
      const result = await runCli([
        'run',
        '--backend',
        'cluster',
        '--redis',
        redis.url,
        '--threads',
        '2',
        '--json'
      ])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const report = parseReport(result)
      expect(report.spec.backend).toBe('cluster')
      expect(report.digest).toBe(mapDigest)
    })

    it('waits for an agent, saying so on stderr, and ends with the digest once one starts', async () => {
      const own = await startRedis()
      const stderr = captureStream()
      let late: AgentProcess | null = null
      try {
        const running = runCli(
          ['run', '--backend', 'cluster', '--redis', own.url, '--threads', '2', '--json'],
          {
            stderr
          }
        )
        await expect
          .poll(() => stderr.text(), { timeout: 10_000 })
          .toBe(
            `waiting for a PoolScope agent: none is registered at ${own.url}; ` +
              `start one with poolscope agent --redis ${own.url} (Ctrl-C cancels)\n`
          )
        late = await startAgentProcess(own.url, 'late')
        const result = await running
        expect(result.code).toBe(0)
        expect(parseReport(result).digest).toBe(mapDigest)
      } finally {
        late?.proc.kill('SIGKILL')
        await late?.exited
        await own.stop()
      }
    }, 40_000)

    it('refuses --redis without --backend cluster, and cluster without --redis', async () => {
      const without = await runCli(['run', '--backend', 'cluster', '--threads', '2'])
      expect(without.code).toBe(2)
      expect(without.stderr).toContain('--redis: is required with --backend cluster')
      const stray = await runCli(['run', '--redis', redis.url])
      expect(stray.code).toBe(2)
      expect(stray.stderr).toContain('--redis: is only for --backend cluster')
    })

    it('exits on Ctrl-C even when its Redis has gone away', async () => {
      const own = await startRedis()
      const agent = await startAgentProcess(own.url, 'orphan')
      try {
        await own.stop()
        // Its connections now retry; a stop must not wait for them.
        await new Promise((resolve) => setTimeout(resolve, 300))
        const stoppedAt = performance.now()
        agent.proc.kill('SIGINT')
        expect(await agent.exited).toBe(0)
        expect(performance.now() - stoppedAt).toBeLessThan(5000)
      } finally {
        agent.proc.kill('SIGKILL')
      }
    }, 30_000)

    it('finishes with the right digest when an agent is killed mid-job, its chunk retried once', async () => {
      // 24 tasks of all 7-combinations of range(32) (3,365,856 each), counted, one per chunk.
      const spec: JobSpecInput = {
        workload: 'combinations_n',
        style: 'starmap',
        threads: 2,
        chunkSize: 1,
        keep: 'count',
        inputs: { kind: 'recipe', elements: range(32), n: [7], tasks: 24 }
      }
      const engine = new Engine({ workerFile, hardwareThreads: 2 })
      try {
        const job = await engine.start({ ...spec, backend: 'cluster', redis: redis.url })
        await killWhileHolding(agents[1], redis.port, 20_000)
        const summary = await job.done
        expect(summary.failures).toEqual([])
        expect(summary).toMatchObject({ status: 'done', tasksDone: 24 })
        const backend = (engine as unknown as { pool: Backend }).pool as ClusterBackend
        const counts = backend.counts()
        expect(counts.retried).toHaveLength(1)
        expect(counts.filed).toBe(24)
        const threads = await (await engine.start({ ...spec, backend: 'threads' })).done
        expect(threads.status).toBe('done')
        const local = [...(engine as unknown as { jobs: Map<string, Job> }).jobs.values()]
        expect(digestOf(local[0])).toBe(digestOf(local[1]))
      } finally {
        await engine.dispose()
      }
    }, 60_000)
  }
)
