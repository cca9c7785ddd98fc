import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { ClusterAgents } from '../../../shared/protocol'
import { useJobStore } from './job'
import { useSweepStore } from './sweep'

/** How often the agents list is asked for again while the cluster back end is chosen. */
export const AGENTS_REFRESH_MS = 2000
/** Wait after the last keystroke in the Redis field before asking that server. */
const URL_SETTLE_MS = 300

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The PoolScope agents registered at the Redis server the job form names, refreshed every
 * AGENTS_REFRESH_MS while the cluster back end is chosen. Refreshing pauses while a job or sweep
 * runs (each refresh connects and measures the clock: that must not land in what the job measures)
 * and happens once when it ends.
 */
export const useClusterStore = defineStore('cluster', () => {
  const job = useJobStore()
  const sweep = useSweepStore()
  /** The URL followed now, or null when the cluster back end is not chosen. */
  const url = ref<string | null>(null)
  const list = shallowRef<ClusterAgents | null>(null)
  /** Why the last refresh failed (Redis unreachable, refused), or null. */
  const error = ref<string | null>(null)
  const loading = ref(false)
  /** Epoch ms of the last answer, for "updated … ago". */
  const updatedAt = ref<number | null>(null)
  /** Jobs and sweeps that are running: refreshing waits for them. */
  const paused = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let request = 0

  const agents = computed(() => list.value?.agents ?? [])
  /** The agents' threads added up: a cluster job's default threads; null until known. */
  const threads = computed(() => (list.value && list.value.threads > 0 ? list.value.threads : null))

  async function refresh(): Promise<void> {
    const current = job.api
    const target = url.value
    if (!current || target === null || paused.value) return
    const mine = ++request
    loading.value = true
    try {
      const answer = await current.clusterAgents(target)
      if (mine !== request) return
      list.value = answer
      error.value = null
      updatedAt.value = Date.now()
    } catch (err) {
      if (mine !== request) return
      list.value = null
      error.value = messageOf(err)
    } finally {
      if (mine === request) loading.value = false
    }
    schedule(AGENTS_REFRESH_MS)
  }

  function schedule(ms: number): void {
    clearTimeout(timer)
    if (url.value === null || paused.value) return
    timer = setTimeout(() => void refresh(), ms)
  }

  /** Follows the agents at `next` (a URL the form accepts), or stops following with null. */
  function follow(next: string | null): void {
    if (next === url.value) return
    url.value = next
    request++
    list.value = null
    error.value = null
    loading.value = next !== null
    if (next === null) clearTimeout(timer)
    else schedule(URL_SETTLE_MS)
  }

  watch(
    () => job.running || sweep.running,
    (running) => {
      paused.value = running
      if (running) clearTimeout(timer)
      else schedule(0)
    }
  )

  return { url, list, agents, threads, error, loading, updatedAt, follow, refresh }
})
