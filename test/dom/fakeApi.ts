import { vi } from 'vitest'
import { analyzeScaling } from '../../src/shared/experiments/fits'
import { summarizeSamples } from '../../src/shared/experiments/samples'
import { memoryProblem, poolBytes, totalOf } from '../../src/shared/memory'
import { planJob } from '../../src/shared/plan'
import type {
  ClusterAgents,
  CpuSamples,
  EngineEvent,
  EngineInfo,
  EngineMemory,
  JobStats,
  JobSummary,
  PlanSummary,
  PoolScopeApi,
  ResultRow,
  SavedSweep,
  SweepPoint,
  SweepResult,
  TimingBatch,
  TimelineWindow
} from '../../src/shared/protocol'
import { SEGMENT } from '../../src/shared/timeline'
import { LIMITS } from '../../src/shared/spec'
import { workloadInfos } from '../../src/shared/workloads'
import type { CustomCodeInfo } from '../../src/renderer/src/stores/customCodeModel'

export const fakeInfo: EngineInfo = {
  version: '0.1.0',
  hardwareThreads: 2,
  physicalCores: { count: 2, source: 'sysfs-topology' },
  cpuModel: 'Test CPU @ 3.0GHz',
  platform: 'linux',
  arch: 'x64',
  totalMemoryBytes: 8 * 1024 ** 3,
  versions: { node: '20.20.0', v8: '11.3' },
  budgetBytes: 64 * 1024 * 1024,
  limits: LIMITS,
  workloads: workloadInfos(),
  backends: [
    { name: 'threads', available: true, reason: null },
    { name: 'processes', available: true, reason: null },
    { name: 'cluster', available: true, reason: null }
  ],
  customCode: {
    allowed: true,
    backends: ['threads', 'processes'],
    // As in the desktop app, whose Node (Electron's) has no permission model.
    preferred: 'threads',
    isolation:
      'On threads, custom code runs in worker threads of this process, with its rights, under a heap limit and a per-task timeout.'
  }
}

/** What a host that runs custom code says of it (`engine.info`'s `customCode`). */
export const fakeCustomCode: CustomCodeInfo = fakeInfo.customCode

/** The host's answer to `engine.memory`: one retained job and a two-thread pool. */
export const fakeMemory: EngineMemory = {
  budgetBytes: fakeInfo.budgetBytes,
  usedBytes: 30 * 1024 * 1024,
  jobsBytes: 6 * 1024 * 1024,
  poolBytes: 24 * 1024 * 1024,
  jobsRetained: 1,
  maxJobsRetained: 20
}

/** The host's answer to `cluster.agents`: two agents of two and one threads on one Redis. */
export const fakeAgents: ClusterAgents = {
  url: 'redis://127.0.0.1:6379',
  roundTripMs: 0.31,
  threads: 3,
  agents: [
    {
      name: 'lab-1',
      host: 'lab-1.local',
      pid: 4101,
      threads: 2,
      cpuModel: 'Test CPU',
      node: '20.19.0',
      clockOffsetMs: 0.42,
      clockUncertaintyMs: 0.15,
      chunksDone: 12,
      lastSeenMs: 420,
      allowCode: false
    },
    {
      name: 'lab-2',
      host: 'lab-2.local',
      pid: 5202,
      threads: 1,
      cpuModel: 'Test CPU',
      node: '20.19.0',
      clockOffsetMs: -3.1,
      clockUncertaintyMs: 0.2,
      chunksDone: 7,
      lastSeenMs: 1400,
      allowCode: false
    }
  ]
}

/** The host's answer to `job.plan`, made with the same planner the host uses. */
export function planSummary(spec: unknown, hardwareThreads = fakeInfo.hardwareThreads): PlanSummary {
  const plan = planJob(spec, hardwareThreads)
  return {
    spec: plan.spec,
    taskCount: plan.taskCount,
    threads: plan.threads,
    chunkSize: plan.chunkSize,
    totalTuples: String(plan.totalTuples),
    keptTuples: String(plan.keptTuples),
    keptBytes: String(plan.keptBytes),
    memoryBytes: String(totalOf(plan.memory) + BigInt(poolBytes(plan.threads))),
    budgetBytes: fakeInfo.budgetBytes,
    overBudget: memoryProblem(plan.memory, plan.taskCount, plan.threads, fakeInfo.budgetBytes),
    estimatedMs: plan.estimatedMs,
    layout: plan.workload.layout
  }
}

