import { describe, expect, it, vi } from 'vitest'
import { useJobStore } from '@renderer/stores/job'
import type { PlanSummary } from '../../src/shared/protocol'
import { createFakeApi, planSummary, summaryOf } from './fakeApi'
import { connectedPinia, settle } from './helpers'

const mapSpec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}

async function runningJob(api = createFakeApi()) {
  await connectedPinia(api)
  const job = useJobStore()
  await job.start(mapSpec)
  return { job, api }
}

describe('job store', () => {
  it('loads the machine info when connected', async () => {
    await connectedPinia()
    expect(useJobStore().info?.hardwareThreads).toBe(2)
  })

  it('says the engine cannot be reached when info fails', async () => {
    await connectedPinia(
      createFakeApi({ info: vi.fn(async () => Promise.reject(new Error('socket closed'))) })
    )
    expect(useJobStore().connectError).toBe('Could not reach the engine: socket closed')
  })

  it('starts a job and shows zero progress out of its task count', async () => {
    const { job } = await runningJob()
    expect(job.status).toBe('running')
    expect(job.jobId).toBe('job-1')
    expect(job.progress).toEqual({
      jobId: 'job-1',
      tasksDone: 0,
      tasksFailed: 0,
      tasksTotal: 4,
      tuplesDone: 0,
      tuplesTotal: 60,
      elapsedMs: 0
    })
  })

  it('follows progress events of its own job', async () => {
    const { job, api } = await runningJob()
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'job-1',
        tasksDone: 2,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 30,
        tuplesTotal: 60,
        elapsedMs: 10
      }
    })
    expect(job.progress?.tasksDone).toBe(2)
    expect(job.progress?.tuplesDone).toBe(30)
  })

  it('ignores events of other jobs', async () => {
    const { job, api } = await runningJob()
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'other',
        tasksDone: 3,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 45,
        tuplesTotal: 60,
        elapsedMs: 10
      }
    })
    expect(job.progress?.tasksDone).toBe(0)
  })

  it('measures live throughput between progress events', async () => {
    const { job, api } = await runningJob()
    const progress = (tasksDone: number, tuplesDone: number, elapsedMs: number) =>
      api.emit({
        type: 'job.progress',
        payload: {
          jobId: 'job-1',
          tasksDone,
          tasksFailed: 0,
          tasksTotal: 4,
          tuplesDone,
          tuplesTotal: 60,
          elapsedMs
        }
      })
    progress(1, 15, 100)
    progress(3, 45, 600)
    // 30 tuples and 2 tasks in half a second.
    expect(job.tuplesPerSecond).toBe(60)
    expect(job.tasksPerSecond).toBe(4)
  })

  it('ends with the finished summary', async () => {
    const { job, api } = await runningJob()
    const plan = planSummary(mapSpec)
    api.emit({ type: 'job.finished', payload: summaryOf(plan, 'job-1') })
    await settle()
    expect(job.status).toBe('done')
    expect(job.finished).toBe(true)
    expect(job.summary?.taskCount).toBe(4)
    expect(job.progress?.tuplesDone).toBe(60)
  })

  it('replays events that arrive before the start reply', async () => {
    type Started = PlanSummary & { jobId: string }
    let release: (value: Started) => void = () => {}
    const api = createFakeApi({
      startJob: vi.fn(() => new Promise<Started>((resolve) => (release = resolve)))
    })
    await connectedPinia(api)
    const job = useJobStore()
    const started = job.start(mapSpec)
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'job-9',
        tasksDone: 1,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 15,
        tuplesTotal: 60,
        elapsedMs: 3
      }
    })
    release({ ...planSummary(mapSpec), jobId: 'job-9' })
    await started
    expect(job.progress?.tasksDone).toBe(1)
  })

  it('knows from its plan what a job’s tasks yield and which back end runs it', async () => {
    const { job, api } = await runningJob()
    expect(job.layout).toBe('positions')
    expect(job.backend).toBe('threads')
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-1') })
    await settle()
    await job.start({
      workload: 'sleep',
      style: 'map',
      inputs: { kind: 'recipe', tasks: 16, ms: [20] },
      threads: 8,
      backend: 'processes'
    })
    expect(job.plan?.layout).toBe('values')
    expect(job.layout).toBe('values')
    expect(job.backend).toBe('processes')
  })

  it('asks the host to cancel the running job', async () => {
    const { job, api } = await runningJob()
    await job.cancel()
    expect(api.cancelJob).toHaveBeenCalledWith('job-1')
  })

  it('sends a cancel asked for while the job was starting as soon as it has started', async () => {
    let reply: (value: unknown) => void = () => undefined
    const api = createFakeApi()
    vi.mocked(api.startJob).mockImplementationOnce(
      () => new Promise((resolve) => (reply = resolve as (value: unknown) => void))
    )
    await connectedPinia(api)
    const job = useJobStore()
    const started = job.start(mapSpec)
    expect(job.status).toBe('starting')
    await job.cancel()
    expect(api.cancelJob).not.toHaveBeenCalled()
    reply({ ...planSummary(mapSpec), jobId: 'job-7' })
    await started
    await settle()
    expect(api.cancelJob).toHaveBeenCalledWith('job-7')
  })

  it('shows a cancelled job with its reason', async () => {
    const { job, api } = await runningJob()
    const summary = summaryOf(planSummary(mapSpec), 'job-1', {
      status: 'cancelled',
      partial: true,
      tasksDone: 2,
      message: 'Cancelled by the user after 2 of 4 tasks; results are partial.'
    })
    api.emit({ type: 'job.finished', payload: summary })
    await settle()
    expect(job.status).toBe('cancelled')
    expect(job.summary?.message).toBe('Cancelled by the user after 2 of 4 tasks; results are partial.')
  })

  it('shows why a start was refused and keeps the previous job', async () => {
    const api = createFakeApi()
    const { job } = await runningJob(api)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-1') })
    await settle()
    vi.mocked(api.startJob).mockRejectedValueOnce(new Error('a job is already running; wait or cancel it'))
    expect(await job.start(mapSpec)).toBe(false)
    expect(job.actionError).toBe('The job was not started: a job is already running; wait or cancel it')
    expect(job.status).toBe('done')
    expect(job.jobId).toBe('job-1')
    expect(job.summary?.jobId).toBe('job-1')
  })

  it('does not start a second job while one runs', async () => {
    const { job, api } = await runningJob()
    expect(await job.start(mapSpec)).toBe(false)
    expect(api.startJob).toHaveBeenCalledTimes(1)
  })

  describe('the selected task, shared by the results table and the timeline', () => {
    it('selects a task of the job, and asks the table to reveal it only when told to', async () => {
      const { job } = await runningJob()
      job.selectTask(2)
      expect(job.selectedTask).toBe(2)
      expect(job.revealRequest).toBeNull()
      job.selectTask(3, { reveal: true })
      expect(job.selectedTask).toBe(3)
      expect(job.revealRequest).toEqual({ task: 3, focus: false })
      job.selectTask(1, { reveal: true, focus: true })
      expect(job.revealRequest).toEqual({ task: 1, focus: true })
    })

    it('selects nothing for a task the job does not have', async () => {
      const { job } = await runningJob()
      job.selectTask(2)
      job.selectTask(4, { reveal: true })
      expect(job.selectedTask).toBeNull()
      job.selectTask(1.5)
      expect(job.selectedTask).toBeNull()
      expect(job.revealRequest).toBeNull()
    })

    it('clears the selection when a new job starts', async () => {
      const { job, api } = await runningJob()
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-1') })
      await settle()
      job.selectTask(3, { reveal: true })
      await job.start(mapSpec)
      expect(job.jobId).toBe('job-2')
      expect(job.selectedTask).toBeNull()
      expect(job.revealRequest).toBeNull()
    })
  })

  describe('a job it did not start (the Electron menu\'s "Open job…")', () => {
    const progressOf = (jobId: string, tasksDone: number) => ({
      type: 'job.progress' as const,
      payload: {
        jobId,
        tasksDone,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: tasksDone * 15,
        tuplesTotal: 60,
        elapsedMs: 5
      }
    })

    function apiWithJob(jobId: string) {
      const plan = planSummary(mapSpec)
      return createFakeApi({
        jobSummary: vi.fn(async () => summaryOf(plan, jobId, { status: 'running', threads: 3 }))
      })
    }

    it('adopts the job on its first progress event and follows it', async () => {
      const api = apiWithJob('job-menu')
      await connectedPinia(api)
      const job = useJobStore()
      api.emit(progressOf('job-menu', 1))
      expect(job.jobId).toBe('job-menu')
      expect(job.status).toBe('running')
      expect(job.progress?.tasksDone).toBe(1)
      await settle()
      expect(api.jobSummary).toHaveBeenCalledWith('job-menu')
      expect(job.threads).toBe(3)
      api.emit(progressOf('job-menu', 3))
      expect(job.progress?.tasksDone).toBe(3)
    })

    it('shows its summary when it ends', async () => {
      const api = apiWithJob('job-menu')
      await connectedPinia(api)
      const job = useJobStore()
      api.emit(progressOf('job-menu', 1))
      expect(job.jobId).toBe('job-menu')
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-menu') })
      await settle()
      expect(job.status).toBe('done')
      expect(job.finished).toBe(true)
      expect(job.summary?.jobId).toBe('job-menu')
    })

    it('adopts a job that it only sees finish', async () => {
      const api = createFakeApi()
      await connectedPinia(api)
      const job = useJobStore()
      const summary = summaryOf(planSummary(mapSpec), 'job-menu', { tasksDone: 1, taskCount: 1 })
      api.emit({ type: 'job.finished', payload: summary })
      await settle()
      expect(job.jobId).toBe('job-menu')
      expect(job.status).toBe('done')
      expect(job.summary?.taskCount).toBe(1)
    })

    it('adopts the next job after its own has finished', async () => {
      const { job, api } = await runningJob(apiWithJob('job-menu'))
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-1') })
      await settle()
      api.emit(progressOf('job-menu', 2))
      expect(job.jobId).toBe('job-menu')
      expect(job.status).toBe('running')
      expect(job.summary).toBeNull()
    })

    it('takes what its tasks yield and its back end from the summary of a job it only sees finish', async () => {
      const api = createFakeApi()
      await connectedPinia(api)
      const job = useJobStore()
      expect(job.layout).toBe('positions')
      expect(job.backend).toBe('threads')
      const primes = {
        workload: 'count_primes',
        style: 'starmap',
        inputs: { kind: 'recipe', tasks: 8, span: [0, 1_000_000] },
        backend: 'processes'
      }
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(primes), 'job-menu') })
      await settle()
      expect(job.plan).toBeNull()
      expect(job.layout).toBe('values')
      expect(job.backend).toBe('processes')
    })

    it('does not take over while a job of its own is running', async () => {
      const { job, api } = await runningJob(apiWithJob('job-menu'))
      api.emit(progressOf('job-menu', 2))
      expect(job.jobId).toBe('job-1')
      expect(api.jobSummary).not.toHaveBeenCalled()
    })
  })
})
