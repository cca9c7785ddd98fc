import { analyzeScaling } from '../../../src/shared/experiments/fits'
import { summarizeSamples } from '../../../src/shared/experiments/samples'
import type { SweepPoint, SweepResult } from '../../../src/shared/protocol'
import { LIMITS } from '../../../src/shared/spec'

/**
 * A sweep's result made the way the host makes it (the same statistics and analysis code), from
 * each point's run times: the renderer's builders are tested on real figures, never typed-in ones.
 */

export interface FixturePoint {
  threads: number
  backend?: 'threads' | 'processes'
  samples: number[]
  /** Runs taken on a busy machine, by their index in `samples`. */
  busy?: number[]
  /** Runs replaced by a re-run (their times are not in `samples`). */
  replaced?: number
  stopReason?: SweepPoint['stopReason']
  relativeHalfWidth?: number | null
}

export function fixtureResult(
  points: FixturePoint[],
  {
    hardwareThreads = 8,
    taskCount = 16,
    scaled = false
  }: {
    hardwareThreads?: number
    /** Tasks at every point; in a scaled sweep, at 1 thread (N threads run N times as many). */
    taskCount?: number
    scaled?: boolean
  } = {}
): SweepResult {
  const backends = [...new Set(points.map((p) => p.backend ?? 'threads'))]
  let index = 0
  const run = (wallMs: number, busy: boolean, replaced: boolean) => ({
    index: index++,
    round: 0,
    jobId: `job-${index}`,
    wallMs,
    startedAt: 0,
    loadAverage1m: 1,
    cpuMhz: null,
    outsideCores: busy ? 1 : 0,
    busy,
    short: wallMs < 100,
    replaced,
    rerunOf: null
  })
  const swept: SweepPoint[] = points.map((p) => {
    const summary = p.samples.length > 0 ? summarizeSamples(p.samples) : null
    return {
      backend: p.backend ?? 'threads',
      threads: p.threads,
      taskCount: scaled ? taskCount * p.threads : taskCount,
      work: scaled ? taskCount * p.threads : taskCount,
      samples: p.samples,
      runs: [
        ...p.samples.map((ms, i) => run(ms, p.busy?.includes(i) ?? false, false)),
        ...Array.from({ length: p.replaced ?? 0 }, () => run(10_000, false, true))
      ],
      warmups: [],
      summary,
      stopReason: p.stopReason === undefined ? 'precise' : p.stopReason,
      relativeHalfWidth: p.relativeHalfWidth ?? null,
      suggestedTasks: summary?.tooShort ? Math.ceil((taskCount * 100) / summary.median) : null
    }
  })
  return {
    version: 1,
    sweepId: 'sweep-test',
    status: 'done',
    message: null,
    spec: {
      workload: 'busy_wait',
      style: 'map',
      threads: 1,
      backend: 'threads',
      chunkSize: 'auto',
      keep: 'count',
      taskTimeoutMs: LIMITS.maxTaskTimeoutMs,
      inputs: { kind: 'recipe', ms: [5], tasks: taskCount }
    } as unknown as SweepResult['spec'],
    options: {
      threads: [...new Set(points.map((p) => p.threads))],
      backends,
      repeat: 5,
      maxRepeat: 30,
      maxSeconds: 60,
      seed: 1,
      keepResults: false,
      scaled
    },
    machine: {
      poolscopeVersion: '0.1.0',
      cpuModel: 'Test CPU',
      hardwareThreads,
      platform: 'linux',
      arch: 'x64',
      totalMemoryBytes: 1,
      versions: { node: '20', v8: '11' },
      cpuMhz: null
    },
    startedAt: 0,
    elapsedMs: 1000,
    runsDone: index,
    runsPlanned: index,
    points: swept,
    analysis: backends.map((backend) => {
      const mine = swept.filter((p) => p.backend === backend && p.summary)
      const inputs = mine.map((p) => {
        const s = p.summary!
        const ci = s.medianCi!
        return {
          threads: p.threads,
          timeMs: s.median,
          work: p.work!,
          ciLowMs: Math.min(ci.low, s.median),
          ciHighMs: Math.max(ci.high, s.median)
        }
      })
      const mode = scaled ? 'scaled' : 'fixed'
      return { backend, result: analyzeScaling(inputs, { hardwareThreads, mode }), error: null }
    }),
    warnings: []
  }
}

/** Five runs around `ms` (±1%), so every point has an interval. */
export function around(ms: number): number[] {
  return [0.99, 1.0, 1.01, 0.995, 1.005].map((f) => ms * f)
}

/** Amdahl's time at n threads for serial fraction f and 1-thread time t1. */
export function amdahlTime(t1: number, f: number, n: number): number {
  return t1 * (f + (1 - f) / n)
}
