import { describe, expect, it } from 'vitest'
import { PoolScopeError, isErrorPath, targetOfPath, toErrorInfo } from '../../../src/shared/errors'
import { planError } from './planError'

const range6 = [0, 1, 2, 3, 4, 5]

describe('a refused spec names the field at fault by its path', () => {
  it('keeps the path of the first schema problem', () => {
    const error = planError({
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: range6, tasks: 10_000_001 },
      threads: 0
    })
    expect(error.message).toBe(
      'inputs.tasks: tasks must be at most 10000000; threads: threads must be at least 1'
    )
    expect(error.path).toEqual(['inputs', 'tasks'])
  })

  it('puts a pool too big for the machine on threads', () => {
    const error = planError({
      workload: 'combinations',
      style: 'map',
      threads: 200,
      inputs: { kind: 'recipe', elements: range6 }
    })
    expect(error.message).toMatch(/^threads must be at most 8 on this machine/)
    expect(error.path).toEqual(['threads'])
  })

  it('puts an unknown workload on workload', () => {
    const error = planError({ workload: 'nope', style: 'map', inputs: { kind: 'recipe', elements: range6 } })
    expect(error.code).toBe('UNKNOWN_WORKLOAD')
    expect(error.path).toEqual(['workload'])
  })

  it('puts map with a two-argument workload on style', () => {
    const error = planError({
      workload: 'combinations_n',
      style: 'map',
      inputs: { kind: 'recipe', elements: range6 }
    })
    expect(error.path).toEqual(['style'])
  })

  it("puts a bad task of an args list on that task's entry", () => {
    const error = planError({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: {
        kind: 'args',
        args: [
          [range6, 2],
          [range6, 2],
          [range6, -1]
        ]
      }
    })
    expect(error.message).toBe('task 2: n must not be negative (got -1); allowed: 0 to 64')
    expect(error.path).toEqual(['inputs', 'args', 2])
  })

  it('puts a starmap task that is not a list on its entry', () => {
    const error = planError({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'args', args: [5] }
    })
    expect(error.path).toEqual(['inputs', 'args', 0])
  })

  it("puts a recipe's bad n on the recipe's n", () => {
    const error = planError({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'recipe', elements: range6, n: [-1] }
    })
    expect(error.message).toBe('inputs.n.0: n must be a whole number from 0 to 64 (got -1)')
    expect(error.path).toEqual(['inputs', 'n', 0])
  })

  it("puts a recipe's bad element on the recipe's elements", () => {
    const error = planError({
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [1, 2.5] }
    })
    expect(error.message).toMatch(/^task 0: element .*not a safe integer/)
    expect(error.path).toEqual(['inputs', 'elements'])
  })
})

describe('error paths on the wire', () => {
  it('sends the path with the code and the message', () => {
    const error = new PoolScopeError('INVALID_SPEC', 'threads: threads must be at least 1', ['threads'])
    expect(toErrorInfo(error)).toEqual({
      code: 'INVALID_SPEC',
      message: 'threads: threads must be at least 1',
      path: ['threads']
    })
  })

  it('sends no path key for an error about no field', () => {
    expect(toErrorInfo(new PoolScopeError('UNKNOWN_JOB', 'no job x'))).toEqual({
      code: 'UNKNOWN_JOB',
      message: 'no job x'
    })
  })

  it.each([
    ['a string', 'threads'],
    ['a negative index', ['inputs', 'args', -1]],
    ['a fractional index', ['inputs', 'args', 1.5]],
    ['an object key', [{}]],
    ['seventeen keys', Array.from({ length: 17 }, () => 'a')],
    ['a key of 101 characters', ['x'.repeat(101)]]
  ])('refuses %s as a path', (_what, value) => {
    expect(isErrorPath(value)).toBe(false)
  })

  it('finds the first table entry whose prefix the path starts with', () => {
    const table = [
      [['inputs', 'n'], '--n'],
      [['inputs'], '--other']
    ] as const
    expect(targetOfPath(table, ['inputs', 'n', 0])).toBe('--n')
    expect(targetOfPath(table, ['inputs', 'tasks'])).toBe('--other')
    expect(targetOfPath(table, ['threads'])).toBeUndefined()
    expect(targetOfPath(table, undefined)).toBeUndefined()
  })
})
