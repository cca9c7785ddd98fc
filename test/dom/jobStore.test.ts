import { describe, expect, it, vi } from 'vitest'
import { MAX_TASK_BARS } from '@renderer/charts/timeline'
import { TIMINGS_FETCH_PAGE, useJobStore } from '@renderer/stores/job'
import { BusyTimeBins } from '../../src/shared/busyBins'
import { MAX_TIMINGS_PAGE, type PlanSummary } from '../../src/shared/protocol'
import { createFakeApi, hostBins, planSummary, summaryOf, timingBatch } from './fakeApi'
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
    api.emit({
      type: 'job.timings',
      payload: timingBatch('job-1', [
        [0, 0, 5, 0],
        [1, 0, 6, 1],
        [2, 5, 9, 0],
        [3, 6, 10, 1]
      ])
    })
    api.emit({ type: 'job.finished', payload: summaryOf(plan, 'job-1') })
    await settle()
    expect(job.status).toBe('done')
    expect(job.finished).toBe(true)
    expect(job.summary?.taskCount).toBe(4)
    expect(job.progress?.tuplesDone).toBe(60)
    expect(api.timings).not.toHaveBeenCalled()
  })

  it('collects timing batches into columns', async () => {
    const { job, api } = await runningJob()
    api.emit({ type: 'job.timings', payload: timingBatch('job-1', [[0, 0, 5, 0]]) })
    api.emit({ type: 'job.timings', payload: timingBatch('job-1', [[1, 1, 7, 1]]) })
    expect(job.timings.length).toBe(2)
    expect(Array.from(job.timings.task.subarray(0, 2))).toEqual([0, 1])
    expect(job.timings.maxEnd).toBe(7)
    expect(job.timings.laneCount).toBe(2)
  })

  it('pages missing timings from the host when the job ends', async () => {
    const api = createFakeApi({
      timings: vi.fn(async (jobId: string) =>
        timingBatch(jobId, [
          [0, 0, 5, 0],
          [1, 0, 6, 1],
          [2, 5, 9, 0],
          [3, 6, 10, 1]
        ])
      )
    })
    const { job } = await runningJob(api)
    api.emit({ type: 'job.timings', payload: timingBatch('job-1', [[0, 0, 5, 0]]) })
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-1') })
    await settle()
    expect(api.timings).toHaveBeenCalledWith('job-1', 0, TIMINGS_FETCH_PAGE)
    // Pages are binned between yields to the browser, so the swap comes a task later.
    await vi.waitFor(() => expect(job.timings.length).toBe(4))
    expect(job.bins.length).toBe(4)
  })

  it('pages timings over every task index, so a cancelled job’s late tasks are not missed', async () => {
    const lastTask = TIMINGS_FETCH_PAGE + 5
    const api = createFakeApi({
      timings: vi.fn(async (jobId: string, offset: number, limit: number) =>
        timingBatch(jobId, lastTask >= offset && lastTask < offset + limit ? [[lastTask, 0, 5, 1]] : [])
      )
    })
    const { job } = await runningJob(api)
    const summary = summaryOf(planSummary(mapSpec), 'job-1', {
      status: 'cancelled',
      partial: true,
      taskCount: TIMINGS_FETCH_PAGE * 2,
      tasksDone: 1
    })
    api.emit({ type: 'job.finished', payload: summary })
    await vi.waitFor(() => expect(job.timings.length).toBe(1))
    expect(job.timings.task[0]).toBe(lastTask)
    expect(api.timings).toHaveBeenCalledWith('job-1', TIMINGS_FETCH_PAGE, TIMINGS_FETCH_PAGE)
  })

  it('asks for timings in the widest pages the contract allows', () => {
    expect(TIMINGS_FETCH_PAGE).toBe(MAX_TIMINGS_PAGE)
    expect(TIMINGS_FETCH_PAGE).toBe(200_000)
  })

  it('takes the host’s bins of every task, in one request and without paging timings, for a job past the bar limit', async () => {
    const tasks = MAX_TASK_BARS + 30_000
    const api = createFakeApi({ busyBins: vi.fn(async (jobId: string) => hostBins(jobId, tasks)) })
    const { job } = await runningJob(api)
    // The live stream was a preview: one batch of three tasks.
    api.emit({
      type: 'job.timings',
      payload: timingBatch('job-1', [
        [0, 0, 0.015, 0],
        [1, 0.01, 0.025, 1],
        [2, 0.02, 0.035, 0]
      ])
    })
    const version = job.timingsVersion
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(mapSpec), 'job-1', { taskCount: tasks, tasksDone: tasks })
    })
    await settle()
    expect(api.busyBins).toHaveBeenCalledTimes(1)
    expect(api.busyBins).toHaveBeenCalledWith('job-1')
    expect(api.timings).not.toHaveBeenCalled()
    expect(job.expectedTimings).toBe(tasks)
    expect(job.bins.length).toBe(tasks)
    expect(job.bins.toBins()).toEqual(BusyTimeBins.fromState(hostBins('job-1', tasks)).toBins())
    expect(job.bins.maxEnd).toBeCloseTo((tasks - 1) * 0.01 + 0.015, 9)
    expect(job.timings.length).toBe(3)
    expect(job.timedTasks).toBe(tasks)
    expect(job.timingsVersion).toBe(version + 1)
  })

  it('asks the host for nothing when the live batches carried every task of a big job', async () => {
    const { job, api } = await runningJob()
    const tasks = MAX_TASK_BARS + 1
    const rows = Array.from({ length: tasks }, (_, i): [number, number, number, number] => [
      i,
      i,
      i + 1,
      i % 2
    ])
    api.emit({ type: 'job.timings', payload: timingBatch('job-1', rows) })
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(mapSpec), 'job-1', { taskCount: tasks, tasksDone: tasks })
    })
    await settle()
    expect(api.busyBins).not.toHaveBeenCalled()
    expect(api.timings).not.toHaveBeenCalled()
    expect(job.bins.length).toBe(tasks)
    expect(job.timedTasks).toBe(tasks)
  })

  it('says so when the host’s bins cannot be loaded, and keeps the live bins', async () => {
    const api = createFakeApi({ busyBins: vi.fn(async () => Promise.reject(new Error('socket closed'))) })
    const { job } = await runningJob(api)
    api.emit({ type: 'job.timings', payload: timingBatch('job-1', [[0, 0, 5, 0]]) })
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(mapSpec), 'job-1', { taskCount: 100_000, tasksDone: 100_000 })
    })
    await settle()
    expect(job.actionError).toBe('Timings could not be loaded: socket closed')
    expect(job.bins.length).toBe(1)
  })

  it('expects as many timings as its plan has tasks while running, then as many as ran', async () => {
    const { job, api } = await runningJob()
    expect(job.expectedTimings).toBe(4)
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(mapSpec), 'job-1', { status: 'cancelled', partial: true, tasksDone: 3 })
    })
    await settle()
    expect(job.expectedTimings).toBe(3)
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

    it('collects its timings and bins, and shows its summary when it ends', async () => {
      const api = apiWithJob('job-menu')
      await connectedPinia(api)
      const job = useJobStore()
      api.emit({ type: 'job.timings', payload: timingBatch('job-menu', [[0, 0, 5, 0]]) })
      expect(job.jobId).toBe('job-menu')
      expect(job.timings.length).toBe(1)
      expect(job.bins.length).toBe(1)
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(mapSpec), 'job-menu') })
      await settle()
      expect(job.status).toBe('done')
      expect(job.finished).toBe(true)
      expect(job.summary?.jobId).toBe('job-menu')
    })

    it('adopts a job that it only sees finish, and pages its timings', async () => {
      const api = createFakeApi({
        timings: vi.fn(async (jobId: string) => timingBatch(jobId, [[0, 0, 5, 0]]))
      })
      await connectedPinia(api)
      const job = useJobStore()
      const summary = summaryOf(planSummary(mapSpec), 'job-menu', { tasksDone: 1, taskCount: 1 })
      api.emit({ type: 'job.finished', payload: summary })
      await settle()
      expect(job.jobId).toBe('job-menu')
      expect(job.status).toBe('done')
      expect(api.timings).toHaveBeenCalledWith('job-menu', 0, TIMINGS_FETCH_PAGE)
      await vi.waitFor(() => expect(job.timings.length).toBe(1))
    })

    it('adopts a big job that it only sees finish, and takes the host’s bins instead of its timings', async () => {
      const api = createFakeApi({ busyBins: vi.fn(async (jobId: string) => hostBins(jobId, 25_000, 3)) })
      await connectedPinia(api)
      const job = useJobStore()
      const summary = summaryOf(planSummary(mapSpec), 'job-menu', {
        threads: 3,
        taskCount: 25_000,
        tasksDone: 25_000
      })
      api.emit({ type: 'job.finished', payload: summary })
      await settle()
      expect(job.jobId).toBe('job-menu')
      expect(job.threads).toBe(3)
      expect(api.busyBins).toHaveBeenCalledWith('job-menu')
      expect(api.timings).not.toHaveBeenCalled()
      expect(job.bins.length).toBe(25_000)
      expect(new Set(job.bins.toBins().map((bin) => bin[2]))).toEqual(new Set([0, 1, 2]))
    })

    it('expects the task count of a job it adopts from its progress, or else from its summary', async () => {
      const api = apiWithJob('job-menu')
      await connectedPinia(api)
      const job = useJobStore()
      api.emit({
        ...progressOf('job-menu', 1),
        payload: { ...progressOf('job-menu', 1).payload, tasksTotal: 7 }
      })
      expect(job.expectedTimings).toBe(7)

      await connectedPinia(api)
      const other = useJobStore()
      api.emit({ type: 'job.timings', payload: timingBatch('job-menu', [[0, 0, 5, 0]]) })
      expect(other.expectedTimings).toBe(0)
      await settle()
      expect(other.expectedTimings).toBe(4)
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
