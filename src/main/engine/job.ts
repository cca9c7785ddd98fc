import { performance } from 'node:perf_hooks'
import { totalOf } from '../../shared/memory'
import type { JobPlan } from '../../shared/plan'
import type { JsonPlan } from '../../shared/workloads'
import { CUSTOM_KERNEL } from '../../shared/workloads/custom'
import type { JobStatus, JobSummary, ProgressEvent, RestoredFrom, TaskFailure } from '../../shared/protocol'
import type { Backend, BackendJob, ChunkRun, ChunkWork, LaneLabel } from './backends/backend'
import { KEEP_ALL, KEEP_NONE } from './chunkProtocol'
import { chunkFailures } from './chunkFailures'
import { CPU_SAMPLE_MS, CpuSampler, type CpuSamples } from './cpuSampler'
import {
  coreOccupancy,
  coreOccupancySliced,
  type CoreOccupancy,
  type TaskTimes,
  type UnreportedSpan
} from './coreOccupancy'
import { TaskWatchdog } from './taskWatchdog'
import { ChunkLog, type ChunkTrip } from './chunkLog'
import { laneTime } from './laneTime'
import { ResultsStore, type ResultsColumns } from './resultsStore'
import { Slicer } from './slicer'
import { TimingStore, type TimingColumns } from './timingStore'

/**
 * Progress is sent on this period: at most about 10 messages a second. Timings are never pushed;
 * clients ask for them (`job.timeline`, `job.timings`).
 */
export const EVENT_PERIOD_MS = 100
const MAX_FAILURES_KEPT = 100
/** While a job runs, `job.cpu` is worked out anew at most this often (see `cpuSamplesSliced`). */
export const LIVE_CPU_MIN_MS = 1000
/** Longest stretch `job.cpu` holds a running job's main thread. */
const LIVE_CPU_SLICE_MS = 5

export interface JobListener {
  progress?(event: ProgressEvent): void
  finished?(summary: JobSummary): void
}

/** A chunk handed to the back end, not yet filed. */
export interface InFlightChunk {
  firstTask: number
  count: number
  /** When it was handed over, ms on the job clock. */
  sentAt: number
  run: ChunkRun
}

export interface PoolFacts {
  startupMs: number
  reused: boolean
}

/** Running totals of a job, kept per chunk. */
export interface JobTally {
  done: number
  failed: number
  stopped: number
  tuplesProduced: number
  tuplesOfStoppedTasks: number
  tuplesKept: number
}

/**
 * Everything an ended job's views read (timeline, CPU, statistics, results, exports): what a
 * history record keeps, and what `Job.restore` rebuilds a job from. Columns are the stores' own
 * arrays, not copies.
 */
export interface EndedJobState {
  status: Exclude<JobStatus, 'running'>
  /** Why it was cancelled (the status message says so). */
  cancelReason: string
  /** Epoch ms at which the job clock started. */
  startedAt: number
  wallMs: number
  lanes: LaneLabel[]
  pool: PoolFacts
  failures: TaskFailure[]
  tally: JobTally
  stoppedMsPerLane: number[]
  filingMs: number
  chunksFiled: number
  sendingMs: number
  timings: TimingColumns
  /** The chunk log, chunk by chunk in filing order. */
  chunks: ChunkTrip[]
  /** The chunks that ran again (see `Job.retried`). */
  retried: RetriedChunk[]
  results: ResultsColumns
  cpu: CpuSamples
}

/** A chunk filed from its second run: its lane, its tasks and when that run began (job clock). */
export interface RetriedChunk {
  lane: number
  firstTask: number
  count: number
  at: number
}

/** The one plan of a custom chunk whose tasks' arguments travel as JSON text (ChunkWork.argsJson). */
const CUSTOM_CHUNK_PLAN: JsonPlan = { kernel: CUSTOM_KERNEL, layout: 'json', args: [] }

function keepCode(keep: JobPlan['spec']['keep']): number {
  return keep === 'all' ? KEEP_ALL : keep === 'count' ? KEEP_NONE : keep
}

/**
 * How long a cancelled custom job's running tasks get to return before their chunks are stopped:
 * custom code has no checkpoints, so it never sees the cancel itself.
 */
