import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { excerpt } from '../../shared/excerpt'
import { redactPaths } from '../../shared/redactPaths'
import { withoutPassword } from '../../shared/redisUrl'
import type { JobPlan } from '../../shared/plan'
import type {
  ClusterAgents,
  EngineInfo,
  EngineMemory,
  JobSummary,
  PlanSummary,
  RestoredFrom
} from '../../shared/protocol'
import { BACKEND_KINDS, LIMITS, type BackendKind } from '../../shared/spec'
import { memoryProblem, poolBytes, totalOf } from '../../shared/memory'
import { workloadInfos } from '../../shared/workloads'
import { version } from '../../../package.json'
import { Job, type EndedJobState, type JobListener } from './job'
import { planJobAsync } from './planAsync'
import { readPhysicalCores, type PhysicalCores } from './physicalCores'
import type { Backend } from './backends/backend'
import { BACKENDS, BACKEND_UNAVAILABLE } from './backends'
import { listClusterAgents } from './backends/cluster/agentsList'
import {
  ISOLATED_PROCESSES,
  isolationSentence,
  isolationUnavailableReason
} from './backends/processes/permissions'

/**
 * Who may run custom code through a front door, and where: the desktop app and the CLI run the
 * person's own code on any back end; the web host refuses it unless started with --allow-code, and
 * then runs it only in child processes under Node's permission model.
 */
export interface CustomCodePolicy {
  allowed: boolean
  /** The back ends custom code may run on (those not available here are left out by the engine). */
  backends: readonly BackendKind[]
  /** Why code is refused, for the refusal's message (when `allowed` is false). */
  refusal?: string
  /** Custom code must run isolated: a back end that cannot isolate it here is left out. */
  isolatedOnly?: boolean
}

/** Custom code's heap limit per worker, MB: a runaway allocation fails its task long before it starves the machine. */
export const CUSTOM_HEAP_LIMIT_MB = 256

export interface EngineOptions {
  /** Absolute path of the bundled Piscina worker. */
  workerFile: string
  /** Default pool size; `os.availableParallelism()` unless given. */
  hardwareThreads?: number
  /** Memory the engine may hold: retained jobs (tables, arguments, results) and the pool together. */
  budgetBytes?: number
  /** Versions of the runtime around the engine (Electron, Chrome), for `engine.info`. */
  versions?: { electron?: string; chrome?: string }
  /** Largest JS heap of one worker thread, MB (default DEFAULT_HEAP_LIMIT_MB). */
  workerHeapLimitMb?: number
  /** Pool errors that belong to no task. */
  onPoolError?: (error: Error) => void
  /** Whether and where custom code runs (default: allowed on every back end, as for the desktop app). */
  customCode?: CustomCodePolicy
  /** Largest JS heap of a worker that runs custom code, MB (default CUSTOM_HEAP_LIMIT_MB). */
  customHeapLimitMb?: number
}

/** At most this many jobs (the running one included) are kept for browsing, fewer when they exceed the budget. */
const MAX_RETAINED_JOBS = 20

/** A quarter of the machine's memory, at most 2 GiB: room for results without starving the OS. */
export function defaultBudgetBytes(totalMemory = os.totalmem()): number {
  return Math.min(2 * 1024 ** 3, Math.floor(totalMemory / 4))
}

/**
 * The engine: plans jobs, owns one warm worker pool (reused while the thread count stays the
 * same), runs one job at a time and keeps recent jobs for browsing. Pure Node: never imports electron.
 */
export class Engine {
  readonly hardwareThreads: number
  readonly budgetBytes: number
  /** The warm workers, kept between jobs of the same back end and size. */
  private pool: Backend | null = null
  private readonly jobs = new Map<string, Job>()
  private running: Job | null = null
  private disposed = false
  /** Read once, at the first `info()`: the topology does not change while the app runs. */
  private physical: PhysicalCores | null = null

  constructor(private readonly options: EngineOptions) {
    this.hardwareThreads = options.hardwareThreads ?? os.availableParallelism()
    this.budgetBytes = options.budgetBytes ?? defaultBudgetBytes()
  }

