import { z } from 'zod'
import type { ErrorPath } from './errors'
import type { CommandName, EngineEvent, EventName } from './protocol'
import { BACKEND_KINDS, FieldSchemas, JobSpecSchema, LIMITS, fieldPathText, issuePath } from './spec'
import type { WorkloadInfo } from './workloads'
import type { ScalingAnalysis } from './experiments/fits'
import type { SampleSummary } from './experiments/samples'

/**
 * The schemas of every command result and every event payload, and the types derived from them:
 * the single source of their shapes. A field is added here, once; `protocol.ts` re-exports the types
 * under their usual names, and the renderer's transports check what the host sends against these
 * schemas (`checkPayload`) before any store sees it.
 *
 * Objects are not strict: a key the schema does not declare is dropped, not refused, so a newer
 * host that adds a field does not break an older page. Every declared field's type is checked
 * (values only where the type says more, as an enum does, and in the spec, whose schema is the
 * user's). Typed arrays are checked by kind only, in constant time, never element by element.
 */

const jobId = z.string()

/**
 * A typed array of one kind, checked in constant time. Its kind is read from the array itself
 * rather than with `instanceof`, so an array made in another realm (a V8 context across Electron's
 * context bridge, a vm) is still recognised.
 */
function typedArray<T extends ArrayBufferView>(kind: { readonly prototype: T; readonly name: string }) {
  const tag = `[object ${kind.name}]`
  return z.custom<T>(
    (value) => ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === tag,
    `expected ${kind.name}`
  )
}

/** The bounds in `engine.info`: every key of LIMITS, each a number (a newer host may move a bound). */
const LimitsSchema = z.object(
  Object.fromEntries(Object.keys(LIMITS).map((key) => [key, z.number()])) as {
    [K in keyof typeof LIMITS]: z.ZodNumber
  }
)

/** The public description of a workload (`WorkloadInfo` in shared/workloads). */
export const WorkloadInfoSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  /** What the workload demonstrates and what to look for in the timeline and statistics. */
  lookFor: z.string(),
  /** Parameter names in call order, as the Python function declares them. */
  params: z.array(z.string()).readonly(),
  /** What a task yields: tuples of positions, one value, or a custom function's JSON value. */
  layout: z.enum(['positions', 'values', 'json']),
  /** The recipe's own fields, as the form shows them. */
  fields: z.array(z.object({ key: z.string(), label: z.string(), help: z.string(), defaultText: z.string() }))
})

/** Facts about the machine and the engine, shown in the UI and used for defaults. */
export const EngineInfoSchema = z.object({
  version: z.string(),
  hardwareThreads: z.number(),
  /**
   * Physical cores this process may use: distinct (package, core) pairs from Linux's CPU topology
   * (`sysfs-topology`) or `/proc/cpuinfo`; elsewhere the hardware threads stand in (`hardware-threads`).
   */
  physicalCores: z.object({
    count: z.number(),
    source: z.enum(['sysfs-topology', 'proc-cpuinfo', 'hardware-threads'])
  }),
  cpuModel: z.string(),
  platform: z.string(),
  arch: z.string(),
  totalMemoryBytes: z.number(),
  versions: z.object({
    node: z.string(),
    v8: z.string(),
    electron: z.string().optional(),
    chrome: z.string().optional()
  }),
  /** Memory the engine may hold for jobs and the pool, in bytes. */
  budgetBytes: z.number(),
  limits: LimitsSchema,
  workloads: z.array(WorkloadInfoSchema),
  /** The back ends, and why one cannot run here (the packaged desktop app cannot fork processes). */
  backends: z.array(
    z.object({
      name: z.enum(BACKEND_KINDS),
      available: z.boolean(),
      reason: z.string().nullable()
    })
  ),
  /**
   * Whether this front door runs custom code (the `custom` workload), on which back ends, and one
   * plain sentence on what isolates it, for the UI to show beside the editor.
   */
  customCode: z.object({
    allowed: z.boolean(),
    backends: z.array(z.enum(BACKEND_KINDS)),
    /**
     * Where custom code runs when the person has not chosen: child processes when Node's
     * permission model isolates them here, else the first allowed back end; null when refused.
     */
    preferred: z.enum(BACKEND_KINDS).nullable(),
    isolation: z.string()
  })
})
export type EngineInfo = z.output<typeof EngineInfoSchema>

/** The engine's memory against its budget, in bytes. */
export const EngineMemorySchema = z.object({
  budgetBytes: z.number(),
  /** Retained jobs and the pool together. */
  usedBytes: z.number(),
  /** Per-task tables, arguments and packed results of every retained job. */
  jobsBytes: z.number(),
  /** The warm worker pool, estimated per thread. */
  poolBytes: z.number(),
  jobsRetained: z.number(),
  maxJobsRetained: z.number()
})
export type EngineMemory = z.output<typeof EngineMemorySchema>

/** One PoolScope agent as the `cluster` back end sees it in Redis (see `cluster.agents`). */
export const ClusterAgentSchema = z.object({
  /** The agent's name (its lanes' host on the timeline) and the machine it runs on. */
  name: z.string(),
  host: z.string(),
  pid: z.number(),
  threads: z.number(),
  cpuModel: z.string(),
  node: z.string(),
  /** The agent's clock minus this engine's, ms, and how sure that is (both sides' half round trips). */
  clockOffsetMs: z.number(),
  clockUncertaintyMs: z.number(),
  chunksDone: z.number(),
  /** Milliseconds since the agent last renewed its registration, on the Redis server's clock. */
  lastSeenMs: z.number(),
  /** Whether the agent was started with --allow-code and so takes custom code. */
  allowCode: z.boolean()
})
export type ClusterAgent = z.output<typeof ClusterAgentSchema>

