import { describe, expect, it } from 'vitest'
import {
  Sweep,
  type MeasuredRun,
  type PointKey,
  type SweepRunner,
  type SweepSetup
} from '../../../src/main/experiments/sweep'
import type { SweepOptions } from '../../../src/shared/experiments/sweepOptions'
import type { SweepProgress, SweepResult } from '../../../src/shared/protocol'

/**
 * A runner with a fake clock: each run "takes" the time `timeOf` gives it, and the clock moves on
 * by that much. Records every call, so the order of runs and warm-ups can be checked.
 */
class FakeRunner implements SweepRunner {
  clock = 0
  readonly calls: { kind: 'warm-up' | 'measure'; point: string }[] = []
  private measured = new Map<string, number>()
  cancelled = false
  /** Called before a measured run returns: a test may cancel there. */
  onMeasure: (runIndex: number) => void = () => undefined

  constructor(
    private readonly timeOf: (point: PointKey, nth: number) => number,
    private readonly outside: number | null = 0
  ) {}

  now(): number {
    return this.clock
  }

  cancel(): void {
    this.cancelled = true
  }

  async warmUp(point: PointKey): Promise<{ wallMs: number; poolStartupMs: number } | null> {
    await Promise.resolve()
    if (this.cancelled) return null
    this.calls.push({ kind: 'warm-up', point: `${point.backend}:${point.threads}` })
    this.clock += 10
    return { wallMs: 10, poolStartupMs: 5 }
  }

  async measure(point: PointKey): Promise<MeasuredRun | null> {
    await Promise.resolve()
    const key = `${point.backend}:${point.threads}`
    const nth = this.measured.get(key) ?? 0
    this.measured.set(key, nth + 1)
    const runIndex = this.calls.filter((c) => c.kind === 'measure').length
    this.calls.push({ kind: 'measure', point: key })
    const wallMs = this.timeOf(point, nth)
    this.clock += wallMs
    this.onMeasure(runIndex)
    if (this.cancelled) return null
    return {
      jobId: `job-${runIndex}`,
      wallMs,
      startedAt: 1_700_000_000_000 + this.clock,
      loadAverage1m: 1.5,
      cpuMhz: 2400,
      outsideCores: this.outside
    }
  }
}

function setup(options: Partial<SweepOptions> = {}, taskCount = 40): SweepSetup {
  const spec = {
    workload: 'busy_wait',
    style: 'map',
    threads: 1,
    backend: 'threads',
    chunkSize: 'auto',
    keep: 'count',
    inputs: { kind: 'recipe', ms: [5], tasks: taskCount }
  } as SweepSetup['spec']
  const resolved: SweepOptions = {
    threads: [1, 2, 4],
    backends: ['threads'],
    repeat: 5,
    maxRepeat: 30,
    maxSeconds: 60,
    seed: 7,
    keepResults: false,
    scaled: false,
    ...options
  }
  return {
    sweepId: 'sweep-test',
    spec,
    options: resolved,
    jobs: new Map(
      resolved.threads.map((n) => [n, { spec: { ...spec, threads: n }, taskCount, work: taskCount }])
    ),
    machine: {
      poolscopeVersion: '0.1.0',
      cpuModel: 'Test CPU',
      hardwareThreads: 2,
      platform: 'linux',
      arch: 'x64',
      totalMemoryBytes: 8e9,
      versions: { node: '20', v8: '11' },
      cpuMhz: 2400
    },
    taskCount
  }
}

/** Amdahl with f = 0.1 at 2 hardware threads, flat beyond; a tiny deterministic wobble per repeat. */
function amdahlTime(point: PointKey, nth: number): number {
  const n = Math.min(point.threads, 2)
  return 1000 * (0.1 + 0.9 / n) * (1 + 0.002 * ((nth % 3) - 1))
}

