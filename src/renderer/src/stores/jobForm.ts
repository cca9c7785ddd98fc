import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef, watch } from 'vue'
import { largeJobNote } from '../../../shared/progress'
import { RemoteError } from '../../../shared/protocol'
import type { ErrorInfo } from '../../../shared/errors'
import { messageWithoutPath, type JobSpecInput } from '../../../shared/spec'
import { findWorkload, recipeDraws } from '../../../shared/workloads'
import { useJobStore } from './job'
import { useSweepStore } from './sweep'
import { useClusterStore } from './cluster'
import {
  buildSpec,
  checkSpec,
  defaultFields,
  fieldsOfSpec,
  describeSize,
  readRecipe,
  recipeTextFor,
  fieldOfPath,
  notebookMapPreset,
  notebookStarmapPreset,
  overBudgetOf,
  previewOfSummary,
  type FieldErrors,
  type FieldName,
  type JobFormFields,
  type SizePreview
} from './jobFormModel'
import {
  CODE_CHECK_DELAY_MS,
  CONFIRM_BLOCKER,
  CUSTOM_WORKLOAD,
  codeProblem,
  customBackendFor,
  customCodeOf,
  customRefusal
} from './customCodeModel'

/** Wait after the last keystroke before asking the host to size a large job. */
const HOST_PLAN_DELAY_MS = 250

/**
 * The job panel's state: the typed fields, their validation against the engine's own planner, and
 * the exact size of the job before it runs.
 */