/** The agents registered at a Redis server, and how far that server is (`cluster.agents`). */
export const ClusterAgentsSchema = z.object({
  /** The URL asked about, its password hidden. */
  url: z.string(),
  /** Round trip of one PING from this engine to the Redis server, ms. */
  roundTripMs: z.number(),
  agents: z.array(ClusterAgentSchema),
  /** The agents' threads added up: what a cluster job's threads default to. */
  threads: z.number()
})
export type ClusterAgents = z.output<typeof ClusterAgentsSchema>

const [recipeInputs, argsInputs] = JobSpecSchema.shape.inputs.options

/**
 * An array checked as one, in constant time: the user's own task arguments echoed back in a spec
 * (up to ten million of them), which the page only shows.
 */
function wholeArray<T extends unknown[]>() {
  return z.custom<T>((value) => Array.isArray(value), 'expected an array')
}

/**
 * A spec as the host resolved it for a job: the spec schema's own fields (so a field added to
 * `JobSpecSchema` is checked here too), with `threads` always set. Rebuilt as non-strict objects:
 * the spec schema refuses unknown keys from users, a page must not refuse them from a newer host.
 * A recipe keeps every key (its workload's own fields pass through); the arguments of an args spec
 * are checked as an array, not one by one.
 */
export const ResolvedSpecSchema = z.object({
  ...JobSpecSchema.shape,
  inputs: z.discriminatedUnion('kind', [
    z.looseObject(recipeInputs.shape),
    z.object({ ...argsInputs.shape, args: wholeArray<unknown[]>() })
  ]),
  threads: FieldSchemas.threads
})
export type ResolvedSpec = z.output<typeof ResolvedSpecSchema>

/** A whole number as decimal text (sizes that may exceed 2^53). */
const decimal = z.string()

/** A job as planned: every default resolved, every size exact (BigInts as decimal strings). */
export const PlanSummarySchema = z.object({
  spec: ResolvedSpecSchema,
  taskCount: z.number(),
  threads: z.number(),
  chunkSize: z.number(),
  totalTuples: decimal,
  keptTuples: decimal,
  keptBytes: decimal,
  /** Every byte the job will hold while retained (tables, arguments, results) plus its pool. */
  memoryBytes: decimal,
  budgetBytes: z.number(),
  /** Set when the job would be refused for its size; the plan is still returned so the UI can show why. */
  overBudget: z.string().nullable(),
  /**
   * A rough wall time for the job on its threads, ms, from its workload's cost estimate (the busiest
   * thread's share of the work, at least the longest task); for warnings, not a promise.
   */
  estimatedMs: z.number(),
  /** What a task yields: tuples of positions, one value, or a custom function's JSON value. */
  layout: z.enum(['positions', 'values', 'json'])
})
export type PlanSummary = z.output<typeof PlanSummarySchema>

/** What `job.start` answers: the plan of the job it started, and the job's id. */
export const StartedJobSchema = PlanSummarySchema.extend({ jobId })

export const JobStatusSchema = z.enum(['running', 'done', 'cancelled', 'failed'])
export type JobStatus = z.output<typeof JobStatusSchema>
export const TaskStatusSchema = z.enum(['pending', 'done', 'failed', 'cancelled'])
export type TaskStatus = z.output<typeof TaskStatusSchema>

export const TaskFailureSchema = z.object({
  task: z.number(),
  message: z.string()
})
export type TaskFailure = z.output<typeof TaskFailureSchema>

/**
 * One worker lane's wall time, split so that nothing is guessed: every figure is a difference of
 * timestamps on the clock shared by all threads (milliseconds).
 */
export const LaneTimeSchema = z.object({
  /** Running tasks that ran to their end. */
  tasksMs: z.number(),
  /** Running tasks that a cancel stopped midway: work done, whose results are not kept. */
  stoppedMs: z.number(),
  /** Inside chunks but between tasks: the engine's per-task bookkeeping and the chunk's set-up. */
  bookkeepingMs: z.number(),
  /** Before its first chunk and between chunks: waiting for the main thread to hand over work. */
  awaitingWorkMs: z.number(),
  /** After its last chunk, until the job ended: no work left for this lane (load imbalance). */
  idleAtEndMs: z.number()
})
export type LaneTime = z.output<typeof LaneTimeSchema>

/** Who ran a lane: its host, process and thread, and how far its clock was from the engine's. */
export const LaneLabelSchema = z.object({
  lane: z.number(),
  host: z.string(),
  pid: z.number(),
  /** Worker-thread id within its process. */
  threadId: z.number(),
  /** The worker's clock minus the engine's, ms, measured at start-up; its timestamps are corrected by it. */
  clockOffsetMs: z.number(),
  /**
   * How sure that offset is, ms: given where it was measured across a network (the cluster back end's
   * agents, each against the Redis server's clock).
   */
  clockUncertaintyMs: z.number().optional()
})
export type LaneLabel = z.output<typeof LaneLabelSchema>

/** The history record a restored job was rebuilt from (`history.open`). */
export const RestoredFromSchema = z.object({
  recordId: z.string(),
  name: z.string(),
  /** When the record was saved, epoch ms. */
  savedAt: z.number(),
  /** False when the record kept counts only: its tuples were over the size a record keeps. */
  resultsKept: z.boolean(),
  /** What the record left out, in a sentence; null when nothing. */
  note: z.string().nullable()
})
export type RestoredFrom = z.output<typeof RestoredFromSchema>

