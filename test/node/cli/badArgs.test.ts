import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { WORKLOADS } from '../../../src/shared/workloads'
import { runCli, scratchDir } from './cliHarness'

/** Every workload's name, in menu order, as refusals list them. */
const ALL_WORKLOADS = [...WORKLOADS.keys()].join(', ')

const scratch = scratchDir()
afterAll(() => scratch.cleanup())
afterEach(() => vi.restoreAllMocks())

const notJson = scratch.file('not-json.json', '[[0,1,2], 3')
const notList = scratch.file('not-list.json', '{"args": [[0,1,2]]}')
const empty = scratch.file('empty.json', '[]')
const flatStarmap = scratch.file('flat.json', '[[[0,1,2],2], 7]')
const negativeN = scratch.file('negative-n.json', '[[[0,1,2],2], [[0,1,2],-1]]')
const missing = scratch.file('does-not-exist.json')

/** argv, the flag the one stderr line must name, and words the message must contain. */
const cases: [string[], string, RegExp | string][] = [
  [['run', '--tasks', '0'], '--tasks', /whole number from 1 to 10000000 \(got "0"\)/],
  [['run', '--threads', '0'], '--threads', /whole number from 1 to 256 \(got "0"\)/],
  [['run', '--threads', '100000'], '--threads', /from 1 to 256 \(got "100000"\)/],
  [['run', '--threads', 'abc'], '--threads', /must be a whole number from 1 to 256 \(got "abc"\)/],
  [['run', '--workload', 'combinations_n', '--n', '-1'], '--n', /from 0 to 64 \(got -1\)/],
  [['run', '--workload', 'combinations_n', '--n', '2.5'], '--n', /whole numbers.*\(got "2.5"\)/],
  [['run', '--workload', 'combinations_n', '--n', '65'], '--n', /from 0 to 64/],
  [
    ['run', '--n', '3'],
    '--n',
    /combinations\(elements\) has no n input; its inputs are --elements, and --n is for --workload combinations_n/
  ],
  [['run', '--elements', ''], '--elements', /empty.*0\.\.5.*\(got ""\)/],
  [['run', '--workload', 'count_primes', '--span', '10-20'], '--span', /lo:hi.*\(got "10-20"\)/],
  [['run', '--workload', 'count_primes', '--span', '20:10'], '--span', /lo ≤ hi/],
  [['run', '--workload', 'busy_wait', '--ms', 'fast'], '--ms', /numbers.*1,5,20 \(got "fast"\)/],
  [['run', '--workload', 'sleep', '--ms', '70000'], '--ms', /from 0 to 60000/],
  [
    ['run', '--workload', 'busy_wait', '--elements', '0..5'],
    '--elements',
    /busy_wait\(ms\) has no elements input; its inputs are --ms/
  ],
  [['run', '--elements', 'range(0)'], '--elements', /range is empty/],
  [['run', '--elements', '1,,2'], '--elements', /empty item/],
  [['run', '--workload', '__proto__'], '--workload', `one of ${ALL_WORKLOADS} (got "__proto__")`],
  [['run', '--workload', 'nope'], '--workload', `one of ${ALL_WORKLOADS} (got "nope")`],
  [['run', '--workload', 'toString'], '--workload', /\(got "toString"\)/],
  [['run', '--style', 'zip'], '--style', /map or starmap \(got "zip"\)/],
  [['run', '--workload', 'combinations_n', '--style', 'map'], '--style', /needs starmap/],
  [['run', '--chunksize', '0'], '--chunksize', /auto or a whole number from 1 to 1000000/],
  [['run', '--keep', 'some'], '--keep', /all, count .* at least 1 \(got "some"\)/],
  [['run', '--keep', '0'], '--keep', /at least 1 \(got "0"\)/],
  [['run', '--task-timeout', '0'], '--task-timeout', /whole number from 1 to 86400000 \(got "0"\)/],
  [['run', '--seed', '1.5', '--workload', 'combinations_n'], '--seed', /whole number/],
  [['run', '--args-file', notJson], '--args-file', /not valid JSON/],
  [['run', '--args-file', notList], '--args-file', /must be a JSON array/],
  [['run', '--args-file', empty], '--args-file', /must be a JSON array/],
  [
    ['run', '--workload', 'combinations_n', '--args-file', flatStarmap],
    '--args-file',
    /task 1 .* is 7, not a list/
  ],
  [
    ['run', '--workload', 'combinations_n', '--args-file', negativeN],
    '--args-file',
    /task 1: n must not be negative/
  ],
  [['run', '--args-file', missing], '--args-file', /cannot read ".*does-not-exist.json": no such file/],
  [['run', '--args-file', notList, '--tasks', '3'], '--args-file', /cannot be combined with --tasks/],
  [['run', '--output', scratch.file('no-such-dir/out.json')], '--output', /folder does not exist/],
  [['run', '--trace', ''], '--trace', /needs a file name, e.g. --trace trace.json/],
  [['run', '--trace', scratch.dir], '--trace', /cannot write ".*": it is a directory/],
  [['run', '--trace', scratch.file('no-such-dir/t.json')], '--trace', /folder does not exist/],
  [['run', '--trace', join(notList, 't.json')], '--trace', /part of its path is a file, not a folder/],
  [['run', '--output', notList, '--trace', notList], '--trace', /cannot be the --output file too/],
  [['run', '--timings', ''], '--timings', /needs a file name, e.g. --timings timings.csv/],
  [['run', '--timings', scratch.file('no-such-dir/t.csv')], '--timings', /folder does not exist/],
  [['run', '--trace', notList, '--timings', notList], '--timings', /cannot be the --trace file too/],
  [['run', '--print', '--json'], '--json', /cannot be combined with --print/],
  [['run', '--threads'], '--threads', /needs a value, e.g. --threads 4/],
  [['run', '--threads', '2', '--threads', '3'], '--threads', /more than once/],
  [['run', '--frobnicate'], '--frobnicate', /unknown option for poolscope run/],
  [['run', '--print=yes'], '--print', /takes no value/],
  [['notebook', '--threads', '0'], '--threads', /from 1 to 256/],
  [['notebook', '--tasks', '3'], '--tasks', /unknown option for poolscope notebook/],
  [
    [
      'run',
      '--elements',
      '0..99',
      '--workload',
      'combinations_n',
      '--style',
      'starmap',
      '--n',
      '10',
      '--tasks',
      '1'
    ],
    '--keep',
    /would hold 157.4 TiB \(157.4 TiB of kept tuples, .* memory budget; keep count only.*--keep count/
  ]
]

describe('bad arguments are refused with one line naming the flag, exit code 2 and no pool', () => {
  for (const [argv, flag, message] of cases) {
    it(`refuses ${argv
      .slice(1)
      .map((a) => JSON.stringify(a))
      .join(' ')}`, async () => {
      const start = vi.spyOn(Engine.prototype, 'start')
      const result = await runCli(argv)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      const lines = result.stderr.split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[1]).toBe('')
      expect(lines[0].startsWith(`poolscope: ${flag}: `)).toBe(true)
      expect(lines[0]).toMatch(message)
      expect(start).not.toHaveBeenCalled()
    })
  }

  it('refuses an unknown command in one line', async () => {
    const result = await runCli(['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'poolscope: unknown command "frobnicate"; commands are run, sweep, notebook, web and agent (see poolscope --help)\n'
    )
  })

  it('refuses a missing command in one line', async () => {
    const result = await runCli([])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^poolscope: no command given; commands are run, sweep, notebook, web and agent/
    )
  })

  it('refuses a stray positional argument', async () => {
    const result = await runCli(['run', 'fast'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('poolscope: unexpected argument "fast"; see poolscope run --help\n')
  })
})

describe('help', () => {
  it('prints the commands for --help and exits 0', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: poolscope <command>/)
    expect(result.stdout).toMatch(/notebook/)
  })

  it('prints every run flag for run --help', async () => {
    const result = await runCli(['run', '--help'])
    expect(result.code).toBe(0)
    for (const flag of ['--workload', '--style', '--elements', '--tasks', '--n', '--seed', '--args-file']) {
      expect(result.stdout).toContain(flag)
    }
    for (const flag of ['--threads', '--chunksize', '--keep', '--print', '--json', '--output']) {
      expect(result.stdout).toContain(flag)
    }
  })
})
