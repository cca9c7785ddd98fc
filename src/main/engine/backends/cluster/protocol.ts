import type { ChunkReply } from '../../chunkProtocol'
import type { ChunkWork, LiveCounts, RunningTask } from '../backend'

/**
 * What the `cluster` back end (the coordinator) and its agents say to each other through Redis.
 *
 * One BullMQ queue carries the chunks of every PoolScope job, with the job's id in each chunk's
 * data, rather than one queue per job: a BullMQ Worker is bound to one queue name, so agents would
 * otherwise have to learn of every new job and open (and later close) a Worker and its blocking
 * connection for it; with one well-known queue an agent started before or after the job simply
 * takes what is there. The coordinator keeps the ids of its chunks, so a cancel removes its own
 * waiting chunks by id without scanning the queue.
 *
 * A chunk's reply does not travel as BullMQ's return value (which is JSON: a Float64Array would
 * become an object of decimal strings). A small reply (at most INLINE_REPLY_BYTES encoded) travels
 * inside the message the agent publishes on the coordinator's channel, as binary after the JSON
 * head: one PUBLISH, nothing stored. A larger one is written as one binary value under a key of
 * its own attempt, with an expiry (so replies of a coordinator that went away do not stay), and the
 * message names the key; the coordinator reads it and deletes it. Either way it files each chunk
 * once: the first complete reply of a chunk wins, later ones are dropped and counted.
 *
 * Custom code goes on a queue of its own (CODE_CHUNK_QUEUE), which only agents started with
 * `--allow-code` take from: an agent without it never even sees a custom chunk.
 */

/** The queue every agent takes chunks from. */
export const CHUNK_QUEUE = 'poolscope-chunks'
/** The queue of custom-code chunks: only agents started with `--allow-code` take from it. */
export const CODE_CHUNK_QUEUE = 'poolscope-code-chunks'
/** Set of the names of agents that have registered (entries whose key expired are stale). */
export const AGENTS_SET = 'poolscope:agents'
/** Channel a coordinator publishes a job's id on when the job is cancelled. */
export const CANCEL_CHANNEL = 'poolscope:cancel'
/**
 * Channel a coordinator publishes a chunk's id on to stop it where it runs (a task timeout, or a
 * cancel of custom code that does not return): the agent holding it stops its worker.
 */
export const STOP_CHANNEL = 'poolscope:stop'
/** How often an agent running chunks reports their activity and its jobs' counters (one message per coordinator). */
export const LIVE_PERIOD_MS = 150
/** A reply up to this size travels inside the PUBLISH itself; a larger one under a key of its own. */
export const INLINE_REPLY_BYTES = 64 * 1024
/** An agent's registration expires this long after its last heartbeat. */
export const AGENT_TTL_MS = 5000
/** How often an agent renews its registration. */
export const AGENT_BEAT_MS = 1000
/** A reply nobody read (its coordinator went away) is deleted by Redis after this long. */
export const RESULT_TTL_MS = 10 * 60 * 1000
/** A cancel flag outlives any chunk of its job still in flight. */
export const CANCEL_TTL_S = 3600

export const agentKey = (name: string): string => `poolscope:agent:${name}`
export const cancelKey = (job: string): string => `poolscope:cancel:${job}`
/** Channel on which agents announce the replies of one coordinator's chunks. */
export const doneChannel = (coordinator: string): string => `poolscope:done:${coordinator}`
/** Channel on which agents report, between replies, the chunks of one coordinator they are running. */
export const liveChannel = (coordinator: string): string => `poolscope:live:${coordinator}`

/** What an agent says about itself in Redis, renewed every AGENT_BEAT_MS. */
export interface AgentInfo {
  name: string
  host: string
  pid: number
  threads: number
  /** Worker-thread id of each of the agent's threads, by its local lane. */
  threadIds: number[]
  /** Started with `--allow-code`: takes custom chunks too, on threads of their own (`codeThreadIds`). */
  allowCode: boolean
  codeThreadIds: number[]
  cpuModel: string
  node: string
  /** The agent's clock minus the Redis server's, ms, and half the best probe's round trip. */
  clockOffsetMs: number
  clockUncertaintyMs: number
  /** Chunks this agent has run since it started. */
  chunksDone: number
  /** Epoch ms (agent clock) of this beat. */
  seenAt: number
}

