// The child process of the `processes` back end (bundled as processChild.cjs, next to worker.cjs).
// Its main thread never runs a kernel: a process cannot read a message while its main thread
// computes, so chunks run on one worker thread of a Piscina pool of one, loading the same worker
// as the threads back end. The main thread owns the chunk's shared buffers, turns the parent's
// cancel into the shared cancel flag, and relays counters and the heartbeat to the parent. It
// imports only the engine's protocol, never electron, and exits when its parent goes away.
import { performance } from 'node:perf_hooks'
import { Piscina } from 'piscina'
import {
  CONTROL,
  COUNTERS,
  HEARTBEAT,
  beatTask,
  newHeartbeat,
  type ChunkMessage,
  type ChunkReply,
  type WarmupReply
} from '../../chunkProtocol'
import type { ChildCounts, ErrorData, FromChild, RelayedBeat, ToChild } from './messages'

/** How often the counters and the heartbeat of a running chunk are relayed to the parent. */
export const LIVE_PERIOD_MS = 20

type ChunkOrder = Extract<ToChild, { kind: 'chunk' }>

/** One job's shared buffers on this side, as the threads back end keeps them per job. */
interface JobState {
  control: Int32Array
  controlBuffer: SharedArrayBuffer
  tuplesBuffer: SharedArrayBuffer
  tuples: BigInt64Array
}

/** The chunk on the worker thread now. */
interface Running {
  order: ChunkOrder
  beat: Float64Array
}

const jobs = new Map<number, JobState>()
/** Chunks waiting for the worker thread, in the order they came. */
const queue: ChunkOrder[] = []
let pool: Piscina | null = null
let running: Running | null = null
let liveTimer: NodeJS.Timeout | null = null

function send(message: FromChild): void {
  // A parent that is gone cannot be told anything; 'disconnect' ends this process.
  if (process.connected) process.send?.(message)
}

function errorData(err: unknown): ErrorData {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
  }
  return { name: 'Error', message: String(err) }
}

/** The job's buffers; a job seen for the first time drops those of jobs before it. */
function jobState(job: number): JobState {
  let state = jobs.get(job)
  if (!state) {
    for (const id of jobs.keys()) if (id < job) jobs.delete(id)
    const controlBuffer = new SharedArrayBuffer(4 * CONTROL.length)
    const tuplesBuffer = new SharedArrayBuffer(8 * COUNTERS.length)
    state = {
      controlBuffer,
      control: new Int32Array(controlBuffer),
      tuplesBuffer,
      tuples: new BigInt64Array(tuplesBuffer)
    }
    jobs.set(job, state)
  }
  return state
}

function countsOf(job: number): ChildCounts {
  const { control, tuples } = jobState(job)
  return {
    job,
    tasksDone: Atomics.load(control, CONTROL.tasksDone),
    tasksFailed: Atomics.load(control, CONTROL.tasksFailed),
    tuples: Number(Atomics.load(tuples, COUNTERS.tuples)),
    work: Number(Atomics.load(tuples, COUNTERS.work))
  }
}

function beatOf(beat: Float64Array): RelayedBeat {
  const received = beat[HEARTBEAT.received]
  const known = received === received ? received : -1
  const task = beatTask(beat)
  return task
    ? { task: task.index, since: task.since, progress: task.progress, received: known }
    : { task: -1, since: beat[HEARTBEAT.since], progress: 0, received: known }
}

function relayLive(): void {
  if (!running) return
  const { order, beat } = running
  send({ kind: 'live', id: order.id, beat: beatOf(beat), counts: countsOf(order.job) })
}

/** Hands the next waiting chunk to the worker thread when it is free. */
function pump(): void {
  if (running || !pool || queue.length === 0) return
  const order = queue.shift() as ChunkOrder
  const state = jobState(order.job)
  if (order.cancelled) Atomics.store(state.control, CONTROL.cancel, 1)
  const heartbeat = newHeartbeat()
  const message: ChunkMessage = {
    kind: 'chunk',
    ...order.work,
    control: state.controlBuffer,
    tuples: state.tuplesBuffer,
    jobOrigin: order.jobOrigin,
    heartbeat
  }
  const current: Running = { order, beat: new Float64Array(heartbeat) }
  running = current
  send({ kind: 'started', id: order.id })
  liveTimer ??= setInterval(relayLive, LIVE_PERIOD_MS)
  pool.run(message).then(
    (reply: ChunkReply) => {
      finish()
      // The worker starts its next chunk before this reply is copied to the parent.
      const sentAt = performance.timeOrigin + performance.now() - order.jobOrigin
      send({ kind: 'reply', id: order.id, reply, counts: countsOf(order.job), sentAt })
    },
    (err: unknown) => {
      const beat = beatOf(current.beat)
      finish()
      send({ kind: 'failed', id: order.id, error: errorData(err), beat, counts: countsOf(order.job) })
    }
  )
}

function finish(): void {
  running = null
  pump()
  if (!running && liveTimer) {
    clearInterval(liveTimer)
    liveTimer = null
  }
}

async function init(workerFile: string, heapLimitMb: number): Promise<void> {
  const piscina = new Piscina({
    filename: workerFile,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: 60 * 60 * 1000,
    concurrentTasksPerWorker: 1,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb }
  })
  piscina.on('error', (error: Error) => send({ kind: 'error', error: errorData(error) }))
  const warm = (await piscina.run({
    kind: 'warmup',
    barrier: new SharedArrayBuffer(4),
    threads: 1
  })) as WarmupReply
  pool = piscina
  send({ kind: 'ready', threadId: warm.threadId })
  pump()
}

function onMessage(message: ToChild): void {
  switch (message.kind) {
    case 'init':
      init(message.workerFile, message.heapLimitMb).catch((err: unknown) => {
        send({ kind: 'error', error: errorData(err) })
        process.exit(70)
      })
      break
    case 'ping':
      send({ kind: 'pong', seq: message.seq, now: performance.timeOrigin + performance.now() })
      break
    case 'chunk':
      queue.push(message)
      pump()
      break
    case 'cancel':
      Atomics.store(jobState(message.job).control, CONTROL.cancel, 1)
      break
    case 'withdraw': {
      const at = queue.findIndex((order) => order.id === message.id)
      if (at >= 0) queue.splice(at, 1)
      send({ kind: 'withdrawn', id: message.id, ok: at >= 0 })
      break
    }
    case 'exit':
      // Worker threads end with the process, an endless task included.
      process.exit(0)
  }
}

if (!process.send) {
  process.stderr.write('processChild: start me with child_process.fork (the processes back end does)\n')
  process.exit(64)
}
process.on('message', onMessage)
// Ctrl-C in a terminal reaches the whole process group: the parent decides what it means (the CLI
// cancels its job, and this child then stops its tasks on the cancel message), so it must not kill
// the child first. multiprocessing's workers have the same problem with KeyboardInterrupt.
process.on('SIGINT', () => {})
// The parent closed the channel (it exited, crashed or disposed of us): never outlive it.
process.on('disconnect', () => process.exit(0))
