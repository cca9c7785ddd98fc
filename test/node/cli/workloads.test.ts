import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { WORKLOADS } from '../../../src/shared/workloads'
import { parseReport, runCli, scratchDir } from './cliHarness'

const scratch = scratchDir()
afterAll(() => scratch.cleanup())

describe('poolscope run with the workloads beside combinations', () => {
  it('count_primes over --span 0:1000000 in 8 tasks writes eight counts that sum to 78,498', async () => {
    const output = scratch.file('primes.json')
    const result = await runCli([
      'run',
      '--workload',
      'count_primes',
      '--span',
      '0:1000000',
      '--tasks',
      '8',
      '--output',
      output
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Number of threads: \d+\nNumber of results: 8\n/)
    expect(result.stdout).toMatch(/^Values\/s: /m)
    const counts = JSON.parse(readFileSync(output, 'utf8')) as number[]
    expect(counts).toEqual([11734, 10310, 9860, 9634, 9448, 9252, 9210, 9050])
    expect(counts.reduce((a, b) => a + b, 0)).toBe(78_498)
  })

  it('count_primes from an args file of [lo, hi] pairs with --style starmap, printed as Python prints ints', async () => {
    const file = scratch.file('spans.json', '[[0, 100], [100, 1000]]')
    const result = await runCli([
      'run',
      '--workload',
      'count_primes',
      '--style',
      'starmap',
      '--args-file',
      file,
      '--print'
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('Number of threads: 2\nNumber of results: 2\n25\n143\n')
  })

  it('busy_wait with --ms drawn from a set by the seed reports the seed and measures each task', async () => {
    const result = await runCli([
      'run',
      '--workload',
      'busy_wait',
      '--ms',
      '1,3',
      '--tasks',
      '6',
      '--seed',
      '5',
      '--json'
    ])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    expect(report.spec.inputs).toEqual({ kind: 'recipe', ms: [1, 3], tasks: 6, seed: 5 })
    expect(report.counts.tuplesProduced).toBe(6)
    // Durations are measured, so two runs differ: no digest equals Python's, but one is given of this run.
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/)
  })

  it('lists every workload with its inputs and their defaults in run --help', async () => {
    const result = await runCli(['run', '--help'])
    expect(result.code).toBe(0)
    for (const line of [
      'count_primes(lo, hi)',
      '--span 0:1000000',
      'busy_wait(ms)',
      'sleep(ms)',
      '--ms 1,5,20',
      'combinations_n(elements, n)',
      '--n 2,3,4',
      'monte_carlo_pi(samples, seed)',
      '--first_seed 42',
      'mandelbrot_rows(row_lo, row_hi, width, height, max_iter)',
      '--max_iter 1000',
      'fibonacci(n)',
      '--n 20,25,30',
      'stream(mb, passes)',
      '--mb 64',
      'Look for: The memory wall',
      'permutations(elements, n)',
      'product(elements, n)',
      'powerset(elements)',
      'custom(i)'
    ]) {
      expect(result.stdout).toContain(line)
    }
    // Each workload says what to look for, once.
    expect(result.stdout.match(/^ {6}Look for: /gm)).toHaveLength(WORKLOADS.size)
  })

  it('fibonacci with --n 10,20 and a seed prints each task’s exact value', async () => {
    const output = scratch.file('fib.json')
    const result = await runCli([
      'run',
      '--workload',
      'fibonacci',
      '--n',
      '10,20',
      '--seed',
      '1',
      '--tasks',
      '6',
      '--json',
      '--output',
      output
    ])
    expect(result.code).toBe(0)
    const values = JSON.parse(readFileSync(output, 'utf8')) as number[]
    expect(values).toHaveLength(6)
    for (const value of values) expect([55, 6765]).toContain(value)
    expect(new Set(values).size).toBe(2)
  })

  it('refuses --mb beyond the cap, saying what is allowed, and runs nothing', async () => {
    const result = await runCli(['run', '--workload', 'stream', '--mb', '1000'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('mb must be a whole number from 1 to 256 MiB')
  })
})
