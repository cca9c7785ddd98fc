import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, shallowRef, watch } from 'vue'
import type { EngineEvent, SavedSweep, SweepProgress, SweepResult } from '../../../shared/protocol'
import type { BackendKind } from '../../../shared/spec'
import { downloadFile } from '../download'
import { useJobStore } from './job'
import { defaultSweepFields, fieldsOfSweepOptions, readSweepFields, type SweepFields } from './sweepForm'

export type SweepStatus = 'idle' | 'starting' | 'running' | 'done' | 'cancelled' | 'failed'

type SweepEvent = Extract<EngineEvent, { type: 'sweep.progress' | 'sweep.finished' }>

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * A thread-count sweep of the job form's job: its setup fields, start and cancel, progress over the
 * whole sweep, and its result — fetched (`sweep.get`) each time a measured run has finished, so the
 * scaling chart grows point by point, and final with `sweep.finished`.
 */
export const useSweepStore = defineStore('sweep', () => {
  const job = useJobStore()
  const hardwareThreads = computed(() => job.info?.hardwareThreads ?? 1)

  /** Whether the setup shows (the "Sweep threads…" button opens it). */
  const open = ref(false)
  const fields = reactive<SweepFields>(defaultSweepFields(1, 'threads'))
  const read = computed(() => readSweepFields(fields, hardwareThreads.value))
  const errors = computed(() => read.value.errors)

  const status = ref<SweepStatus>('idle')
  const sweepId = ref<string | null>(null)
  const progress = shallowRef<SweepProgress | null>(null)
  const result = shallowRef<SweepResult | null>(null)
  /** What went wrong with the last start, cancel or fetch; shown until the next try. */
  const error = ref<string | null>(null)
  /** The history record the result shown was opened from; null for a sweep run here. */
  const from = shallowRef<Omit<SavedSweep, 'result'> | null>(null)

  const running = computed(() => status.value === 'starting' || status.value === 'running')
  /** Whether the sweep's panels show: opened, or a sweep running (Close hides them, the result stays). */
  const shown = computed(() => open.value || running.value)
  const processesAvailable = computed(
    () => job.info?.backends.find((b) => b.name === 'processes')?.available ?? false
  )

  let cancelOnStart = false
  let pending: SweepEvent[] = []
  /** Sweeps that ended while shown here: a stray event never takes them up again. */
  const ended = new Set<string>()
  let fetching = false
  let fetchAgain = false

  /** Opens the setup, its fields filled from this machine and the form's back end the first time. */
  function openSetup(backend: BackendKind = 'threads'): void {
    fillOnce(backend)
    open.value = true
  }

  /** Whether the fields have been filled (from this machine, or from a saved sweep or preset). */
  let filled = false
  function fillOnce(backend: BackendKind): void {
    if (!filled) Object.assign(fields, defaultSweepFields(hardwareThreads.value, backend))
    filled = true
  }

  function closeSetup(): void {
    open.value = false
  }

  /** Why Start cannot start now, or null. */
  const blocker = computed(() => {
    if (job.info === null) return 'Waiting for the engine'
    if (running.value) return 'A sweep is running'
    if (job.running) return 'A job is running'
    const fix = Object.keys(errors.value).length
    if (fix > 0) return `${fix} sweep ${fix === 1 ? 'field' : 'fields'} to fix`
    return null
  })

  /** Starts a sweep of `spec` with the fields' options; on refusal the last result stays, with why. */
  async function start(spec: unknown): Promise<boolean> {
    const api = job.api
    const options = read.value.options
    if (!api || running.value || job.running || !options) return false
    const before = status.value
    status.value = 'starting'
    error.value = null
    pending = []
    cancelOnStart = false
    try {
      const started = await api.startSweep(spec, options)
      sweepId.value = started.sweepId
      result.value = null
      from.value = null
      progress.value = {
        sweepId: started.sweepId,
        runsDone: 0,
        runsPlanned: 0,
        elapsedMs: 0,
        current: null,
        pointsDone: 0,
        pointsTotal: (options.threads?.length ?? 0) * (options.backends?.length ?? 1)
      }
      status.value = 'running'
      const held = pending
      pending = []
      for (const event of held) handleEvent(event)
      if (cancelOnStart && status.value === 'running') void cancel()
      return true
    } catch (err) {
      status.value = before
      error.value = `The sweep was not started: ${messageOf(err)}`
      pending = []
      return false
    }
  }

  /** Cancels the sweep; the points already measured stay (the host says so in `sweep.finished`). */
  async function cancel(): Promise<void> {
    if (status.value === 'starting') cancelOnStart = true
    const api = job.api
    if (status.value !== 'running' || !api || !sweepId.value) return
    try {
      await api.cancelSweep(sweepId.value)
    } catch (err) {
      error.value = `Cancel failed: ${messageOf(err)}`
    }
  }

  /** Asks for the sweep so far; one request at a time, and one more if runs finished meanwhile. */
  async function refresh(): Promise<void> {
    const api = job.api
    const id = sweepId.value
    if (!api || !id) return
    if (fetching) {
      fetchAgain = true
      return
    }
    fetching = true
    try {
      const next = await api.getSweep(id)
      // A final result may have arrived meanwhile: never replace it with an older one.
      if (id === sweepId.value && status.value === 'running') result.value = markRaw(next)
    } catch (err) {
      if (id === sweepId.value) error.value = `The sweep's points could not be read: ${messageOf(err)}`
    } finally {
      fetching = false
      if (fetchAgain) {
        fetchAgain = false
        if (status.value === 'running') void refresh()
      }
    }
  }

  /** Takes up a sweep this page did not start (started before a reload of the page). */
  function adopt(id: string): boolean {
    if (running.value || ended.has(id) || !job.api) return false
    sweepId.value = id
    result.value = null
    from.value = null
    error.value = null
    status.value = 'running'
    open.value = true
    return true
  }

  function handleEvent(event: EngineEvent): void {
    if (event.type !== 'sweep.progress' && event.type !== 'sweep.finished') return
    if (status.value === 'starting') {
      pending.push(event)
      return
    }
    const id = event.payload.sweepId
    if (id !== sweepId.value && !adopt(id)) return
    if (event.type === 'sweep.progress') {
      if (status.value !== 'running') return
      const before = progress.value
      progress.value = event.payload
      // A measured run has finished, or the first report of an adopted sweep: fetch its points.
      if (before === null || before.sweepId !== id || event.payload.runsDone > before.runsDone) void refresh()
    } else {
      showEnded(event.payload)
    }
  }

  /** Shows an ended sweep's result, its progress as it ended. */
  function showEnded(final: SweepResult): void {
    ended.add(final.sweepId)
    sweepId.value = final.sweepId
    result.value = markRaw(final)
    status.value = final.status === 'running' ? 'done' : final.status
    progress.value = {
      sweepId: final.sweepId,
      runsDone: final.runsDone,
      runsPlanned: final.runsPlanned,
      elapsedMs: final.elapsedMs,
      current: null,
      pointsDone: final.points.filter((p) => p.stopReason !== null).length,
      pointsTotal: final.points.length
    }
  }

  /**
   * Shows a sweep saved in the history as it was when it ended (the Scaling section says where it
   * came from). Refused while a sweep runs: its result is the one showing.
   */
  function showSaved(saved: SavedSweep): boolean {
    if (running.value) return false
    const { result: final, ...record } = saved
    error.value = null
    showEnded(final)
    from.value = record
    fillOnce(final.spec.backend)
    open.value = true
    return true
  }

  /** Fills the fields with a sweep's options (a saved sweep run again), and opens the setup. */
  function loadOptions(options: Parameters<typeof fieldsOfSweepOptions>[0]): void {
    fillOnce('threads')
    Object.assign(fields, fieldsOfSweepOptions(options))
    open.value = true
  }

  let unsubscribe: (() => void) | null = null
  watch(
    () => job.api,
    (api) => {
      unsubscribe?.()
      unsubscribe = api ? api.onEvent(handleEvent) : null
    },
    { immediate: true }
  )

  /** The result as a JSON file, as `sweep.get` gives it (versioned: the history reads it back). */
  function exportJson(): void {
    const value = result.value
    if (!value) return
    const filename = `${value.sweepId}.json`
    downloadFile({ filename, mime: 'application/json', text: `${JSON.stringify(value, null, 2)}\n` })
    job.reportNotice(`Saved ${filename}`)
  }

  return {
    open,
    fields,
    errors,
    blocker,
    status,
    sweepId,
    progress,
    result,
    error,
    from,
    running,
    shown,
    processesAvailable,
    hardwareThreads,
    openSetup,
    closeSetup,
    start,
    cancel,
    refresh,
    exportJson,
    showSaved,
    loadOptions
  }
})
