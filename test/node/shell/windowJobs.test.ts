import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { IpcMain, WebContents } from 'electron'
import { EngineHost } from '../../../src/main/host/engineHost'
import { createIpcGate, EVENT_CHANNEL } from '../../../src/main/shell/ipc'
import type { TrustedWindow } from '../../../src/main/shell/ipc'
import { createAppUrlCheck } from '../../../src/main/shell/security'
import { cancelJobsWhenPageGoes } from '../../../src/main/shell/windowJobs'
import type { CommandOutcome, JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'
import { FakeBrowserWindow, FakeIpcMain } from './electronMock'

/** A job of 200 tasks of about a million tuples each: seconds of work on two threads. */
const LONG_JOB = {
  workload: 'combinations_n',
  style: 'starmap',
  threads: 2,
  chunkSize: 1,
  keep: 'count',
  inputs: { kind: 'recipe', elements: Array.from({ length: 28 }, (_, i) => i), n: [7], tasks: 200 }
}

function watched() {
  const contents = new EventEmitter()
  const jobs = { cancelRunning: vi.fn(async () => true) }
  cancelJobsWhenPageGoes(contents as unknown as WebContents, jobs)
  return { contents, jobs }
}

describe('a job and the window that started it', () => {
  it('cancels the running job when the window is closed', () => {
    const { contents, jobs } = watched()
    contents.emit('destroyed')
    expect(jobs.cancelRunning).toHaveBeenCalledWith('cancelled: the window was closed')
  })

  it('cancels the running job when the page reloads', () => {
    const { contents, jobs } = watched()
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    expect(jobs.cancelRunning).toHaveBeenCalledWith('cancelled: the window was reloaded')
  })

  it('cancels the running job when the renderer process is gone', () => {
    const { contents, jobs } = watched()
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(jobs.cancelRunning).toHaveBeenCalledWith('cancelled: the window stopped responding')
  })

  it('keeps the job running through a navigation inside the page', () => {
    const { contents, jobs } = watched()
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true })
    expect(jobs.cancelRunning).not.toHaveBeenCalled()
  })

  it('keeps the job running when a subframe navigates', () => {
    const { contents, jobs } = watched()
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false })
    expect(jobs.cancelRunning).not.toHaveBeenCalled()
  })
})

describe('closing the window mid-job with the real engine', () => {
  let host: EngineHost | undefined
  afterEach(async () => {
    await host?.dispose()
  })

  it('ends the job cancelled with the reason in its status and sends nothing to the destroyed window', async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const window = new FakeBrowserWindow({})
    const gate = createIpcGate({
      ipcMain: new FakeIpcMain() as unknown as IpcMain,
      host,
      getWindow: () => window as unknown as TrustedWindow,
      isAppUrl: createAppUrlCheck('app://poolscope/index.html')
    })
    gate.bind()
    cancelJobsWhenPageGoes(window.webContents as unknown as WebContents, host)
    const own = { sender: window.webContents, senderFrame: window.webContents.mainFrame }
    const started = (await gate.dispatch(own as never, 'job.start', [{ spec: LONG_JOB }])) as CommandOutcome
    if (!started.ok) throw new Error(started.error.message)
    const { jobId } = started.result as { jobId: string }
    const running = host.engine.job(jobId)

    // The window goes away: Electron marks its contents destroyed, then emits 'destroyed'.
    window.isDestroyed.mockReturnValue(true)
    window.webContents.isDestroyed.mockReturnValue(true)
    const sentBefore = window.webContents.send.mock.calls.length
    window.webContents.emit('destroyed')

    const summary: JobSummary = await running.done
    expect(summary.status).toBe('cancelled')
    expect(summary.message).toMatch(/^cancelled: the window was closed: \d+ of 200 tasks completed/)
    expect(summary.tasksDone).toBeLessThan(200)
    expect(host.engine.runningJob).toBeNull()
    expect(window.webContents.send.mock.calls.length).toBe(sentBefore)
    expect(window.webContents.send).not.toHaveBeenCalledWith(
      EVENT_CHANNEL,
      expect.objectContaining({ type: 'job.finished' })
    )
  })
})
