import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef, watch } from 'vue'
import type { CpuSamples } from '../../../shared/protocol'
import { useJobStore } from './job'
import { LIVE_REFRESH_MS } from './timeline'

/** After a job ends, its last CPU reading comes an interval later: asked for again this often… */
export const FOLLOW_UP_MS = 150
/** …at most this many times. */
const FOLLOW_UPS = 10

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The shown job's per-core samples (`job.cpu`): every core's load and where the workers were,
 * refreshed as the timeline is while the job runs, and once it has ended until the reading a
 * moment after its end has come.
 */
export const useCoresStore = defineStore('cores', () => {
  const job = useJobStore()
  const samples = shallowRef<CpuSamples | null>(null)
  const error = ref<string | null>(null)

  let sequence = 0
  let inFlight = false
  let again = false
  let liveTimer: ReturnType<typeof setInterval> | undefined
  let followTimer: ReturnType<typeof setTimeout> | undefined

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
    try {
      const next = await api.cpu(id)
      if (asked === sequence && id === job.jobId) {
        samples.value = markRaw(next)
        error.value = null
      }
    } catch (err) {
      if (id === job.jobId) error.value = `The cores could not be loaded: ${messageOf(err)}`
    } finally {
      inFlight = false
      if (again) {
        again = false
        void load()
      }
    }
  }

  /** Whether the samples reach a reading after the job's end (the sampler's last). */
  function complete(): boolean {
    const shown = samples.value
    const wallMs = job.summary?.wallMs
    if (!shown || wallMs === undefined) return false
    const last = shown.at[shown.at.length - 1]
    return last !== undefined && last >= wallMs
  }

  /** Once the job has ended: loads until the last reading is in, a few times at most. */
  function followUp(left: number): void {
    clearTimeout(followTimer)
    void load().then(() => {
      if (left > 1 && !complete() && job.finished) {
        followTimer = setTimeout(() => followUp(left - 1), FOLLOW_UP_MS)
      }
    })
  }

  function stopLive(): void {
    clearInterval(liveTimer)
    liveTimer = undefined
  }

  watch(
    () => job.jobId,
    () => {
      sequence++
      clearTimeout(followTimer)
      samples.value = null
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
  // The job ended (or an ended job is shown): load until its last reading is in.
  watch(
    () => [job.jobId, job.finished] as const,
    ([, finished]) => {
      if (finished) followUp(FOLLOW_UPS)
    }
  )

  return { samples, error, load }
})
