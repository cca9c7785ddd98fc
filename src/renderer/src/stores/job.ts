import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type {
  EngineEvent,
  EngineInfo,
  ExportFile,
  JobSummary,
  PlanSummary,
  PoolScopeApi,
  ProgressEvent,
  ResultsPage,
  TimingBatch,
  TuplesPage
} from '../../../shared/protocol'
import { MAX_TIMINGS_PAGE } from '../../../shared/protocol'
import { TimingColumns } from './timingColumns'

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'cancelled' | 'failed'

/** One progress reading, kept briefly to measure the live rate. */
interface RateSample {
  at: number
  tasks: number
  tuples: number
}

/** The window over which the live throughput is measured, ms of job time. */
const RATE_WINDOW_MS = 1500

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The engine connection and the job being run: start, cancel, live progress, timings and the final
 * summary. The api is injected with `connect`, so the app passes the real bridge and tests a fake.
 */
export const useJobStore = defineStore('job', () => {
  const api = shallowRef<PoolScopeApi | null>(null)
  const info = shallowRef<EngineInfo | null>(null)
  const connectError = ref<string | null>(null)

  const status = ref<RunStatus>('idle')
  const jobId = ref<string | null>(null)
  const plan = shallowRef<PlanSummary | null>(null)
  const progress = shallowRef<ProgressEvent | null>(null)
  const summary = shallowRef<JobSummary | null>(null)
  /** The last thing that went wrong with a command (start, cancel, export), shown until the next try. */
  const actionError = ref<string | null>(null)
  const tuplesPerSecond = ref(0)
  const tasksPerSecond = ref(0)

  // Timings can reach millions of rows: raw typed arrays, with a counter to tell watchers they grew.
  const timings = shallowRef(markRaw(new TimingColumns()))
  const timingsVersion = ref(0)

  let rateSamples: RateSample[] = []
  let pendingEvents: EngineEvent[] = []
  let unsubscribe: (() => void) | null = null

  const running = computed(() => status.value === 'starting' || status.value === 'running')
  const finished = computed(() => summary.value !== null && !running.value)

  async function connect(next: PoolScopeApi): Promise<void> {
    unsubscribe?.()
    api.value = next
    unsubscribe = next.onEvent(handleEvent)
    try {
      info.value = await next.info()
      connectError.value = null
    } catch (err) {
      connectError.value = `Could not reach the engine: ${messageOf(err)}`
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
    pendingEvents = []
    try {
      const started = await api.value.startJob(spec)
      jobId.value = started.jobId
      plan.value = started
      summary.value = null
      progress.value = {
        jobId: started.jobId,
        tasksDone: 0,
        tasksFailed: 0,
        tasksTotal: started.taskCount,
        tuplesDone: 0,
        elapsedMs: 0
      }
      rateSamples = []
      tuplesPerSecond.value = 0
      tasksPerSecond.value = 0
      timings.value = markRaw(new TimingColumns())
      timingsVersion.value++
      status.value = 'running'
      // Events may overtake the reply that names the job: replay the ones that were held back.
      const held = pendingEvents
      pendingEvents = []
      for (const event of held) handleEvent(event)
      return true
    } catch (err) {
      status.value = before
      actionError.value = `The job was not started: ${messageOf(err)}`
      pendingEvents = []
      return false
    }
  }

  async function cancel(): Promise<void> {
    if (status.value !== 'running' || !api.value || !jobId.value) return
    try {
      await api.value.cancelJob(jobId.value)
    } catch (err) {
      actionError.value = `Cancel failed: ${messageOf(err)}`
    }
  }

  function handleEvent(event: EngineEvent): void {
    if (status.value === 'starting') {
      pendingEvents.push(event)
      return
    }
    if (event.payload.jobId !== jobId.value) return
    switch (event.type) {
      case 'job.progress':
        onProgress(event.payload)
        break
      case 'job.timings':
        onTimings(event.payload)
        break
      case 'job.finished':
        void onFinished(event.payload)
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

  function onTimings(batch: TimingBatch): void {
    timings.value.append(batch)
    timingsVersion.value++
  }

  async function onFinished(result: JobSummary): Promise<void> {
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
      elapsedMs: result.wallMs
    }
    await completeTimings(result)
  }

  /** Live batches are throttled and may be missed (a late subscriber); page the rest from the host. */
  async function completeTimings(result: JobSummary): Promise<void> {
    const expected = result.tasksDone + result.tasksFailed
    if (!api.value || timings.value.length >= expected) return
    const fresh = markRaw(new TimingColumns())
    try {
      for (let offset = 0; offset < expected; offset += MAX_TIMINGS_PAGE) {
        const batch = await api.value.timings(result.jobId, offset, MAX_TIMINGS_PAGE)
        if (batch.task.length === 0) break
        fresh.append(batch)
      }
      if (jobId.value !== result.jobId) return
      timings.value = fresh
      timingsVersion.value++
    } catch (err) {
      actionError.value = `Timings could not be loaded: ${messageOf(err)}`
    }
  }

  function fetchResults(offset: number, limit: number): Promise<ResultsPage> {
    if (!jobId.value) return Promise.reject(new Error('No job has run yet'))
    return requireApi().results(jobId.value, offset, limit)
  }

  function fetchTuples(task: number, offset: number, limit: number): Promise<TuplesPage> {
    if (!jobId.value) return Promise.reject(new Error('No job has run yet'))
    return requireApi().tuples(jobId.value, task, offset, limit)
  }

  async function exportResults(format: 'json' | 'csv'): Promise<ExportFile | null> {
    if (!jobId.value) return null
    actionError.value = null
    try {
      return await requireApi().exportJob(jobId.value, format)
    } catch (err) {
      actionError.value = `Export failed: ${messageOf(err)}`
      return null
    }
  }

  function reportError(message: string): void {
    actionError.value = message
  }

  return {
    api,
    info,
    connectError,
    status,
    jobId,
    plan,
    progress,
    summary,
    actionError,
    tuplesPerSecond,
    tasksPerSecond,
    timings,
    timingsVersion,
    running,
    finished,
    connect,
    fail,
    start,
    cancel,
    fetchResults,
    fetchTuples,
    exportResults,
    reportError
  }
})
