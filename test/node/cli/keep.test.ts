import { describe, expect, it } from 'vitest'
import { golden, parseReport, runCli, type ArgsCase } from './cliHarness'

describe('keep modes', () => {
  it('--keep count counts every tuple, keeps none and reports no digest, saying why', async () => {
    const result = await runCli([
      'run',
      '--workload',
      'combinations_n',
      '--elements',
      '0..19',
      '--n',
      '5',
      '--tasks',
      '6',
      '--keep',
      'count',
      '--json'
    ])
    expect(result.code).toBe(0)
    const report = parseReport(result)
    // C(20, 5) = 15504 per task.
    expect(report.counts).toEqual({
      tasks: 6,
      tasksDone: 6,
      tasksFailed: 0,
      tasksStopped: 0,
      tuplesPlanned: 6 * 15504,
      tuplesProduced: 6 * 15504,
      tuplesOfStoppedTasks: 0,
      tuplesKept: 0
    })
    expect(report.digest).toBeNull()
    expect(report.digestNote).toBe('only counts were kept (--keep count)')
    expect(report.spec.keep).toBe('count')
  })

  it('--keep 3 keeps the first 3 tuples of each task, in itertools order', async () => {
    const result = await runCli(['run', '--threads', '2', '--keep', '3', '--print'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        'Number of threads: 2',
        'Number of results: 4',
        ...Array<string>(4).fill('((0, 1), (0, 2), (0, 3))'),
        ''
      ].join('\n')
    )
    expect(result.stderr).toMatch(/^Tuples\/s: [\d,]+ \(60 produced, 12 kept\)$/m)
  })
})

describe('digest against Python', () => {
  it('--keep 3 reports no digest, saying it kept fewer tuples than Python’s list holds', async () => {
    const report = parseReport(await runCli(['run', '--threads', '2', '--keep', '3', '--json']))
    expect(report.digest).toBeNull()
    expect(report.digestNote).toBe("--keep 3 kept 12 of 60 tuples; Python's list holds them all")
  })

  it('--keep 100 keeps every tuple of the map cell, so its digest is Python’s', async () => {
    const report = parseReport(await runCli(['run', '--threads', '2', '--keep', '100', '--json']))
    const mapCase = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')
    expect(report.digest).toBe(mapCase?.digest)
    expect(report.digestNote).toBeNull()
  })
})

describe('default output', () => {
  it("prints the notebook's two lines and then the timing summary", async () => {
    const result = await runCli(['run', '--threads', '2', '--tasks', '6'])
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('Number of threads: 2')
    expect(lines[1]).toBe('Number of results: 6')
    expect(lines[2]).toMatch(/^Pool start-up: \d+\.\d ms \(measured apart from the job\)$/)
    expect(lines[3]).toMatch(/^Wall time: \d+\.\d ms$/)
    expect(lines[4]).toMatch(/^Tasks\/s: [\d,]+$/)
    expect(lines[5]).toMatch(/^Tuples\/s: [\d,]+ \(90 produced, 90 kept\)$/)
    expect(lines[6]).toMatch(/^Busy ms per thread: #0 \d+\.\d, #1 \d+\.\d$/)
    for (const lane of [0, 1]) {
      expect(lines[7 + lane]).toMatch(
        new RegExp(
          `^  thread #${lane}: tasks \\d+%, bookkeeping \\d+%, waiting for work \\d+%, idle at the end \\d+%$`
        )
      )
    }
    expect(lines[9]).toMatch(
      /^Per task: [\d.]+ (ns|µs) in the task, [\d.]+ (ns|µs) of PoolScope's own bookkeeping$/
    )
    // Then the statistics block (job.stats): pool use, durations, queue wait, PoolScope's own cost.
    expect(lines[10]).toBe('Statistics of the 6 tasks that ran:')
    expect(lines[11]).toMatch(
      /^ {2}Task time [\d.]+ (ns|µs|ms); utilization [\d.]+% of 2 threads × wall time; speedup [\d.]+× over the serial sum; load imbalance [\d.]+ \(busiest thread ÷ mean\)$/
    )
    expect(lines[12]).toMatch(
      /^ {2}Task durations: min .+, median .+, mean .+, max .+; (no outliers|outliers: .+)$/
    )
    expect(lines[13]).toMatch(
      /^ {2}Queue wait \(chunk sent → task start, nearest rank\): p50 .+, p90 .+, p99 .+, max .+$/
    )
    expect(lines[14]).toMatch(
      /^ {2}PoolScope's own cost per task: .+ \(bookkeeping .+ on the workers, filing .+ and sending .+ on the main thread\)$/
    )
    expect(lines).toHaveLength(15)
  })

  it('picks and prints a seed when n has several values, and that seed repeats the run', async () => {
    const first = await runCli(['run', '--workload', 'combinations_n', '--tasks', '12', '--json'])
    const report = parseReport(first)
    expect(report.seedPicked).toBe(true)
    const seed = report.spec.inputs.kind === 'recipe' ? report.spec.inputs.seed : undefined
    expect(Number.isSafeInteger(seed)).toBe(true)
    const again = await runCli([
      'run',
      '--workload',
      'combinations_n',
      '--tasks',
      '12',
      '--seed',
      String(seed),
      '--json'
    ])
    const repeated = parseReport(again)
    expect(repeated.seedPicked).toBe(false)
    expect(repeated.digest).toBe(report.digest)

    const summary = await runCli(['run', '--workload', 'combinations_n', '--n', '2,3'])
    expect(summary.stdout).toMatch(/^Seed: (\d+) \(picked at random; repeat this run with --seed \1\)$/m)
  })

  it('--json prints one JSON object with the resolved spec, counts, timing and digest', async () => {
    const result = await runCli(['run', '--threads', '2', '--json'])
    expect(result.code).toBe(0)
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1)
    const report = parseReport(result)
    expect(report.spec).toEqual({
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 4 },
      threads: 2,
      backend: 'threads',
      chunkSize: 'auto',
      keep: 'all'
    })
    expect(report.status).toBe('done')
    expect(report.counts.tuplesProduced).toBe(60)
    expect(report.timing.busyMsPerLane).toHaveLength(2)
    expect(report.timing.poolStartupMs).toBeGreaterThan(0)
    // The same four tasks as the golden notebook-map-4 args file, so the same digest as Python's.
    const mapCase = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')
    expect(report.digest).toBe(mapCase?.digest)
  })
})
