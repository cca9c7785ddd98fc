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
      /^interrupted \(Ctrl-C\): \d+ of 400 tasks completed and kept(; \d stopped midway \([\d,]+ tuples computed, not kept\))?, the rest did not run$/
    )
    expect(report.counts.tasksDone).toBeGreaterThan(0)
    expect(report.counts.tasksDone).toBeLessThan(400)
    // Tuples of the tasks stopped midway count as computed: the work was done.
    expect(report.counts.tuplesProduced).toBe(
      report.counts.tasksDone * PER_TASK + report.counts.tuplesOfStoppedTasks
    )
    expect(report.counts.tuplesOfStoppedTasks).toBeLessThan(report.counts.tasksStopped * PER_TASK + 1)
    // A partial job cannot hash to Python's list.
    expect(report.digest).toBeNull()
    expect(report.digestNote).toMatch(/^the job was cancelled: \d+ of 400 tasks kept, results are partial$/)
    // The large-job warning, then the bar with its ETA, erased before the report.
    expect(result.stderr).toMatch(/^Warning: a large job: 814,320,000 tuples/)
    expect(result.stderr).toMatch(/\n\r\[#*\.*\] +\d+% +\d+\/400 tasks .* ETA \d/)
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
    // The notebook's line counts only what completed.
    expect(result.stdout).toMatch(/^Number of threads: 1\nNumber of results: \d+ of 400 \(cancelled\)\n/)
    expect(result.stdout).toMatch(/^Partial: interrupted \(Ctrl-C\): \d+ of 400 tasks completed and kept/m)
    // 814 million tuples: the large-job warning, and nothing else, on stderr.
    expect(result.stderr).toBe(
      'Warning: a large job: 814,320,000 tuples (over 10,000,000), estimated at about 20 s on 1 thread, ' +
        'may take a while. Ctrl-C cancels and keeps what is done.\n'
    )
  })
})

describe('large jobs', () => {
  it('warns before a job planned at over 10 million tuples, with the planned count', async () => {
    // 8 × C(30, 7) = 16,286,400 tuples.
    const result = await runCli([...LONG_JOB.slice(0, -1), '8', '--keep', 'count', '--threads', '2'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      'Warning: a large job: 16,286,400 tuples (over 10,000,000), estimated at under a second on 2 threads, ' +
        'may take a while. Ctrl-C cancels and keeps what is done.\n'
    )
  })

  it('stays quiet before a job of at most 10 million tuples', async () => {
    // 4 × C(30, 7) = 8,143,200 tuples.
    const result = await runCli([...LONG_JOB.slice(0, -1), '4', '--keep', 'count', '--threads', '2'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })
})
