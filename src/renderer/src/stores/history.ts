import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { searchEntries, type HistorySort } from '../../../shared/historySearch'
import type { HistoryEntry, HistoryListing } from '../../../shared/protocol'
import type { JobSpecInput } from '../../../shared/spec'
import { downloadFile } from '../download'
import { useCompareStore } from './compare'
import { useJobStore } from './job'
import { useJobFormStore } from './jobForm'
import { useSweepStore } from './sweep'

/** How long a deleted record can be brought back from the toast, ms. */
export const UNDO_MS = 10_000

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The saved runs: the list with its search and order, and what a person does with a record (open
 * it in the workspace, rename, delete with undo, run it again, export, import). Refreshed whenever
 * the host says the history changed.
 */
export const useHistoryStore = defineStore('history', () => {
  const job = useJobStore()
  const form = useJobFormStore()
  const sweep = useSweepStore()
  const shown = ref(false)
  const listing = shallowRef<HistoryListing | null>(null)
  const query = ref('')
  const sort = ref<HistorySort>('newest')
  const error = ref<string | null>(null)
  /** A record open or run again is being read: its id. */
  const busyId = ref<string | null>(null)
  /** The record deleted last, while it can still be brought back. */
  const deleted = shallowRef<HistoryEntry | null>(null)
  let undoTimer: ReturnType<typeof setTimeout> | null = null
  let unsubscribe: (() => void) | null = null

  const entries = computed(() => searchEntries(listing.value?.entries ?? [], query.value, sort.value))

  watch(
    () => job.api,
    (api) => {
      unsubscribe?.()
      unsubscribe =
        api?.onEvent((event) => {
          if (event.type !== 'history.changed') return
          // A failed save added nothing: say so, and leave the list as it is.
          if (event.payload.change === 'failed') error.value = event.payload.problem ?? 'a run was not saved'
          else if (shown.value) void refresh()
        }) ?? null
    },
    { immediate: true }
  )

  async function refresh(): Promise<void> {
    const api = job.api
    if (!api) return
    try {
      listing.value = await api.historyList()
      error.value = null
    } catch (err) {
      error.value = `The history could not be read: ${messageOf(err)}`
    }
  }

  function show(): void {
    shown.value = true
    void refresh()
  }

  function hide(): void {
    shown.value = false
  }

  async function attempt<T>(what: string, action: () => Promise<T>): Promise<T | null> {
    error.value = null
    try {
      return await action()
    } catch (err) {
      error.value = `${what}: ${messageOf(err)}`
      return null
    }
  }

  /** Whether a record is a sweep (the list says; a record not listed is taken for a run). */
  function isSweep(id: string): boolean {
    return listing.value?.entries.find((entry) => entry.id === id)?.kind === 'sweep'
  }

  /** Shows a saved run in the workspace as if it had just run, or a saved sweep in the Scaling section; closes the panel. */
  async function open(id: string): Promise<boolean> {
    const api = job.api
    if (!api || job.running || sweep.running) return false
    if (isSweep(id)) return openSweep(id)
    busyId.value = id
    const opened = await attempt('The run could not be opened', () => api.historyOpen(id))
    busyId.value = null
    if (!opened || !job.show(opened.summary)) return false
    hide()
    return true
  }

  async function openSweep(id: string): Promise<boolean> {
    const api = job.api
    if (!api) return false
    busyId.value = id
    const saved = await attempt('The sweep could not be opened', () => api.historyOpenSweep(id))
    busyId.value = null
    if (!saved || !sweep.showSaved(saved)) return false
    hide()
    return true
  }

  /**
   * Loads a saved run's spec into the form (when the form can show it) and runs it again; a saved
   * sweep's spec and options go into the form and the sweep fields, and the sweep runs again.
   */
  async function rerun(id: string): Promise<boolean> {
    const api = job.api
    if (!api || job.running || sweep.running) return false
    if (isSweep(id)) return rerunSweep(id)
    busyId.value = id
    const opened = await attempt('The run could not be read', () => api.historyOpen(id))
    busyId.value = null
    if (!opened) return false
    const spec = opened.summary.spec as JobSpecInput
    form.loadSpec(spec)
    hide()
    // A saved run's code may not be the person's own: it waits in the form until they confirm it.
    if (spec.code !== undefined) return heldForConfirmation()
    return job.start(spec)
  }

  async function rerunSweep(id: string): Promise<boolean> {
    const api = job.api
    if (!api) return false
    busyId.value = id
    const saved = await attempt('The sweep could not be read', () => api.historyOpenSweep(id))
    busyId.value = null
    if (!saved) return false
    const { spec, options } = saved.result
    form.loadSpec(spec as JobSpecInput)
    sweep.loadOptions(options)
    hide()
    if ((spec as JobSpecInput).code !== undefined) return heldForConfirmation()
    // Fields this machine refuses (more threads than it allows) show their message instead.
    return sweep.start(spec)
  }

  /** A rerun that carries code waits in the form: the person reads it, confirms, then runs. */
  function heldForConfirmation(): false {
    job.reportNotice(
      'Not run yet: this run carries code. Read it in the job form, press Confirm code, then Run.'
    )
    return false
  }

  async function rename(id: string, name: string): Promise<boolean> {
    const api = job.api
    if (!api) return false
    const renamed = await attempt('The run was not renamed', () => api.historyRename(id, name))
    if (renamed) await refresh()
    return renamed !== null
  }

  async function remove(entry: HistoryEntry): Promise<void> {
    const api = job.api
    if (!api) return
    if ((await attempt('The run was not deleted', () => api.historyDelete(entry.id))) === null) return
    deleted.value = entry
    if (undoTimer) clearTimeout(undoTimer)
    undoTimer = setTimeout(() => {
      deleted.value = null
      undoTimer = null
    }, UNDO_MS)
    await refresh()
  }

  async function undo(): Promise<void> {
    const api = job.api
    const entry = deleted.value
    if (!api || !entry) return
    if (undoTimer) clearTimeout(undoTimer)
    undoTimer = null
    deleted.value = null
    if ((await attempt('The run was not brought back', () => api.historyRestore(entry.id))) !== null)
      await refresh()
  }

  async function exportRecord(id: string): Promise<void> {
    const api = job.api
    if (!api) return
    const file = await attempt('The run was not exported', () => api.historyExport(id))
    if (file) {
      downloadFile(file)
      job.reportNotice(`Saved ${file.filename}`)
    }
  }

  async function importFile(file: File): Promise<boolean> {
    const api = job.api
    if (!api) return false
    const imported = await attempt(`${file.name} was not imported`, async () =>
      api.historyImport(await file.text())
    )
    if (imported) await refresh()
    return imported !== null
  }

  // Compare: at most two records of one kind picked in the list, then compared side by side.
  const compare = useCompareStore()
  /** The records picked for comparing, in the order picked. */
  const compareIds = ref<string[]>([])
  const picked = computed(() =>
    compareIds.value
      .map((id) => listing.value?.entries.find((entry) => entry.id === id))
      .filter((entry): entry is HistoryEntry => entry !== undefined)
  )
  /** Why `entry` cannot be picked now, or null when it can (or is picked already). */
  function pickBlocker(entry: HistoryEntry): string | null {
    if (compareIds.value.includes(entry.id)) return null
    if (picked.value.length >= 2) return 'Two are picked already: unpick one first'
    const other = picked.value[0]
    if (other && other.kind !== entry.kind)
      return `Only two ${other.kind}s compare: “${other.name}” is a ${other.kind}`
    return null
  }
  function togglePick(entry: HistoryEntry): void {
    if (compareIds.value.includes(entry.id))
      compareIds.value = compareIds.value.filter((id) => id !== entry.id)
    else if (pickBlocker(entry) === null) compareIds.value = [...compareIds.value, entry.id]
  }
  /** Compares the two picked records; closes the panel. */
  async function comparePicked(): Promise<boolean> {
    const [a, b] = picked.value
    if (!a || !b) return false
    hide()
    return a.kind === 'sweep'
      ? compare.compareSweeps(a.id, b.id)
      : compare.compareRuns({ record: a.id }, { record: b.id })
  }
  /** Compares the run shown in the workspace with a saved one. */
  async function compareWithCurrent(entry: HistoryEntry): Promise<boolean> {
    const summary = job.summary
    if (!summary || !job.finished || entry.kind !== 'run') return false
    hide()
    const name = summary.restoredFrom?.name ?? `current run (${summary.jobId})`
    return compare.compareRuns({ jobId: summary.jobId, summary, name }, { record: entry.id })
  }

  return {
    compareIds,
    picked,
    pickBlocker,
    togglePick,
    comparePicked,
    compareWithCurrent,
    shown,
    listing,
    query,
    sort,
    error,
    busyId,
    deleted,
    entries,
    refresh,
    show,
    hide,
    open,
    rerun,
    rename,
    remove,
    undo,
    exportRecord,
    importFile
  }
})
