// Throwaway dispatch benchmark (not committed): copy into test/node/engine/backends/ and run with
// npx vitest run test/node/engine/backends/zzlive-bench.test.ts
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { it } from 'vitest'
import { Engine } from '../../../../src/main/engine/engine'
import { projectRoot, workerFile } from '../../../paths'
import { startRedis } from './redisServer'

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]

it('dispatch cost, 4,000 one-element tasks on two loopback agents', async () => {
  const redis = await startRedis()
  const agents = ['bench-a', 'bench-b'].map((name) =>
    spawn(
      process.execPath,
      [join(projectRoot, 'bin', 'poolscope.js'), 'agent', '--redis', redis.url, '--threads', '1', '--name', name],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
  )
  await Promise.all(
    agents.map(
      (agent) =>
        new Promise<void>((ready) => agent.stdout.on('data', (d: Buffer) => d.toString().includes('taking') && ready()))
    )
  )
  const engine = new Engine({ workerFile, hardwareThreads: 2 })
  const args = Array.from({ length: 4000 }, () => [0])
  for (const chunkSize of [1, 10]) {
    const walls: number[] = []
    const pick: number[] = []
    const back: number[] = []
    for (let rep = 0; rep < 3; rep++) {
      const job = await engine.start({
        workload: 'combinations',
        style: 'map',
        threads: 2,
        chunkSize,
        backend: 'cluster',
        redis: redis.url,
        inputs: { kind: 'args', args }
      })
      const summary = await job.done
      if (summary.status !== 'done') throw new Error(summary.status)
      walls.push(summary.wallMs)
      for (let i = 0; i < job.chunks.length; i++) {
        const trip = job.chunks.trip(i)
        pick.push(trip.receivedAt - trip.sentAt)
        back.push(trip.arrivedAt - trip.repliedAt)
      }
    }
    const wall = median(walls)
    console.log(
      `chunk size ${chunkSize}: walls ${walls.map((w) => w.toFixed(0)).join(', ')} ms; median ${wall.toFixed(0)} ms = ` +
        `${((wall * 1000) / (4000 / chunkSize)).toFixed(0)} µs per chunk; median enqueue→pick-up ` +
        `${(median(pick) * 1000).toFixed(0)} µs, reply→arrival ${(median(back) * 1000).toFixed(0)} µs`
    )
  }
  await engine.dispose()
  for (const agent of agents) agent.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 1500))
  await redis.stop()
}, 600_000)
