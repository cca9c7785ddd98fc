import type { BackendKind } from './spec'
import { formatBytes } from './units'

/**
 * What a job costs the host in memory, counted before it starts and while it is retained, so the
 * budget covers every byte the engine keeps: per-task tables, arguments, packed results and the
 * worker pool. The per-task figure is the sum of the typed arrays the engine allocates for each task
 * (a test checks it against the real stores).
 */

/**
 * Host bytes per task: the call index (4), the results tables (status 1, produced 8, kept 8, buffer
 * 4, offset 8, width 1) and the timing tables (start 8, end 8, lane 2, cpu 2, thread id 4, ran 1).
 */
export const HOST_BYTES_PER_TASK = 59
/** Each task's packed tuples start 4-byte aligned in their chunk's buffer: at most 3 bytes of padding. */
export const ALIGNMENT_BYTES_PER_TASK = 3
/** Each distinct call keeps a few small objects besides its text. */
export const CALL_OVERHEAD_BYTES = 256
/** A call's arguments live as values, as Python repr, as JSON elements and as the planner's key. */
export const ARGS_TEXT_COPIES = 4
/** A warm pool thread measured 9–11 MB of resident memory on Node 20; rounded up. */
export const POOL_BYTES_PER_THREAD = 12 * 1024 * 1024
/**
 * A warm child process of the processes back end (Node, its worker thread, Piscina) measured 58 MB
 * of resident memory on Node 20, 18 MB of it its own; rounded up. It holds a copy of each reply
 * it sends on top (the parent a copy while it receives one), which a thread never does.
 */
export const POOL_BYTES_PER_PROCESS = 64 * 1024 * 1024

/** The bytes a planned job will hold, by kind. */
export interface JobMemory {
  /** Per-task tables: HOST_BYTES_PER_TASK for every task. */
  tablesBytes: number
  /** Arguments and their text, per distinct call. */
  callsBytes: number
  /** Packed kept tuples, with alignment padding when any are kept. */
  resultsBytes: bigint
}

/** Memory of a plan's arguments: what `planJob` adds for each distinct call whose JSON text is `jsonLength` long. */
export function callBytes(jsonLength: number): number {
  return CALL_OVERHEAD_BYTES + ARGS_TEXT_COPIES * jsonLength
}

/** The memory a job with these sizes will hold. */
export function jobMemory(taskCount: number, callsBytes: number, keptBytes: bigint): JobMemory {
  const padding = keptBytes > 0n ? BigInt(taskCount * ALIGNMENT_BYTES_PER_TASK) : 0n
  return { tablesBytes: taskCount * HOST_BYTES_PER_TASK, callsBytes, resultsBytes: keptBytes + padding }
}

export function totalOf(memory: JobMemory): bigint {
  return BigInt(memory.tablesBytes + memory.callsBytes) + memory.resultsBytes
}

/**
 * What a pool of `threads` lanes holds on this machine. A cluster's lanes are threads of agents on
 * their own machines: here they are a few connections and each chunk's reply, which is counted
 * with the job's results.
 */
export function poolBytes(threads: number, backend: BackendKind = 'threads'): number {
  if (backend === 'cluster') return 0
  return threads * (backend === 'processes' ? POOL_BYTES_PER_PROCESS : POOL_BYTES_PER_THREAD)
}

/**
 * Why a job cannot fit the memory budget even once every older job is released, or null when it
 * fits: the message says what takes the room and what to change.
 */
export function memoryProblem(
  memory: JobMemory,
  taskCount: number,
  threads: number,
  budgetBytes: number,
  backend: BackendKind = 'threads'
): string | null {
  const pool = poolBytes(threads, backend)
  const total = totalOf(memory) + BigInt(pool)
  if (total <= BigInt(budgetBytes)) return null
  const parts = [
    `${formatBytes(memory.resultsBytes)} of kept tuples`,
    `${formatBytes(memory.tablesBytes)} of timings and per-task tables for ${taskCount.toLocaleString('en-US')} task${taskCount === 1 ? '' : 's'}`,
    `${formatBytes(memory.callsBytes)} of arguments`,
    `${formatBytes(pool)} for ${threads} pool ${backend === 'processes' ? 'processes' : 'threads'}`
  ]
  const advice =
    memory.resultsBytes * 2n > BigInt(budgetBytes)
      ? 'keep count only, or keep the first N tuples per task'
      : 'run fewer tasks or fewer threads'
  return `this job would hold ${formatBytes(total)} (${parts.join(', ')}), over the ${formatBytes(budgetBytes)} memory budget; ${advice}`
}
