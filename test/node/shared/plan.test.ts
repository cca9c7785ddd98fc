import { describe, expect, it } from 'vitest'
import { parseElements } from '../../../src/shared/elements'
import { autoChunkSize, planJob } from '../../../src/shared/plan'
import { maxThreadsFor } from '../../../src/shared/spec'
import { planError } from './planError'
import { WORKLOADS, type KernelPlan } from '../../../src/shared/workloads'

function kOf(plan: KernelPlan): number {
  return plan.layout === 'positions' ? plan.k : 1
}

const range6 = [0, 1, 2, 3, 4, 5]

describe('planJob', () => {
  it('defaults to twice as many tasks as threads, as the notebook does', () => {
    const plan = planJob(
      { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: range6 } },
      3
    )
    expect(plan.taskCount).toBe(6)
    expect(plan.threads).toBe(3)
    expect(plan.totalTuples).toBe(90n)
    expect(plan.calls).toHaveLength(1)
  })

  it.each([
    ['a BigInt', [[1, 2, 10n]]],
    ['lists nested 5,000 deep', [Array.from({ length: 5000 }).reduce<unknown>((inner) => [inner], [])]]
  ])('refuses arguments holding %s as a bad spec, not an internal error', (_what, args) => {
    const error = planError({ workload: 'combinations', style: 'map', inputs: { kind: 'args', args } })
    expect(error.code).toBe('INVALID_SPEC')
    expect(error.message).toBe(
      'task 0: arguments must be JSON values (numbers, strings and lists, not nested thousands deep)'
    )
  })

  it('caps threads at four per hardware thread, at least 8 and at most 256', () => {
    expect([1, 2, 3, 16, 64, 100].map(maxThreadsFor)).toEqual([8, 8, 12, 64, 256, 256])
    const spec = { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: range6 } }
    expect(planJob({ ...spec, threads: 8 }, 2).threads).toBe(8)
    const error = planError({ ...spec, threads: 9 })
    expect(error.code).toBe('INVALID_SPEC')
    expect(error.message).toBe(
      'threads must be at most 8 on this machine (4 × its 2 hardware threads, at least 8): ' +
        'more threads only wait for a core and cost memory and start-up time'
    )
  })

  it('draws n per task with Python’s random.choice for the seed', () => {
    const plan = planJob(
      {
        workload: 'combinations_n',
        style: 'starmap',
        inputs: { kind: 'recipe', elements: range6, n: [2, 3, 4], seed: 42, tasks: 6 }
      },
      2
    )
    const ks = Array.from(plan.callIndex, (i) => kOf(plan.calls[i].plan))
    expect(ks).toEqual([4, 2, 2, 4, 3, 2])
  })

  it('passes one argument per task with map and unpacks tuples with starmap', () => {
    const map = planJob(
      { workload: 'combinations', style: 'map', inputs: { kind: 'args', args: [['a', 'b', 'c']] } },
      2
    )
    expect(map.calls[0].args).toEqual([['a', 'b', 'c']])
    const star = planJob(
      { workload: 'combinations_n', style: 'starmap', inputs: { kind: 'args', args: [[range6, 3]] } },
      2
    )
    expect(star.calls[0].plan).toEqual({ kernel: 'combinations', layout: 'positions', n: 6, k: 3 })
  })

  it('accepts k greater than n and plans no tuples, as Python does', () => {
    const plan = planJob(
      { workload: 'combinations_n', style: 'starmap', inputs: { kind: 'args', args: [[[1, 2], 5]] } },
      2
    )
    expect(plan.totalTuples).toBe(0n)
  })

  it('sizes jobs beyond 2^53 exactly', () => {
    const plan = planJob(
      {
        workload: 'combinations_n',
        style: 'starmap',
        inputs: { kind: 'recipe', elements: Array.from({ length: 100 }, (_, i) => i), n: [50], tasks: 3 },
        keep: 'count'
      },
      2
    )
    expect(plan.totalTuples).toBe(3n * 100891344545564193334812497256n)
    expect(plan.keptBytes).toBe(0n)
  })

  it.each([
    [
      'a negative n',
      { workload: 'combinations_n', style: 'starmap', inputs: { kind: 'args', args: [[range6, -1]] } },
      /n must not be negative/
    ],
    [
      'a fractional n',
      { workload: 'combinations_n', style: 'starmap', inputs: { kind: 'args', args: [[range6, 2.5]] } },
      /n must be a whole number/
    ],
    [
      'empty elements',
      { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: [] } },
      /elements must not be empty/
    ],
    [
      'zero tasks',
      { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: range6, tasks: 0 } },
      /tasks must be at least 1/
    ],
    [
      'zero threads',
      { workload: 'combinations', style: 'map', threads: 0, inputs: { kind: 'recipe', elements: range6 } },
      /threads must be at least 1/
    ],
    [
      'absurd threads',
      {
        workload: 'combinations',
        style: 'map',
        threads: 100000,
        inputs: { kind: 'recipe', elements: range6 }
      },
      /threads must be at most 256/
    ],
    [
      'an unknown workload',
      { workload: 'nope', style: 'map', inputs: { kind: 'recipe', elements: range6 } },
      `unknown workload "nope"; available: ${[...WORKLOADS.keys()].join(', ')}`
    ],
    [
      '__proto__ as a workload',
      { workload: '__proto__', style: 'map', inputs: { kind: 'recipe', elements: range6 } },
      /unknown workload "__proto__"/
    ],
    [
      'map with a two-argument workload',
      { workload: 'combinations_n', style: 'map', inputs: { kind: 'recipe', elements: range6 } },
      /use the starmap call style/
    ],
    [
      'starmap with a bare argument',
      { workload: 'combinations_n', style: 'starmap', inputs: { kind: 'args', args: [5] } },
      /starmap needs each task's arguments as a list/
    ],
    [
      'a float element',
      { workload: 'combinations', style: 'map', inputs: { kind: 'args', args: [[1.5, 2]] } },
      /not a safe integer/
    ],
    [
      'an unknown field',
      { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: range6 }, extra: 1 },
      /Unrecognized key/
    ]
  ])('refuses %s with a message saying what is allowed', (_name, spec, message) => {
    expect(planError(spec).message).toMatch(message)
  })

  it('chunks custom code, whose cost is unknown, by Pool.map’s rule alone, at most 1,000 calls a chunk', () => {
    const custom = (tasks: number) =>
      planJob({ workload: 'custom', style: 'map', inputs: { kind: 'recipe', tasks }, code: '(i) => i' }, 2)
    expect(custom(8).chunkSize).toBe(1)
    expect(custom(4000).chunkSize).toBe(500)
    expect(custom(100_000).chunkSize).toBe(1000)
  })
})