  info(): EngineInfo {
    const cpus = os.cpus()
    return {
      version,
      hardwareThreads: this.hardwareThreads,
      physicalCores: (this.physical ??= readPhysicalCores(this.hardwareThreads)),
      cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
      platform: process.platform,
      arch: process.arch,
      totalMemoryBytes: os.totalmem(),
      versions: { node: process.versions.node, v8: process.versions.v8, ...this.options.versions },
      budgetBytes: this.budgetBytes,
      limits: LIMITS,
      workloads: workloadInfos(),
      backends: BACKEND_KINDS.map((name) => {
        const reason = BACKEND_UNAVAILABLE[name]()
        return { name, available: reason === null, reason }
      }),
      customCode: this.customCodeInfo()
    }
  }

  /** Whether this engine's front door runs custom code, on which back ends, and what isolates it. */
  customCodeInfo(): EngineInfo['customCode'] {
    const backends = this.codeBackends()
    const processes = BACKEND_UNAVAILABLE.processes() === null
    const isolation = isolationSentence(processes)
    const policy = this.options.customCode
    if (policy && !policy.allowed) {
      return { allowed: false, backends: [], preferred: null, isolation: policy.refusal ?? isolation }
    }
    if (backends.length === 0) {
      return {
        allowed: false,
        backends: [],
        preferred: null,
        isolation: `${isolation} Custom code needs isolation here, which this machine cannot give.`
      }
    }
    // Isolated where this Node can isolate it: the person's own choice of threads still stands.
    const preferred =
      backends.includes('processes') && isolationUnavailableReason() === null ? 'processes' : backends[0]
    if (policy?.isolatedOnly) {
      return {
        allowed: true,
        backends,
        preferred,
        isolation: `Custom code runs only in ${ISOLATED_PROCESSES}`
      }
    }
    return { allowed: true, backends, preferred, isolation }
  }

  /** The back ends custom code may run on here: the policy's, available, and isolated when it must be. */
  private codeBackends(): BackendKind[] {
    const policy = this.options.customCode
    const wanted = policy?.backends ?? BACKEND_KINDS
    return wanted.filter((kind) => {
      if (BACKEND_UNAVAILABLE[kind]() !== null) return false
      // Agents, unisolated, decide for themselves: a custom job on the cluster goes only to agents
      // started with --allow-code, and is refused at start when there is none.
      if (!policy?.isolatedOnly) return true
      return kind === 'processes' && isolationUnavailableReason() === null
    })
  }

