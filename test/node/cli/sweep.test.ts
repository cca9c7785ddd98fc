import { EventEmitter } from 'node:events'
import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import type { SweepReport } from '../../../src/main/cli/sweepOutput'
import { maxThreadsFor } from '../../../src/shared/spec'
import { captureStream, runCli } from './cliHarness'

const SMALL = [
  'sweep',
  '--workload',
  'busy_wait',
  '--ms',
  '5',
  '--tasks',
  '8',
  '--threads',
  '1,2',
  '--repeat',
  '2'
]

describe('poolscope sweep', () => {
  it('--json prints one object: points with hyperfine’s fields in seconds, the fit and the machine', async () => {
    const result = await runCli([...SMALL, '--max-seconds', '1', '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as SweepReport
    expect(report.status).toBe('done')
    expect(report.interrupted).toBe(false)
    expect(report.spec.keep).toBe('count')
    expect(report.options).toMatchObject({ threads: [1, 2], backends: ['threads'], repeat: 2, maxSeconds: 1 })
    expect(report.machine.hardwareThreads).toBeGreaterThanOrEqual(1)
    expect(typeof report.machine.cpuModel).toBe('string')
    expect(report.points.map((p) => [p.threads, p.backend])).toEqual([
      [1, 'threads'],
      [2, 'threads']
    ])
    for (const p of report.points) {
      expect(p.times.length).toBeGreaterThanOrEqual(2)
      // hyperfine writes seconds: the median in seconds is the median in ms / 1000.
      expect(p.median).toBeCloseTo(p.medianMs! / 1000, 12)
      expect(p.min).toBe(Math.min(...p.times))
      expect(p.max).toBe(Math.max(...p.times))
      expect(p.mean).toBeCloseTo(p.times.reduce((a, b) => a + b, 0) / p.times.length, 12)
      expect(p.stddev).not.toBeNull()
      // 8 tasks of 5 ms on one thread: at least 40 ms.
      expect(p.min!).toBeGreaterThanOrEqual((p.threads === 1 ? 39 : 19) / 1000)
      expect(p.efficiency).toBeCloseTo(p.speedup! / p.threads, 12)
      // Short unless this shared machine slowed the runs past 100 ms.
      expect(p.flags.includes('short')).toBe(p.medianMs! < 100)
      if (p.medianMs! < 100) expect(p.suggestedTasks).toBe(Math.ceil((8 * 100) / p.medianMs!))
      expect(p.runs.length).toBeGreaterThanOrEqual(2)
    }
    expect(report.points[0].speedup).toBe(1)
    expect(report.points[1].speedup).toBeCloseTo(report.points[0].medianMs! / report.points[1].medianMs!, 12)
    // Two thread counts: the serial fraction follows exactly (no interval); the USL cannot be fitted.
    expect(report.fit).toMatchObject({
      backend: 'threads',
      serialFraction: { status: 'exact', low: null, high: null }
    })
    // It is Karp–Flatt's at 2 threads, held to [0, 1]: on a busy machine the 1-thread runs can be
    // slowed more than the 2-thread ones, and a speedup over 2 gives a negative Karp–Flatt.
    const karpFlatt = report.points[1].karpFlatt!
    expect(report.fit.serialFraction!.value).toBeCloseTo(Math.min(1, Math.max(0, karpFlatt)), 3)
    expect(report.fit.usl).toBeNull()
    expect(report.fit.predicted!.map((p) => p.threads)).toEqual([4, 8, 16, 64])
    expect(report.fit.verdicts![0]).toMatch(/^Only two thread counts were measured/)
    if (report.points.every((p) => p.medianMs! < 100))
      expect(report.warnings[0]).toMatch(/^Runs under 100 ms at 1, 2 threads/)
  })

  it('prints the table and the fit lines', async () => {
    const result = await runCli([...SMALL, '--max-seconds', '1'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(/^Sweep of busy_wait \(8 tasks\) on .+, \d+ hardware threads/)
    const header = lines.findIndex((l) => l.startsWith('Threads  Back end  Median ms'))
    expect(header).toBeGreaterThan(0)
    expect(lines[header + 1]).toMatch(/^ +1 {2}threads +\d+\.\d +±\d+\.\d% +1\.00 +100% +— /)
    expect(lines[header + 2]).toMatch(/^ +2 {2}threads +\d+\.\d +±\d+\.\d% +\d\.\d\d +\d+% +-?\d\.\d{3}/)
    expect(result.stdout).toMatch(
      /\nSerial fraction \(Amdahl\): \d\.\d{3} \(exact from one ratio: no interval\)\n/
    )
    expect(result.stdout).toMatch(/\nPredicted speedup \(Amdahl\): 4 → \d+\.\d\d, 8 → /)
  })

  it('refuses bad sweep flags with exit code 2, naming the flag', async () => {
    const hw = availableParallelism()
    const cap = maxThreadsFor(hw)
    const cases: [string[], string][] = [
      [
        ['--threads', '1,two'],
        'poolscope: --threads: must be a comma-separated list of thread counts, e.g. 1,2,4 (got "1,two")'
      ],
      [
        ['--threads', '2,4'],
        'poolscope: --threads: threads must include 1: speedup is measured against one thread'
      ],
      [['--threads', '1,1'], 'poolscope: --threads: threads lists a thread count twice; list each once'],
      [
        ['--threads', `1,${cap + 1}`],
        `poolscope: --threads: ${cap + 1} is more than this machine allows (at most ${cap} threads for its ${hw} hardware threads)`
      ],
      [['--repeat', '0'], 'poolscope: --repeat: repeat must be at least 1'],
      [['--max-seconds', 'soon'], 'poolscope: --max-seconds: must be a number (got "soon")'],
      [['--backend', 'gpu'], 'poolscope: --backend: must be threads, processes, cluster or both (got "gpu")'],
      [['--print'], 'poolscope: --print: unknown option for poolscope sweep; see poolscope sweep --help']
    ]
    for (const [flags, line] of cases) {
      const result = await runCli(['sweep', '--workload', 'busy_wait', '--ms', '5', ...flags])
      expect(result.code, flags.join(' ')).toBe(2)
      expect(result.stderr).toBe(line + '\n')
      expect(result.stdout).toBe('')
    }
  })

  it('Ctrl-C cancels the run in progress, prints the finished points and exits 130', async () => {
    const signals = new EventEmitter()
    // The progress line appears on a TTY after a second: press Ctrl-C then.
    const stderr = captureStream({
      isTTY: true,
      onWrite: (chunk) => {
        if (chunk.includes(' runs') && signals.listenerCount('SIGINT') > 0) signals.emit('SIGINT')
      }
    })
    const started = performance.now()
    const result = await runCli(
      [
        'sweep',
        '--workload',
        'busy_wait',
        '--ms',
        '50',
        '--tasks',
        '4',
        '--threads',
        '1,2',
        '--repeat',
        '20',
        '--json'
      ],
      { signals, stderr }
    )
    expect(result.code).toBe(130)
    // Far sooner than 20 repeats of 2 points (at least 40 × 150 ms).
    expect(performance.now() - started).toBeLessThan(6000)
    const report = JSON.parse(result.stdout) as SweepReport
    expect(report.status).toBe('cancelled')
    expect(report.interrupted).toBe(true)
    expect(report.message).toBe('interrupted (Ctrl-C)')
    expect(report.runsDone).toBeGreaterThan(0)
    expect(report.points.reduce((n, p) => n + p.times.length, 0)).toBe(report.runsDone)
    expect(report.points.every((p) => p.flags.includes('cancelled'))).toBe(true)
    // The progress line (naming the point running, between two runs none), then erased before the report.
    expect(stderr.text()).toMatch(
      /\r\[#*\.*\] +\d+% +\d+\/\d+ runs( {2}[12] threads \((warming up|measuring)\))? +\d+\.\d s/
    )
    expect(stderr.text().endsWith('\r\x1b[K')).toBe(true)
    expect(signals.listenerCount('SIGINT')).toBe(0)
  })

  it('is listed in the help', async () => {
    const main = await runCli(['--help'])
    expect(main.stdout).toMatch(/\n {2}sweep {6}run one job at several thread counts/)
    const help = await runCli(['sweep', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: poolscope sweep /)
    expect(help.stdout).toContain('--threads LIST')
  })
})
