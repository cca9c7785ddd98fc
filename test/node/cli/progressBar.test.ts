import { describe, expect, it } from 'vitest'
import { ProgressBar, formatProgress } from '../../../src/main/cli/progressBar'
import { captureStream } from './cliHarness'

const event = {
  jobId: 'job-1',
  tasksDone: 12,
  tasksFailed: 0,
  tasksTotal: 25,
  tuplesDone: 3_100_000,
  elapsedMs: 2400
}

describe('progress bar', () => {
  it('shows the fraction done, tasks, tuples and elapsed time in one line', () => {
    expect(formatProgress(event, 80)).toBe(
      '[##############................]  48%  12/25 tasks  3.1M tuples  2.4 s'
    )
  })

  it('fits a narrow terminal by dropping the bar', () => {
    expect(formatProgress(event, 40)).toBe(' 48%  12/25 tasks  3.1M tuples  2.4 s')
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
