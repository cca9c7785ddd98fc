import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef, watch } from 'vue'
import type { JobStats } from '../../../shared/protocol'
import { useJobStore } from './job'

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The shown job's statistics (`job.stats`), asked for once the job has ended: the host measures
 * them over an ended job's timings only (a running job's would change by the next request), and
 * keeps them, so asking again costs nothing.
 */
export const useStatsStore = defineStore('stats', () => {
  const job = useJobStore()
  const stats = shallowRef<JobStats | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let sequence = 0

  async function load(): Promise<void> {
    const api = job.api
    const id = job.jobId
    if (!api || !id || !job.finished) return
    const asked = ++sequence
    loading.value = true
    try {
      const next = await api.stats(id)
      if (asked === sequence && id === job.jobId) {
        stats.value = markRaw(next)
        error.value = null
      }
    } catch (err) {
      if (asked === sequence && id === job.jobId)
        error.value = `The statistics could not be measured: ${messageOf(err)}`
    } finally {
      if (asked === sequence) loading.value = false
    }
  }

  // A new job clears the last one's figures; its own come once it has ended.
  watch(
    () => [job.jobId, job.finished] as const,
    ([, finished]) => {
      sequence++
      stats.value = null
      error.value = null
      loading.value = false
      if (finished) void load()
    },
    { immediate: true }
  )

  return { stats, loading, error, load }
})