export function summaryOf(plan: PlanSummary, jobId: string, overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    jobId,
    status: 'done',
    partial: false,
    message: null,
    spec: plan.spec,
    threads: plan.threads,
    chunkSize: plan.chunkSize,
    taskCount: plan.taskCount,
    tasksDone: plan.taskCount,
    tasksFailed: 0,
    tasksStopped: 0,
    tuplesProduced: Number(plan.totalTuples),
    tuplesOfStoppedTasks: 0,
    tuplesKept: Number(plan.keptTuples),
    poolStartupMs: 12.5,
    poolReused: false,
    startedAt: 1_700_000_000_000,
    wallMs: 40,
    tasksPerSecond: 100,
    tuplesPerSecond: 1500,
    busyMsPerLane: [20, 20],
    laneTime: [
      { tasksMs: 20, stoppedMs: 0, bookkeepingMs: 5, awaitingWorkMs: 10, idleAtEndMs: 5 },
      { tasksMs: 20, stoppedMs: 0, bookkeepingMs: 4, awaitingWorkMs: 12, idleAtEndMs: 4 }
    ],
    overheadNsPerTask: (9 * 1e6) / plan.taskCount,
    failures: [],
    lanes: [],
    ...overrides
  }
}

/** A timing batch from plain rows `[task, start, end, lane]`. */
export function timingBatch(jobId: string, rows: [number, number, number, number][]): TimingBatch {
  return {
    jobId,
    task: Int32Array.from(rows.map((r) => r[0])),
    start: Float64Array.from(rows.map((r) => r[1])),
    end: Float64Array.from(rows.map((r) => r[2])),
    lane: Uint16Array.from(rows.map((r) => r[3])),
    cpu: Int16Array.from(rows.map((r) => r[3])),
    tid: Int32Array.from(rows.map(() => -1))
  }
}

/**
 * The host's answer to `job.cpu`: two cores over three 100 ms intervals, the first core busy, most
 * of it worker 0's tasks for the first two intervals; the second core a quarter busy with other load.
 */
export function cpuSamples(jobId: string): CpuSamples {
  return {
    jobId,
    cores: 2,
    intervalMs: 100,
    source: 'proc-stat',
    from: -0.1,
    at: Float64Array.from([100, 200, 300]),
    busy: Float32Array.from([1, 1, 0.5, 0, 0.25, 0]),
    lanes: 2,
    workers: Float32Array.from([0.9, 0.6, 0, 0, 0, 0]),
    laneCore: Int16Array.from([0, 0, -1, -1, -1, -1]),
    unplaced: Float32Array.from([0, 0, 0])
  }
}

/**
 * The host's answer to `job.timeline` for a finished job of `tasks` tasks of `ms` each on `lanes`
 * lanes, back to back from 0.1 ms, one chunk per lane: every lane waits 0.1 ms, runs its chunk
 * (tasks with 0.01 ms of bookkeeping before each) and idles to the end.
 */