/** A chunk as BullMQ carries it: JSON, with the per-task plan indices as base64 bytes. */
export interface ChunkData {
  /** The coordinator's id: where the reply is announced. */
  coordinator: string
  /** The PoolScope job's id (its cancel flag and its counters on the agent). */
  job: string
  /** The chunk's id within the coordinator (also its BullMQ job id). */
  chunk: string
  /** The job clock's zero on the Redis server's clock, epoch ms. */
  originOnRedis: number
  firstTask: number
  plans: ChunkWork['plans']
  planIndex: string
  keep: number
  code?: string
  argsJson?: string
}

/** What an agent publishes on the coordinator's channel once a chunk has run (or its worker died). */
export type DoneMessage = {
  chunk: string
  agent: string
  /** The thread's lane on its agent, -1 when its worker died. */
  lane: number
  /** How many times the chunk was handed on after an agent holding it went silent (BullMQ's stalled count). */
  retries: number
  /** The agent's counters for the job so far (every chunk of the job it ran), as the threads keep them. */
  counts: LiveCounts
} & (
  | {
      ok: true
      /** Where the reply is stored; null when it follows the head inside the message itself. */
      key: string | null
    }
  | {
      ok: false
      /**
       * Why the chunk failed on the agent, as the engine explains a lost chunk: the error's code
       * (a worker out of memory), the agent's heap limit, and the task running when it failed.
       */
      error: { name: string; message: string; code?: string; heapLimitMb?: number }
      running?: RunningTask | null
    }
)

/** A done message as published: a 4-byte head length, the head as JSON, then the reply when inline. */
export function encodeDone(message: DoneMessage, reply: Buffer | null = null): Buffer {
  const head = Buffer.from(JSON.stringify(message))
  const out = Buffer.allocUnsafe(4 + head.length + (reply?.length ?? 0))
  out.writeUInt32LE(head.length, 0)
  head.copy(out, 4)
  reply?.copy(out, 4 + head.length)
  return out
}

/** A done message and, when it came inline, its reply's bytes (a view of the message). */
export function decodeDone(bytes: Buffer): { message: DoneMessage; reply: Buffer | null } {
  const headLength = bytes.readUInt32LE(0)
  const message = JSON.parse(bytes.subarray(4, 4 + headLength).toString()) as DoneMessage
  const inline = message.ok && message.key === null
  return { message, reply: inline ? bytes.subarray(4 + headLength) : null }
}

/** One chunk an agent is running, as it reports it between replies: its lane there and its task now. */
export interface LiveChunk {
  chunk: string
  /** The thread's lane on its agent. */
  lane: number
  /** When the thread took the chunk, ms on the job clock. */
  receivedAt: number
  task: RunningTask | null
  /** When the agent looked, ms on the job clock: the task has run at least `at - task.since`. */
  at: number
}

/**
 * What an agent reports to one coordinator every LIVE_PERIOD_MS while it runs chunks of it: its
 * counters for each of the coordinator's jobs it works on, and its chunks under way (JSON).
 */
export interface LiveMessage {
  agent: string
  jobs: Array<{ job: string; counts: LiveCounts }>
  chunks: LiveChunk[]
}

export function chunkData(
  coordinator: string,
  job: string,
  chunk: string,
  originOnRedis: number,
  work: ChunkWork
): ChunkData {
  const index = work.planIndex
  const data: ChunkData = {
    coordinator,
    job,
    chunk,
    originOnRedis,
    firstTask: work.firstTask,
    plans: work.plans,
    planIndex: Buffer.from(index.buffer, index.byteOffset, index.byteLength).toString('base64'),
    keep: work.keep
  }
  if (work.code !== undefined) data.code = work.code
  if (work.argsJson !== undefined) data.argsJson = work.argsJson
  return data
}

