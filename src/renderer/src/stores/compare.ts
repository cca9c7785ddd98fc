import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { JobStats, JobSummary, SavedSweep, TimelineWindow } from '../../../shared/protocol'
import { MAX_TASK_BARS, MAX_WINDOW_BINS } from '../../../shared/timeline'
import { clampView, panView, sharedExtent, zoomView } from '../charts/compareTimeline'
import type { TimelineView } from '../charts/timeline'
import { useJobStore } from './job'

/** A zoom or pan asks for both windows once input has paused this long. */
const SETTLE_MS = 60

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Where one side of a comparison comes from: a saved record, or a job the engine holds now. */
export type CompareSource = { record: string } | { jobId: string; summary: JobSummary; name: string }

/** One compared run: its job in the engine, its summary and statistics, its timeline window. */
export interface ComparedRun {
  name: string
  jobId: string
  summary: JobSummary
  stats: JobStats | null
  window: TimelineWindow | null
}

/**
 * Two runs (or two sweeps) compared. Runs are opened in the engine (`history.open`, read-only
 * jobs) and share one time axis: from job zero to the longer wall time, zoomed and panned as one,
 * each run asking `job.timeline` for its own window of the shared range. Sweeps are read
 * (`history.openSweep`): their points and fits are all in the record.
 */
export const useCompareStore = defineStore('compare', () => {
  const job = useJobStore()
  const shown = ref(false)
  const kind = ref<'run' | 'sweep' | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const runs = shallowRef<ComparedRun[]>([])
  const sweeps = shallowRef<SavedSweep[]>([])
  const zoomed = ref<TimelineView | null>(null)
  /** Bins per lane to ask for: about one per two pixels of the charts' width. */
  const binCount = ref(600)
  let sequence = 0
  let settleTimer: ReturnType<typeof setTimeout> | undefined

  const extent = computed<TimelineView | null>(() =>
    runs.value.length === 2 ? sharedExtent(runs.value.map((r) => r.summary.wallMs)) : null
  )
  const view = computed<TimelineView | null>(() => zoomed.value ?? extent.value)

  function replaceRun(index: number, patch: Partial<ComparedRun>): void {
    const next = runs.value.slice()
    next[index] = { ...next[index], ...patch }
    runs.value = next
  }

  /** Asks each run for its window of the shared view; a reply overtaken by a newer ask is dropped. */
  async function loadWindows(): Promise<void> {
    const api = job.api
    const range = view.value
    if (!api || !range || runs.value.length !== 2) return
    const asked = ++sequence
    const bins = Math.max(16, Math.min(MAX_WINDOW_BINS, binCount.value))
    await Promise.all(
      runs.value.map(async (run, index) => {
        try {
          const window = await api.timeline(run.jobId, {
            from: range.from,
            to: range.to,
            bins,
            maxTasks: MAX_TASK_BARS
          })
          if (asked === sequence) replaceRun(index, { window: markRaw(window) })
        } catch (err) {
          if (asked === sequence)
            error.value = `The timeline of “${run.name}” could not be loaded: ${messageOf(err)}`
        }
      })
    )
  }

  function settle(): void {
    clearTimeout(settleTimer)
    settleTimer = setTimeout(() => void loadWindows(), SETTLE_MS)
  }

  async function openSide(source: CompareSource): Promise<ComparedRun> {
    const api = job.api!
    if ('jobId' in source)
      return { name: source.name, jobId: source.jobId, summary: source.summary, stats: null, window: null }
    const opened = await api.historyOpen(source.record)
    const name = opened.summary.restoredFrom?.name ?? source.record
    return { name, jobId: opened.jobId, summary: opened.summary, stats: null, window: null }
  }

  /** Compares two runs: opens both, then their statistics and timelines. */
  async function compareRuns(a: CompareSource, b: CompareSource): Promise<boolean> {
    const api = job.api
    if (!api) return false
    const mine = ++sequence
    shown.value = true
    kind.value = 'run'
    loading.value = true
    error.value = null
    runs.value = []
    sweeps.value = []
    zoomed.value = null
    try {
      const sides = await Promise.all([openSide(a), openSide(b)])
      const stats = await Promise.all(sides.map((side) => api.stats(side.jobId)))
      if (mine !== sequence) return false
      runs.value = sides.map((side, i) => ({ ...side, stats: markRaw(stats[i]) }))
    } catch (err) {
      if (mine === sequence) error.value = `The runs could not be compared: ${messageOf(err)}`
      return false
    } finally {
      if (mine === sequence) loading.value = false
    }
    await loadWindows()
    return true
  }

  /** Compares two saved sweeps: reads both records. */
  async function compareSweeps(a: string, b: string): Promise<boolean> {
    const api = job.api
    if (!api) return false
    const mine = ++sequence
    shown.value = true
    kind.value = 'sweep'
    loading.value = true
    error.value = null
    runs.value = []
    sweeps.value = []
    zoomed.value = null
    try {
      const read = await Promise.all([api.historyOpenSweep(a), api.historyOpenSweep(b)])
      if (mine !== sequence) return false
      sweeps.value = read.map((s) => markRaw(s))
      return true
    } catch (err) {
      if (mine === sequence) error.value = `The sweeps could not be compared: ${messageOf(err)}`
      return false
    } finally {
      if (mine === sequence) loading.value = false
    }
  }

  function close(): void {
    sequence++
    clearTimeout(settleTimer)
    shown.value = false
  }

  function apply(next: TimelineView | null): void {
    zoomed.value = next
    settle()
  }

  /** Zooms both timelines by `factor` (below 1 zooms in) around `at` (0..1 across the view). */
  function zoom(factor: number, at = 0.5): void {
    if (!extent.value || !view.value) return
    apply(zoomView(extent.value, view.value, factor, at))
  }

  /** Moves both by `fraction` of the view's width. */
  function pan(fraction: number): void {
    if (!extent.value || !view.value || !zoomed.value) return
    apply(panView(extent.value, view.value, fraction))
  }

  function setView(from: number, to: number): void {
    if (!extent.value) return
    apply(clampView(extent.value, from, to))
  }

  /** Back to the whole shared range. */
  function reset(): void {
    if (zoomed.value === null) return
    apply(null)
  }

  return {
    shown,
    kind,
    loading,
    error,
    runs,
    sweeps,
    zoomed,
    extent,
    view,
    binCount,
    compareRuns,
    compareSweeps,
    close,
    zoom,
    pan,
    setView,
    reset,
    loadWindows
  }
})
