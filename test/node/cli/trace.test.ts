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

  it('says what the trace left out, in its line and in --json', async () => {
    const file = scratch.file('cut.json')
    const args = ['run', '--workload', 'combinations_n', '--style', 'starmap', '--elements', '0..59']
    const cut = 'arguments of 3 tasks cut to 120 characters'
    const text = await runCli([...args, '--n', '1', '--tasks', '3', '--trace', file])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`chrome://tracing); it left out ${cut}\n`)
    const json = parseReport(await runCli([...args, '--n', '1', '--tasks', '3', '--trace', file, '--json']))
    expect(json.trace).toEqual({ file, bytes: statSync(file).size, leftOut: [cut] })
  })

  it('gzips a .json.gz trace and reports it in --json', async () => {
    const file = scratch.file('t.json.gz')
    const result = await runCli(['run', '--threads', '2', '--tasks', '7', '--trace', file, '--json'])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    expect(report.trace).toEqual({ file, bytes: statSync(file).size, leftOut: [] })
    expect(report.timings).toBeNull()
    const trace = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Trace
    expect(checkTrace(trace).size).toBe(7)
    expect(trace.otherData.tasks).toBe(7)
  })
})

describe('run --timings', () => {
  it('writes one CSV line per task and says where and how big, beside a trace of the same job', async () => {
    const file = scratch.file('timings.csv')
    const traceFile = scratch.file('t2.json')
    const result = await runCli([
      'run',
      '--threads',
      '2',
      '--tasks',
      '9',
      '--timings',
      file,
      '--trace',
      traceFile
    ])
    expect(result.code).toBe(0)
    const bytes = statSync(file).size
    expect(result.stdout).toContain(`Timings written to ${file} (${bytes} bytes)`)
    const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(header).toBe('task,lane,thread,cpu,start_ms,end_ms,queue_wait_ms,tuples')
    expect(rows.map((row) => Number(row.split(',')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    // The same job's trace: each task's lane is its thread id - 2, and its times agree within a step
    // of 0.1 µs (half a step each for the task's time and for where the job's zero lies).
    const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as Trace
    const tasks = checkTrace(trace)
    const zeroUs = trace.otherData.jobZeroUs as number
    for (const row of rows) {
      const [task, lane, , cpu, start, end, wait, tuples] = row.split(',').map(Number)
      const event = tasks.get(task)
      expect(event?.tid).toBe(lane + 2)
      expect(event?.args?.cpu).toBe(cpu)
      expect(Math.abs((event?.ts ?? 0) - (start * 1000 + zeroUs))).toBeLessThanOrEqual(0.101)
      expect(Math.abs((event?.ts ?? 0) + (event?.dur ?? 0) - (end * 1000 + zeroUs))).toBeLessThanOrEqual(
        0.101
      )
      expect(wait).toBeGreaterThan(0)
      // combinations(range(6), 2): 15 pairs each.
      expect(tuples).toBe(15)
    }
  })

  it('gzips a .csv.gz and reports it in --json', async () => {
    const file = scratch.file('timings.csv.gz')
    const result = await runCli(['run', '--threads', '1', '--tasks', '4', '--timings', file, '--json'])
    expect(result.code).toBe(0)
    expect(parseReport(result).timings).toEqual({ file, bytes: statSync(file).size })
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(5)
  })
})
