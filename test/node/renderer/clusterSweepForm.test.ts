// The sweep setup on the cluster back end: its thread counts are the agents' lanes, not bounded by
// this machine, and a saved cluster sweep reopens on the cluster.
import { describe, expect, it } from 'vitest'
import {
  defaultSweepFields,
  fieldsOfSweepOptions,
  readSweepFields
} from '../../../src/renderer/src/stores/sweepForm'

describe('the sweep setup on the cluster back end', () => {
  it('sweeps the cluster alone, past this machine’s thread cap', () => {
    const fields = { ...defaultSweepFields(2, 'cluster'), threads: '1, 2, 64' }
    const { options, errors } = readSweepFields(fields, 2)
    expect(errors).toEqual({})
    expect(options).toMatchObject({ threads: [1, 2, 64], backends: ['cluster'] })
  })

  it('still bounds this machine’s back ends by its cores', () => {
    const fields = { ...defaultSweepFields(2, 'threads'), threads: '1, 2, 64' }
    const { options, errors } = readSweepFields(fields, 2)
    expect(options).toBeNull()
    expect(errors.threads).toMatch(/^threads must be at most \d+ on this machine/)
  })

  it('reopens a saved cluster sweep on the cluster, and a mixed one on this machine’s back ends', () => {
    expect(fieldsOfSweepOptions({ backends: ['cluster'] }).backend).toBe('cluster')
    expect(fieldsOfSweepOptions({ backends: ['threads', 'cluster'] }).backend).toBe('threads')
    expect(fieldsOfSweepOptions({ backends: ['threads', 'processes', 'cluster'] }).backend).toBe('both')
  })
})
