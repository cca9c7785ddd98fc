import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  type EngineEvent,
  type EngineInfo,
  type EngineMemory,
  type ExportFile,
  type ExportFormat,
  type JobSummary,
  type PlanSummary,
  type PoolScopeApi,
  type ProgressEvent,
  type ResultsPage,
  type TaskArgs,
  type TuplesPage
} from '../../../shared/protocol'
import type { ResultLayout } from '../format'

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'cancelled' | 'failed'

/** One progress reading, kept briefly to measure the live rate. */
interface RateSample {
  at: number
  tasks: number
  tuples: number
}

/** The window over which the live throughput is measured, ms of job time. */
const RATE_WINDOW_MS = 1500

/** How `selectTask` shows the task it selects. */
export interface SelectTaskOptions {
  /** Scroll the results table to the task's row (loading its page if needed). */
  reveal?: boolean
  /** Move keyboard focus to the row as well; without it, focus stays where it is (on the chart). */
  focus?: boolean
}

/** A request to the results table to bring a task's row into view; a new object for each request. */
export interface RevealRequest {
  task: number
  focus: boolean
}

/** The events about a job (not those of sweeps or the history). */
type JobEvent = Extract<EngineEvent, { type: 'job.progress' | 'job.finished' }>

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The engine connection and the job being run: start, cancel, live progress and the final
 * summary. The api is injected with `connect`, so the app passes the real bridge and tests a fake.
 */
