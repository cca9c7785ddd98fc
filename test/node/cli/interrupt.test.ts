import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { captureStream, parseReport, runCli } from './cliHarness'

// C(30, 7) tuples per task, count-only: about 40 ms of work per task, long enough to interrupt.
const LONG_JOB = ['run', '--workload', 'combinations_n', '--elements', '0..29', '--n', '7', '--tasks', '400']
const PER_TASK = 2_035_800

describe('Ctrl-C', () => {
  it('cancels the job at the first progress bar, prints the partial summary and exits 130', async () => {
    const signals = new EventEmitter()
    // The bar only appears on a TTY after a second: the moment to press Ctrl-C.
    const stderr = captureStream({
      isTTY: true,
      onWrite: (chunk) => {
        if (chunk.includes('tasks') && signals.listenerCount('SIGINT') > 0) signals.emit('SIGINT')
      }
    })
    const result = await runCli([...LONG_JOB, '--keep', 'count', '--threads', '2', '--json'], {
      signals,
      stderr
    })
    expect(result.code).toBe(130)
    const report = parseReport(result)
    expect(report.status).toBe('cancelled')
    expect(report.partial).toBe(true)
    expect(report.message).toMatch(
      /^interrupted \(Ctrl-C\): \d+ of 400 tasks completed and kept, the rest did not run$/
    )
    expect(report.counts.tasksDone).toBeGreaterThan(0)
    expect(report.counts.tasksDone).toBeLessThan(400)
    expect(report.counts.tuplesProduced).toBe(report.counts.tasksDone * PER_TASK)
    // The bar was drawn, then erased before the report.
    expect(result.stderr).toMatch(/^\r\[#*\.*\] +\d+% +\d+\/400 tasks/)
    expect(result.stderr.endsWith('\r\x1b[K')).toBe(true)
    expect(signals.listenerCount('SIGINT')).toBe(0)
  })

  it('cancels during pool start-up and still prints the summary', async () => {
    const signals = new EventEmitter()
    // Ctrl-C the moment the handler is installed, before the pool is warm.
    signals.on('newListener', (event) => {
      if (event === 'SIGINT') setImmediate(() => signals.emit('SIGINT'))
    })
    const result = await runCli([...LONG_JOB, '--keep', 'count', '--threads', '1'], { signals })
    expect(result.code).toBe(130)
    expect(result.stdout).toMatch(/^Number of threads: 1\nNumber of results: 400\n/)
    expect(result.stdout).toMatch(/^Partial: interrupted \(Ctrl-C\): \d+ of 400 tasks completed and kept/m)
    expect(result.stderr).toBe('')
  })
})
