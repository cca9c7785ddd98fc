import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
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
