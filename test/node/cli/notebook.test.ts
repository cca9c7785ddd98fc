import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { golden, runCli, type NotebookCase } from './cliHarness'

const PAIRS =
  '((0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5))'

describe('poolscope notebook', () => {
  it("prints both cells' thread and result counts for this machine, with the map cell's 15 pairs per task", async () => {
    const threads = os.availableParallelism()
    const result = await runCli(['notebook'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines.filter((l) => l === `Number of threads: ${threads}`)).toHaveLength(2)
    expect(lines.filter((l) => l === `Number of results: ${2 * threads}`)).toHaveLength(2)
    // Map cell: header, then 2 x threads identical lines of the 15 pairs of range(6).
    expect(lines.slice(0, 2 + 2 * threads)).toEqual([
      `Number of threads: ${threads}`,
      `Number of results: ${2 * threads}`,
      ...Array<string>(2 * threads).fill(PAIRS)
    ])
    expect(lines[2].startsWith('((0, 1), (0, 2)')).toBe(true)
    expect(result.stdout).toMatch(
      /^Pool start-up: \d+\.\d ms \(\d+ threads, measured apart from the cells\)$/m
    )
    expect(result.stdout).toMatch(/^Map cell on the warm pool: \d+\.\d ms$/m)
    expect(result.stdout).toMatch(/^Seed: (\d+) \(random\.seed\(\1\); repeat with --seed \1\)$/m)
    expect(result.stdout).toMatch(/^\(\(0, 1, 2, 3, 4, 5\), [234]\)$/m)
    expect(result.stdout).toMatch(/^Starmap cell on the warm pool: \d+\.\d ms\n$/m)
  })

  it('prints exactly what the notebook prints for a given seed and thread count', async () => {
    const cases = golden<NotebookCase[]>('notebook.json')
    const map = cases.find((c) => c.cell === 'map' && c.threads === 2) as NotebookCase
    const starmap = cases.find(
      (c) => c.cell === 'starmap' && c.threads === 2 && c.seed === 42
    ) as NotebookCase
    const result = await runCli(['notebook', '--threads', '2', '--seed', '42'])
    expect(result.code).toBe(0)
    const startup = result.stdout.match(/^Pool start-up: .*$/m)?.[0]
    const mapWarm = result.stdout.match(/^Map cell on the warm pool: .*$/m)?.[0]
    const starmapWarm = result.stdout.match(/^Starmap cell on the warm pool: .*$/m)?.[0]
    expect(result.stdout).toBe(
      [
        ...map.lines,
        startup,
        mapWarm,
        '',
        'Seed: 42 (random.seed(42); repeat with --seed 42)',
        ...starmap.lines,
        starmapWarm,
        ''
      ].join('\n')
    )
  })
})
