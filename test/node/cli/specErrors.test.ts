import { describe, expect, it } from 'vitest'
import { PoolScopeError, type ErrorPath } from '../../../src/shared/errors'
import { planJob } from '../../../src/shared/plan'
import { specErrorToUsage } from '../../../src/main/cli/specErrors'
import { WORKLOADS } from '../../../src/shared/workloads'

/** The flag and message a refusal becomes, for a plan made on a 2-thread machine. */
function usageOfPlan(spec: unknown, argsFlag = '--args-file'): { flag: string | null; message: string } {
  try {
    planJob(spec, 2)
  } catch (err) {
    if (!(err instanceof PoolScopeError)) throw err
    const usage = specErrorToUsage(err, argsFlag)
    return { flag: usage.flag, message: usage.message }
  }
  throw new Error('planJob accepted the spec')
}

const recipe = { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] } as const

describe('a refusal from the plan is reported on the flag its path names', () => {
  it('reports a bad --tasks on --tasks, without the path the message starts with', () => {
    const usage = usageOfPlan({
      workload: 'combinations',
      style: 'map',
      inputs: { ...recipe, tasks: 10_000_001 }
    })
    expect(usage).toEqual({ flag: '--tasks', message: 'tasks must be at most 10000000' })
  })

  it('reports a pool too big for the machine on --threads', () => {
    const usage = usageOfPlan({ workload: 'combinations', style: 'map', threads: 9, inputs: recipe })
    expect(usage.flag).toBe('--threads')
    expect(usage.message).toMatch(/^threads must be at most 8 on this machine/)
  })

  it("reports a recipe's bad n on --n", () => {
    const usage = usageOfPlan({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { ...recipe, n: [65] }
    })
    expect(usage).toEqual({ flag: '--n', message: 'n must be a whole number from 0 to 64 (got 65)' })
  })

  it("reports a bad task of an args list on the caller's args flag", () => {
    const usage = usageOfPlan({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'args', args: [[[0, 1], 2], [[0, 1]]] }
    })
    expect(usage).toEqual({
      flag: '--args-file',
      message: 'task 1: combinations_n takes 2 arguments (elements, n), got 1; use the starmap call style'
    })
  })

  it('reports an unknown workload on --workload', () => {
    const usage = usageOfPlan({ workload: 'nope', style: 'map', inputs: recipe })
    expect(usage).toEqual({
      flag: '--workload',
      message: `unknown workload "nope"; available: ${[...WORKLOADS.keys()].join(', ')}`
    })
  })

  it('reports a spec problem on no flag when its path names none', () => {
    const usage = usageOfPlan({ workload: 'combinations', style: 'map', inputs: recipe, extra: 1 })
    expect(usage.flag).toBeNull()
    expect(usage.message).toMatch(/Unrecognized key/)
  })

  it.each<[ErrorPath, string]>([
    [['style'], '--style'],
    [['chunkSize'], '--chunksize'],
    [['keep'], '--keep'],
    [['taskTimeoutMs'], '--task-timeout'],
    [['inputs', 'elements', 2], '--elements'],
    [['inputs', 'seed'], '--seed']
  ])('reports an error about %j on %s', (path, flag) => {
    const usage = specErrorToUsage(new PoolScopeError('INVALID_SPEC', 'wrong', path), '--args-file')
    expect(usage.flag).toBe(flag)
    expect(usage.message).toBe('wrong')
  })

  it('attaches by path, not by the words of the message', () => {
    const error = new PoolScopeError('INVALID_SPEC', 'use the starmap call style', ['inputs', 'tasks'])
    expect(specErrorToUsage(error, '--args-file').flag).toBe('--tasks')
  })
})