const CUSTOM_CANCEL_GRACE_MS = 100

/**
 * One run of a planned job on a warm pool: feeds chunks (a bounded number in flight), files
 * results and timings as chunks return, reports progress on a timer, and ends as done, failed
 * (some tasks failed; the rest are kept) or cancelled (what was computed is kept, marked partial).
 */
export class Job {
  readonly results: ResultsStore
  readonly timings: TimingStore
  readonly done: Promise<JobSummary>
  private status: JobStatus = 'running'
  /** Who ran each lane, as the job ended (a later job may replace workers). */
  private lanes: LaneLabel[] | null = null
  /** This job's channel to the back end's workers; opened when the job clock starts. */
  private channel: BackendJob | null = null
  private readonly failures: TaskFailure[] = []
  private startedAtMs = 0
  private origin = 0
  private finishedAt = 0
  private cancelRequested = false
  /** Every filed chunk's trip: when it was sent, run, replied, and filed. */
  readonly chunks: ChunkLog
  /** Chunks handed to the back end and not yet filed, by first task. */
  readonly inFlight = new Map<number, InFlightChunk>()
  /**
   * Chunks whose filed reply came from a second run, after the worker that first had them went
   * silent (the cluster back end's agents): lane and start of the run that counted.
   */
  readonly retried: RetriedChunk[] = []
  /** Running totals, kept per chunk so summaries never walk a million tasks. */
  private readonly tally: JobTally = {
    done: 0,
    failed: 0,
    stopped: 0,
    tuplesProduced: 0,
    tuplesOfStoppedTasks: 0,
    tuplesKept: 0
  }
  /** Per lane, time spent in tasks a cancel stopped midway (they have no task timings). */
  private readonly stoppedMsPerLane: number[]
  private cancelReason = 'cancelled by the user'
  /** Chunks (by first task) a cancel stopped: their tasks end cancelled, not failed. */
  private readonly stoppedByCancel = new Set<number>()
  /** Stops tasks that overrun the job's task timeout; null when the job has none. */
  private watchdog: TaskWatchdog | null = null
  /**
   * Main-thread milliseconds spent filing chunk replies (results, timings, tallies)
   * and chunks filed: the engine's own cost on this thread, which on a machine with no core to
   * spare competes with the workers for one (see BENCHMARKS.md, "Tiny tasks: scaling with threads").
   */
  filingMs = 0
  chunksFiled = 0
  /** Main-thread milliseconds spent preparing chunks and handing them to the back end. */
  sendingMs = 0
  /** Every CPU's utilization from the job's start to a moment after its end. */
  private readonly cpu: CpuSampler
  /** The workers' occupancy of the cores, kept once the job has ended (see `cpuSamples`). */
  private occupancy: { samples: number; intervalMs: number; occupancy: CoreOccupancy } | null = null
  /** While the job runs: the last `job.cpu` answer, when it was worked out and what it cost (ms). */
  private liveCpu: { answer: CpuSamples & CoreOccupancy; at: number; costMs: number } | null = null
  /** The answer being worked out now, shared by concurrent callers. */
  private cpuRun: Promise<CpuSamples & CoreOccupancy> | null = null
  /** All distinct kernel plans, when there are few enough to send with every chunk. */
  private readonly callPlans: JobPlan['calls'][number]['plan'][] | null

  /** Where a restored job came from; null for a job that ran here. */
  readonly restoredFrom: RestoredFrom | null

  /**
   * Starts running `plan` on `backend` at once. (`restored` is `Job.restore`'s: a job that ended
   * elsewhere, rebuilt from its state, which runs nothing.)
   */
  constructor(
    readonly id: string,
    readonly plan: JobPlan,
    private readonly backend: Backend | null,
    private readonly poolFacts: PoolFacts,
    private readonly listener: JobListener = {},
    restored: { state: EndedJobState; from: RestoredFrom } | null = null
  ) {
    this.timings = new TimingStore(id, plan.taskCount, plan.threads)
    this.results = new ResultsStore(plan, this.timings)
    this.chunks = new ChunkLog(plan.threads)
    this.stoppedMsPerLane = new Array<number>(plan.threads).fill(0)
    this.callPlans = plan.calls.length <= 64 ? plan.calls.map((call) => call.plan) : null
    this.restoredFrom = restored?.from ?? null
    if (restored) {
      this.cpu = CpuSampler.holding(restored.state.cpu)
      this.fill(restored.state)
      this.done = Promise.resolve(this.summary())
      return
    }
    if (!backend) throw new TypeError('a job that runs needs a back end')
    this.cpu = new CpuSampler()
    // However the run ends, even by a throw, the sampler stops (a moment later).
    this.done = this.run(backend).finally(() => this.cpu.stopAfter(CPU_SAMPLE_MS))
  }