/** Everything a finished (or running) job reports about itself. */
export const JobSummarySchema = z.object({
  jobId,
  status: JobStatusSchema,
  /** True when some tasks did not complete (cancelled or failed): results are incomplete. */
  partial: z.boolean(),
  /** Why the job ended as it did, in a sentence, when it did not simply finish. */
  message: z.string().nullable(),
  spec: ResolvedSpecSchema,
  threads: z.number(),
  chunkSize: z.number(),
  taskCount: z.number(),
  /** Tasks that ran to their end. */
  tasksDone: z.number(),
  /** Tasks that failed (every one counted; only the first messages are kept in `failures`). */
  tasksFailed: z.number(),
  /** Tasks a cancel stopped midway: their work is counted, their results are not kept. */
  tasksStopped: z.number(),
  /** Every tuple computed, those of tasks stopped midway included. */
  tuplesProduced: z.number(),
  /** Of `tuplesProduced`, those computed by tasks a cancel stopped midway (none of them kept). */
  tuplesOfStoppedTasks: z.number(),
  tuplesKept: z.number(),
  /** Time to create and warm the pool, measured apart from the job; 0 when a warm pool was reused. */
  poolStartupMs: z.number(),
  poolReused: z.boolean(),
  /** Epoch milliseconds at which the job clock started (after warm-up). */
  startedAt: z.number(),
  wallMs: z.number(),
  tasksPerSecond: z.number(),
  tuplesPerSecond: z.number(),
  /** Sum of task durations per worker lane, milliseconds. */
  busyMsPerLane: z.array(z.number()),
  /** Where each lane's share of the wall time went; the five parts add up to `wallMs`. */
  laneTime: z.array(LaneTimeSchema),
  /** Who ran each lane (the back end's workers when the job ran). */
  lanes: z.array(LaneLabelSchema),
  /**
   * The tool's own cost per task, apart from the workload's: the lanes' `bookkeepingMs` summed
   * (time inside chunks outside every task's timing: the per-task loop, its two clock reads, the
   * chunk's set-up and reply) in nanoseconds, divided by the tasks that ran (done or failed). It is
   * wall time: a worker the OS took off its core mid-bookkeeping counts that wait here too. Waiting
   * for work between chunks and idling at the end are not in it (see `laneTime`). Null before any
   * task ran.
   */
  overheadNsPerTask: z.number().nullable(),
  /** The first failures, with their messages (at most 100 are kept). */
  failures: z.array(TaskFailureSchema),
  /** Present on a job rebuilt from history: it ran earlier (maybe elsewhere) and is read-only. */
  restoredFrom: RestoredFromSchema.optional()
})
export type JobSummary = z.output<typeof JobSummarySchema>

/**
 * Live progress, at most about 20 a second per job. Done and failed tasks are counted apart and
 * never capped: `tasksDone + tasksFailed` never exceeds `tasksTotal`.
 */
export const ProgressEventSchema = z.object({
  jobId,
  /** Tasks that ran to their end. */
  tasksDone: z.number(),
  /** Tasks that failed. */
  tasksFailed: z.number(),
  tasksTotal: z.number(),
  /** Tuples computed so far, including those of tasks still running. */
  tuplesDone: z.number(),
  /** Tuples the whole job computes (the plan's exact count, as a number; 0 when unknown). */
  tuplesTotal: z.number(),
  /**
   * Work units reported so far by the tasks of a values workload (numbers examined, microseconds
   * waited), and all the job's tasks will report: progress within a few long tasks. Absent for
   * workloads whose tuples show it.
   */
  workDone: z.number().optional(),
  workTotal: z.number().optional(),
  elapsedMs: z.number(),
  /**
   * What a running job waits for, when it waits for something outside PoolScope (a cluster with
   * no agent registered), with how to give it; absent otherwise.
   */
  waiting: z.string().optional()
})
export type ProgressEvent = z.output<typeof ProgressEventSchema>

/**
 * Per-task timings, columnar, as `job.timings` pages them by task index. Times are milliseconds since the job's `startedAt`, on one clock
 * shared by all threads (`performance.timeOrigin + performance.now()` in each worker). The columns
 * are checked by kind only; the page reads them within `task.length`.
 */
export const TimingBatchSchema = z.object({
  jobId,
  task: typedArray(Int32Array),
  start: typedArray(Float64Array),
  end: typedArray(Float64Array),
  /** Worker lane, 0..threads-1: one lane per pool thread, reused by its replacement. */
  lane: typedArray(Uint16Array),
  /** CPU core the thread last ran on (Linux), -1 where unknown. */
  cpu: typedArray(Int16Array),
  /** OS thread id (Linux), -1 where unknown. */
  tid: typedArray(Int32Array)
})
export type TimingBatch = z.output<typeof TimingBatchSchema>

/**
 * A window of a job's timeline, [from, to] on the job clock (ms; negative before the job's zero,
 * during the pool's start-up), as `job.timeline` measures it. Every lane's time in the window is
 * in it, split into the categories of `SEGMENT` (shared/timeline): either in detail (`segments`,
 * with one bar per task in `tasks`) when few tasks fall in the window, or else summed into equal
 * bins per lane (`bins`). Either way a lane's parts add up to the window's length within the
 * job's span. While the job runs, the running chunks and tasks are in it up to `now`.
 */
