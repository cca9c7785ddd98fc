// The CLI on the processes back end: the same digest as Python's, and a line that says what ran.
import { describe, expect, it } from 'vitest'
import { golden, parseReport, runCli, type ArgsCase } from '../../cli/cliHarness'

const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest

describe('poolscope run --backend processes', () => {
  it("reports the notebook's map cell with Python's digest", async () => {
    const result = await runCli(['run', '--backend', 'processes', '--threads', '2', '--json'])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    expect(report.spec.backend).toBe('processes')
    expect(report.status).toBe('done')
    expect(report.digest).toBe(mapDigest)
    expect(report.timing.poolStartupMs).toBeGreaterThan(0)
  })

  it('says in the summary that child processes ran the job; threads say nothing new', async () => {
    const processes = await runCli(['run', '--backend', 'processes', '--threads', '2'])
    expect(processes.code).toBe(0)
    expect(processes.stdout).toContain(
      'Back end: processes (2 child processes; their results are copied back to this process, within the wall time)\n'
    )
    // Which processes ran each lane, and how far their clocks were from this one's.
    const pids =
      /^ {2}#0 pid (\d+), #1 pid (\d+); clocks within (\d+\.\d{3}) ms of this process's, corrected$/m.exec(
        processes.stdout
      )
    expect(pids).not.toBeNull()
    expect(new Set([pids?.[1], pids?.[2], String(process.pid)]).size).toBe(3)
    expect(Number(pids?.[3])).toBeLessThan(5)
    const threads = await runCli(['run', '--threads', '2'])
    expect(threads.stdout).not.toContain('Back end:')
  })
})
