import { readFileSync, statSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { checkTrace, type Trace } from '../host/traceFormat'
import { parseReport, runCli, scratchDir } from './cliHarness'

const scratch = scratchDir()
afterAll(() => scratch.cleanup())

describe('run --trace', () => {
  it('writes a Chrome trace of every task and says where and how big', async () => {
    const file = scratch.file('t.json')
    const result = await runCli(['run', '--threads', '2', '--tasks', '12', '--trace', file])
    expect(result.code).toBe(0)
    const bytes = statSync(file).size
    expect(result.stdout).toContain(
      `Trace written to ${file} (${bytes} bytes; open it in https://ui.perfetto.dev or chrome://tracing)`
    )
    const tasks = checkTrace(JSON.parse(readFileSync(file, 'utf8')) as Trace)
    expect(tasks.size).toBe(12)
  })

  it('gzips a .json.gz trace and reports it in --json', async () => {
    const file = scratch.file('t.json.gz')
    const result = await runCli(['run', '--threads', '2', '--tasks', '7', '--trace', file, '--json'])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    expect(report.trace).toEqual({ file, bytes: statSync(file).size })
    const trace = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Trace
    expect(checkTrace(trace).size).toBe(7)
    expect(trace.otherData.tasks).toBe(7)
  })
})