export function timelineWindow(
  jobId: string,
  { tasks = 0, lanes = 2, ms = 1, now }: { tasks?: number; lanes?: number; ms?: number; now?: number } = {}
): TimelineWindow {
  const perLane = Math.ceil(tasks / lanes)
  const chunkEnd = 0.1 + perLane * (ms + 0.01)
  const wall = now ?? chunkEnd + 0.5
  const seg = { lane: [] as number[], kind: [] as number[], from: [] as number[], to: [] as number[] }
  const push = (lane: number, kind: number, from: number, to: number) => {
    seg.lane.push(lane)
    seg.kind.push(kind)
    seg.from.push(from)
    seg.to.push(to)
  }
  for (let lane = 0; lane < lanes; lane++) {
    push(lane, SEGMENT.waiting, 0, 0.1)
    push(lane, SEGMENT.bookkeeping, 0.1, chunkEnd)
    push(lane, SEGMENT.idle, chunkEnd, wall)
  }
  push(lanes, SEGMENT.filing, chunkEnd, chunkEnd + 0.05)
  const order = Array.from({ length: tasks }, (_, i) => i)
  const startOf = (i: number) => 0.1 + Math.floor(i / lanes) * (ms + 0.01) + 0.01
  return {
    jobId,
    running: false,
    now: wall,
    startupMs: 0,
    threads: lanes,
    lanes: Array.from({ length: lanes }, (_, lane) => ({
      lane,
      host: 'test',
      pid: 100,
      threadId: lane + 1,
      clockOffsetMs: 0
    })),
    osThread: Array.from({ length: lanes }, (_, lane) => 2000 + lane),
    from: 0,
    to: wall,
    tasksInWindow: tasks,
    detail: 'tasks',
    segments: {
      lane: Uint16Array.from(seg.lane),
      kind: Uint8Array.from(seg.kind),
      from: Float64Array.from(seg.from),
      to: Float64Array.from(seg.to),
      chunk: new Int32Array(seg.lane.length).fill(-1)
    },
    tasks: {
      task: Int32Array.from(order),
      start: Float64Array.from(order, startOf),
      end: Float64Array.from(order, (i) => startOf(i) + ms),
      lane: Uint16Array.from(order, (i) => i % lanes),
      cpu: Int16Array.from(order, (i) => i % lanes),
      tid: Int32Array.from(order, (i) => 2000 + (i % lanes)),
      output: Float64Array.from(order, () => 15),
      readyAt: Float64Array.from(order, () => 0),
      running: new Uint8Array(tasks),
      progress: new Float64Array(tasks),
      call: new Int32Array(tasks)
    },
    calls: ['(0, 1, 2, 3, 4, 5)'],
    bins: null,
    sends: Float64Array.from({ length: lanes }, () => 0.05),
    retried: []
  }
}

/**
 * A row of the map cell over range(6): every task has the same arguments, so none varies; tasks
 * alternate between two workers and take 12.5 µs each.
 */
export function resultRow(task: number): ResultRow {
  return {
    task,
    args: '(0, 1, 2, 3, 4, 5)',
    argsLength: 18,
    varying: '',
    lane: task % 2,
    durationMs: 0.0125,
    status: 'done',
    count: 15,
    kept: 15,
    preview: ['(0, 1)', '(0, 2)', '(0, 3)'],
    error: null
  }
}

/** The primes below 10^6 in eight equal pieces, as count_primes(lo, hi) counts them. */
export const PRIME_COUNTS = [11734, 10310, 9860, 9634, 9448, 9252, 9210, 9050]

/**
 * A row of count_primes over `0:1000000` in eight pieces: one value per task, printed as Python
 * prints an int. Both bounds vary; tasks alternate between two workers, task i taking 4.25 + i ms.
 */
export function primesRow(task: number): ResultRow {
  const lo = task * 125_000
  const hi = (task + 1) * 125_000
  const args = `(${lo}, ${hi})`
  return {
    task,
    args,
    argsLength: args.length,
    varying: `lo=${lo}, hi=${hi}`,
    lane: task % 2,
    durationMs: 4.25 + task,
    status: 'done',
    count: 1,
    kept: 1,
    preview: [String(PRIME_COUNTS[task])],
    error: null
  }
}

/**
 * The host's answer to `job.stats` for a finished job of 100 tasks on 2 threads: durations from
 * 0.1 to 40 ms on log bins, 2 slow outliers (tasks 17 and 64), a 250 ms wall time.
 */
export function jobStats(jobId: string, overrides: Partial<JobStats> = {}): JobStats {
  return {
    jobId,
    status: 'done',
    taskCount: 100,
    tasksTimed: 100,
    threads: 2,
    wallMs: 250,
    poolStartupMs: 35,
    poolReused: false,
    totalTaskMs: 400,
    stoppedTaskMs: 0,
    taskMsPerLane: [240, 160],
    utilization: 0.8,
    loadImbalance: 1.2,
    speedup: 1.6,
    durations: {
      minMs: 0.1,
      q1Ms: 1,
      medianMs: 2,
      q3Ms: 4,
      p90Ms: 9,
      meanMs: 4,
      maxMs: 40,
      histogram: {
        scale: 'log',
        edges: [0.1, 0.4, 1.6, 6.4, 25.6, 40],
        counts: [5, 20, 60, 13, 2],
        outlierCounts: [0, 0, 0, 0, 2],
        zeroCount: 0
      },
      outliers: {
        rule: 'Tukey’s far-out fences on log durations',
        scale: 'log',
        lowFenceMs: 0.015625,
        highFenceMs: 256,
        slowCount: 2,
        fastCount: 0
      },
      slowest: [
        { task: 17, ms: 40, lane: 0, outlier: true },
        { task: 64, ms: 30, lane: 1, outlier: true },
        { task: 3, ms: 9, lane: 0, outlier: false }
      ]
    },
    queueWait: { method: 'nearest-rank', p50Ms: 12, p90Ms: 80, p99Ms: 120, maxMs: 130, meanMs: 30 },
    engineCost: {
      bookkeepingMs: 0.2,
      filingMs: 0.1,
      sendingMs: 0.05,
      bookkeepingNsPerTask: 2000,
      filingNsPerTask: 1000,
      sendingNsPerTask: 500,
      totalNsPerTask: 3500
    },
    ...overrides
  }
}