export function workOf(data: ChunkData): ChunkWork {
  const bytes = Buffer.from(data.planIndex, 'base64')
  // A copy: Int32Array needs an aligned offset, and a Buffer's may not be.
  const planIndex = new Int32Array(bytes.byteLength / 4)
  new Uint8Array(planIndex.buffer).set(bytes)
  const work: ChunkWork = { firstTask: data.firstTask, plans: data.plans, planIndex, keep: data.keep }
  if (data.code !== undefined) work.code = data.code
  if (data.argsJson !== undefined) work.argsJson = data.argsJson
  return work
}

type ColumnName = 'status' | 'produced' | 'kept' | 'offset' | 'width' | 'start' | 'end' | 'cpu'
const COLUMNS: ReadonlyArray<ColumnName> = [
  'status',
  'produced',
  'kept',
  'offset',
  'width',
  'start',
  'end',
  'cpu'
]

/** The reply's scalar fields and where each column sits in the columns' buffer. */
interface ReplyHead {
  firstTask: number
  threadId: number
  tid: number
  receivedAt: number
  repliedAt: number
  errors: ChunkReply['errors']
  stopped: ChunkReply['stopped']
  totals: ChunkReply['totals']
  /** Byte offset of each column within the columns' bytes (every column has one entry per task). */
  at: Record<ColumnName, number>
  tasks: number
  columnBytes: number
  dataBytes: number
}

const align8 = (n: number): number => (n + 7) & ~7

/**
 * A reply as one binary value: a 4-byte head length, the head as JSON, then the per-task columns'
 * buffer and the kept tuples, each 8-byte aligned. Floats travel as their bytes (NaN included).
 */
export function encodeReply(reply: ChunkReply): Buffer {
  const columns = reply.produced.buffer as ArrayBuffer
  const at = {} as Record<ColumnName, number>
  for (const name of COLUMNS) at[name] = reply[name].byteOffset
  const head: ReplyHead = {
    firstTask: reply.firstTask,
    threadId: reply.threadId,
    tid: reply.tid,
    receivedAt: reply.receivedAt,
    repliedAt: reply.repliedAt,
    errors: reply.errors,
    stopped: reply.stopped,
    totals: reply.totals,
    at,
    tasks: reply.status.length,
    columnBytes: columns.byteLength,
    dataBytes: reply.data.byteLength
  }
  const headBytes = Buffer.from(JSON.stringify(head))
  const columnsAt = align8(4 + headBytes.length)
  const dataAt = align8(columnsAt + columns.byteLength)
  const out = Buffer.alloc(dataAt + reply.data.byteLength)
  out.writeUInt32LE(headBytes.length, 0)
  headBytes.copy(out, 4)
  out.set(new Uint8Array(columns), columnsAt)
  out.set(new Uint8Array(reply.data), dataAt)
  return out
}

export function decodeReply(bytes: Buffer): ChunkReply {
  const headLength = bytes.readUInt32LE(0)
  const head = JSON.parse(bytes.subarray(4, 4 + headLength).toString()) as ReplyHead
  const columnsAt = align8(4 + headLength)
  const dataAt = align8(columnsAt + head.columnBytes)
  // Fresh buffers: typed views need aligned offsets, and the engine may keep `data`.
  const columns = new ArrayBuffer(head.columnBytes)
  new Uint8Array(columns).set(bytes.subarray(columnsAt, columnsAt + head.columnBytes))
  const data = new ArrayBuffer(head.dataBytes)
  new Uint8Array(data).set(bytes.subarray(dataAt, dataAt + head.dataBytes))
  const n = head.tasks
  return {
    firstTask: head.firstTask,
    threadId: head.threadId,
    tid: head.tid,
    status: new Uint8Array(columns, head.at.status, n),
    produced: new Float64Array(columns, head.at.produced, n),
    kept: new Float64Array(columns, head.at.kept, n),
    offset: new Float64Array(columns, head.at.offset, n),
    width: new Uint8Array(columns, head.at.width, n),
    start: new Float64Array(columns, head.at.start, n),
    end: new Float64Array(columns, head.at.end, n),
    cpu: new Int16Array(columns, head.at.cpu, n),
    receivedAt: head.receivedAt,
    repliedAt: head.repliedAt,
    data,
    errors: head.errors,
    stopped: head.stopped,
    totals: head.totals
  }
}
