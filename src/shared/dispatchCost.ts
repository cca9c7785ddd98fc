/**
 * What handing a chunk to a worker costs, and how much of a job's work that may be. The planner
 * sizes chunks from these figures and `chunkAdvice` turns them into a suggestion; both live in a
 * zod-free module so the renderer and the CLI can use them without the planner.
 */

/**
 * Queue operations should stay under this share of the work they carry (issue 12): a chunk must
 * carry at least 1 / QUEUE_SHARE_LIMIT = 20 times its dispatch cost in work.
 */
export const QUEUE_SHARE_LIMIT = 0.05

/**
 * What one chunk costs a lane on the cluster back end, ms: BullMQ's add and move-to-active, the
 * agent's hand-over to its worker thread, the reply's SET + PUBLISH, the coordinator's GET + DEL.
 * Measured by `npm run bench:cluster` on loopback as lane time per chunk of tiny tasks (wall ×
 * lanes ÷ chunks, two 1-thread agents, 2 cores shared, load 2.6–5.3): 2.2–7.8 ms over four runs,
 * median about 4 ms. A quieter machine or smaller replies cost less, a real network more: the
 * planner uses this figure (plans must not change from run to run), `chunkAdvice` the cost
 * measured in a finished job.
 */
export const CLUSTER_DISPATCH_MS = 4

/**
 * Redis's own CPU time per cluster chunk, ms: BullMQ's two scripts (add; move to finished and fetch
 * the next) and about 38 other commands, the reply's SET, GET and DEL and the PUBLISH. Measured by
 * `npm run bench:cluster` (INFO cpu over 400 chunks): 0.41–0.50 ms on a loaded 2-core machine.
 * Redis runs commands on one thread, so one Redis takes about 1 / 0.5 ms = 2,000 chunks a second.
 */
export const REDIS_CPU_MS_PER_CHUNK = 0.5

/**
 * Queue traffic should use at most this share of one Redis's capacity (issue 12), leaving it room
 * for other jobs, agents' registrations and bursts.
 */
export const REDIS_SHARE_LIMIT = 0.1

/**
 * The least work a cluster chunk should carry, ms of one thread: 20 × its dispatch cost (queue work
 * under 5% of the work), and enough that `lanes` lanes finishing a chunk each every so often ask
 * Redis for at most REDIS_SHARE_LIMIT of its time: lanes × REDIS_CPU_MS_PER_CHUNK ÷ 0.1, i.e. 5 ms a
 * lane. The first binds up to 16 lanes (80 ms); 64 lanes need 320 ms chunks, 256 lanes 1.28 s.
 */
export function minClusterChunkMs(lanes: number): number {
  return Math.max(
    CLUSTER_DISPATCH_MS / QUEUE_SHARE_LIMIT,
    (lanes * REDIS_CPU_MS_PER_CHUNK) / REDIS_SHARE_LIMIT
  )
}

/** What queue operations cost a job at a chunk size, and the chunk size that keeps them in bounds. */
export interface ChunkAdvice {
  /** Chunks at the job's chunk size. */
  chunks: number
  /** The dispatch cost per chunk the advice was made with, ms. */
  dispatchMs: number
  /** `chunks × dispatchMs`. */
  queueMs: number
  /** `queueMs ÷ workMs`: the share of the work spent on queue operations. */
  queueShare: number
  /** Whether the share exceeds QUEUE_SHARE_LIMIT. */
  overLimit: boolean
  /**
   * The smallest chunk size that keeps the share within QUEUE_SHARE_LIMIT while every lane still
   * gets a chunk; when none does, the largest that still gives every lane one (see `meetsLimit`).
   * Null when the job's chunk size is already within the limit.
   */
  suggestedChunkSize: number | null
  /** The share at the suggested chunk size (null with it). */
  suggestedShare: number | null
  /** Whether the suggested chunk size gets the share within the limit. */
  meetsLimit: boolean
  /** One sentence for a person: what it costs and what to do, or that it is fine. */
  message: string
}

