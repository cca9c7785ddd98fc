import { describe, expect, it } from 'vitest'
import { JOB_FILE_FORMAT, JobFileError, jobFileText, readJobFile } from '../../../src/shared/jobFile'

const spec = {
  workload: 'busy_wait',
  style: 'map' as const,
  threads: 2,
  inputs: { kind: 'recipe' as const, ms: [5], tasks: 8 }
}

function refusal(text: string): string {
  try {
    readJobFile(text, '“p.json”')
  } catch (err) {
    expect(err).toBeInstanceOf(JobFileError)
    return (err as Error).message
  }
  throw new Error('expected a refusal')
}

describe('job files (presets)', () => {
  it('round-trips a spec and a sweep’s settings', () => {
    const text = jobFileText(spec, { threads: [1, 2], backends: ['threads'], repeat: 2, maxSeconds: 3 })
    expect(JSON.parse(text)).toEqual({
      format: JOB_FILE_FORMAT,
      version: 1,
      spec,
      sweep: { threads: [1, 2], backends: ['threads'], repeat: 2, maxSeconds: 3 }
    })
    expect(readJobFile(text)).toEqual({
      spec,
      sweep: { threads: [1, 2], backends: ['threads'], repeat: 2, maxSeconds: 3 }
    })
    expect(readJobFile(jobFileText(spec))).toEqual({ spec, sweep: null })
  })

  it('reads what the desktop app’s Save job… writes (a resolved spec)', () => {
    const saved = {
      format: 'poolscope-job',
      version: 1,
      spec: { ...spec, backend: 'threads', keep: 'all', chunkSize: 'auto' }
    }
    expect(readJobFile(JSON.stringify(saved)).spec).toEqual(saved.spec)
  })

  it('refuses bad files, saying what was wrong', () => {
    expect(refusal('{"format":')).toBe(
      '“p.json” is not JSON: a preset is a file that Save preset… (or Save job…) wrote.'
    )
    expect(refusal('[1]')).toBe('“p.json” does not hold a preset: expected a JSON object.')
    expect(refusal(JSON.stringify(spec))).toBe(
      '“p.json” is not a PoolScope preset: it names no format; expected "poolscope-job".'
    )
    expect(refusal('{"format":"poolscope-history","header":{}}')).toBe(
      '“p.json” is not a PoolScope preset: its format is "poolscope-history"; expected "poolscope-job".'
    )
    expect(refusal(JSON.stringify({ format: 'poolscope-job', version: 2, spec }))).toBe(
      '“p.json” was written by a newer PoolScope (version 2; this one reads up to 1).'
    )
    expect(refusal(JSON.stringify({ format: 'poolscope-job', version: 'one', spec }))).toBe(
      '“p.json” has no valid version: expected a whole number from 1.'
    )
    expect(refusal(JSON.stringify({ format: 'poolscope-job', version: 1 }))).toBe(
      '“p.json” holds no job: it has no "spec".'
    )
    expect(
      refusal(JSON.stringify({ format: 'poolscope-job', version: 1, spec: { ...spec, style: 'zip' } }))
    ).toBe('“p.json” holds a job that cannot run: spec.style: style must be map or starmap.')
    expect(
      refusal(JSON.stringify({ format: 'poolscope-job', version: 1, spec, sweep: { threads: [2, 4] } }))
    ).toBe(
      '“p.json” holds sweep settings that are not valid: sweep.threads: threads must include 1: speedup is measured against one thread.'
    )
    expect(
      refusal(JSON.stringify({ format: 'poolscope-job', version: 1, spec, sweep: { seed: 4 } }))
    ).toMatch(/^“p.json” holds sweep settings that are not valid: sweep: .*seed/)
  })
})