  /**
   * An ended job rebuilt from its state (a history record), read-only: every view of a job works
   * on it as on the original. `plan` must be the plan of the job's spec (planning is deterministic).
   */
  static restore(id: string, plan: JobPlan, state: EndedJobState, from: RestoredFrom): Job {
    return new Job(id, plan, null, state.pool, {}, { state, from })
  }

  /**
   * An ended job's state, the stores' columns in place (not copied): what a history record keeps.
   * Call it once the CPU sampler has settled (`cpuSettled`), so the samples cover the whole job.
   */
  endedState(): EndedJobState {
    if (this.status === 'running') throw new Error(`job ${this.id} is still running`)
    return {
      status: this.status,
      cancelReason: this.cancelReason,
      startedAt: this.startedAtMs,
      wallMs: this.finishedAt,
      lanes: this.laneLabels(),
      pool: this.poolFacts,
      failures: [...this.failures],
      tally: { ...this.tally },
      stoppedMsPerLane: [...this.stoppedMsPerLane],
      filingMs: this.filingMs,
      chunksFiled: this.chunksFiled,
      sendingMs: this.sendingMs,
      timings: this.timings.columns(),
      chunks: Array.from({ length: this.chunks.length }, (_, i) => this.chunks.trip(i)),
      retried: this.retried.map((chunk) => ({ ...chunk })),
      results: this.results.columns(),
      cpu: this.cpu.samples(this.origin)
    }
  }

  private fill(state: EndedJobState): void {
    const { plan } = this
    if (state.stoppedMsPerLane.length !== plan.threads || state.lanes.length !== plan.threads) {
      throw new RangeError(`the state has ${state.lanes.length} lanes; the plan has ${plan.threads} threads`)
    }
    this.status = state.status
    this.cancelReason = state.cancelReason
    this.cancelRequested = state.status === 'cancelled'
    this.startedAtMs = state.startedAt
    this.finishedAt = state.wallMs
    this.lanes = state.lanes
    this.failures.push(...state.failures)
    Object.assign(this.tally, state.tally)
    this.stoppedMsPerLane.splice(0, plan.threads, ...state.stoppedMsPerLane)
    this.filingMs = state.filingMs
    this.chunksFiled = state.chunksFiled
    this.sendingMs = state.sendingMs
    this.timings.restore(state.timings)
    this.retried.push(...state.retried.filter((chunk) => chunk.lane < plan.threads))
    for (const trip of state.chunks) {
      if (trip.lane >= plan.threads || trip.firstTask < 0 || trip.firstTask + trip.count > plan.taskCount) {
        throw new RangeError(
          `a chunk of tasks ${trip.firstTask}+${trip.count} on lane ${trip.lane} is outside the plan`
        )
      }
      this.chunks.add(trip)
    }
    this.results.restore(state.results, state.status === 'cancelled')
  }

  /**
   * Bytes this job holds: the plan's estimate while it runs (its results may still arrive), then
   * what it really kept — a cancelled or count-only job holds its tables, its CPU samples and little
   * else.
   */
  retainedBytes(): bigint {
    const { memory } = this.plan
    if (this.isRunning) return totalOf(memory)
    return BigInt(memory.tablesBytes + memory.callsBytes + this.results.packedBytes + this.cpu.bytes)
  }

  /** The pool's start-up, when it was started for this job, and whether it was reused. */
  get pool(): PoolFacts {
    return this.poolFacts
  }

  /** The job clock now while the job runs, its wall time once it has ended. */
  clock(): number {
    return this.status === 'running' ? this.now() : this.finishedAt
  }