export const TimelineWindowSchema = z.object({
  jobId,
  running: z.boolean(),
  /** The job clock now (while it runs) or at its end: the wall time. */
  now: z.number(),
  /** Pool start-up drawn before zero: the pool was started for this job. 0 when it was reused. */
  startupMs: z.number(),
  threads: z.number(),
  /** Who ran each lane, and per lane the OS thread id of its last chunk (-1 when unknown). */
  lanes: z.array(LaneLabelSchema),
  osThread: z.array(z.number()),
  from: z.number(),
  to: z.number(),
  /** Tasks that ran within the window, wholly or in part (the running ones included). */
  tasksInWindow: z.number(),
  detail: z.enum(['tasks', 'bins']),
  /**
   * Detail: every lane's time as segments, `lane` 0..threads-1 or `threads` for the dispatcher
   * lane. A chunk is one `bookkeeping` segment from its start to its end; its tasks are drawn over
   * it (`tasks`), so what shows between them is bookkeeping.
   */
  segments: z
    .object({
      lane: typedArray(Uint16Array),
      kind: typedArray(Uint8Array),
      from: typedArray(Float64Array),
      to: typedArray(Float64Array),
      /** The chunk a segment belongs to (its first task), -1 for none. */
      chunk: typedArray(Int32Array)
    })
    .nullable(),
  /** Detail: the window's tasks. `output` is the task's tuples, or its value (NaN when not kept). */
  tasks: z
    .object({
      task: typedArray(Int32Array),
      start: typedArray(Float64Array),
      end: typedArray(Float64Array),
      lane: typedArray(Uint16Array),
      cpu: typedArray(Int16Array),
      tid: typedArray(Int32Array),
      output: typedArray(Float64Array),
      /** When its chunk was handed to the back end: the task was ready from then. */
      readyAt: typedArray(Float64Array),
      /** 1 for a task still running (its end is `now`), 0 otherwise. */
      running: typedArray(Uint8Array),
      /** Tuples or work units a running task has reported so far. */
      progress: typedArray(Float64Array),
      /** Index into `calls` of the task's arguments. */
      call: typedArray(Int32Array)
    })
    .nullable(),
  /** Detail: the arguments of the window's tasks in Python syntax, long ones cut with `…`. */
  calls: z.array(z.string()),
  /**
   * Bins: `count` equal bins of `binMs` from `from`, per lane (0..threads-1, then the dispatcher
   * lane) and category: `ms[(lane × kinds + kind) × count + bin]` is the time of category `kind`
   * (its `SEGMENT` code) in that bin. `tasks` counts the tasks that touched each lane's bins.
   */
  bins: z
    .object({
      count: z.number(),
      binMs: z.number(),
      kinds: z.number(),
      ms: typedArray(Float64Array),
      tasks: typedArray(Uint32Array)
    })
    .nullable(),
  /** Chunks handed to the back end within the window (dispatcher lane), and their times. */
  sends: typedArray(Float64Array),
  /**
   * Chunks of the whole job that ran again after the worker that first had them went silent (an
   * agent of the cluster back end killed mid-chunk): where the run that counted began.
   */
  retried: z.array(z.object({ lane: z.number(), firstTask: z.number(), count: z.number(), at: z.number() }))
})
export type TimelineWindow = z.output<typeof TimelineWindowSchema>

/**
 * Every logical CPU's utilization over a job, as `job.cpu` sends it: one interval per reading of
 * the OS's per-CPU times (`/proc/stat` on Linux, `os.cpus()` elsewhere), about every `intervalMs`,
 * from a baseline reading as the job clock starts to one at least an interval after its end. Times
 * are on the job clock (ms). A core busy while no worker was on it is load from outside the job.
 */
export const CpuSamplesSchema = z.object({
  jobId,
  /** Logical CPUs, as the baseline reading listed them. */
  cores: z.number(),
  /**
   * The sampling interval, ms: 100, doubled each time a long job's samples were merged in pairs to
   * stay within 6,000 (neighbours averaged by duration, so no load is dropped).
   */
  intervalMs: z.number(),
  source: z.enum(['proc-stat', 'os-cpus']),
  /** The baseline reading's time, where the first interval starts; null before it arrived. */
  from: z.number().nullable(),
  /** Each interval's end; the next interval starts there. */
  at: typedArray(Float64Array),
  /**
   * `busy[core × at.length + sample]`: the share of that interval the core spent busy (not idle or
   * waiting for I/O), 0..1; NaN when a reading did not list the core (it was offline).
   */
  busy: typedArray(Float32Array),
  /** Worker lanes of the job. */
  lanes: z.number(),
  /**
   * `workers[core × at.length + sample]`: the share of that interval the job's workers spent in
   * tasks on the core, each task put on the CPU its thread last ran on (Linux; 0 where unknown).
   * `busy − workers`, when above 0, is load that was not the job's tasks.
   */
  workers: typedArray(Float32Array),
  /** `laneCore[lane × at.length + sample]`: the core the worker spent most of its task time on, −1 none. */
  laneCore: typedArray(Int16Array),
  /**
   * Per sample, worker time in tasks whose core is not known, in cores (ms ÷ the interval): all of
   * it where the OS does not say (not Linux), else the chunks still running and stopped tasks.
   */
  unplaced: typedArray(Float32Array)
})
export type CpuSamples = z.output<typeof CpuSamplesSchema>

/**
 * A job's statistics, as `job.stats` measures them once it has ended (times in ms). Only tasks that
 * ran count: those with timings (done, or failed inside their chunk); tasks a cancel stopped midway
 * are in `stoppedTaskMs` only.
 */