describe('Sweep bookkeeping', () => {
  it('interleaves: every round runs each open point once, shuffled, never one point twice in a row', async () => {
    const runner = new FakeRunner(amdahlTime)
    const result = await new Sweep(setup(), runner).done
    expect(result.status).toBe('done')
    const measures = runner.calls.filter((c) => c.kind === 'measure').map((c) => c.point)
    // Tight times: every point is precise at its minimum of 5, so 5 rounds of 3.
    expect(measures).toHaveLength(15)
    for (let round = 0; round < 5; round++) {
      expect(new Set(measures.slice(round * 3, round * 3 + 3)).size).toBe(3)
    }
    for (let i = 1; i < measures.length; i++) expect(measures[i]).not.toBe(measures[i - 1])
    // Not the same order every round (the seed shuffles).
    const rounds = new Set([0, 1, 2, 3, 4].map((r) => measures.slice(r * 3, r * 3 + 3).join()))
    expect(rounds.size).toBeGreaterThan(1)
    // A warm-up before every measured run on a point other than the last one's.
    const warmups = runner.calls.filter((c) => c.kind === 'warm-up')
    expect(warmups).toHaveLength(15)
    runner.calls.forEach((call, i) => {
      if (call.kind === 'measure') expect(runner.calls[i - 1]).toEqual({ kind: 'warm-up', point: call.point })
    })
    for (const point of result.points) {
      expect(point.samples).toHaveLength(5)
      expect(point.stopReason).toBe('precise')
      expect(point.warmups).toHaveLength(5)
      expect(point.runs.map((r) => r.round)).toEqual([0, 1, 2, 3, 4])
    }
    expect(result.runsDone).toBe(15)
    expect(result.runsPlanned).toBe(15)
  })

  it('keeps the minimum repeats even when the time limit is long past', async () => {
    const runner = new FakeRunner(amdahlTime)
    const result = await new Sweep(setup({ repeat: 3, maxSeconds: 0.001 }), runner).done
    for (const point of result.points) expect(point.samples).toHaveLength(3)
  })

  it('samples a noisy point until the time limit, and stops a quiet one at its minimum', async () => {
    // Point 2 alternates ±40%: its interval never gets within ±5%.
    const noisy = (point: PointKey, nth: number) =>
      point.threads === 2 ? 500 * (nth % 2 === 0 ? 0.6 : 1.4) : amdahlTime(point, nth)
    const runner = new FakeRunner(noisy)
    const result = await new Sweep(setup({ threads: [1, 2], repeat: 4, maxSeconds: 8 }), runner).done
    const [one, two] = result.points
    expect(one.stopReason).toBe('precise')
    expect(one.samples).toHaveLength(4)
    expect(two.stopReason).toBe('time-limit')
    expect(two.samples.length).toBeGreaterThan(4)
    expect(two.samples.length).toBeLessThan(30)
    // The time limit was reached, and the last round started before it.
    const spent = runner.clock
    expect(spent).toBeGreaterThanOrEqual(8000)
    expect(result.elapsedMs).toBe(spent)
  })

  it('stops a noisy point at the sample limit', async () => {
    const runner = new FakeRunner((point, nth) => 200 * (nth % 2 === 0 ? 0.6 : 1.4))
    const result = await new Sweep(setup({ threads: [1], repeat: 2, maxRepeat: 6 }), runner).done
    expect(result.points[0].stopReason).toBe('sample-limit')
    expect(result.points[0].samples).toHaveLength(6)
  })

  it('re-runs an outlier once, and keeps the replaced run visible', async () => {
    // The third run at 1 thread is 3× slower: an outlier (modified z far above 3.5).
    const spiky = (point: PointKey, nth: number) =>
      point.threads === 1 && nth === 2 ? 3000 : amdahlTime(point, nth)
    const runner = new FakeRunner(spiky)
    const result = await new Sweep(setup({ threads: [1, 2] }), runner).done
    const one = result.points[0]
    const replaced = one.runs.filter((r) => r.replaced)
    expect(replaced).toHaveLength(1)
    expect(replaced[0].wallMs).toBe(3000)
    const rerun = one.runs.find((r) => r.rerunOf !== null)!
    expect(rerun.rerunOf).toBe(replaced[0].index)
    expect(rerun.wallMs).toBeLessThan(1100)
    // The statistics use the re-run, not the outlier.
    expect(one.samples).not.toContain(3000)
    expect(one.samples).toHaveLength(5)
    expect(one.runs).toHaveLength(6)
    expect(one.summary!.max).toBeLessThan(1100)
    expect(result.warnings).toContain('1 outlier run was re-run once and replaced.')
  })

  it('re-runs an outlier only once: a second outlier from the re-run is kept and flagged', async () => {
    // 1 thread: the third run (nth 2) and its re-run (nth 3, the next run there) are both far off.
    const stubborn = (point: PointKey, nth: number) =>
      point.threads === 1 && (nth === 2 || nth === 3) ? 3000 : amdahlTime(point, nth)
    const runner = new FakeRunner(stubborn)
    const result = await new Sweep(setup({ threads: [1, 2] }), runner).done
    const one = result.points[0]
    expect(one.runs.filter((r) => r.replaced)).toHaveLength(1)
    expect(one.samples.filter((s) => s === 3000)).toHaveLength(1)
    expect(one.summary!.outliers.map((o) => o.value)).toEqual([3000])
  })

  it('flags short runs, suggests a task count, and flags runs on a busy machine', async () => {
    const runner = new FakeRunner((point) => 40 / point.threads, 0.8)
    const result = await new Sweep(setup({ threads: [1, 2], repeat: 3 }, 8), runner).done
    const [one, two] = result.points
    expect(one.summary!.tooShort).toBe(true)
    expect(one.runs.every((r) => r.short && r.busy === true && r.outsideCores === 0.8)).toBe(true)
    // 8 tasks in 40 ms → 20 tasks for 100 ms; in 20 ms → 40.
    expect(one.suggestedTasks).toBe(20)
    expect(two.suggestedTasks).toBe(40)
    expect(result.warnings[0]).toBe(
      'Runs under 100 ms at 1, 2 threads (fastest median 20.0 ms): timer and scheduling noise weigh on them. ' +
        'About 40 tasks would make every run at least 100 ms.'
    )
    expect(result.warnings[1]).toMatch(/^6 of 6 runs were taken while the machine was busy/)
  })

  it('warns that busy_wait past the hardware threads overstates the speedup, and only then', async () => {
    const runner = new FakeRunner((point) => 400 / Math.min(point.threads, 2))
    const past = await new Sweep(setup({ threads: [1, 2, 4], repeat: 3 }), runner).done
    expect(past.warnings).toContain(
      'busy_wait spins until its time has passed, so at 4 threads (more than the 2 hardware threads) its ' +
        'tasks still end on time while they share the cores: those speedups overstate what work of a fixed ' +
        'size would show (sweep combinations_n to see that).'
    )
    const within = await new Sweep(setup({ threads: [1, 2], repeat: 3 }), new FakeRunner(() => 400)).done
    expect(within.warnings.some((w) => w.startsWith('busy_wait'))).toBe(false)
  })

  it('leaves the busy flag unknown when outside load cannot be measured', async () => {
    const runner = new FakeRunner(amdahlTime, null)
    const result = await new Sweep(setup({ threads: [1], repeat: 2 }), runner).done
    expect(result.points[0].runs.every((r) => r.busy === null)).toBe(true)
  })

  it('cancel drops the run in progress and keeps the finished points', async () => {
    const runner = new FakeRunner(amdahlTime)
    const progress: SweepProgress[] = []
    const sweep = new Sweep(setup({ repeat: 3 }), runner, (p) => progress.push(p))
    // Cancel during the 7th measured run (round 2, first run).
    runner.onMeasure = (i) => {
      if (i === 6) sweep.cancel()
    }
    const result: SweepResult = await sweep.done
    expect(result.status).toBe('cancelled')
    expect(result.message).toBe('cancelled by the user')
    expect(result.runsDone).toBe(6)
    for (const point of result.points) {
      expect(point.samples).toHaveLength(2)
      expect(point.stopReason).toBe('cancelled')
    }
    // Two samples per point still give an analysis.
    expect(result.analysis[0].result?.points.map((p) => p.threads)).toEqual([1, 2, 4])
    expect(progress.at(-1)).toMatchObject({ runsDone: 6, current: null, pointsDone: 3 })
    expect(sweep.cancel()).toBe(false)
  })

  it('analyses each back end apart, and sends progress with the current point', async () => {
    const runner = new FakeRunner(amdahlTime)
    const progress: SweepProgress[] = []
    const result = await new Sweep(
      setup({ threads: [1, 2], backends: ['threads', 'processes'], repeat: 3 }),
      runner,
      (p) => progress.push(p)
    ).done
    expect(result.points.map((p) => `${p.backend}:${p.threads}`)).toEqual([
      'threads:1',
      'threads:2',
      'processes:1',
      'processes:2'
    ])
    expect(result.analysis.map((a) => a.backend)).toEqual(['threads', 'processes'])
    for (const a of result.analysis) {
      expect(a.error).toBeNull()
      // 1000 ms at 1 thread, 550 ms at 2: speedup 1.818, serial fraction 0.1 exactly (two points).
      expect(a.result!.points[1].speedup).toBeCloseTo(1000 / 550, 2)
      expect(a.result!.fits.amdahl.status).toBe('exact')
      expect(a.result!.fits.amdahl.params[0].value).toBeCloseTo(0.1, 2)
    }
    // The fake clock does not move the progress throttle's real clock: the first report and the final one.
    expect(progress[0]).toMatchObject({
      runsDone: 0,
      runsPlanned: 12,
      pointsTotal: 4,
      current: { phase: 'warm-up' }
    })
    expect(progress.at(-1)).toMatchObject({ runsDone: 12, runsPlanned: 12, pointsDone: 4 })
    // The result is plain JSON.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  it('ends as failed, with the points so far, when a run throws', async () => {
    const runner = new FakeRunner(amdahlTime)
    runner.onMeasure = (i) => {
      if (i === 4) throw new Error('the job failed at 2 threads: 3 of 40 tasks failed')
    }
    const result = await new Sweep(setup({ threads: [1, 2], repeat: 3 }), runner).done
    expect(result.status).toBe('failed')
    expect(result.message).toBe('the job failed at 2 threads: 3 of 40 tasks failed')
    expect(result.runsDone).toBe(4)
    expect(result.points.every((p) => p.stopReason === 'failed')).toBe(true)
  })
})