  /** Who runs each lane (as the job ended, once it has). */
  laneLabels(): LaneLabel[] {
    return this.lanes ?? this.backend?.laneLabels() ?? []
  }

  get isRunning(): boolean {
    return this.status === 'running'
  }

  /** Asks workers to stop at their next check; resolves `done` promptly with what was computed. */
  cancel(reason = 'cancelled by the user'): boolean {
    if (this.status !== 'running' || this.cancelRequested) return false
    this.cancelRequested = true
    this.cancelReason = reason
    this.channel?.cancel()
    if (this.plan.functionSource !== null) {
      setTimeout(() => this.stopRunningChunks(), CUSTOM_CANCEL_GRACE_MS).unref()
    }
    return true
  }

  /**
   * Stops the workers of chunks still inside a task, the way a task timeout does: the only way to
   * end code that never returns. Their tasks end cancelled, as those a cancel kept from starting.
   * Looked at again every grace period until the job ends: a back end may learn late that a chunk
   * is running (a cluster agent reports it every 150 ms, over the network).
   */
  private stopRunningChunks(): void {
    if (this.status !== 'running') return
    for (const flight of this.inFlight.values()) {
      if (!flight.run.running() || this.stoppedByCancel.has(flight.firstTask)) continue
      this.stoppedByCancel.add(flight.firstTask)
      flight.run.stop(new Error('stopped by a cancel'))
    }
    setTimeout(() => this.stopRunningChunks(), CUSTOM_CANCEL_GRACE_MS).unref()
  }

  /**
   * Every CPU's utilization, about every 100 ms, from the job's start (a baseline reading taken
   * as its clock starts) to a moment after its end; times on the job clock.
   */
  cpuSamples(): CpuSamples & CoreOccupancy {
    const samples = this.cpu.samples(this.origin)
    const cached = this.cachedOccupancy(samples)
    if (cached) return { ...samples, ...cached }
    const ended = !this.isRunning
    const occupancy = coreOccupancy(samples, this.taskTimes(), this.plan.threads, this.unplacedSpans())
    if (ended) this.occupancy = { samples: samples.at.length, intervalMs: samples.intervalMs, occupancy }
    return { ...samples, ...occupancy }
  }

  /**
   * `cpuSamples()` as the host answers `job.cpu`: worked out in slices that hand the event loop
   * back (a million tasks take tens of ms, which a running job's main thread owes to filing its
   * workers' replies), and, while the job runs, anew at most every `LIVE_CPU_MIN_MS` or 20 times
   * what the last answer cost, whichever is longer: polling costs the main thread at most about
   * 5% however large the job. Callers meanwhile get the last answer; concurrent ones share one.
   */
  async cpuSamplesSliced(): Promise<CpuSamples & CoreOccupancy> {
    if (!this.isRunning) this.liveCpu = null
    const live = this.liveCpu
    if (live && performance.now() - live.at < Math.max(LIVE_CPU_MIN_MS, 20 * live.costMs)) return live.answer
    this.cpuRun ??= this.workOutCpuSamples().finally(() => (this.cpuRun = null))
    return this.cpuRun
  }

  private async workOutCpuSamples(): Promise<CpuSamples & CoreOccupancy> {
    const samples = this.cpu.samples(this.origin)
    const cached = this.cachedOccupancy(samples)
    if (cached) return { ...samples, ...cached }
    const ended = !this.isRunning
    const began = performance.now()
    const slicer = new Slicer(LIVE_CPU_SLICE_MS)
    const occupancy = await coreOccupancySliced(
      samples,
      this.taskTimes(),
      this.plan.threads,
      this.unplacedSpans(),
      slicer
    )
    const answer = { ...samples, ...occupancy }
    if (ended) this.occupancy = { samples: samples.at.length, intervalMs: samples.intervalMs, occupancy }
    else if (this.isRunning)
      this.liveCpu = { answer, at: performance.now(), costMs: performance.now() - began }
    return answer
  }

  /** An ended job's occupancy, kept: its samples change only while the last reading is to come. */
  private cachedOccupancy(samples: CpuSamples): CoreOccupancy | null {
    const cached = this.occupancy
    if (cached && cached.samples === samples.at.length && cached.intervalMs === samples.intervalMs) {
      return cached.occupancy
    }
    return null
  }