describe('autoChunkSize', () => {
  it('follows Pool.map’s rule of about four chunks per thread when tasks carry real work', () => {
    expect(autoChunkSize(100_000, 2, 300_000n)).toBe(12_500)
    expect(autoChunkSize(9, 2, 9n * 50_000n)).toBe(2)
    expect(autoChunkSize(4, 2, 4n * 2_035_800n)).toBe(1)
  })

  it('groups tiny tasks so each thread gets one chunk rather than many round trips', () => {
    // The notebook's map cell: 4 tasks of 15 pairs on 2 threads.
    expect(autoChunkSize(4, 2, 60n)).toBe(2)
    // 64 tasks of 200 tuples: 10,000 tuples a chunk is 50 tasks, but each of 2 threads gets one.
    expect(autoChunkSize(64, 2, 64n * 200n)).toBe(32)
    expect(autoChunkSize(1000, 4, 1000n * 100n)).toBe(100)
  })

  it('caps chunks of heavy tasks so each finishes quickly', () => {
    expect(autoChunkSize(1000, 2, 1000n * 1_000_000n)).toBe(2)
  })
})

describe('parseElements', () => {
  it('reads inclusive ranges, Python ranges and comma lists', () => {
    expect(parseElements('0..5')).toEqual({ ok: true, value: range6 })
    expect(parseElements('range(6)')).toEqual({ ok: true, value: range6 })
    expect(parseElements('range(2, 10, 3)')).toEqual({ ok: true, value: [2, 5, 8] })
    expect(parseElements('a, b,3')).toEqual({ ok: true, value: ['a', 'b', 3] })
  })

  it('explains what is allowed when the text is empty or broken', () => {
    const empty = parseElements('  ')
    expect(empty.ok).toBe(false)
    expect(!empty.ok && empty.error).toMatch(/use a range such as 0\.\.5/)
    expect(parseElements('1,,2').ok).toBe(false)
    expect(parseElements('5..1').ok).toBe(false)
  })
})