/** The job the fake sweeps ran: 8 tasks of busy_wait(5 ms). */
export const BUSY_WAIT_SPEC = {
  workload: 'busy_wait',
  style: 'map',
  inputs: { kind: 'recipe', ms: [5], tasks: 8 }
}

/** A sweep point's measured runs, by their wall times (ms). */
export interface FakePoint {
  threads: number
  backend?: 'threads' | 'processes'
  samples: number[]
  /** Whether each run was taken on a busy machine (default: not busy). */
  busy?: boolean
}

/**
 * The host's answer to `sweep.get` for a sweep of the map cell whose points measured `points`:
 * each point's statistics and the scaling analysis made with the same code the host uses.
 */
export function sweepResult(
  sweepId: string,
  points: FakePoint[],
  {
    status = 'done',
    threads,
    spec = BUSY_WAIT_SPEC,
    warnings = [],
    scaled = false
  }: {
    status?: SweepResult['status']
    /** A scaled sweep: N threads ran N times the spec's tasks. */
    scaled?: boolean
    threads?: number[]
    spec?: unknown
    /** The sweep's own warnings (the host words them; tests only need them shown). */
    warnings?: string[]
  } = {}
): SweepResult {
  const backends = [...new Set(points.map((p) => p.backend ?? 'threads'))]
  const plan = planSummary(spec)
  let index = 0
  const swept: SweepPoint[] = points.map((p) => {
    const summary = p.samples.length > 0 ? summarizeSamples(p.samples) : null
    return {
      backend: p.backend ?? 'threads',
      threads: p.threads,
      taskCount: scaled ? plan.taskCount * p.threads : plan.taskCount,
      work: scaled ? plan.taskCount * p.threads : plan.taskCount,
      samples: [...p.samples],
      runs: p.samples.map((wallMs) => ({
        index: index++,
        round: 0,
        jobId: `job-${index}`,
        wallMs,
        startedAt: 1_700_000_000_000,
        loadAverage1m: 0.5,
        cpuMhz: null,
        outsideCores: p.busy ? 1 : 0,
        busy: p.busy ?? false,
        short: wallMs < 100,
        replaced: false,
        rerunOf: null
      })),
      warmups: [],
      summary,
      stopReason: status === 'running' ? null : status === 'cancelled' ? 'cancelled' : 'precise',
      relativeHalfWidth: null,
      suggestedTasks: summary?.tooShort ? Math.ceil((plan.taskCount * 100) / summary.median) : null
    }
  })
  return {
    version: 1,
    sweepId,
    status,
    message: status === 'cancelled' ? 'cancelled by the user' : null,
    spec: plan.spec,
    options: {
      threads: threads ?? [...new Set(points.map((p) => p.threads))],
      backends,
      repeat: 5,
      maxRepeat: 30,
      maxSeconds: 60,
      seed: 0x5eed,
      keepResults: false,
      scaled
    },
    machine: {
      poolscopeVersion: fakeInfo.version,
      cpuModel: fakeInfo.cpuModel,
      hardwareThreads: fakeInfo.hardwareThreads,
      platform: fakeInfo.platform,
      arch: fakeInfo.arch,
      totalMemoryBytes: fakeInfo.totalMemoryBytes,
      versions: fakeInfo.versions,
      cpuMhz: null
    },
    startedAt: 1_700_000_000_000,
    elapsedMs: 1234,
    runsDone: index,
    runsPlanned: index,
    points: swept,
    analysis: backends.map((backend) => {
      const mine = swept.filter((p) => p.backend === backend && p.summary)
      if (!mine.some((p) => p.threads === 1))
        return { backend, result: null, error: 'no 1-thread run finished: speedup is measured against it' }
      const inputs = mine.map((p) => {
        const s = p.summary!
        const ci = s.medianCi
        return {
          threads: p.threads,
          timeMs: s.median,
          work: p.taskCount,
          ...(ci ? { ciLowMs: Math.min(ci.low, s.median), ciHighMs: Math.max(ci.high, s.median) } : {})
        }
      })
      return {
        backend,
        result: analyzeScaling(inputs, {
          hardwareThreads: fakeInfo.hardwareThreads,
          mode: scaled ? 'scaled' : 'fixed'
        }),
        error: null
      }
    }),
    warnings
  }
}