  private taskTimes(): TaskTimes {
    const { start, end, lane, cpu, ranFlags: ran } = this.timings
    return { start, end, lane, cpu, ran }
  }

  /**
   * Worker time in a task whose core is not recorded: the chunks running now (their tasks' cores
   * come with their replies) and the tasks a cancel stopped midway.
   */
  private unplacedSpans(): UnreportedSpan[] {
    const spans: UnreportedSpan[] = []
    const { lane, times, length } = this.chunks
    for (let i = 0; i < length; i++) {
      const from = times.stoppedFrom[i]
      if (from === from) spans.push({ lane: lane[i], from, to: times.stoppedTo[i] })
    }
    if (!this.isRunning) return spans
    const now = this.now()
    for (const flight of this.inFlight.values()) {
      const live = flight.run.activity()
      if (live) spans.push({ lane: live.lane, from: live.receivedAt, to: now })
    }
    return spans
  }

  /**
   * Resolves once the CPU sampler has taken its last reading, an interval or so after the job
   * ended (or after `waitMs` at most, should a reading hang): what an export waits for so that its
   * per-core view covers the whole job.
   */
  async cpuSettled(waitMs = 4 * CPU_SAMPLE_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))
    await Promise.race([this.cpu.finished, late]).finally(() => clearTimeout(timer))
  }

  private now(): number {
    return performance.timeOrigin + performance.now() - this.origin
  }

  private async run(backend: Backend): Promise<JobSummary> {
    const { plan } = this
    const chunkCount = Math.ceil(plan.taskCount / plan.chunkSize)
    const keep = keepCode(plan.spec.keep)
    // The baseline reading, a moment before the job clock starts.
    this.cpu.start()
    this.origin = performance.timeOrigin + performance.now()
    this.startedAtMs = Date.now()
    const channel = backend.openJob(this.origin)
    this.channel = channel
    const timer = setInterval(() => this.reportProgress(), EVENT_PERIOD_MS)
    timer.unref?.()
    const timeoutMs = plan.spec.taskTimeoutMs
    this.watchdog = timeoutMs === undefined ? null : new TaskWatchdog(timeoutMs, () => this.now())

    let nextChunk = 0
    // Two chunks per thread in flight: each worker has its next chunk queued when it finishes one,
    // yet cancelling never has a long queue to drain.
    const inFlight = Math.max(1, plan.threads * 2)
    const runLane = async (): Promise<void> => {
      while (nextChunk < chunkCount && !this.cancelRequested) {
        const chunk = nextChunk++
        const firstTask = chunk * plan.chunkSize
        const count = Math.min(plan.chunkSize, plan.taskCount - firstTask)
        await this.runOneChunk(channel, firstTask, count, keep)
      }
    }
    await Promise.all(Array.from({ length: Math.min(inFlight, chunkCount) }, runLane))
    this.finishedAt = this.now()
    // One reading at least an interval after the end shows the load the job left behind; it
    // comes on the sampler's timer, not before `done`.
    this.cpu.stopAfter(CPU_SAMPLE_MS)
    clearInterval(timer)
    this.watchdog?.stop()

    if (this.cancelRequested) this.results.cancelPending()
    this.status = this.cancelRequested ? 'cancelled' : this.tally.failed > 0 ? 'failed' : 'done'
    this.lanes = backend.laneLabels()
    this.reportProgress()
    const summary = this.summary()
    this.listener.finished?.(summary)
    return summary
  }

  private async runOneChunk(
    channel: BackendJob,
    firstTask: number,
    count: number,
    keep: number
  ): Promise<void> {
    const { plan } = this
    const sendFrom = performance.now()
    let plans: JobPlan['calls'][number]['plan'][]
    let planIndex: Int32Array
    let argsJson: string | undefined
    if (plan.functionSource !== null && !this.callPlans) {
      // Custom code with many distinct calls (a recipe gives task i the argument i): the chunk's
      // arguments go as one JSON text with one shared plan, which costs a fraction of a plan
      // object per task to build and to copy to the worker (0.15–0.32 µs a task against 1.3–1.6;
      // BENCHMARKS.md, "The workload library").
      plans = [CUSTOM_CHUNK_PLAN]
      planIndex = new Int32Array(count)
      const args = new Array<unknown[]>(count)
      for (let i = 0; i < count; i++) args[i] = plan.calls[plan.callIndex[firstTask + i]].args
      argsJson = JSON.stringify(args)
    } else if (this.callPlans) {
      // Few distinct calls (every recipe): send them all and a copy of the chunk's call indices.
      plans = this.callPlans
      planIndex = plan.callIndex.slice(firstTask, firstTask + count)
    } else {
      plans = []
      const planSlot = new Map<number, number>()
      planIndex = new Int32Array(count)
      for (let i = 0; i < count; i++) {
        const call = plan.callIndex[firstTask + i]
        let slot = planSlot.get(call)
        if (slot === undefined) {
          slot = plans.push(plan.calls[call].plan) - 1
          planSlot.set(call, slot)
        }
        planIndex[i] = slot
      }
    }
    const work: ChunkWork = { firstTask, plans, planIndex, keep }
    if (plan.functionSource !== null) work.code = plan.functionSource
    if (argsJson !== undefined) work.argsJson = argsJson
    const sentAt = this.now()
    const run = channel.runChunk(work)
    this.sendingMs += performance.now() - sendFrom
    this.inFlight.set(firstTask, { firstTask, count, sentAt, run })
    const watched = this.watchdog?.watch(firstTask, run)
    try {
      const reply = await run.reply
      const filingFrom = performance.now()
      this.results.addChunk(reply)
      this.timings.addChunk(reply, reply.lane)
      const { totals } = reply
      this.tally.done += totals.done
      this.tally.failed += totals.failed
      this.tally.tuplesProduced += totals.produced
      this.tally.tuplesKept += totals.kept
      for (const [i, text] of reply.errors) this.noteFailure(firstTask + i, text)
      if (reply.stopped) {
        this.tally.stopped++
        this.tally.tuplesOfStoppedTasks += reply.stopped.produced
        this.tally.tuplesProduced += reply.stopped.produced
        if (reply.lane < this.stoppedMsPerLane.length)
          this.stoppedMsPerLane[reply.lane] += reply.stopped.end - reply.stopped.start
      }
      // Filed: the stores copied the columns, so their buffer can carry a later chunk's.
      channel.release?.(reply)
      const filedTo = performance.now()
      this.filingMs += filedTo - filingFrom
      this.chunksFiled++
      if (reply.retried) this.retried.push({ lane: reply.lane, firstTask, count, at: reply.receivedAt })
      const clock = performance.timeOrigin - this.origin
      this.chunks.add({
        lane: reply.lane,
        firstTask,
        count,
        tid: reply.tid,
        sentAt,
        receivedAt: reply.receivedAt,
        repliedAt: reply.repliedAt,
        arrivedAt: clock + filingFrom,
        filedAt: clock + filedTo,
        stoppedFrom: reply.stopped?.start ?? NaN,
        stoppedTo: reply.stopped?.end ?? NaN
      })
    } catch (err) {
      // A chunk a cancel stopped lost its reply: its tasks stay pending and end cancelled with the
      // job (what they computed was never handed back, so nothing of theirs is kept).
      if (this.stoppedByCancel.has(firstTask)) return
      const running = run.running()
      const failures = chunkFailures({
        firstTask,
        count,
        running: running ? firstTask + running.index : null,
        timedOutTask: watched?.timedOutTask ?? null,
        timeoutMs: plan.spec.taskTimeoutMs,
        heapLimitMb: this.backend?.heapLimitMb ?? 0,
        error: err
      })
      for (let task = firstTask; task < firstTask + count; task++) {
        const text = failures.messageOf(task)
        this.results.failTasks(task, 1, text)
        this.noteFailure(task, text)
      }
      this.tally.failed += count
    } finally {
      this.inFlight.delete(firstTask)
      if (watched) this.watchdog?.release(watched)
    }
  }

  private noteFailure(task: number, message: string): void {
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push({ task, message })
  }

  /** Sends progress: once per event period, and once more as the job ends. */
  private reportProgress(): void {
    this.listener.progress?.(this.progress())
  }

  /**
   * Live counts come from the counters workers bump as they go; once the job has ended, from the
   * tally of every filed chunk. The tally also holds the tasks of a chunk whose worker died (which
   * no worker counted), so a running job reports at least those as failed, and never more done
   * tasks than the failed ones leave.
   */
  progress(): ProgressEvent {
    const running = this.status === 'running'
    const total = this.plan.taskCount
    let tasksDone = this.tally.done
    let tasksFailed = this.tally.failed
    const live = this.channel?.live()
    const waiting = running ? (this.backend?.waiting?.() ?? null) : null
    if (running && live) {
      tasksFailed = Math.min(total, Math.max(live.tasksFailed, this.tally.failed))
      tasksDone = Math.min(live.tasksDone, total - tasksFailed)
    }
    return {
      jobId: this.id,
      tasksDone,
      tasksFailed,
      tasksTotal: total,
      tuplesDone:
        running && live ? Math.max(live.tuples, this.tally.tuplesProduced) : this.tally.tuplesProduced,
      tuplesTotal: Number(this.plan.totalTuples),
      ...(this.plan.totalWork > 0 ? { workDone: live?.work ?? 0, workTotal: this.plan.totalWork } : {}),
      elapsedMs: running ? this.now() : this.finishedAt,
      ...(waiting ? { waiting } : {})
    }
  }

  summary(): JobSummary {
    const { plan } = this
    const running = this.status === 'running'
    const wallMs = running ? this.now() : this.finishedAt
    const { done: tasksDone, failed: tasksFailed, stopped, tuplesProduced, tuplesKept } = this.tally
    const seconds = wallMs / 1000
    const laneTimes = this.timings.busyMsPerLane.map((busyMs, lane) =>
      laneTime(this.chunks.spansOf(lane), busyMs, this.stoppedMsPerLane[lane], wallMs)
    )
    const tasksRan = tasksDone + tasksFailed
    const bookkeepingMs = laneTimes.reduce((sum, lane) => sum + lane.bookkeepingMs, 0)
    return {
      jobId: this.id,
      status: this.status,
      partial: !running && tasksDone < plan.taskCount,
      message: this.statusMessage(tasksDone, tasksFailed),
      spec: plan.spec,
      threads: plan.threads,
      chunkSize: plan.chunkSize,
      taskCount: plan.taskCount,
      tasksDone,
      tasksFailed,
      tasksStopped: stopped,
      tuplesProduced,
      tuplesOfStoppedTasks: this.tally.tuplesOfStoppedTasks,
      tuplesKept,
      poolStartupMs: this.poolFacts.startupMs,
      poolReused: this.poolFacts.reused,
      startedAt: this.startedAtMs,
      wallMs,
      tasksPerSecond: seconds > 0 ? tasksDone / seconds : 0,
      tuplesPerSecond: seconds > 0 ? tuplesProduced / seconds : 0,
      busyMsPerLane: [...this.timings.busyMsPerLane],
      laneTime: laneTimes,
      lanes: this.laneLabels(),
      overheadNsPerTask: tasksRan > 0 ? (bookkeepingMs * 1e6) / tasksRan : null,
      failures: [...this.failures],
      ...(this.restoredFrom ? { restoredFrom: this.restoredFrom } : {})
    }
  }

  private statusMessage(tasksDone: number, tasksFailed: number): string | null {
    const total = this.plan.taskCount
    if (this.status === 'cancelled') {
      const { stopped, tuplesOfStoppedTasks } = this.tally
      // A values or custom task yields its result only at its end, so one stopped midway computed none.
      const computed =
        this.plan.workload.layout !== 'positions'
          ? 'not kept'
          : `${tuplesOfStoppedTasks.toLocaleString('en-US')} tuples computed, not kept`
      const stoppedPart = stopped > 0 ? `; ${stopped} stopped midway (${computed})` : ''
      return `${this.cancelReason}: ${tasksDone} of ${total} tasks completed and kept${stoppedPart}, the rest did not run`
    }
    if (this.status === 'failed') {
      return `${tasksFailed} of ${total} tasks failed; the other ${tasksDone} completed and are kept`
    }
    return null
  }
}
