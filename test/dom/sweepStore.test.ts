// The sweep store with a fake engine: start with the fields' options, progress fetching the points
// so far (one request at a time), the final result, cancel keeping the finished points, a refused
// start showing the host's error, Run disabled while a sweep runs, and a sweep taken up after a reload.
import { describe, expect, it, vi } from 'vitest'
import type { SweepProgress } from '../../src/shared/protocol'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { useSweepStore } from '@renderer/stores/sweep'
import { BUSY_WAIT_SPEC, createFakeApi, sweepResult, type FakeApi } from './fakeApi'
import { connectedPinia, settle } from './helpers'

function progress(sweepId: string, runsDone: number, over: Partial<SweepProgress> = {}): SweepProgress {
  return {
    sweepId,
    runsDone,
    runsPlanned: 4,
    elapsedMs: runsDone * 100,
    current: { backend: 'threads', threads: 2, phase: 'measure' },
    pointsDone: 0,
    pointsTotal: 2,
    ...over
  }
}

async function setup(api: FakeApi = createFakeApi()) {
  await connectedPinia(api)
  const sweep = useSweepStore()
  sweep.openSetup('threads')
  return { api, sweep }
}

describe('the sweep store', () => {
  it('starts with the fields’ options and the form’s job, then shows the points as runs finish', async () => {
    const { api, sweep } = await setup()
    expect(sweep.fields.threads).toBe('1, 2, 4')
    sweep.fields.threads = '1, 2'
    sweep.fields.repeat = '2'
    sweep.fields.maxSeconds = '5'
    expect(await sweep.start(BUSY_WAIT_SPEC)).toBe(true)
    expect(api.startSweep).toHaveBeenCalledWith(BUSY_WAIT_SPEC, {
      threads: [1, 2],
      backends: ['threads'],
      repeat: 2,
      maxSeconds: 5
    })
    expect(sweep.status).toBe('running')
    expect(sweep.sweepId).toBe('sweep-1')
    expect(sweep.progress).toMatchObject({ runsDone: 0, pointsTotal: 2 })

    // A run finished: the store asks for the points so far.
    const partial = sweepResult('sweep-1', [{ threads: 1, samples: [100, 102] }], { status: 'running' })
    vi.mocked(api.getSweep).mockResolvedValue(partial)
    api.emit({ type: 'sweep.progress', payload: progress('sweep-1', 1) })
    await settle()
    expect(api.getSweep).toHaveBeenCalledWith('sweep-1')
    expect(sweep.result).toEqual(partial)
    expect(sweep.progress?.runsDone).toBe(1)

    // A report without a new run (a warm-up starting) asks for nothing.
    vi.mocked(api.getSweep).mockClear()
    api.emit({
      type: 'sweep.progress',
      payload: progress('sweep-1', 1, { current: { backend: 'threads', threads: 1, phase: 'warm-up' } })
    })
    await settle()
    expect(api.getSweep).not.toHaveBeenCalled()
    expect(sweep.progress?.current?.phase).toBe('warm-up')

    const final = sweepResult('sweep-1', [
      { threads: 1, samples: [100, 102] },
      { threads: 2, samples: [55, 54] }
    ])
    api.emit({ type: 'sweep.finished', payload: final })
    await settle()
    expect(sweep.status).toBe('done')
    expect(sweep.result).toEqual(final)
    expect(sweep.progress).toMatchObject({ runsDone: 4, runsPlanned: 4, pointsDone: 2, pointsTotal: 2 })
    expect(sweep.running).toBe(false)
  })

  it('asks for the points one request at a time, and once more if runs finished meanwhile', async () => {
    const { api, sweep } = await setup()
    await sweep.start(BUSY_WAIT_SPEC)
    let answer: (value: ReturnType<typeof sweepResult>) => void = () => undefined
    vi.mocked(api.getSweep).mockImplementation(() => new Promise((resolve) => (answer = resolve)))
    api.emit({ type: 'sweep.progress', payload: progress('sweep-1', 1) })
    api.emit({ type: 'sweep.progress', payload: progress('sweep-1', 2) })
    api.emit({ type: 'sweep.progress', payload: progress('sweep-1', 3) })
    await settle()
    expect(api.getSweep).toHaveBeenCalledTimes(1)
    answer(sweepResult('sweep-1', [{ threads: 1, samples: [100] }], { status: 'running' }))
    await settle()
    expect(api.getSweep).toHaveBeenCalledTimes(2)
    answer(sweepResult('sweep-1', [{ threads: 1, samples: [100, 101, 99] }], { status: 'running' }))
    await settle()
    expect(api.getSweep).toHaveBeenCalledTimes(2)
    expect(sweep.result?.points[0].samples).toEqual([100, 101, 99])
  })

  it('never replaces the final result with a late answer to an earlier request', async () => {
    const { api, sweep } = await setup()
    await sweep.start(BUSY_WAIT_SPEC)
    let answer: (value: ReturnType<typeof sweepResult>) => void = () => undefined
    vi.mocked(api.getSweep).mockImplementation(() => new Promise((resolve) => (answer = resolve)))
    api.emit({ type: 'sweep.progress', payload: progress('sweep-1', 1) })
    await settle()
    const final = sweepResult('sweep-1', [
      { threads: 1, samples: [100, 102] },
      { threads: 2, samples: [55, 54] }
    ])
    api.emit({ type: 'sweep.finished', payload: final })
    answer(sweepResult('sweep-1', [{ threads: 1, samples: [100] }], { status: 'running' }))
    await settle()
    expect(sweep.result).toEqual(final)
  })

  it('cancels the sweep and keeps the points it finished', async () => {
    const { api, sweep } = await setup()
    await sweep.start(BUSY_WAIT_SPEC)
    await sweep.cancel()
    expect(api.cancelSweep).toHaveBeenCalledWith('sweep-1')
    const cancelled = sweepResult(
      'sweep-1',
      [
        { threads: 1, samples: [100, 101] },
        { threads: 2, samples: [] }
      ],
      { status: 'cancelled' }
    )
    api.emit({ type: 'sweep.finished', payload: cancelled })
    await settle()
    expect(sweep.status).toBe('cancelled')
    expect(sweep.result?.points[0].samples).toEqual([100, 101])
    expect(sweep.result?.message).toBe('cancelled by the user')
  })

  it('sends a cancel asked for while the sweep was starting as soon as it has its id', async () => {
    let started: (value: { sweepId: string }) => void = () => undefined
    const api = createFakeApi({
      startSweep: vi.fn(() => new Promise<{ sweepId: string }>((resolve) => (started = resolve)))
    })
    const { sweep } = await setup(api)
    const starting = sweep.start(BUSY_WAIT_SPEC)
    expect(sweep.status).toBe('starting')
    await sweep.cancel()
    expect(api.cancelSweep).not.toHaveBeenCalled()
    started({ sweepId: 'sweep-9' })
    await starting
    await settle()
    expect(api.cancelSweep).toHaveBeenCalledWith('sweep-9')
  })

  it('shows why the host refused a start, and keeps the last result', async () => {
    const { api, sweep } = await setup()
    await sweep.start(BUSY_WAIT_SPEC)
    const first = sweepResult('sweep-1', [
      { threads: 1, samples: [100] },
      { threads: 2, samples: [60] }
    ])
    api.emit({ type: 'sweep.finished', payload: first })
    await settle()
    vi.mocked(api.startSweep).mockRejectedValueOnce(
      new Error('sweep.start refused: job job-3 is still running; cancel it or wait for it to finish')
    )
    expect(await sweep.start(BUSY_WAIT_SPEC)).toBe(false)
    expect(sweep.error).toBe(
      'The sweep was not started: sweep.start refused: job job-3 is still running; cancel it or wait for it to finish'
    )
    expect(sweep.status).toBe('done')
    expect(sweep.result).toEqual(first)
  })

  it('does not start with fields to fix, and says how many', async () => {
    const { api, sweep } = await setup()
    sweep.fields.threads = '2, 4'
    sweep.fields.repeat = '0'
    expect(sweep.errors).toEqual({
      threads: 'threads must include 1: speedup is measured against one thread',
      repeat: 'repeat must be at least 1'
    })
    expect(sweep.blocker).toBe('2 sweep fields to fix')
    expect(await sweep.start(BUSY_WAIT_SPEC)).toBe(false)
    expect(api.startSweep).not.toHaveBeenCalled()
  })

  it('disables Run while a sweep runs, with the reason', async () => {
    const { api, sweep } = await setup()
    const form = useJobFormStore()
    form.presetMap()
    await settle()
    expect(form.canRun).toBe(true)
    await sweep.start(BUSY_WAIT_SPEC)
    expect(form.canRun).toBe(false)
    expect(form.blocker).toBe('A sweep is running: wait for it or cancel it (Esc)')
    expect(await form.run()).toBe(false)
    expect(api.startJob).not.toHaveBeenCalled()
    expect(form.refusal).toBe('Not run: A sweep is running: wait for it or cancel it (Esc)')
    api.emit({ type: 'sweep.finished', payload: sweepResult('sweep-1', [{ threads: 1, samples: [100] }]) })
    await settle()
    expect(form.canRun).toBe(true)
  })

  it('takes up a sweep it did not start (a reload of the page), and ignores other sweeps meanwhile', async () => {
    const { api, sweep } = await setup()
    sweep.closeSetup()
    vi.mocked(api.getSweep).mockResolvedValue(
      sweepResult('sweep-7', [{ threads: 1, samples: [100] }], { status: 'running' })
    )
    api.emit({ type: 'sweep.progress', payload: progress('sweep-7', 3) })
    await settle()
    expect(sweep.status).toBe('running')
    expect(sweep.sweepId).toBe('sweep-7')
    expect(sweep.shown).toBe(true)
    expect(api.getSweep).toHaveBeenCalledWith('sweep-7')
    api.emit({ type: 'sweep.progress', payload: progress('sweep-8', 1) })
    await settle()
    expect(sweep.sweepId).toBe('sweep-7')
    await sweep.cancel()
    expect(api.cancelSweep).toHaveBeenCalledWith('sweep-7')
  })
})
