import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeOutDir, projectRoot } from '../../paths'

let folder: string | undefined
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('the web host’s history folder', () => {
  it.skipIf(!existsSync(path.join(projectRoot, 'out', 'renderer', 'index.html')))(
    'is created from --data and printed at start with the URL',
    async () => {
      folder = path.join(await mkdtemp(path.join(os.tmpdir(), 'poolscope-web-data-')), 'runs')
      const child = spawn(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(path.join(nodeOutDir, 'web.cjs'))}).main(process.argv.slice(1))`,
          '--',
          '--no-open',
          '--data',
          folder
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let out = ''
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (data: Buffer) => {
            out += data.toString()
            if (out.includes('Press Ctrl+C')) resolve()
          })
          child.on('exit', (code) => reject(new Error(`the web host exited (${code}): ${out}`)))
        })
      } finally {
        child.kill('SIGINT')
      }
      expect(out).toMatch(/^PoolScope is running at http:\/\/127\.0\.0\.1:\d+\/\?token=/m)
      expect(out).toContain(`Runs are saved in ${folder}\n`)
      expect((await stat(folder)).isDirectory()).toBe(true)
    }
  )
})
