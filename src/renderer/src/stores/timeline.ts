import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, watch } from 'vue'
import type { TimelineWindow } from '../../../shared/protocol'
import { MAX_TASK_BARS, MAX_WINDOW_BINS } from '../../../shared/timeline'
import type { TimelineView } from '../charts/timeline'
import { useJobStore } from './job'

/** While a job runs, its timeline is asked for this often: two replies a second. */
export const LIVE_REFRESH_MS = 500
/** A zoom or pan asks for its window once input has paused this long. */
const SETTLE_MS = 60
/** The narrowest view: a tenth of a microsecond, below any task's timing resolution. */
export const MIN_VIEW_MS = 1e-4

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The timeline of the shown job: the window the host measured for the current view, the view
 * (the whole job, or a zoomed part of it) and the commands that move it. While the job runs, the
 * window is refreshed twice a second (its running tasks grow); a zoom or pan redraws at once with
 * the data at hand and asks for the new window when input pauses, so the chart never waits.
 */
export const useTimelineStore = defineStore('timeline', () => {
  const job = useJobStore()
  const window = shallowRef<TimelineWindow | null>(null)
  /** The zoomed range, or null to show the whole job (following it while it runs). */
  const zoomed = ref<TimelineView | null>(null)
  const error = ref<string | null>(null)
  /** Bins per lane to ask for: about one per two pixels of the chart's width. */
  const binCount = ref(600)

  let sequence = 0
  let inFlight = false
  let again = false
  let settleTimer: ReturnType<typeof setTimeout> | undefined
  let liveTimer: ReturnType<typeof setInterval> | undefined

  /** The whole job's range: the pool's start-up (when started for it) to now or the wall time. */
  const extent = computed<TimelineView | null>(() => {
    const shown = window.value
    if (!shown) return null
    return { from: shown.startupMs > 0 ? -shown.startupMs : 0, to: Math.max(shown.now, MIN_VIEW_MS) }
  })

  /** What the chart draws: the zoomed range, or the whole job. */
  const view = computed<TimelineView | null>(() => zoomed.value ?? extent.value)

  async function load(): Promise<void> {
    const api = job.api
    const id = job.jobId
    if (!api || !id) return
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    const asked = ++sequence
    const range = zoomed.value
    try {
      const next = await api.timeline(id, {
        ...(range ? { from: range.from, to: range.to } : {}),
        bins: Math.max(16, Math.min(MAX_WINDOW_BINS, binCount.value)),
        maxTasks: MAX_TASK_BARS
      })
      // A reply for a job no longer shown, or overtaken by a newer request, is dropped.
      if (asked === sequence && id === job.jobId) {
        window.value = markRaw(next)
        error.value = null
      }
    } catch (err) {
      if (id === job.jobId) error.value = `The timeline could not be loaded: ${messageOf(err)}`
    } finally {
      inFlight = false
      if (again) {
        again = false
        void load()
      }
    }
  }

  function settle(): void {
    clearTimeout(settleTimer)
    settleTimer = setTimeout(() => void load(), SETTLE_MS)
  }

  /** Shows [from, to], kept inside the job's range and at least MIN_VIEW_MS wide. */
  function setView(from: number, to: number): void {
    const whole = extent.value
    if (!whole) return
    const width = Math.max(MIN_VIEW_MS, to - from)
    if (width >= whole.to - whole.from) {
      reset()
      return
    }
    const start = Math.min(Math.max(from, whole.from), whole.to - width)
    zoomed.value = { from: start, to: start + width }
    settle()
  }

  /** Zooms by `factor` (below 1 zooms in) around a point `at` (0..1 across the view). */
  function zoom(factor: number, at = 0.5): void {
    const current = view.value
    if (!current) return
    const width = current.to - current.from
    const anchor = current.from + width * at
    const next = width * factor
    setView(anchor - next * at, anchor + next * (1 - at))
  }

  /** Moves the view by `fraction` of its width (negative: earlier). */
  function pan(fraction: number): void {
    const current = view.value
    if (!current) return
    const shift = (current.to - current.from) * fraction
    setView(current.from + shift, current.to + shift)
  }

  /** Back to the whole job. */
  function reset(): void {
    if (zoomed.value === null) return
    zoomed.value = null
    settle()
  }

  /**
   * Brings a task selected in Results into view: when the window does not show it as a bar, the view
   * zooms to it with its neighbours (about forty of its own length around it), from its timing.
   */
  async function revealTask(task: number): Promise<void> {
    const shown = window.value
    const api = job.api
    const id = job.jobId
    if (!shown || !api || !id) return
    if (shown.detail === 'tasks' && shown.tasks?.task.includes(task)) return
    try {
      const timing = await api.timings(id, task, 1)
      if (timing.task.length === 0 || id !== job.jobId || job.selectedTask !== task) return
      const start = timing.start[0]
      const length = Math.max(timing.end[0] - start, MIN_VIEW_MS)
      setView(start + length / 2 - 20 * length, start + length / 2 + 20 * length)
    } catch {
      // A task without a timing (it did not run) stays where it is; the table still shows its row.
    }
  }

  function stopLive(): void {
    clearInterval(liveTimer)
    liveTimer = undefined
  }

  // A new job: forget the last one's window and zoom, and follow this one live.
  watch(
    () => job.jobId,
    () => {
      sequence++
      window.value = null
      zoomed.value = null
      error.value = null
      void load()
    }
  )
  watch(
    () => job.running,
    (running) => {
      stopLive()
      if (running) liveTimer = setInterval(() => void load(), LIVE_REFRESH_MS)
    },
    { immediate: true }
  )
  watch(
    () => job.selectedTask,
    (task) => {
      if (task !== null) void revealTask(task)
    }
  )
  // The job ended: one last window, with every chunk filed.
  watch(
    () => job.summary,
    (summary) => {
      if (summary) void load()
    }
  )

  return { window, view, zoomed, extent, error, binCount, load, zoom, pan, reset, setView }
})