  /** Refuses a custom job this front door does not run, or not on the back end it asks for. */
  private checkCustomCode(plan: JobPlan): void {
    if (plan.workload.layout !== 'json') return
    const info = this.customCodeInfo()
    if (!info.allowed) {
      throw new PoolScopeError(ErrorCodes.INVALID_SPEC, this.options.customCode?.refusal ?? info.isolation, [
        'code'
      ])
    }
    if (!info.backends.includes(plan.spec.backend)) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_SPEC,
        `custom code runs here only on ${info.backends.join(' or ')}` +
          (this.options.customCode?.isolatedOnly ? ', where Node’s permission model isolates it' : '') +
          `; choose the ${info.backends[0]} back end`,
        ['backend']
      )
    }
  }

  /** Validates and sizes a spec; throws a PoolScopeError saying what is wrong. Starts nothing. */
  async plan(spec: unknown): Promise<{ plan: JobPlan; summary: PlanSummary }> {
    const plan = await planJobAsync(spec, this.hardwareThreads)
    return { plan, summary: this.summarize(plan) }
  }

  /** A plan as the front doors see it: sizes as decimal strings, and why it is refused if it is. */
  summarize(plan: JobPlan): PlanSummary {
    const { backend } = plan.spec
    const overBudget = memoryProblem(plan.memory, plan.taskCount, plan.threads, this.budgetBytes, backend)
    return {
      spec: plan.spec,
      taskCount: plan.taskCount,
      threads: plan.threads,
      chunkSize: plan.chunkSize,
      totalTuples: plan.totalTuples.toString(),
      keptTuples: plan.keptTuples.toString(),
      keptBytes: plan.keptBytes.toString(),
      memoryBytes: (totalOf(plan.memory) + BigInt(poolBytes(plan.threads, backend))).toString(),
      budgetBytes: this.budgetBytes,
      overBudget,
      estimatedMs: plan.estimatedMs,
      layout: plan.workload.layout
    }
  }

  /** Plans and starts a job on a warm pool. Refuses, before any work, a bad spec, an oversized result or a busy engine. */
  async start(spec: unknown, listener: JobListener = {}): Promise<Job> {
    this.checkFree()
    const { plan, summary } = await this.plan(spec)
    this.checkCustomCode(plan)
    if (summary.overBudget) throw new PoolScopeError(ErrorCodes.OVER_BUDGET, summary.overBudget)
    // Planning hands the event loop back: another start or a shutdown may have come in meanwhile.
    this.checkFree()
    const id = `job-${randomUUID().slice(0, 8)}`
    // Claim the engine before the first await so a second start cannot slip in during warm-up.
    const placeholder = {} as Job
    this.running = placeholder
    try {
      const { pool, startupMs, reused } = await this.acquirePool(
        plan.spec.backend,
        plan.threads,
        plan.workload.layout === 'json',
        plan.spec.redis
      )
      // The pool has used the Redis password; the job's spec (summaries, history, exports) never
      // carries it.
      if (plan.spec.redis) plan.spec.redis = withoutPassword(plan.spec.redis)
      this.releaseOldJobs(totalOf(plan.memory))
      // The engine is free again before anyone hears that the job ended, so a start made from a
      // `finished` listener is not refused as JOB_RUNNING.
      const release = (): void => {
        if (this.running === job) this.running = null
      }
      const job: Job = new Job(
        id,
        plan,
        pool,
        { startupMs, reused },
        {
          ...listener,
          finished: (summary) => {
            release()
            listener.finished?.(summary)
          }
        }
      )
      this.running = job
      this.jobs.set(id, job)
      void job.done.finally(release)
      return job
    } catch (err) {
      if (this.running === placeholder) this.running = null
      throw err
    }
  }

  /**
   * Rebuilds an ended job from its saved state (a history record) as a finished, read-only job that
   * every view works on unchanged. Its spec is planned again (planning is deterministic, seeds
   * included) and the plan checked against what the job reported; it is kept like any finished
   * job, against the memory budget. Refuses (OVER_BUDGET) a job that alone would not fit.
   */
  async restore(
    spec: unknown,
    ended: Pick<JobSummary, 'taskCount' | 'threads' | 'chunkSize'>,
    state: EndedJobState,
    from: RestoredFrom
  ): Promise<Job> {
    if (this.disposed) throw new PoolScopeError(ErrorCodes.POOL_FAILED, 'the engine has shut down')
    const { plan } = await this.plan(spec)
    for (const key of ['taskCount', 'threads', 'chunkSize'] as const) {
      if (plan[key] !== ended[key]) {
        throw new PoolScopeError(
          ErrorCodes.INVALID_COMMAND,
          `record ${from.recordId} cannot be opened: its spec now plans ${plan[key]} for ${key}, ` +
            `but the run had ${ended[key]} (it was saved by a PoolScope that planned differently)`
        )
      }
    }
    let job: Job
    try {
      job = Job.restore(`job-${randomUUID().slice(0, 8)}`, plan, state, from)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${from.recordId} cannot be opened: ${reason}`
      )
    }
    const bytes = job.retainedBytes()
    if (bytes + BigInt(this.poolBytes()) > BigInt(this.budgetBytes)) {
      throw new PoolScopeError(
        ErrorCodes.OVER_BUDGET,
        `record ${from.recordId} needs ${bytes} bytes in memory, more than the engine's budget of ${this.budgetBytes} leaves`
      )
    }
    this.releaseOldJobs(bytes)
    this.jobs.set(job.id, job)
    return job
  }

  /** Throws unless the engine can take a job now: not shut down, no job running or starting. */
  private checkFree(): void {
    if (this.disposed) throw new PoolScopeError(ErrorCodes.POOL_FAILED, 'the engine has shut down')
    if (this.running) {
      const which = this.running.id ? `job ${this.running.id} is still running` : 'another job is starting'
      throw new PoolScopeError(ErrorCodes.JOB_RUNNING, `${which}; cancel it or wait for it to finish`)
    }
  }

  /**
   * A warm pool of `threads` workers of a back end: the current one when it fits, else a new one.
   * Custom code gets a pool of its own (`forCode`: a lower heap limit, isolated children), and no
   * other job reuses it, since code may have changed its workers' globals.
   */
  private async acquirePool(
    kind: BackendKind,
    threads: number,
    forCode: boolean,
    redis?: string
  ): Promise<{ pool: Backend; startupMs: number; reused: boolean }> {
    const current = this.pool
    if (
      current &&
      // A cluster's lanes are the agents registered when it started; agents come and go, so each
      // job connects afresh (a few milliseconds: a connection and a clock measurement).
      kind !== 'cluster' &&
      !current.isDisposed &&
      current.kind === kind &&
      current.lanes === threads &&
      current.forCode === forCode
    ) {
      return { pool: current, startupMs: 0, reused: true }
    }
    this.pool = null
    await current?.dispose()
    try {
      this.pool = await BACKENDS[kind]({
        workerFile: this.options.workerFile,
        lanes: threads,
        heapLimitMb: forCode
          ? Math.min(
              this.options.customHeapLimitMb ?? CUSTOM_HEAP_LIMIT_MB,
              this.options.workerHeapLimitMb ?? Infinity
            )
          : this.options.workerHeapLimitMb,
        isolateCode: forCode,
        redis,
        onError: (error) => this.options.onPoolError?.(error)
      })
    } catch (err) {
      const reason = redactPaths(err instanceof Error ? err.message.split('\n', 1)[0] : String(err))
      throw new PoolScopeError(
        ErrorCodes.POOL_FAILED,
        `could not start a pool of ${threads} ${kind}: ${reason}`
      )
    }
    return { pool: this.pool, startupMs: this.pool.startupMs, reused: false }
  }

  /**
   * Forgets the oldest finished jobs until the jobs kept, the incoming job and the pool fit the
   * memory budget, and at most MAX_RETAINED_JOBS jobs (the incoming one included) are kept.
   */
  private releaseOldJobs(incomingBytes: bigint): void {
    let retained = incomingBytes + BigInt(this.poolBytes())
    let kept = 1
    for (const job of [...this.jobs.values()].reverse()) {
      const bytes = job.retainedBytes()
      const fits = retained + bytes <= BigInt(this.budgetBytes) && kept < MAX_RETAINED_JOBS
      if (job.isRunning || fits) {
        retained += bytes
        kept++
      } else {
        this.jobs.delete(job.id)
      }
    }
  }

  private poolBytes(): number {
    return this.pool && !this.pool.isDisposed ? poolBytes(this.pool.lanes, this.pool.kind) : 0
  }

  /**
   * The PoolScope agents registered at a Redis server, with their clock offsets to this engine. A
   * Redis that cannot be reached is said so, under the `redis` field.
   */
  async clusterAgents(url: string): Promise<ClusterAgents> {
    try {
      return await listClusterAgents(url)
    } catch (err) {
      throw new PoolScopeError(ErrorCodes.POOL_FAILED, (err as Error).message, ['redis'])
    }
  }

  /** What the engine holds against its memory budget right now. */
  memory(): EngineMemory {
    let jobsBytes = 0n
    for (const job of this.jobs.values()) jobsBytes += job.retainedBytes()
    const pool = this.poolBytes()
    return {
      budgetBytes: this.budgetBytes,
      usedBytes: Number(jobsBytes) + pool,
      jobsBytes: Number(jobsBytes),
      poolBytes: pool,
      jobsRetained: this.jobs.size,
      maxJobsRetained: MAX_RETAINED_JOBS
    }
  }

  /** A job by id; throws UNKNOWN_JOB for ids never issued or already released. */
  job(id: string): Job {
    const job = this.jobs.get(id)
    if (!job) {
      throw new PoolScopeError(
        ErrorCodes.UNKNOWN_JOB,
        `no job ${excerpt(id)}: it never ran here, or its results were released to make room`
      )
    }
    return job
  }

  /**
   * Forgets an ended job now, rather than when newer ones need the room: for runs nobody browses
   * (a sweep's), which would otherwise push the person's own jobs out of the retained ones.
   * A job still running is kept. Returns whether it was forgotten.
   */
  release(id: string): boolean {
    const job = this.jobs.get(id)
    if (!job || job.isRunning) return false
    return this.jobs.delete(id)
  }

  listJobs(): Job[] {
    return [...this.jobs.values()]
  }

  get runningJob(): Job | null {
    return this.running && this.running.id ? this.running : null
  }

  /** Cancels a running job and shuts the pool down. */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    const running = this.runningJob
    if (running) {
      running.cancel('the engine is shutting down')
      await running.done
    }
    await this.pool?.dispose()
    this.pool = null
  }
}
