import { SweepOptionsSchema, type SweepOptionsInput } from './experiments/sweepOptions'
import { JobSpecSchema, describeZodError, type JobSpecInput } from './spec'

/**
 * A job file: a job's settings, and optionally a sweep's, as JSON. The desktop app's File ▸ Save
 * job… writes one for the latest job; the job form's Save preset… writes one for the settings in
 * the form (and the sweep fields, when the sweep setup is open). Either loads in both places:
 *
 *   {"format":"poolscope-job","version":1,"spec":{…},"sweep":{"threads":[1,2,4],…,"scaled":false}}
 *
 * (`scaled` came later; a file without it is a fixed-size sweep's, so the version stays 1.)
 */

export const JOB_FILE_FORMAT = 'poolscope-job'
/** The layout this PoolScope writes; a file of a higher version is refused, not misread. */
export const JOB_FILE_VERSION = 1
/** Largest job file read, in bytes: a spec is a few hundred bytes. */
export const MAX_JOB_FILE_BYTES = 1024 * 1024

/** The sweep settings a preset keeps: those the sweep setup's fields show. */
export type PresetSweep = Pick<SweepOptionsInput, 'threads' | 'backends' | 'repeat' | 'maxSeconds' | 'scaled'>

export interface JobFile {
  spec: JobSpecInput
  /** The sweep's settings, when the file has them. */
  sweep: PresetSweep | null
}

/** A job file that cannot be used, and why, in a sentence that names it. */
export class JobFileError extends Error {}

/** The text of a job file for `spec` (and a sweep's settings). */
export function jobFileText(spec: JobSpecInput, sweep?: PresetSweep | null): string {
  const file: Record<string, unknown> = { format: JOB_FILE_FORMAT, version: JOB_FILE_VERSION, spec }
  if (sweep) {
    const { threads, backends, repeat, maxSeconds, scaled } = sweep
    file.sweep = { threads, backends, repeat, maxSeconds, scaled }
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

/**
 * Reads a job file's text, checking its spec against the spec schema and its sweep settings
 * against the sweep's; throws a JobFileError saying what is wrong (`what` names the file).
 */
export function readJobFile(text: string, what = 'The file'): JobFile {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new JobFileError(`${what} is not JSON: a preset is a file that Save preset… (or Save job…) wrote.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JobFileError(`${what} does not hold a preset: expected a JSON object.`)
  }
  const file = value as Record<string, unknown>
  if (file.format !== JOB_FILE_FORMAT) {
    const found =
      typeof file.format === 'string' ? `its format is "${file.format.slice(0, 40)}"` : 'it names no format'
    throw new JobFileError(`${what} is not a PoolScope preset: ${found}; expected "${JOB_FILE_FORMAT}".`)
  }
  const version = file.version ?? 1
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new JobFileError(`${what} has no valid version: expected a whole number from 1.`)
  }
  if (version > JOB_FILE_VERSION) {
    throw new JobFileError(
      `${what} was written by a newer PoolScope (version ${version}; this one reads up to ${JOB_FILE_VERSION}).`
    )
  }
  if (!Object.prototype.hasOwnProperty.call(file, 'spec')) {
    throw new JobFileError(`${what} holds no job: it has no "spec".`)
  }
  const spec = JobSpecSchema.safeParse(file.spec)
  if (!spec.success) {
    throw new JobFileError(`${what} holds a job that cannot run: ${describeZodError(spec.error, ['spec'])}.`)
  }
  let sweep: PresetSweep | null = null
  if (file.sweep !== undefined && file.sweep !== null) {
    const parsed = SweepOptionsSchema.pick({
      threads: true,
      backends: true,
      repeat: true,
      maxSeconds: true,
      scaled: true
    })
      .strict()
      .safeParse(file.sweep)
    if (!parsed.success) {
      throw new JobFileError(
        `${what} holds sweep settings that are not valid: ${describeZodError(parsed.error, ['sweep'])}.`
      )
    }
    sweep = parsed.data
  }
  // The file's own value, not the parsed one: the schema's defaults are for the planner to fill.
  return { spec: file.spec as JobSpecInput, sweep }
}
