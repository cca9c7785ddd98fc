import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { EngineHost } from '../../../src/main/host/engineHost'
import { maxThreadsFor } from '../../../src/shared/spec'
import { parseReport, runCli, scratchDir } from './cliHarness'

const scratch = scratchDir()
afterAll(() => scratch.cleanup())
afterEach(() => vi.restoreAllMocks())

describe('the CLI runs jobs through EngineHost', () => {
  it('plans, starts and measures a job with the host commands job.plan, job.start and job.stats', async () => {
    const call = vi.spyOn(EngineHost.prototype, 'call')
    const result = await runCli(['run', '--elements', '0..3', '--tasks', '2', '--threads', '1', '--json'])
    expect(result.code).toBe(0)
    const names = call.mock.calls.map(([name]) => name)
    expect(names).toEqual(['job.plan', 'job.start', 'job.stats'])
    expect(parseReport(result).counts.tuplesProduced).toBe(12)
  })

  it('writes --output from the host stream, byte for byte the JSON Python would write', async () => {
    const file = scratch.file('through-host.json')
    const result = await runCli([
      'run',
      '--elements',
      '0..2',
      '--tasks',
      '2',
      '--threads',
      '1',
      '--output',
      file
    ])
    expect(result.code).toBe(0)
    const expected = '[[[0,1],[0,2],[1,2]],[[0,1],[0,2],[1,2]]]'
    expect(readFileSync(file, 'utf8')).toBe(expected)
    expect(result.stdout).toContain(`Results written to ${file} (${expected.length} bytes)`)
  })

  // The host refuses 200 threads where 200 is over 4 × the hardware threads (the CLI itself allows up to 256).
  it.skipIf(maxThreadsFor(availableParallelism()) >= 200)(
    'reports a pool too big for this machine on --threads by the error path, starting nothing',
    async () => {
      const start = vi.spyOn(Engine.prototype, 'start')
      const result = await runCli(['run', '--threads', '200'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^poolscope: --threads: threads must be at most \d+ on this machine/)
      expect(start).not.toHaveBeenCalled()
    }
  )
})
