import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { expect } from 'vitest'
import { CHUNK_QUEUE } from '../../../../src/main/engine/backends/cluster/protocol'
import { projectRoot } from '../../../paths'

/** A `poolscope agent` in a process of its own, as a user starts one. */
export interface AgentProcess {
  name: string
  proc: ChildProcess
  exited: Promise<number | null>
}

/** Starts `poolscope agent` with one thread; resolves once it says it is taking chunks. */
export async function startAgentProcess(url: string, name: string): Promise<AgentProcess> {
  const proc = spawn(
    process.execPath,
    [join(projectRoot, 'bin', 'poolscope.js'), 'agent', '--redis', url, '--threads', '1', '--name', name],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`agent ${name} did not start: ${seen}`)), 20_000)
    proc.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('taking chunks from')) {
        clearTimeout(timer)
        resolve()
      }
    })
    proc.once('exit', (code) => reject(new Error(`agent ${name} exited with code ${code}: ${seen}`)))
  })
  return { name, proc, exited }
}

/**
 * Kills an agent with SIGKILL while it holds a chunk (as BullMQ's `processedBy` shows), not between
 * two: what a crashed machine does to a job.
 */
export async function killWhileHolding(
  agent: AgentProcess,
  redisPort: number,
  timeoutMs: number
): Promise<void> {
  const queue = new Queue(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port: redisPort } })
  try {
    await expect
      .poll(async () => (await queue.getActive()).some((held) => held.processedBy === agent.name), {
        timeout: timeoutMs,
        interval: 2
      })
      .toBe(true)
  } finally {
    await queue.close()
  }
  agent.proc.kill('SIGKILL')
  await agent.exited
}
