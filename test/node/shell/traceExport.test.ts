// The desktop app's File > Export trace…: a real job's trace streamed from the host to the file the
// user picks, plain or gzip-compressed; Electron's dialogs are fakes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import { exportTrace, writeGzipSlices, type JobFileDeps } from '../../../src/main/shell/jobFiles'
import type { JobSummary } from '../../../src/shared/protocol'
import { checkTrace, type Trace } from '../host/traceFormat'
import { workerFile } from '../../paths'

const dir = mkdtempSync(join(tmpdir(), 'poolscope-shell-trace-'))
let host: EngineHost
beforeAll(() => {
  host = new EngineHost({ workerFile })
})
afterAll(async () => {
  await host.dispose()
  rmSync(dir, { recursive: true, force: true })
})

async function run(spec: unknown): Promise<JobSummary> {
  const finished = new Promise<JobSummary>((resolve) => {
    const stop = host.onEvent((event) => {
      if (event.type === 'job.finished') {
        stop()
        resolve(event.payload)
      }
    })
  })
  const started = await host.call('job.start', { spec })
  if (!started.ok) throw new Error(started.error.message)
  return finished
}

function fakes(file: string, source: JobFileDeps['host'] = host) {
  const dialog = {
    showOpenDialog: vi.fn(),
    showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: file })),
    showMessageBox: vi.fn(async () => ({ response: 0, checkboxChecked: false }))
  }
  return { dialog, deps: { host: source, dialog, getWindow: () => null } as unknown as JobFileDeps }
}

const spec = (tasks: number, elements = [0, 1, 2, 3, 4, 5]) => ({
  workload: 'combinations_n',
  style: 'starmap',
  threads: 2,
  inputs: { kind: 'recipe', elements, n: [2], tasks }
})

describe('File > Export trace…', () => {
  it('says no job has run yet, and asks for no file', async () => {
    const { dialog, deps } = fakes(join(dir, 'none.json'))
    await exportTrace(deps)
    expect(dialog.showSaveDialog).not.toHaveBeenCalled()
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'error',
        message: 'Could not export the trace',
        detail: 'No job has run yet: run one, then export its trace.'
      })
    )
  })

  it('writes the latest ended job’s trace, the one the host streams', async () => {
    const summary = await run(spec(24))
    const file = join(dir, 't.json')
    const { dialog, deps } = fakes(file)
    await exportTrace(deps)
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({ defaultPath: `combinations_n-${summary.jobId}-trace.json` })
    )
    const trace = JSON.parse(readFileSync(file, 'utf8')) as Trace
    expect(trace.otherData.jobId).toBe(summary.jobId)
    expect(checkTrace(trace).size).toBe(24)
    // Nothing was left out, so nothing more is said.
    expect(dialog.showMessageBox).not.toHaveBeenCalled()
  })

  it('gzips a .json.gz and says what the trace left out', async () => {
    // 60 elements: each task's arguments are longer than the trace keeps.
    const summary = await run(
      spec(
        5,
        Array.from({ length: 60 }, (_, i) => i)
      )
    )
    const file = join(dir, 't.json.gz')
    const { dialog, deps } = fakes(file)
    await exportTrace(deps)
    const trace = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Trace
    expect(trace.otherData.jobId).toBe(summary.jobId)
    expect(checkTrace(trace).size).toBe(5)
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'info',
        message: 'The trace was saved with parts left out',
        detail: 'arguments of 5 tasks cut to 120 characters'
      })
    )
  })

  it('skips a job still running for the last one that ended', async () => {
    const ended = (await host.call('job.list', {})) as { ok: true; result: JobSummary[] }
    const last = ended.result.reduce((a, b) => (a.startedAt > b.startedAt ? a : b))
    // The host as the shell sees it, with a newer job that is still running.
    const running = { ...last, jobId: 'job-running', status: 'running', startedAt: last.startedAt + 1 }
    const source = {
      call: async (name: unknown, params: unknown) =>
        name === 'job.list' ? { ok: true, result: [...ended.result, running] } : host.call(name, params),
      resultsJson: (jobId: string) => host.resultsJson(jobId),
      resultsCsv: (jobId: string) => host.resultsCsv(jobId),
      trace: (jobId: string, report: { leftOut: string[] }) => host.trace(jobId, report)
    } as JobFileDeps['host']
    const file = join(dir, 'skip.json')
    const { deps } = fakes(file, source)
    await exportTrace(deps)
    expect((JSON.parse(readFileSync(file, 'utf8')) as Trace).otherData.jobId).toBe(last.jobId)
  })
})

it('gzips 100 MB of slices holding only a few of them', async () => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const line = '{"name":"#1","ph":"X","ts":1.5,"dur":0.2,"pid":1,"tid":2,"args":{"cpu":0,"tuples":15}},\n'
  const slice = line.repeat(Math.ceil(65536 / line.length))
  const count = Math.ceil(100e6 / slice.length)
  gc()
  const baseline = process.memoryUsage().heapUsed
  let peak = baseline
  async function* slices(): AsyncGenerator<string> {
    for (let i = 0; i < count; i++) {
      // A fresh string each time, as the trace writer makes them.
      yield slice.slice(0, -1) + '\n'
      if (i % 200 === 0) {
        gc()
        peak = Math.max(peak, process.memoryUsage().heapUsed)
      }
    }
  }
  const file = join(dir, 'big.json.gz')
  await writeGzipSlices(file, slices())
  const text = gunzipSync(readFileSync(file))
  expect(text.length).toBe(count * slice.length)
  expect(peak - baseline).toBeLessThan(20e6)
}, 60_000)
