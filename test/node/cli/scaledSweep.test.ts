import { describe, expect, it } from 'vitest'
import type { SweepReport } from '../../../src/main/cli/sweepOutput'
import { runCli } from './cliHarness'

/** `poolscope sweep --scaled`: the tasks grow with the threads; Gustafson's law is the one fitted. */

const SCALED = [
  'sweep',
  '--workload',
  'busy_wait',
  '--ms',
  '3',
  '--tasks',
  '2',
  '--threads',
  '1,2',
  '--repeat',
  '1',
  '--max-seconds',
  '1',
  '--scaled'
]

describe('poolscope sweep --scaled', () => {
  it('--json has options.scaled, each point’s tasks and work, and Gustafson’s serial fraction', async () => {
    const result = await runCli([...SCALED, '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as SweepReport
    expect(report.status).toBe('done')
    expect(report.options.scaled).toBe(true)
    // The spec is what 1 thread ran; 2 threads ran twice the tasks.
    expect(report.spec.inputs).toMatchObject({ kind: 'recipe', tasks: 2 })
    expect(report.points.map((p) => [p.threads, p.tasks, p.work])).toEqual([
      [1, 2, 6000],
      [2, 4, 12000]
    ])
    // Speedup is the throughput ratio: twice the work in about the same time is about 2.
    const [one, two] = report.points
    expect(two.speedup).toBeCloseTo(12000 / two.medianMs! / (6000 / one.medianMs!), 10)
    expect(report.fit).toMatchObject({
      backend: 'threads',
      mode: 'scaled',
      law: 'gustafson',
      serialFraction: { status: 'exact', low: null, high: null }
    })
    // Gustafson's f from one ratio: S = N − f(N − 1) at N = 2, held to [0, 1].
    expect(report.fit.serialFraction!.value).toBeCloseTo(Math.min(1, Math.max(0, 2 - two.speedup!)), 3)
    expect(report.fit.predicted!.map((p) => p.threads)).toEqual([4, 8, 16, 64])
  })

  it('prints the tasks per point and the Gustafson fit lines', async () => {
    const result = await runCli(SCALED)
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(
      /^Scaled sweep of busy_wait \(2 tasks per thread, growing with the threads\) on .+, \d+ hardware threads/
    )
    const header = lines.findIndex((l) => l.startsWith('Threads  Tasks  Back end  Median ms'))
    expect(header).toBeGreaterThan(0)
    expect(lines[header + 1]).toMatch(/^ +1 +2 {2}threads +\d+\.\d /)
    expect(lines[header + 2]).toMatch(/^ +2 +4 {2}threads +\d+\.\d /)
    expect(result.stdout).toMatch(
      /\nSerial fraction \(Gustafson\): \d\.\d{3} \(exact from one ratio: no interval\)\n/
    )
    expect(result.stdout).toMatch(/\nPredicted scaled speedup \(Gustafson\): 4 → \d+\.\d\d, 8 → /)
    expect(result.stdout).not.toContain('(Amdahl)')
  })

  it('refuses to scale a workload whose tasks split one range, naming --scaled', async () => {
    const result = await runCli([
      'sweep',
      '--workload',
      'count_primes',
      '--span',
      '0:1000',
      '--threads',
      '1,2',
      '--scaled'
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "poolscope: --scaled: count_primes's tasks split one range between them, so more tasks do not add work; " +
        'a scaled sweep needs tasks that each carry their own (busy_wait, sleep, the combinations workloads), ' +
        'or run this one as a fixed-size sweep\n'
    )
    expect(result.stdout).toBe('')
  })

  it('is in the help', async () => {
    const help = await runCli(['sweep', '--help'])
    expect(help.stdout).toMatch(/^Usage: poolscope sweep .*\[--scaled\]\n/)
    expect(help.stdout).toContain('--scaled            grow the tasks with the threads (Gustafson)')
  })
})