export const useJobStore = defineStore('job', () => {
  const api = shallowRef<PoolScopeApi | null>(null)
  const info = shallowRef<EngineInfo | null>(null)
  /** The engine's memory against its budget, refreshed whenever a job starts or ends. */
  const memory = shallowRef<EngineMemory | null>(null)
  const connectError = ref<string | null>(null)

  const status = ref<RunStatus>('idle')
  const jobId = ref<string | null>(null)
  const plan = shallowRef<PlanSummary | null>(null)
  const progress = shallowRef<ProgressEvent | null>(null)
  const summary = shallowRef<JobSummary | null>(null)
  /**
   * The shown job's spec as the host resolved it: from its plan, or for a job started elsewhere,
   * from its summary. It names the workload (so what its tasks yield) and the back end that ran it.
   */
  const jobSpec = shallowRef<JobSummary['spec'] | null>(null)
  /** The last thing that went wrong with a command (start, cancel, export), shown until the next try. */
  const actionError = ref<string | null>(null)
  /** What the last command did (`Saved job-1-results.json`), shown in the status bar until the next job. */
  const notice = ref<string | null>(null)
  const tuplesPerSecond = ref(0)
  const tasksPerSecond = ref(0)

  /** Worker lanes of the current job: from its plan, or for a job started elsewhere, its summary. */
  const threads = ref(1)
  /**
   * The task selected in the results table or on the timeline, shared by both: the table marks its
   * row, the timeline highlights its bar. Cleared when another job is shown.
   */
  const selectedTask = ref<number | null>(null)
  /** The latest request to scroll the results table to a task's row (see `selectTask`). */
  const revealRequest = shallowRef<RevealRequest | null>(null)

  let rateSamples: RateSample[] = []
  /** A cancel asked for while the job was starting: sent as soon as the job has its id. */
  let cancelOnStart = false
  let pendingEvents: JobEvent[] = []
  let unsubscribe: (() => void) | null = null
  /** Jobs that ended while shown here: their stray events never re-adopt them. */
  const endedJobs = new Set<string>()

  /**
   * What the shown job's tasks yield, so every panel names its results right (tuples or values):
   * its workload's layout as the engine describes it, else its plan's.
   */
  const layout = computed<ResultLayout>(() => {
    const name = jobSpec.value?.workload
    const known = info.value?.workloads.find((w) => w.name === name)
    return known?.layout ?? plan.value?.layout ?? 'positions'
  })
  /** The back end that runs (or ran) the shown job. */
  const backend = computed(() => jobSpec.value?.backend ?? 'threads')

  const running = computed(() => status.value === 'starting' || status.value === 'running')
  const finished = computed(() => summary.value !== null && !running.value)

  async function connect(next: PoolScopeApi): Promise<void> {
    unsubscribe?.()
    api.value = next
    unsubscribe = next.onEvent(handleEvent)
    try {
      info.value = await next.info()
      if (status.value === 'idle') threads.value = info.value.hardwareThreads
      connectError.value = null
      void refreshMemory()
    } catch (err) {
      connectError.value = `Could not reach the engine: ${messageOf(err)}`
    }
  }

  /** Asks the host what it holds; a failure leaves the last figure (the status bar is not worth an error). */
  async function refreshMemory(): Promise<void> {
    const current = api.value
    if (!current) return
    try {
      memory.value = await current.memory()
    } catch {
      // Keep the previous figure.
    }
  }

  function fail(message: string): void {
    connectError.value = message
  }

  function requireApi(): PoolScopeApi {
    if (!api.value) throw new Error('The engine is not connected yet')
    return api.value
  }

  /** Starts a job; on refusal the previous job and its results stay on screen with the reason. */
  async function start(spec: unknown): Promise<boolean> {
    if (running.value || !api.value) return false
    const before = status.value
    status.value = 'starting'
    actionError.value = null
    notice.value = null
    pendingEvents = []
    cancelOnStart = false
    try {
      const started = await api.value.startJob(spec)
      jobId.value = started.jobId
      plan.value = started
      jobSpec.value = started.spec
      summary.value = null
      progress.value = {
        jobId: started.jobId,
        tasksDone: 0,
        tasksFailed: 0,
        tasksTotal: started.taskCount,
        tuplesDone: 0,
        tuplesTotal: Number(started.totalTuples),
        elapsedMs: 0
      }
      threads.value = started.threads
      resetLive()
      status.value = 'running'
      void refreshMemory()
      // Events may overtake the reply that names the job: replay the ones that were held back.
      const held = pendingEvents
      pendingEvents = []
      for (const event of held) handleEvent(event)
      if (cancelOnStart) void cancel()
      return true
    } catch (err) {
      status.value = before
      actionError.value = `The job was not started: ${messageOf(err)}`
      pendingEvents = []
      return false
    }
  }

  async function cancel(): Promise<void> {
    if (status.value === 'starting') cancelOnStart = true
    if (status.value !== 'running' || !api.value || !jobId.value) return
    try {
      await api.value.cancelJob(jobId.value)
    } catch (err) {
      actionError.value = `Cancel failed: ${messageOf(err)}`
    }
  }

  /**
   * Selects a task of the shown job, or none with null. With `reveal`, the results table scrolls to
   * the task's row (the timeline asks for this when a bar is clicked); with `focus` too, the row
   * takes keyboard focus. A task the job does not have selects nothing.
   */
  function selectTask(task: number | null, options: SelectTaskOptions = {}): void {
    const count = summary.value?.taskCount ?? plan.value?.taskCount ?? progress.value?.tasksTotal ?? 0
    const valid = task !== null && Number.isInteger(task) && task >= 0 && task < count
    selectedTask.value = valid ? task : null
    if (valid && options.reveal) revealRequest.value = { task, focus: options.focus ?? false }
  }

  /** Clears the rates and the selection for a new job (the timeline store follows `jobId`). */
  function resetLive(): void {
    rateSamples = []
    tuplesPerSecond.value = 0
    tasksPerSecond.value = 0
    selectedTask.value = null
    revealRequest.value = null
  }

  /**
   * Takes over a job this window did not start (the Electron menu's "Open job…" starts jobs from
   * the main process): its events are shown like those of a job started here. Only while no job of
   * this window is running, and never a job already shown to its end.
   */
  function adopt(event: JobEvent): boolean {
    const id = event.payload.jobId
    if (running.value || endedJobs.has(id) || !api.value) return false
    jobId.value = id
    plan.value = null
    jobSpec.value = event.type === 'job.finished' ? event.payload.spec : null
    summary.value = null
    actionError.value = null
    threads.value = event.type === 'job.finished' ? event.payload.threads : (info.value?.hardwareThreads ?? 1)
    resetLive()
    if (event.type === 'job.finished') return true
    status.value = 'running'
    progress.value =
      event.type === 'job.progress'
        ? event.payload
        : {
            jobId: id,
            tasksDone: 0,
            tasksFailed: 0,
            tasksTotal: 0,
            tuplesDone: 0,
            tuplesTotal: 0,
            elapsedMs: 0
          }
    // The events do not say how many workers the job has; its summary does.
    void api.value.jobSummary(id).then(
      (details) => {
        if (jobId.value !== id || summary.value !== null) return
        threads.value = details.threads
        jobSpec.value = details.spec
        if (progress.value?.tasksTotal === 0)
          progress.value = { ...progress.value, tasksTotal: details.taskCount }
      },
      () => undefined
    )
    return true
  }

  function handleEvent(event: EngineEvent): void {
    // Sweeps and the history report on their own events; only job events concern this store.
    if (event.type !== 'job.progress' && event.type !== 'job.finished') return
    if (status.value === 'starting') {
      pendingEvents.push(event)
      return
    }
    if (event.payload.jobId !== jobId.value && !adopt(event)) return
    switch (event.type) {
      case 'job.progress':
        onProgress(event.payload)
        break
      case 'job.finished':
        onFinished(event.payload)
        break
    }
  }

  function onProgress(event: ProgressEvent): void {
    if (status.value !== 'running') return
    progress.value = event
    const sample = {
      at: event.elapsedMs,
      tasks: event.tasksDone + event.tasksFailed,
      tuples: event.tuplesDone
    }
    rateSamples.push(sample)
    while (rateSamples.length > 2 && sample.at - rateSamples[1].at >= RATE_WINDOW_MS) rateSamples.shift()
    const oldest = rateSamples[0]
    const span = (sample.at - oldest.at) / 1000
    if (span > 0) {
      tuplesPerSecond.value = (sample.tuples - oldest.tuples) / span
      tasksPerSecond.value = (sample.tasks - oldest.tasks) / span
    } else if (sample.at > 0) {
      tuplesPerSecond.value = sample.tuples / (sample.at / 1000)
      tasksPerSecond.value = sample.tasks / (sample.at / 1000)
    }
  }

  function onFinished(result: JobSummary): void {
    endedJobs.add(result.jobId)
    threads.value = result.threads
    jobSpec.value = result.spec
    summary.value = result
    status.value = result.status === 'running' ? 'done' : result.status
    tuplesPerSecond.value = result.tuplesPerSecond
    tasksPerSecond.value = result.tasksPerSecond
    progress.value = {
      jobId: result.jobId,
      tasksDone: result.tasksDone,
      tasksFailed: result.tasksFailed,
      tasksTotal: result.taskCount,
      tuplesDone: result.tuplesProduced,
      tuplesTotal: progress.value?.tuplesTotal ?? 0,
      elapsedMs: result.wallMs
    }
    void refreshMemory()
  }

  /**
   * Shows an ended job the engine holds (one opened from history) as if it had just run here: its
   * timeline, cores, statistics and results. Refused while a job runs.
   */
  function show(ended: JobSummary): boolean {
    if (running.value) return false
    jobId.value = ended.jobId
    plan.value = null
    actionError.value = null
    notice.value = null
    resetLive()
    onFinished(ended)
    return true
  }

  function fetchResults(offset: number, limit: number): Promise<ResultsPage> {
    if (!jobId.value) return Promise.reject(new Error('No job has run yet'))
    return requireApi().results(jobId.value, offset, limit)
  }

  function fetchArgs(task: number): Promise<TaskArgs> {
    if (!jobId.value) return Promise.reject(new Error('No job to read arguments from'))
    return requireApi().args(jobId.value, task)
  }

  function fetchTuples(task: number, offset: number, limit: number): Promise<TuplesPage> {
    if (!jobId.value) return Promise.reject(new Error('No job has run yet'))
    return requireApi().tuples(jobId.value, task, offset, limit)
  }

  async function exportResults(format: ExportFormat): Promise<ExportFile | null> {
    if (!jobId.value) return null
    actionError.value = null
    notice.value = null
    try {
      return await requireApi().exportJob(jobId.value, format)
    } catch (err) {
      actionError.value = `Export failed: ${messageOf(err)}`
      return null
    }
  }

  function reportError(message: string): void {
    notice.value = null
    actionError.value = message
  }

  function reportNotice(message: string): void {
    actionError.value = null
    notice.value = message
  }

  return {
    api,
    info,
    memory,
    connectError,
    status,
    jobId,
    plan,
    progress,
    summary,
    jobSpec,
    layout,
    backend,
    actionError,
    notice,
    tuplesPerSecond,
    tasksPerSecond,
    threads,
    selectedTask,
    revealRequest,
    running,
    finished,
    connect,
    fail,
    start,
    show,
    cancel,
    selectTask,
    fetchResults,
    fetchArgs,
    fetchTuples,
    exportResults,
    reportError,
    reportNotice
  }
})
