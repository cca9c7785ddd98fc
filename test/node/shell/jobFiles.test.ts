import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { exportResults, openJob, saveJob, specFromJobFile } from '../../../src/main/shell/jobFiles'
import type { JobFileDeps } from '../../../src/main/shell/jobFiles'
import type { CommandOutcome } from '../../../src/shared/protocol'

const spec = { workload: 'combinations', inputs: [] }
const plan = { spec, taskCount: 6, threads: 2, chunkSize: 1, totalTuples: '63', overBudget: null }
const jobs = [
  { jobId: 'old', startedAt: 1, spec: { workload: 'old' } },
  { jobId: 'new', startedAt: 2, spec }
]

function fakes(answer = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-jobfiles-'))
  const host = {
    call: vi.fn(async (name: unknown): Promise<CommandOutcome> => {
      const results: Record<string, unknown> = {
        'job.plan': plan,
        'job.start': { ...plan, jobId: 'job-3' },
        'job.list': jobs
      }
      return { ok: true, result: results[name as string] } as CommandOutcome
    }),
    resultsCsv: vi.fn(async function* (jobId: string) {
      yield 'task,status,index,tuple\n'
      yield `0,done,0,(${jobId},)\n`
    }),
    resultsJson: vi.fn(async function* () {
      yield Buffer.from('[[[0,1]],')
      yield Buffer.from('[[0,2]]]')
    })
  }
  const dialog = {
    showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: [join(dir, 'job.json')] })),
    showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: join(dir, 'out.csv') })),
    showMessageBox: vi.fn(async () => ({ response: answer, checkboxChecked: false }))
  }
  const deps = { host, dialog, getWindow: () => null } as unknown as JobFileDeps
  return { dir, host, dialog, deps }
}

describe('job files', () => {
  it('reads a saved job file and a bare spec alike', () => {
    expect(specFromJobFile(JSON.stringify({ format: 'poolscope-job', version: 1, spec }))).toEqual(spec)
    expect(specFromJobFile(JSON.stringify(spec))).toEqual(spec)
  })

  it.each(['not json', '[1, 2]', '{"format":"other","spec":{}}'])('refuses the job file %s', (text) => {
    expect(() => specFromJobFile(text)).toThrow()
  })

  it('starts an opened job only after the user confirms its plan', async () => {
    const { dir, host, deps } = fakes(0)
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ format: 'poolscope-job', version: 1, spec }))
    await openJob(deps)
    expect(host.call).toHaveBeenCalledWith('job.plan', { spec })
    expect(host.call).toHaveBeenLastCalledWith('job.start', { spec })
  })

  it('shows the code of a job that carries code, with Cancel as the default', async () => {
    const custom = { workload: 'custom', style: 'map', inputs: { kind: 'recipe' }, code: '(i) => i * i' }
    const { dir, host, dialog, deps } = fakes(1)
    host.call.mockImplementation(async (name: unknown) => {
      const result = name === 'job.plan' ? { ...plan, spec: custom } : undefined
      return { ok: true, result } as CommandOutcome
    })
    writeFileSync(join(dir, 'job.json'), JSON.stringify(custom))
    await openJob(deps)
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'This job carries code. Read it before you run it: it runs with your rights.',
        detail: expect.stringContaining('\n\n(i) => i * i'),
        buttons: ['Run code', 'Cancel'],
        defaultId: 1
      })
    )
    expect(host.call.mock.calls.map(([name]) => name)).toEqual(['job.plan'])
  })

  it('does not start an opened job the user cancels', async () => {
    const { dir, host, deps } = fakes(1)
    writeFileSync(join(dir, 'job.json'), JSON.stringify(spec))
    await openJob(deps)
    expect(host.call.mock.calls.map(([name]) => name)).toEqual(['job.plan'])
  })

  it('shows an error and starts nothing when the file is not a job', async () => {
    const { dir, host, dialog, deps } = fakes(0)
    writeFileSync(join(dir, 'job.json'), 'garbage')
    await openJob(deps)
    expect(host.call).not.toHaveBeenCalled()
    expect(dialog.showMessageBox).toHaveBeenCalledWith(expect.objectContaining({ type: 'error' }))
  })

  it('saves the spec of the latest job', async () => {
    const { dir, deps } = fakes()
    await saveJob(deps)
    expect(JSON.parse(readFileSync(join(dir, 'out.csv'), 'utf8'))).toEqual({
      format: 'poolscope-job',
      version: 1,
      spec
    })
  })

  it('streams the latest job’s results to the file, as CSV for a .csv name', async () => {
    const { dir, host, deps } = fakes()
    await exportResults(deps)
    expect(host.resultsCsv).toHaveBeenCalledWith('new')
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('task,status,index,tuple\n0,done,0,(new,)\n')
  })

  it('streams JSON for a .json name', async () => {
    const { dir, host, dialog, deps } = fakes()
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: join(dir, 'out.JSON') })
    await exportResults(deps)
    expect(host.resultsJson).toHaveBeenCalledWith('new')
    expect(readFileSync(join(dir, 'out.JSON'), 'utf8')).toBe('[[[0,1]],[[0,2]]]')
  })

  it('says something went wrong, and shows no path, when the results cannot be read', async () => {
    const { host, dialog, deps } = fakes()
    host.resultsCsv.mockImplementationOnce(async function* () {
      yield 'task,status,index,tuple\n'
      throw new Error('/home/me/secret: the store went away')
    })
    await exportResults(deps)
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'error', message: 'Could not export the results' })
    )
    expect(JSON.stringify(dialog.showMessageBox.mock.calls)).not.toContain('/home/me')
  })
})