export const useJobFormStore = defineStore('jobForm', () => {
  const job = useJobStore()
  const sweep = useSweepStore()
  const cluster = useClusterStore()
  const fields = reactive<JobFormFields>(defaultFields())

  const hardwareThreads = computed(() => job.info?.hardwareThreads ?? 1)
  /** The workloads the host runs; their fields come from the shared registry entries. */
  const workloads = computed(() => job.info?.workloads ?? [])
  const workload = computed(() =>
    workloads.value.some((w) => w.name === fields.workload) ? findWorkload(fields.workload) : undefined
  )
  /** The chosen workload's recipe fields, in the order its entry lists them. */
  const recipeFields = computed(() => workload.value?.fields ?? [])

  // Read on its own so a million-element range is not re-read when another field changes.
  const recipe = computed(() => readRecipe(workload.value, fields.recipe))
  /** Whether tasks draw from several values, so the seed field matters. */
  const draws = computed(() => recipeDraws(workload.value, recipe.value.values))
  const built = computed(() =>
    buildSpec(fields, workload.value, hardwareThreads.value, recipe.value, cluster.threads)
  )
  // The agents list follows the Redis field while the cluster back end is chosen.
  watch(
    () => (fields.backend === 'cluster' && !built.value.errors.redis ? fields.redis.trim() : null),
    (url) => cluster.follow(url),
    { immediate: true }
  )
  const check = computed(() => {
    const { spec } = built.value
    if (!spec) return null
    return checkSpec(spec, hardwareThreads.value)
  })

  const hostPreview = shallowRef<SizePreview | null>(null)
  /** The host's refusal of a large job, shown under the field its path names. */
  const hostError = shallowRef<Pick<ErrorInfo, 'message' | 'path'> | null>(null)
  const hostPending = ref(false)
  let hostTimer: ReturnType<typeof setTimeout> | undefined
  let hostRequest = 0

  watch(
    check,
    (value) => {
      clearTimeout(hostTimer)
      hostPreview.value = null
      hostError.value = null
      hostPending.value = value?.kind === 'needs-host'
      if (value?.kind !== 'needs-host') return
      const request = ++hostRequest
      hostTimer = setTimeout(() => void sizeOnHost(value.spec, request), HOST_PLAN_DELAY_MS)
    },
    { immediate: true }
  )

  async function sizeOnHost(spec: JobSpecInput, request: number): Promise<void> {
    if (!job.api) return
    try {
      const summary = await job.api.planJob(spec)
      if (request !== hostRequest) return
      hostPreview.value = previewOfSummary(summary)
    } catch (err) {
      if (request !== hostRequest) return
      const path = err instanceof RemoteError ? err.path : undefined
      hostError.value = { message: err instanceof Error ? err.message : String(err), path }
    } finally {
      if (request === hostRequest) hostPending.value = false
    }
  }

  const custom = computed(() => fields.workload === CUSTOM_WORKLOAD)
  /** What the host says about custom code: whether it runs it, where, and how isolated. */
  const customCode = computed(() => customCodeOf(job.info))
  /** Why this host runs no custom code, while the custom workload is chosen. */
  const customRefused = computed(() => (custom.value ? customRefusal(customCode.value) : null))

  /**
   * The code whose check is on show: it follows the editor after a pause in typing, so a half-typed
   * line is not flagged; Run waits for it (or settles it at once, when pressed).
   */
  const settledCode = ref(fields.code)
  let codeTimer: ReturnType<typeof setTimeout> | undefined
  watch(
    () => fields.code,
    (code) => {
      clearTimeout(codeTimer)
      codeTimer = setTimeout(() => (settledCode.value = code), CODE_CHECK_DELAY_MS)
    }
  )
  function settleCode(): void {
    clearTimeout(codeTimer)
    settledCode.value = fields.code
  }
  const codeSettled = computed(() => settledCode.value === fields.code)
  /** The code's syntax problem where it is, for the editor's diagnostic, once typing has paused. */
  const codeDiagnostic = computed(() => {
    if (!custom.value || !codeSettled.value) return null
    return codeProblem(fields.code) ?? null
  })

  /**
   * Whether code that came with a preset or a saved run still waits for the person to read it:
   * it runs only after Confirm code (or an edit of their own).
   */
  const codeToConfirm = ref<'preset' | 'run' | null>(null)

  /** Every problem found, the code's included while it is still being typed. */
  const allErrors = computed<FieldErrors>(() => {
    const value = check.value
    const fromCheck = value?.kind === 'invalid' ? value.errors : {}
    const merged: FieldErrors = { ...fromCheck, ...built.value.errors }
    const host = hostError.value
    if (host) merged[fieldOfPath(host.path)] = messageWithoutPath(host.message, host.path)
    return merged
  })
  /** The problems on show: a code error waits for a pause in typing. */
  const errors = computed<FieldErrors>(() => {
    if (codeSettled.value || !allErrors.value.code) return allErrors.value
    const { code: _pending, ...rest } = allErrors.value
    return rest
  })
  const hasErrors = computed(() => Object.keys(errors.value).length > 0)

  const preview = computed<SizePreview | null>(() => {
    const value = check.value
    if (value?.kind === 'planned') return value.preview
    if (value?.kind === 'needs-host') return hostPreview.value
    return null
  })

  const sizeText = computed(() => (preview.value ? describeSize(preview.value) : null))

  /** Set when the kept results would not fit the engine's memory budget. */
  const overBudget = computed(() => {
    const p = preview.value
    const budget = job.info?.budgetBytes
    if (!p || budget === undefined) return null
    const problem = overBudgetOf(p, budget)
    return problem && `${problem[0].toUpperCase()}${problem.slice(1)}.`
  })

  const spec = computed(() => built.value.spec)
  /** The spec last run from this form: its large-job warning is over once that job has ended. */
  const ranSpec = shallowRef<JobSpecInput | null>(null)

  const largeWarning = computed(() => {
    const p = preview.value
    if (!p || (job.finished && spec.value === ranSpec.value)) return null
    return largeJobNote(p, 'Esc')
  })
  const defaultTasks = computed(() => built.value.threads * 2)
  /** Why custom code cannot run yet, besides its syntax: the host refuses it, or it awaits confirmation. */
  const codeBlocker = computed(() => {
    if (!custom.value) return null
    if (customRefused.value) return customRefused.value
    if (codeToConfirm.value) return CONFIRM_BLOCKER
    return null
  })
  const canRun = computed(
    () =>
      job.info !== null &&
      !job.running &&
      !sweep.running &&
      !hasErrors.value &&
      !allErrors.value.code &&
      codeBlocker.value === null &&
      preview.value !== null &&
      overBudget.value === null &&
      spec.value !== null
  )

  /** The fields in the order the form shows them, so "the first error" is the first one a person sees. */
  const fieldOrder = computed<FieldName[]>(() => [
    'workload',
    'style',
    ...recipeFields.value.map((field) => `recipe.${field.key}` as const),
    'code',
    'tasks',
    'threads',
    'seed',
    'taskTimeout',
    'backend',
    'redis',
    'chunkSize',
    'keep',
    'general'
  ])
  /** The first field's error, as the form shows them, top to bottom. */
  const firstError = computed(() => {
    const shown = [...fieldOrder.value, ...(Object.keys(errors.value) as FieldName[])]
    const field = shown.find((key) => errors.value[key])
    return field === undefined ? null : { field, message: errors.value[field] as string }
  })

  /** Why Run cannot run the job now, or null when it can. */
  const blocker = computed(() => {
    if (job.info === null) return 'Waiting for the engine'
    if (job.running) return 'A job is running'
    if (sweep.running) return 'A sweep is running: wait for it or cancel it (Esc)'
    if (firstError.value) {
      const more = Object.keys(errors.value).length - 1
      const rest = more === 0 ? '' : ` (and ${more} more ${more === 1 ? 'field' : 'fields'} to fix)`
      return `${firstError.value.message}${rest}`
    }
    if (codeBlocker.value) return codeBlocker.value
    if (allErrors.value.code) return 'Checking the code…'
    if (overBudget.value) return overBudget.value
    return canRun.value ? null : 'Sizing the job…'
  })
  /**
   * Why the last Run (Ctrl+Enter) did nothing, while that reason holds; `refusals` counts them, so
   * the form can take focus to the first field to fix each time.
   */
  const refusedFor = ref<string | null>(null)
  const refusals = ref(0)
  const refusal = computed(() =>
    refusedFor.value !== null && refusedFor.value === blocker.value ? `Not run: ${refusedFor.value}` : null
  )

  /** Fills the form from a notebook preset; the custom code and its timeout stay as they are. */
  function applyPreset(next: JobFormFields): void {
    const { code: _code, taskTimeout: _timeout, ...rest } = next
    Object.assign(fields, { ...rest, recipe: { ...fields.recipe, ...next.recipe } })
  }

  function presetMap(): void {
    applyPreset(notebookMapPreset())
  }

  function presetStarmap(): void {
    applyPreset(notebookStarmapPreset())
  }

  /** Shows a spec (a saved run's) in the form, when the form can hold it; returns whether it could. */
  function loadSpec(spec: JobSpecInput, from: 'preset' | 'run' = 'run'): boolean {
    const next = fieldsOfSpec(spec, fields)
    if (!next) return false
    Object.assign(fields, next)
    // Code someone else may have written runs only once it has been read. A spec without code
    // leaves the code field, and whether it waits for confirmation, as they were.
    if (spec.code !== undefined) codeToConfirm.value = from
    settleCode()
    return true
  }

  /** The person has read the loaded code and allows it to run. */
  function confirmCode(): void {
    codeToConfirm.value = null
  }

  /** The person's own edit of the code: what they type is theirs, so it needs no confirming. */
  function editCode(code: string): void {
    fields.code = code
    codeToConfirm.value = null
  }

  /**
   * Custom code may run on fewer back ends than the job form offers (child processes only, where
   * the permission model isolates it): the form moves to one it may use and says so.
   */
  const backendSwitched = ref<string | null>(null)
  watch(
    [custom, customCode, () => fields.backend, () => job.info?.backends],
    () => {
      if (!custom.value) {
        backendSwitched.value = null
        return
      }
      const from = fields.backend
      const to = customBackendFor(from, customCode.value, job.info?.backends ?? [])
      if (to === null) return
      fields.backend = to
      const allowed = customCode.value?.backends.join(' or ') ?? to
      backendSwitched.value = `Switched from ${from} to ${to}: this host runs custom code on ${allowed} only.`
    },
    { immediate: true }
  )

  /**
   * Keeps the style in step with the workload (a two-argument function only works with starmap), and
   * gives a field still at another workload's default this one's.
   */
  function selectWorkload(name: string): void {
    fields.workload = name
    // Task i gets the single argument i, as pool.map(f, range(tasks)) does.
    if (name === CUSTOM_WORKLOAD) fields.style = 'map'
    // Custom code goes where this host isolates it (child processes under Node's permission
    // model); the person may still move it back to threads.
    const preferred = customCode.value?.preferred
    if (name === CUSTOM_WORKLOAD && preferred && fields.backend !== preferred) {
      backendSwitched.value =
        `Moved to ${preferred}: custom code runs isolated there, under Node’s permission model ` +
        `(on ${fields.backend} it runs with this app’s rights).`
      fields.backend = preferred
    }
    const chosen = workloads.value.find((w) => w.name === name)
    if (chosen && chosen.params.length > 1) fields.style = 'starmap'
    const entry = findWorkload(name)
    if (entry) fields.recipe = recipeTextFor(entry, fields.recipe)
  }

  async function run(): Promise<boolean> {
    settleCode()
    if (!canRun.value || !spec.value) {
      if (!job.running && job.info !== null) {
        refusedFor.value = blocker.value
        refusals.value++
      }
      return false
    }
    refusedFor.value = null
    ranSpec.value = spec.value
    return job.start(spec.value)
  }

  return {
    fields,
    hardwareThreads,
    workloads,
    workload,
    recipeFields,
    draws,
    errors,
    hasErrors,
    preview,
    sizeText,
    hostPending,
    overBudget,
    largeWarning,
    firstError,
    blocker,
    refusal,
    refusals,
    spec,
    defaultTasks,
    canRun,
    presetMap,
    presetStarmap,
    selectWorkload,
    run,
    loadSpec,
    custom,
    customCode,
    customRefused,
    codeDiagnostic,
    codeToConfirm,
    codeBlocker,
    backendSwitched,
    confirmCode,
    editCode
  }
})
