import { describe, expect, it } from 'vitest'
import { ProgressBar, formatEta, formatProgress } from '../../../src/main/cli/progressBar'
import { captureStream } from './cliHarness'

// 12 of 25 tasks and 3.1 M of 6.2 M tuples after 2.4 s: 48% by tasks, 50% by tuples.
const event = {
  jobId: 'job-1',
  tasksDone: 12,
  tasksFailed: 0,
  tasksTotal: 25,
  tuplesDone: 3_100_000,
  tuplesTotal: 6_200_000,
  elapsedMs: 2400
}

describe('progress bar', () => {
  it('shows the share done, tasks, tuples, elapsed time and the time left in one line', () => {
    expect(formatProgress(event, 80)).toBe(
      '[##############..............]  50%  12/25 tasks  3.1M tuples  2.4 s  ETA 2.4 s'
    )
  })

  it('fits a narrow terminal by dropping the bar', () => {
    expect(formatProgress(event, 50)).toBe(' 50%  12/25 tasks  3.1M tuples  2.4 s  ETA 2.4 s')
  })

  it('fits a narrower terminal by dropping whole facts from the end', () => {
    expect(formatProgress(event, 40)).toBe(' 50%  12/25 tasks  3.1M tuples  2.4 s')
  })

  it('follows tuples while no task of a few long ones has finished', () => {
    const early = { ...event, tasksDone: 0, tasksTotal: 8, tuplesDone: 1_550_000, elapsedMs: 1000 }
    expect(formatProgress(early, 50)).toBe(' 25%  0/8 tasks  1.6M tuples  1.0 s  ETA 3.0 s')
  })

  it('counts failed tasks as finished, apart from the done ones, and names them', () => {
    const failing = { ...event, tasksDone: 50, tasksFailed: 150, tasksTotal: 200, tuplesTotal: 0 }
    expect(formatProgress(failing, 64)).toBe('100%  200/200 tasks  150 failed  3.1M tuples  2.4 s  ETA 0.0 s')
  })

  it('writes a long ETA in minutes and seconds, and a dash before anything is measured', () => {
    expect(formatEta(245_000)).toBe('ETA 4 min 05 s')
    expect(formatEta(null)).toBe('ETA —')
  })

  it('draws nothing when stderr is not a terminal', () => {
    const out = captureStream({ isTTY: false })
    const bar = new ProgressBar(out)
    bar.update(event)
    bar.clear()
    expect(out.text()).toBe('')
  })

  it('stays hidden for the first second, then draws and erases itself', () => {
    const out = captureStream({ isTTY: true })
    const bar = new ProgressBar(out)
    bar.update({ ...event, elapsedMs: 500 })
    expect(out.text()).toBe('')
    bar.update(event)
    bar.clear()
    expect(out.text()).toBe(`\r${formatProgress(event, 100)}\x1b[K\r\x1b[K`)
  })
})

describe('progress of a values workload', () => {
  it('follows the work units its tasks report, and shows no tuples', () => {
    const line = formatProgress(
      {
        jobId: 'j',
        tasksDone: 0,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 0,
        tuplesTotal: 4,
        workDone: 3_000_000,
        workTotal: 6_000_000,
        elapsedMs: 1500
      },
      100
    )
    expect(line).toContain(' 50%  0/4 tasks  1.5 s  ETA 1.5 s')
    expect(line).not.toContain('tuples')
  })
})