export const JobStatsSchema = z.object({
  jobId,
  status: JobStatusSchema,
  taskCount: z.number(),
  /** Tasks that ran and have timings: what every figure below is computed over. */
  tasksTimed: z.number(),
  threads: z.number(),
  wallMs: z.number(),
  /** Pool start-up for this job, before its clock started; 0 when a warm pool was reused. */
  poolStartupMs: z.number(),
  poolReused: z.boolean(),
  /** Σ task durations: the serial sum, what one thread would have taken for the tasks alone. */
  totalTaskMs: z.number(),
  /** Time in tasks a cancel stopped midway (no timings, not counted anywhere else). */
  stoppedTaskMs: z.number(),
  taskMsPerLane: z.array(z.number()),
  /** totalTaskMs ÷ (threads × wallMs), 0..1; null for no wall time. */
  utilization: z.number().nullable(),
  /** The busiest lane's task time ÷ the mean lane's (1 is even); null when no task time. */
  loadImbalance: z.number().nullable(),
  /** totalTaskMs ÷ wallMs: how much faster than the tasks one after another; null for no wall time. */
  speedup: z.number().nullable(),
  /** Task durations (end − start); null when no task ran. */
  durations: z
    .object({
      minMs: z.number(),
      /** Quartiles and median, nearest rank. */
      q1Ms: z.number(),
      medianMs: z.number(),
      q3Ms: z.number(),
      /** The 90th percentile, nearest rank: where the slow tail begins (compared between runs). */
      p90Ms: z.number(),
      meanMs: z.number(),
      maxMs: z.number(),
      histogram: z.object({
        /** Log-spaced edges when durations span two decades or more, else linear. */
        scale: z.enum(['log', 'linear']),
        /** Bin edges, one more than the bins; the last bin holds its upper edge. */
        edges: z.array(z.number()),
        counts: z.array(z.number()),
        /** Of each bin's tasks, those beyond a fence. */
        outlierCounts: z.array(z.number()),
        /** Tasks timed at 0 (below the clock's resolution), in the first bin. */
        zeroCount: z.number()
      }),
      outliers: z.object({
        /** The rule, in words. */
        rule: z.string(),
        scale: z.enum(['log', 'linear']),
        lowFenceMs: z.number(),
        highFenceMs: z.number(),
        slowCount: z.number(),
        fastCount: z.number()
      }),
      /** The slowest tasks (at most five), slowest first. */
      slowest: z.array(z.object({ task: z.number(), ms: z.number(), lane: z.number(), outlier: z.boolean() }))
    })
    .nullable(),
  /**
   * Queue wait: from when a task's chunk was handed to the back end (the task was ready) to its
   * start. Exact nearest-rank percentiles (the smallest wait with at least p% of waits at or below
   * it). Null when no task ran.
   */
  queueWait: z
    .object({
      method: z.literal('nearest-rank'),
      p50Ms: z.number(),
      p90Ms: z.number(),
      p99Ms: z.number(),
      maxMs: z.number(),
      meanMs: z.number()
    })
    .nullable(),
  /**
   * PoolScope's own cost: bookkeeping inside chunks on the workers (`LaneTime.bookkeepingMs`
   * summed), and on the main thread filing replies and handing chunks over; per task in ns over
   * `tasksTimed` (null when none).
   */
  engineCost: z.object({
    bookkeepingMs: z.number(),
    filingMs: z.number(),
    sendingMs: z.number(),
    bookkeepingNsPerTask: z.number().nullable(),
    filingNsPerTask: z.number().nullable(),
    sendingNsPerTask: z.number().nullable(),
    totalNsPerTask: z.number().nullable()
  })
})
export type JobStats = z.output<typeof JobStatsSchema>

/** One task of a job, as the results table shows it. */
export const ResultRowSchema = z.object({
  task: z.number(),
  /** The task's arguments in Python syntax, e.g. `((0, 1, 2, 3, 4, 5), 3)`; long ones are cut, ending in `…`. */
  args: z.string(),
  /** Length of the whole arguments text (`job.args` gives it), longer than `args` when cut. */
  argsLength: z.number(),
  /**
   * The part of the arguments that differs between the job's tasks, as `name=value` pairs named
   * after the workload's parameters, in call order: `n=3`, `ms=5`, `lo=0, hi=125000`. A parameter is
   * in it when its value is not the same in every task; empty when all tasks have the same
   * arguments. Long values are cut, ending in `…`.
   */
  varying: z.string(),
  /** The worker lane that ran the task (0..threads-1, as in timings); null when it did not run. */
  lane: z.number().nullable(),
  /** The task's end minus its start (its timing), ms; null when it has no timing. */
  durationMs: z.number().nullable(),
  status: TaskStatusSchema,
  /** Tuples the task produced. */
  count: z.number(),
  /** Tuples kept and pageable with `job.tuples`. */
  kept: z.number(),
  /** The first kept tuples in Python syntax, for a one-line preview. */
  preview: z.array(z.string()),
  error: z.string().nullable()
})
export type ResultRow = z.output<typeof ResultRowSchema>

export const ResultsPageSchema = z.object({
  total: z.number(),
  rows: z.array(ResultRowSchema)
})
export type ResultsPage = z.output<typeof ResultsPageSchema>

export const TaskArgsSchema = z.object({
  task: z.number(),
  /** The whole arguments text in Python syntax. */
  args: z.string()
})
export type TaskArgs = z.output<typeof TaskArgsSchema>

/** A page of a task's tuples: up to the limit asked for, fewer when the tuples are long. */
export const TuplesPageSchema = z.object({
  task: z.number(),
  total: z.number(),
  offset: z.number(),
  /** Each tuple in Python syntax, e.g. `(0, 1)`. */
  tuples: z.array(z.string())
})
export type TuplesPage = z.output<typeof TuplesPageSchema>

export const ExportFileSchema = z.object({
  filename: z.string(),
  mime: z.string(),
  text: z.string(),
  /** What the file left out or cut, one sentence each (a trace says it inside too); absent when nothing. */
  leftOut: z.array(z.string()).optional()
})
export type ExportFile = z.output<typeof ExportFileSchema>

// ---- Sweeps (issue 10): one job at several thread counts and back ends, repeated and analysed ----

const IntervalSchema = z.object({ low: z.number(), high: z.number(), level: z.number() })

/** One point's statistics (`SampleSummary` in shared/experiments/samples). Times in ms. */
export const SampleSummarySchema = z.object({
  samples: z.array(z.number()),
  count: z.number(),
  median: z.number(),
  mad: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  stddev: z.number(),
  cv: z.number(),
  medianCi: IntervalSchema.extend({ resamples: z.number(), seed: z.number() }).nullable(),
  outliers: z.array(z.object({ index: z.number(), value: z.number(), z: z.number() })),
  highVariation: z.boolean(),
  tooShort: z.boolean()
})

