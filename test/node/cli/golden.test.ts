import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import {
  golden,
  parseReport,
  runCli,
  scratchDir,
  type ArgsCase,
  type CombinationCase,
  type NotebookCase
} from './cliHarness'

// Every expectation here comes from Python itself: scripts/make-golden.py writes the files with
// itertools.combinations, json.dumps and hashlib, so these tests hold our output to CPython's.
const combinationCases = golden<CombinationCase[]>('combinations.json')
const argsCases = golden<ArgsCase[]>('args-digests.json')
const seeds = golden<{ lengths: number[]; draws: Record<string, number[]> }>('seeds.json')
const notebookCases = golden<NotebookCase[]>('notebook.json')
const scratch = scratchDir()
afterAll(() => scratch.cleanup())

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('results match itertools.combinations', () => {
  it('prints every golden (elements, k) case as print(r) does, in itertools order', async () => {
    const argsFile = scratch.file(
      'combinations.json',
      JSON.stringify(combinationCases.map((c) => [c.elements, c.k]))
    )
    const result = await runCli([
      'run',
      '--workload',
      'combinations_n',
      '--style',
      'starmap',
      '--args-file',
      argsFile,
      '--print',
      '--threads',
      '2'
    ])
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 2)).toEqual([
      'Number of threads: 2',
      `Number of results: ${combinationCases.length}`
    ])
    expect(lines.slice(2)).toEqual(combinationCases.map((c) => c.printed))
  })

  it('writes the golden tuple lists to --output exactly as json.dumps does', async () => {
    const argsFile = scratch.file(
      'combos-out.json',
      JSON.stringify(combinationCases.map((c) => [c.elements, c.k]))
    )
    const out = scratch.file('combos-results.json')
    const result = await runCli([
      'run',
      '--workload',
      'combinations_n',
      '--args-file',
      argsFile,
      '--output',
      out
    ])
    expect(result.code).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(combinationCases.map((c) => c.tuples))
  })

  it('builds the same tasks from --elements and --n as from the args file', async () => {
    // range(6) with k 2, 'a,b,c,d' with k 3, duplicates [1, 1, 2], negative integers.
    const picked = [combinationCases[2], combinationCases[9], combinationCases[10], combinationCases[14]]
    for (const c of picked) {
      const result = await runCli([
        'run',
        '--workload',
        'combinations_n',
        '--elements',
        c.elements.join(','),
        '--n',
        String(c.k),
        '--tasks',
        '1',
        '--threads',
        '1',
        '--print'
      ])
      expect(result.code).toBe(0)
      expect(result.stdout.trimEnd().split('\n')[2]).toBe(c.printed)
    }
  })
})

describe('digests match Python for args files', () => {
  for (const c of argsCases.filter((x) => !x.large)) {
    it(`${c.name}: --json digest and counts equal Python's, and --output hashes the same`, async () => {
      const argsFile = scratch.file(`${c.name}.json`, JSON.stringify(c.args))
      const out = scratch.file(`${c.name}-results.json`)
      const result = await runCli([
        'run',
        '--workload',
        c.workload,
        '--style',
        c.style,
        '--args-file',
        argsFile,
        '--json',
        '--output',
        out
      ])
      expect(result.code).toBe(0)
      const report = parseReport(result)
      expect(report.digest).toBe(c.digest)
      expect(report.counts).toMatchObject({ tasks: c.tasks, tuplesProduced: c.tuples, tuplesKept: c.tuples })
      expect(sha256(out)).toBe(c.digest)
      expect(report.output).toEqual({ file: out, bytes: readFileSync(out).length })
    })
  }

  const large = argsCases.find((x) => x.large) as ArgsCase
  // The one large job: about 8 million tuples, checked against Python's digest.
  it(
    `[large] ${large.name}: ${large.tuples} tuples hash to Python's digest`,
    { timeout: 60_000 },
    async () => {
      const argsFile = scratch.file('large.json', JSON.stringify(large.args))
      const result = await runCli(['run', '--workload', large.workload, '--args-file', argsFile, '--json'])
      expect(result.code).toBe(0)
      const report = parseReport(result)
      expect(report.counts.tuplesProduced).toBe(large.tuples)
      expect(report.counts.tuplesPlanned).toBe(large.tuples)
      expect(report.digest).toBe(large.digest)
    }
  )
})

describe('n drawn per task as Python random.choice draws it', () => {
  for (const [seed, draws] of Object.entries(seeds.draws)) {
    it(`random.seed(${seed}) gives the golden n for each of ${draws.length} tasks`, async () => {
      const result = await runCli([
        'run',
        '--workload',
        'combinations_n',
        '--n',
        seeds.lengths.join(','),
        '--seed',
        seed,
        '--tasks',
        String(draws.length),
        '--keep',
        '1',
        '--print'
      ])
      expect(result.code).toBe(0)
      // Each line is the task's first tuple, e.g. `((0, 1, 2),)`: its length is the n drawn.
      const lines = result.stdout.trimEnd().split('\n').slice(2)
      const drawn = lines.map((line) => line.slice(2, line.indexOf(')')).split(', ').length)
      expect(drawn).toEqual(draws)
      expect(result.stderr).toContain(`Seed: ${seed}\n`)
    })
  }
})

describe("the notebook's cells, printed as Python prints them", () => {
  for (const c of notebookCases) {
    const name = c.cell === 'map' ? 'map cell' : `starmap cell, seed ${c.seed}`
    it(`run --print of the ${name} on ${c.threads} threads equals Python's output exactly`, async () => {
      const argv =
        c.cell === 'map'
          ? ['run', '--threads', String(c.threads), '--print']
          : [
              'run',
              '--workload',
              'combinations_n',
              '--seed',
              String(c.seed),
              '--threads',
              String(c.threads),
              '--print'
            ]
      const result = await runCli(argv)
      expect(result.code).toBe(0)
      // The starmap golden starts with print(data[-1]), which `run` does not print.
      const expected = c.cell === 'map' ? c.lines : c.lines.slice(1)
      expect(result.stdout).toBe(expected.join('\n') + '\n')
    })
  }
})
