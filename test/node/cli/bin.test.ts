import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../../paths'

const run = promisify(execFile)
const bin = join(projectRoot, 'bin', 'poolscope.js')

describe('the poolscope executable', () => {
  it('runs the map cell and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, 'run', '--threads', '1', '--tasks', '2', '--print'])
    expect(stdout).toBe(
      'Number of threads: 1\nNumber of results: 2\n' +
        '((0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5))\n'.repeat(
          2
        )
    )
  })

  it('sets exit code 2 for a bad flag', async () => {
    const failure = await run(process.execPath, [bin, 'run', '--threads', 'abc']).catch((err) => err)
    expect(failure.code).toBe(2)
    expect(failure.stderr).toBe('poolscope: --threads: must be a whole number from 1 to 256 (got "abc")\n')
  })

  it('hands `web` to the web host', async () => {
    const { stdout } = await run(process.execPath, [bin, 'web', '--help'])
    expect(stdout).toMatch(/^Usage: npm run web -- \[--port N\]/)
  })
})