const ModelNameSchema = z.enum(['amdahl', 'gustafson', 'usl'])
const PredictionSchema = z.object({ threads: z.number(), speedup: z.number(), ci: IntervalSchema.nullable() })

/** One scaling law fitted to a sweep (`ModelFit` in shared/experiments/fits). */
export const ModelFitSchema = z.object({
  model: ModelNameSchema,
  applies: z.boolean(),
  status: z.enum(['fitted', 'exact', 'insufficient']),
  params: z.array(
    z.object({
      name: z.string(),
      value: z.number(),
      standardError: z.number().nullable(),
      ci: IntervalSchema.nullable(),
      atBound: z.boolean()
    })
  ),
  pointCount: z.number(),
  degreesOfFreedom: z.number(),
  fittedBaselineMs: z.number().nullable(),
  sse: z.number().nullable(),
  r2: z.number().nullable(),
  residualStandardError: z.number().nullable(),
  aicc: z.number().nullable(),
  covariance: z.array(z.array(z.number())).nullable(),
  tQuantile: z.number().nullable(),
  describesData: z.boolean().nullable(),
  peakThreads: z.number().nullable().optional(),
  peakThreadsCi: IntervalSchema.nullable().optional(),
  predictions: z.array(PredictionSchema),
  verdict: z.string()
})

/** Speedup, efficiency, Karp–Flatt and the fits of one back end's points (`ScalingAnalysis`). */
export const ScalingAnalysisSchema = z.object({
  mode: z.enum(['fixed', 'scaled']),
  baseline: z.object({ timeMs: z.number(), work: z.number() }),
  points: z.array(
    z.object({
      threads: z.number(),
      timeMs: z.number(),
      work: z.number(),
      speedup: z.number(),
      speedupCi: IntervalSchema.nullable(),
      efficiency: z.number(),
      karpFlatt: z.number().nullable(),
      oversubscribed: z.boolean(),
      beyondPhysicalCores: z.boolean(),
      fitted: z.boolean()
    })
  ),
  fits: z.object({ amdahl: ModelFitSchema, gustafson: ModelFitSchema, usl: ModelFitSchema }),
  comparison: z.object({
    ranking: z.array(z.object({ model: ModelNameSchema, aicc: z.number(), delta: z.number() })),
    best: ModelNameSchema.nullable(),
    undecided: z.boolean(),
    verdict: z.string()
  }),
  verdicts: z.array(z.string())
})

const BackendKindSchema = z.enum(BACKEND_KINDS)

/** One measured run of a sweep point, with what the machine was doing meanwhile. */
export const SweepRunSchema = z.object({
  /** Position in the sweep's run order (measured runs only, from 0). */
  index: z.number(),
  /** The round it ran in (each round runs every open point once, in a shuffled order). */
  round: z.number(),
  jobId: z.string(),
  /** The job's wall time, ms: the sample (pool start-up excluded). */
  wallMs: z.number(),
  /** Epoch ms at which the job clock started. */
  startedAt: z.number(),
  /** 1-minute load average as the run ended (`os.loadavg()`); null where the OS has none (Windows). */
  loadAverage1m: z.number().nullable(),
  /** Mean current frequency of the CPUs as the run ended, MHz; null where it cannot be read. */
  cpuMhz: z.number().nullable(),
  /**
   * CPU cores busy with work outside PoolScope during the run, on average: every core's busy time
   * (the job's CPU samples) minus the CPU time of this process and its workers, over the wall time.
   * Null when it cannot be told (no samples, or a worker process whose CPU time cannot be read).
   */
  outsideCores: z.number().nullable(),
  /** The machine was busy with something else during this run (`outsideCores` ≥ 0.5); null when unknown. */
  busy: z.boolean().nullable(),
  /** Shorter than 100 ms: timer and scheduling noise weigh on it. */
  short: z.boolean(),
  /** An outlier (modified z > 3.5) that was re-run once; its sample is replaced by the re-run's. */
  replaced: z.boolean(),
  /** The index of the run this one re-ran (an outlier), or null. */
  rerunOf: z.number().nullable()
})
export type SweepRun = z.output<typeof SweepRunSchema>

export const SweepStopReasonSchema = z.enum(['precise', 'sample-limit', 'time-limit', 'cancelled', 'failed'])

/** One (back end, thread count) of a sweep: every measured run and their statistics. */
export const SweepPointSchema = z.object({
  backend: BackendKindSchema,
  threads: z.number(),
  /** Tasks each run ran: the same at every point of a fixed-size sweep, growing with the threads in a scaled one. */
  taskCount: z.number(),
  /**
   * The work each run did, what a scaled sweep's speedup divides by (throughput = work / time): the
   * plan's exact total of tuples (combinations) or work units (µs for busy_wait and sleep), else the
   * task count. Absent in sweeps saved before scaled sweeps (they are fixed-size: equal work).
   */
  work: z.number().optional(),
  /** The samples the statistics use, ms, in run order (replaced outliers left out). */
  samples: z.array(z.number()),
  /** Every measured run, in run order, replaced outliers included. */
  runs: z.array(SweepRunSchema),
  /**
   * The unmeasured runs made on each freshly started pool before its measured run: their wall time
   * (the first run on a fresh pool pays for compiling the kernel's real path) and the pool's start-up.
   */
  warmups: z.array(z.object({ wallMs: z.number(), poolStartupMs: z.number() })),
  /** Statistics of `samples`; null before the first sample. */
  summary: SampleSummarySchema.nullable(),
  /** Why sampling stopped; null while the point still takes samples. */
  stopReason: SweepStopReasonSchema.nullable(),
  /** Relative half-width of the median's 95% interval (0.05 = ±5%); null with fewer than 2 samples. */
  relativeHalfWidth: z.number().nullable(),
  /**
   * When the median run is under 100 ms: the spec's task count that would take about 100 ms here
   * (in a scaled sweep, the count the smallest thread count runs, which the others grow from).
   */
  suggestedTasks: z.number().nullable()
})
export type SweepPoint = z.output<typeof SweepPointSchema>