export interface ChunkAdviceInput {
  taskCount: number
  /** Lanes: every one of them should still get a chunk. */
  threads: number
  chunkSize: number
  /**
   * The job's work on one thread, ms: for a finished job, the sum of its tasks' run times; for a
   * plan, `estimatedMs × threads` (an upper bound when one long task sets the estimate).
   */
  workMs: number
  /** Chunks never carry more tasks than this (the planner's MAX_CHUNK_TASKS). */
  maxChunkTasks: number
}

const percent = (share: number): string =>
  share >= 0.1 ? `${Math.round(share * 100)}%` : `${(share * 100).toFixed(1)}%`

/**
 * Whether a job's queue operations (one `dispatchMs` a chunk) exceed QUEUE_SHARE_LIMIT of its
 * work, and which chunk size would keep them under it. Pure: the CLI prints its message after a
 * cluster job, the form can show it for a plan. Throws on inputs that are not sizes.
 */
export function chunkAdvice(input: ChunkAdviceInput, dispatchMs: number): ChunkAdvice {
  const { taskCount, threads, chunkSize, workMs, maxChunkTasks } = input
  for (const [name, value] of Object.entries({ taskCount, threads, chunkSize, maxChunkTasks })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`chunkAdvice: ${name} must be a whole number ≥ 1 (got ${value})`)
    }
  }
  if (!(workMs >= 0) || !(dispatchMs >= 0)) {
    throw new RangeError(`chunkAdvice: workMs and dispatchMs must be ≥ 0 (got ${workMs}, ${dispatchMs})`)
  }
  const chunksAt = (size: number): number => Math.ceil(taskCount / size)
  const shareAt = (size: number): number =>
    workMs > 0 ? (chunksAt(size) * dispatchMs) / workMs : dispatchMs > 0 ? Infinity : 0
  const chunks = chunksAt(chunkSize)
  const queueShare = shareAt(chunkSize)
  const base = { chunks, dispatchMs, queueMs: chunks * dispatchMs, queueShare }
  const cost = `${chunks.toLocaleString('en-US')} chunk${chunks === 1 ? '' : 's'} × ${dispatchMs.toFixed(2)} ms`
  if (queueShare <= QUEUE_SHARE_LIMIT) {
    return {
      ...base,
      overLimit: false,
      suggestedChunkSize: null,
      suggestedShare: null,
      meetsLimit: true,
      message: `queue operations take about ${percent(queueShare)} of the work (${cost}), within ${percent(QUEUE_SHARE_LIMIT)}`
    }
  }
  // The most chunks the limit allows, and the chunk size that makes no more than that many.
  let allowedChunks = Math.floor((QUEUE_SHARE_LIMIT * workMs) / Math.max(dispatchMs, Number.MIN_VALUE))
  // At the limit exactly, rounding may leave the share a hair above it: one chunk fewer then.
  while (allowedChunks >= 1 && shareAt(Math.ceil(taskCount / allowedChunks)) > QUEUE_SHARE_LIMIT)
    allowedChunks--
  const laneCap = Math.min(Math.ceil(taskCount / threads), maxChunkTasks)
  const wanted = allowedChunks >= 1 ? Math.ceil(taskCount / allowedChunks) : Infinity
  const suggested = Math.max(chunkSize, Math.min(wanted, laneCap))
  const suggestedShare = shareAt(suggested)
  const meetsLimit = suggestedShare <= QUEUE_SHARE_LIMIT
  const head = `queue operations take about ${percent(queueShare)} of the work (${cost}), more than ${percent(QUEUE_SHARE_LIMIT)}`
  const message =
    suggested === chunkSize
      ? `${head}; the chunks cannot grow without leaving a lane idle: give this job more work per task, or run it on threads`
      : meetsLimit
        ? `${head}; chunks of ${suggested.toLocaleString('en-US')} tasks would keep them under it (--chunksize ${suggested})`
        : `${head}; even chunks of ${suggested.toLocaleString('en-US')} tasks (one per lane) leave ${percent(suggestedShare)}: ` +
          'give this job more work per task, or run it on threads'
  return {
    ...base,
    overLimit: true,
    suggestedChunkSize: suggested === chunkSize ? null : suggested,
    suggestedShare: suggested === chunkSize ? null : suggestedShare,
    meetsLimit,
    message
  }
}