export interface FakeApi extends PoolScopeApi {
  /** Pushes an event to every subscriber, as the host would. */
  emit(event: EngineEvent): void
}

/** A PoolScopeApi that plans with the real planner and answers everything else from spies. */
export function createFakeApi(overrides: Partial<PoolScopeApi> = {}): FakeApi {
  const listeners = new Set<(event: EngineEvent) => void>()
  let nextJob = 1
  let nextSweep = 1
  const api: FakeApi = {
    info: vi.fn(async () => fakeInfo),
    memory: vi.fn(async () => fakeMemory),
    clusterAgents: vi.fn(async () => fakeAgents),
    planJob: vi.fn(async (spec: unknown) => planSummary(spec)),
    startJob: vi.fn(async (spec: unknown) => ({ ...planSummary(spec), jobId: `job-${nextJob++}` })),
    cancelJob: vi.fn(async () => ({ cancelled: true })),
    jobSummary: vi.fn(async () => {
      throw new Error('not used')
    }),
    listJobs: vi.fn(async () => []),
    results: vi.fn(async (_jobId: string, offset: number, limit: number) => ({
      total: 1_000_000,
      rows: Array.from({ length: limit }, (_, i) => resultRow(offset + i))
    })),
    args: vi.fn(async (_jobId: string, task: number) => ({ task, args: '(0, 1, 2, 3, 4, 5)' })),
    tuples: vi.fn(async (_jobId: string, task: number, offset: number, limit: number) => ({
      task,
      total: 15,
      offset,
      tuples: ['(0, 1)', '(0, 2)'].slice(0, limit)
    })),
    timings: vi.fn(async (jobId: string) => timingBatch(jobId, [])),
    timeline: vi.fn(async (jobId: string) => timelineWindow(jobId)),
    cpu: vi.fn(async (jobId: string) => cpuSamples(jobId)),
    stats: vi.fn(async (jobId: string) => jobStats(jobId)),
    exportJob: vi.fn(async () => ({ filename: 'job.json', mime: 'application/json', text: '{}' })),
    historyList: vi.fn(async () => ({ folder: '/home/ada/.poolscope/history', entries: [], setAside: [] })),
    historyOpen: vi.fn(async (id: string) => {
      throw new Error(`there is no record ${id}`)
    }),
    historyOpenSweep: vi.fn(async (id: string): Promise<SavedSweep> => {
      throw new Error(`there is no record ${id}`)
    }),
    historyRename: vi.fn(async (id: string, name: string) => ({
      format: 'poolscope-history',
      kind: 'run' as const,
      id,
      name,
      savedAt: 0,
      version: 1,
      facts: {}
    })),
    historyDelete: vi.fn(async (id: string) => ({ id })),
    historyRestore: vi.fn(async (id: string) => ({ id })),
    historyImport: vi.fn(async () => ({
      format: 'poolscope-history',
      kind: 'run' as const,
      id: 'run-imported',
      name: 'imported',
      savedAt: 0,
      version: 1,
      facts: {}
    })),
    historyExport: vi.fn(async (id: string) => ({
      filename: `${id}.poolscope.json`,
      mime: 'application/json',
      text: '{}'
    })),
    startSweep: vi.fn(async () => ({ sweepId: `sweep-${nextSweep++}` })),
    cancelSweep: vi.fn(async () => ({ cancelled: true })),
    getSweep: vi.fn(async (sweepId: string) => sweepResult(sweepId, [], { status: 'running' })),
    onEvent: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit: (event) => listeners.forEach((listener) => listener(event)),
    ...overrides
  }
  return api
}