/** The machine a sweep ran on (from `engine.info`). */
export const SweepMachineSchema = z.object({
  poolscopeVersion: z.string(),
  cpuModel: z.string(),
  hardwareThreads: z.number(),
  platform: z.string(),
  arch: z.string(),
  totalMemoryBytes: z.number(),
  versions: EngineInfoSchema.shape.versions,
  /** Mean CPU frequency as the sweep started, MHz; null where it cannot be read. */
  cpuMhz: z.number().nullable()
})

export const SWEEP_RESULT_VERSION = 1

/** A sweep, finished or so far: plain JSON, versioned, for the history and for export. */
export const SweepResultSchema = z.object({
  version: z.literal(SWEEP_RESULT_VERSION),
  sweepId: z.string(),
  status: z.enum(['running', 'done', 'cancelled', 'failed']),
  /** Why it ended as it did when it did not simply finish. */
  message: z.string().nullable(),
  /**
   * The job as every point ran it, but for `threads` and `backend` (and, in a scaled sweep, the
   * tasks: these are the smallest thread count's; each point's count is its `taskCount`).
   */
  spec: ResolvedSpecSchema,
  options: z.object({
    threads: z.array(z.number()),
    backends: z.array(BackendKindSchema),
    repeat: z.number(),
    maxRepeat: z.number(),
    maxSeconds: z.number(),
    seed: z.number(),
    keepResults: z.boolean(),
    /** Tasks grew with the threads (Gustafson); false, as in sweeps saved before it existed, for a fixed-size sweep. */
    scaled: z.boolean().default(false)
  }),
  machine: SweepMachineSchema,
  startedAt: z.number(),
  elapsedMs: z.number(),
  /** Measured runs done, and planned (the minimum; adaptive rounds and re-runs add to both). */
  runsDone: z.number(),
  runsPlanned: z.number(),
  points: z.array(SweepPointSchema),
  /** Per back end, the scaling analysis of its points' medians; null (and `error` says why) when it cannot be made. */
  analysis: z.array(
    z.object({
      backend: BackendKindSchema,
      result: ScalingAnalysisSchema.nullable(),
      error: z.string().nullable()
    })
  ),
  /** Whole-sweep warnings: points too short, runs on a busy machine, noisy points. */
  warnings: z.array(z.string())
})
export type SweepResult = z.output<typeof SweepResultSchema>

/** Progress over a whole sweep, at most about ten a second. */
export const SweepProgressSchema = z.object({
  sweepId: z.string(),
  runsDone: z.number(),
  runsPlanned: z.number(),
  elapsedMs: z.number(),
  /** The point running now and whether this run is measured or a pool's warm-up; null between runs. */
  current: z
    .object({ backend: BackendKindSchema, threads: z.number(), phase: z.enum(['warm-up', 'measure']) })
    .nullable(),
  pointsDone: z.number(),
  pointsTotal: z.number()
})
export type SweepProgress = z.output<typeof SweepProgressSchema>

// The statistics and fits are typed beside the code that makes them; these fail to compile when
// the schemas fall behind (the page would otherwise drop a new field).
const sampleSummarySchemaMatches: Same<z.output<typeof SampleSummarySchema>, SampleSummary> = true
const scalingAnalysisSchemaMatches: Same<z.output<typeof ScalingAnalysisSchema>, ScalingAnalysis> = true
void sampleSummarySchemaMatches
void scalingAnalysisSchemaMatches

// History (saved runs and sweeps): see src/main/history.
const HistoryFactSchema = z.union([z.string(), z.number(), z.boolean(), z.null()])
/** A saved record as the list shows it, without its payload. */
export const HistoryRecordSchema = z.object({
  /** Always `poolscope-history`. */
  format: z.string(),
  kind: z.enum(['run', 'sweep']),
  id: z.string(),
  name: z.string(),
  savedAt: z.number(),
  version: z.number(),
  /** Workload, threads, wall time …: flat values for the list and its search. */
  facts: z.record(z.string(), HistoryFactSchema)
})
export type HistoryRecord = z.output<typeof HistoryRecordSchema>
export const HistoryEntrySchema = HistoryRecordSchema.extend({ bytes: z.number() })
export type HistoryEntry = z.output<typeof HistoryEntrySchema>
export const HistoryListingSchema = z.object({
  /** The folder the records are in (shown so a person can find them). */
  folder: z.string(),
  entries: z.array(HistoryEntrySchema),
  /** Files that could not be read, moved aside (never deleted): where, and why. */
  setAside: z.array(z.object({ file: z.string(), reason: z.string(), movedTo: z.string() }))
})
export type HistoryListing = z.output<typeof HistoryListingSchema>
/** Something in the history changed (a run was saved, renamed, deleted …): lists refresh. */
export const HistoryChangedSchema = z.object({
  change: z.enum(['added', 'renamed', 'deleted', 'restored', 'imported', 'failed']),
  id: z.string().nullable(),
  /** Why a save failed (change `failed`). */
  problem: z.string().optional()
})
export type HistoryChanged = z.output<typeof HistoryChangedSchema>
/** A saved sweep (`history.openSweep`): its result as it ended, and the record's name and date. */
export const SavedSweepSchema = z.object({
  id: z.string(),
  name: z.string(),
  savedAt: z.number(),
  result: SweepResultSchema
})
export type SavedSweep = z.output<typeof SavedSweepSchema>
const HistoryResultSchemas = {
  'history.list': HistoryListingSchema,
  'history.open': z.object({ jobId, summary: JobSummarySchema }),
  'history.openSweep': SavedSweepSchema,
  'history.rename': HistoryRecordSchema,
  'history.delete': z.object({ id: z.string() }),
  'history.restore': z.object({ id: z.string() }),
  'history.import': HistoryRecordSchema,
  'history.export': ExportFileSchema
} as const

