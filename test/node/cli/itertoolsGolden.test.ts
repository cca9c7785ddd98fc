import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { golden, parseReport, runCli, scratchDir } from './cliHarness'

// Every expectation comes from Python: scripts/make-golden.py writes itertools.json with
// itertools.permutations, itertools.product(repeat=n), the documentation's powerset recipe,
// json.dumps and hashlib.
interface TupleCase {
  workload: 'permutations' | 'product' | 'powerset'
  elements: Array<number | string>
  n: number | null
  tuples: unknown[][]
  printed: string
}
interface DigestCase {
  workload: string
  style: 'map' | 'starmap'
  elements: string
  n: number | null
  tasks: number
  digest: string
  tuples: number
}
const cases = golden<{ tuples: TupleCase[]; digests: DigestCase[] }>('itertools.json')
const scratch = scratchDir()
afterAll(() => scratch.cleanup())

describe('tuple workloads match itertools, tuple by tuple', () => {
  for (const workload of ['permutations', 'product', 'powerset'] as const) {
    const ofWorkload = cases.tuples.filter((c) => c.workload === workload)
    it(`${workload}: prints every golden case as print(r) does and writes json.dumps' lists`, async () => {
      const starmap = workload !== 'powerset'
      const args = ofWorkload.map((c) => (starmap ? [c.elements, c.n] : c.elements))
      const argsFile = scratch.file(`${workload}.json`, JSON.stringify(args))
      const out = scratch.file(`${workload}-results.json`)
      const result = await runCli([
        'run',
        '--workload',
        workload,
        '--style',
        starmap ? 'starmap' : 'map',
        '--args-file',
        argsFile,
        '--print',
        '--output',
        out,
        '--threads',
        '2'
      ])
      expect(result.code).toBe(0)
      expect(result.stdout.trimEnd().split('\n').slice(2)).toEqual(ofWorkload.map((c) => c.printed))
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(ofWorkload.map((c) => c.tuples))
    })
  }
})

describe('jobs built from --elements, --n and --tasks hash to Python’s digests', () => {
  for (const c of cases.digests) {
    const flags = [
      '--workload',
      c.workload,
      '--style',
      c.style,
      '--elements',
      c.elements,
      '--tasks',
      String(c.tasks)
    ]
    if (c.n !== null) flags.push('--n', String(c.n))
    it(`run ${flags.join(' ')} --json`, async () => {
      const out = scratch.file(`${c.workload}-${c.tasks}-digest.json`)
      const result = await runCli(['run', ...flags, '--json', '--output', out])
      expect(result.code).toBe(0)
      const report = parseReport(result)
      expect(report.digest).toBe(c.digest)
      expect(report.counts).toMatchObject({
        tasks: c.tasks,
        tuplesPlanned: c.tuples,
        tuplesProduced: c.tuples
      })
      expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(c.digest)
    })
  }
})

describe('tuple workloads refuse what they cannot do, saying what is allowed', () => {
  it('powerset of more than 64 elements', async () => {
    const result = await runCli(['run', '--workload', 'powerset', '--elements', '0..64', '--keep', 'count'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('powerset takes at most 64 elements (2^64 subsets)')
  })

  it('permutations with the map style, which passes one argument', async () => {
    const argsFile = scratch.file('one-arg.json', JSON.stringify([[0, 1, 2]]))
    const result = await runCli([
      'run',
      '--workload',
      'permutations',
      '--style',
      'map',
      '--args-file',
      argsFile
    ])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(
      'permutations takes 2 arguments (elements, n), so it needs starmap; map passes one argument per task'
    )
  })

  it('product over the memory budget is refused before it runs, with what to keep instead', async () => {
    const refused = await runCli([
      'run',
      '--workload',
      'product',
      '--elements',
      '0..99',
      '--n',
      '9',
      '--tasks',
      '1'
    ])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('7.81 EiB of kept tuples')
    expect(refused.stderr).toContain('--keep count or --keep N')
  })
})
