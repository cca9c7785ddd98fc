import { defineStore } from 'pinia'
import { ref } from 'vue'
import {
  JobFileError,
  MAX_JOB_FILE_BYTES,
  jobFileText,
  readJobFile,
  type PresetSweep
} from '../../../shared/jobFile'
import { findLesson } from '../../../shared/lessons'
import { downloadFile } from '../download'
import { useJobStore } from './job'
import { useJobFormStore } from './jobForm'
import { useSweepStore } from './sweep'
import { CUSTOM_WORKLOAD } from './customCodeModel'
import { readSweepFields } from './sweepForm'

/**
 * Presets: the job form's settings (and the sweep fields, when the sweep setup is open) saved as
 * a job file, and loaded back into the form from one. Loading only fills the fields: nothing runs
 * until the person presses Run or Start sweep. A file that cannot be used changes nothing.
 */
export const usePresetStore = defineStore('presets', () => {
  const job = useJobStore()
  const form = useJobFormStore()
  const sweep = useSweepStore()
  /** What the last save or load did, or why it did nothing; one at a time. */
  const message = ref<string | null>(null)
  const error = ref<string | null>(null)

  function say(text: string): void {
    message.value = text
    error.value = null
  }

  function refuse(text: string): false {
    error.value = text
    message.value = null
    return false
  }

  /** Downloads the form's job (and the open sweep setup's settings) as a preset file. */
  function save(): boolean {
    const spec = form.spec
    if (!spec || form.hasErrors)
      return refuse('Not saved: fix the fields marked in red first (a preset holds a job that can run).')
    let swept: PresetSweep | null = null
    if (sweep.open) {
      const { options } = readSweepFields(sweep.fields, sweep.hardwareThreads)
      if (!options) return refuse('Not saved: fix the sweep fields marked in red first, or close the sweep.')
      swept = options
    }
    const filename = `${spec.workload}-preset.poolscope.json`
    downloadFile({ filename, mime: 'application/json', text: jobFileText(spec, swept) })
    say(`Saved ${filename}${swept ? ' (with the sweep settings)' : ''}.`)
    job.reportNotice(`Saved ${filename}`)
    return true
  }

  /** Reads a preset file into the form (and the sweep fields); runs nothing. */
  async function load(file: File): Promise<boolean> {
    const what = `“${file.name}”`
    if (file.size > MAX_JOB_FILE_BYTES) {
      return refuse(
        `${what} was not loaded: it is larger than ${MAX_JOB_FILE_BYTES / 1024} KiB; a preset is much smaller.`
      )
    }
    let read
    try {
      read = readJobFile(await file.text(), what)
    } catch (err) {
      const reason = err instanceof JobFileError ? err.message : `${what} could not be read.`
      return refuse(`${reason} Nothing was changed.`)
    }
    if (!form.workloads.some((w) => w.name === read.spec.workload)) {
      return refuse(
        `${what} asks for workload "${read.spec.workload}", which this PoolScope does not run. Nothing was changed.`
      )
    }
    if (read.spec.workload === CUSTOM_WORKLOAD && typeof read.spec.code !== 'string') {
      return refuse(
        `${what} asks for the custom workload but carries no code: a custom preset holds its function in "code". Nothing was changed.`
      )
    }
    if (!form.loadSpec(read.spec, 'preset')) {
      return refuse(
        `${what} holds a job the form cannot show (explicit argument lists); open it with File ▸ Open job… instead. Nothing was changed.`
      )
    }
    if (read.sweep) sweep.loadOptions(read.sweep)
    const parts = [read.spec.workload, read.spec.style]
    const inputs = read.spec.inputs as { tasks?: unknown }
    if (typeof inputs.tasks === 'number') parts.push(`${inputs.tasks.toLocaleString('en-US')} tasks`)
    if (read.spec.threads !== undefined) parts.push(`${read.spec.threads} threads`)
    const sweepText = read.sweep?.threads ? `, and a sweep at ${read.sweep.threads.join(', ')} threads` : ''
    const press = read.sweep ? 'Run or Start sweep' : 'Run'
    const next =
      read.spec.code !== undefined
        ? `Nothing ran: it carries code, so read it and press Confirm code, then ${press}.`
        : `Nothing ran: press ${press} when ready.`
    say(`Loaded ${what}: ${parts.join(', ')}${sweepText}. ${next}`)
    return true
  }

  /** Fills the form with a lesson's job (see shared/lessons.ts) and says what it shows; runs nothing. */
  function loadLesson(id: string): boolean {
    const lesson = findLesson(id)
    if (!lesson) return refuse(`There is no lesson “${id}”. Nothing was changed.`)
    if (!form.workloads.some((w) => w.name === lesson.spec.workload) || !form.loadSpec(lesson.spec)) {
      return refuse(
        `The lesson “${lesson.title}” needs workload ${lesson.spec.workload}, which this PoolScope does not run. Nothing was changed.`
      )
    }
    say(`${lesson.title}: ${lesson.shows} Nothing ran: press Run when ready.`)
    return true
  }

  return { message, error, save, load, loadLesson }
})