/** The schema of every command's result, by name: `satisfies` keeps it in step with the commands. */
export const ResultSchemas = {
  'engine.info': EngineInfoSchema,
  'engine.memory': EngineMemorySchema,
  'cluster.agents': ClusterAgentsSchema,
  'job.plan': PlanSummarySchema,
  'job.start': StartedJobSchema,
  'job.cancel': z.object({ cancelled: z.boolean() }),
  'job.summary': JobSummarySchema,
  'job.list': z.array(JobSummarySchema),
  'job.results': ResultsPageSchema,
  'job.args': TaskArgsSchema,
  'job.tuples': TuplesPageSchema,
  'job.timings': TimingBatchSchema,
  'job.timeline': TimelineWindowSchema,
  'job.cpu': CpuSamplesSchema,
  'job.stats': JobStatsSchema,
  'job.export': ExportFileSchema,
  'sweep.start': z.object({ sweepId: z.string() }),
  'sweep.cancel': z.object({ cancelled: z.boolean() }),
  'sweep.get': SweepResultSchema,
  ...HistoryResultSchemas
} as const satisfies Record<CommandName, z.ZodType>

/** The schema of every event's payload, by name: `satisfies` keeps it in step with the events. */
export const EventSchemas = {
  'job.progress': ProgressEventSchema,
  'job.finished': JobSummarySchema,
  'sweep.progress': SweepProgressSchema,
  'sweep.finished': SweepResultSchema,
  'history.changed': HistoryChangedSchema
} as const satisfies Record<EventName, z.ZodType>

/** Results of every command, by name. */
export type CommandResults = { [N in CommandName]: z.output<(typeof ResultSchemas)[N]> }
/** Events pushed from the host, by name. */
export type EventPayloads = { [N in EventName]: z.output<(typeof EventSchemas)[N]> }

/** True when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
// One payload part has its type declared elsewhere, beside the code that makes it. A change
// there fails to compile here until the schema follows; otherwise the page would silently drop a
// new field (undeclared keys are stripped).
const workloadInfoSchemaMatchesWorkloadInfo: Same<z.output<typeof WorkloadInfoSchema>, WorkloadInfo> = true
void workloadInfoSchemaMatchesWorkloadInfo

/** Whether the payload came as a command's reply or as an event. */
export type PayloadKind = 'result' | 'event'

/** A reply or event from the host that does not have the shape the contract gives it. */
export class PayloadError extends Error {
  readonly kind: PayloadKind
  /** The command or event name. */
  readonly payloadName: string
  /** Where in the payload the first problem is (empty for the payload itself). */
  readonly path: ErrorPath
  constructor(kind: PayloadKind, payloadName: string, path: ErrorPath, message: string) {
    super(message)
    this.name = 'PayloadError'
    this.kind = kind
    this.payloadName = payloadName
    this.path = path
  }
}

const MAX_NAME_CHARS = 60
const MAX_PROBLEM_CHARS = 200

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}

function what(kind: PayloadKind, name: string): string {
  const shown = cut(name, MAX_NAME_CHARS)
  return kind === 'result' ? `the host's reply to ${shown}` : `the host's ${shown} event`
}

function schemaOf(kind: PayloadKind, name: string): z.ZodType | undefined {
  const table: Record<string, z.ZodType> = kind === 'result' ? ResultSchemas : EventSchemas
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined
}

/**
 * Checks a command's result or an event's payload against its schema and returns it as parsed
 * (undeclared keys dropped). Throws a `PayloadError` naming the command or event and the path of
 * the first problem, e.g. "the host's reply to job.summary is malformed at laneTime.0.tasksMs:
 * expected number, received string".
 */
export function checkPayload<N extends CommandName>(
  kind: 'result',
  name: N,
  value: unknown
): CommandResults[N]
export function checkPayload<N extends EventName>(kind: 'event', name: N, value: unknown): EventPayloads[N]
export function checkPayload(kind: PayloadKind, name: string, value: unknown): unknown
export function checkPayload(kind: PayloadKind, name: string, value: unknown): unknown {
  const schema = schemaOf(kind, name)
  if (schema === undefined) {
    throw new PayloadError(kind, name, [], `${what(kind, name)} is unknown to this page`)
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issuePath(issue)
  const where = path.length > 0 ? ` at ${fieldPathText(path)}` : ''
  const problem = cut(issue.message.replace(/^Invalid input: /, ''), MAX_PROBLEM_CHARS)
  throw new PayloadError(kind, name, path, `${what(kind, name)} is malformed${where}: ${problem}`)
}

/**
 * Checks an engine event as a transport received it, `{ type, payload }`: a known type and a payload
 * of its shape. Returns the event with its checked payload; throws a `PayloadError` otherwise.
 */
export function checkEvent(event: unknown): EngineEvent {
  if (typeof event !== 'object' || event === null) {
    throw new PayloadError('event', '', [], 'the host sent an event that is not an object { type, payload }')
  }
  const { type, payload } = event as { type?: unknown; payload?: unknown }
  if (typeof type !== 'string' || schemaOf('event', type) === undefined) {
    const shown = typeof type === 'string' ? cut(type, MAX_NAME_CHARS) : typeof type
    throw new PayloadError('event', String(type), [], `the host sent an event of unknown type ${shown}`)
  }
  return { type, payload: checkPayload('event', type, payload) } as EngineEvent
}
