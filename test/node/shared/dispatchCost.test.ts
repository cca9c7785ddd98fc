// Chunk sizes for the cluster back end, from what a chunk's trip through Redis costs: its queue
// operations must stay under 5% of the work it carries, every lane still gets work, and a million
// tiny tasks never become a million queue jobs. And the suggestion made from a measured cost.
import { describe, expect, it } from 'vitest'
import {
  CLUSTER_DISPATCH_MS,
  QUEUE_SHARE_LIMIT,
  REDIS_CPU_MS_PER_CHUNK,
  REDIS_SHARE_LIMIT,
  chunkAdvice,
  minClusterChunkMs,
  type ChunkAdviceInput
} from '../../../src/shared/dispatchCost'
import {
  MAX_CHUNK_TASKS,
  NS_PER_TUPLE,
  autoChunkSize,
  maxChunkTuples,
  minChunkTuples,
  planJob
} from '../../../src/shared/plan'

const REDIS = 'redis://127.0.0.1:6379'
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('auto chunk size on the cluster back end', () => {
  it('makes a chunk carry 20 × the dispatch cost in work: 3.2 M tuples at 4 ms and 25 ns a tuple', () => {
    expect(minChunkTuples('cluster', 2)).toBe((CLUSTER_DISPATCH_MS * 1e6) / QUEUE_SHARE_LIMIT / NS_PER_TUPLE)
    expect(minChunkTuples('cluster', 2)).toBe(3_200_000)
    expect(minChunkTuples('cluster', 16)).toBe(3_200_000)
    expect(minChunkTuples('threads', 2)).toBe(10_000)
    expect(minChunkTuples('processes', 64)).toBe(10_000)
    expect(maxChunkTuples('threads', 64)).toBe(2_000_000)
    expect(maxChunkTuples('cluster', 2)).toBe(6_400_000)
  })

  it('past 16 lanes, makes chunks longer so all lanes together use under 10% of one Redis', () => {
    // 5 ms of work a lane: 64 lanes ask for a chunk every 320 / 64 = 5 ms, 0.5 ms of Redis each.
    expect(minClusterChunkMs(16)).toBe(80)
    expect(minClusterChunkMs(17)).toBe(85)
    expect(minClusterChunkMs(64)).toBe((64 * REDIS_CPU_MS_PER_CHUNK) / REDIS_SHARE_LIMIT)
    expect(minClusterChunkMs(64)).toBe(320)
    expect(minChunkTuples('cluster', 64)).toBe(12_800_000)
    // 10,000 tasks of 100,000 tuples: threads caps chunks at 2 M tuples (20 tasks); the cluster
    // takes up to 6.4 M on 2 lanes and at least 12.8 M (320 ms) on 64.
    expect(autoChunkSize(10_000, 64, 10_000n * 100_000n, 'threads')).toBe(20)
    expect(autoChunkSize(10_000, 2, 10_000n * 100_000n, 'cluster')).toBe(64)
    expect(autoChunkSize(10_000, 64, 10_000n * 100_000n, 'cluster')).toBe(128)
  })

  it('groups tiny tasks into far fewer chunks than threads does, one per lane at most', () => {
    // 100,000 tasks of 3 tuples on 16 lanes: threads takes 10,000-tuple chunks (30 of them); the
    // cluster would want 533,334 tasks a chunk, so every lane gets exactly one chunk of 6,250.
    expect(autoChunkSize(100_000, 16, 300_000n, 'threads')).toBe(3334)
    expect(autoChunkSize(100_000, 16, 300_000n, 'cluster')).toBe(6250)
    // 40,000 tasks of 200 tuples on 2 lanes: Pool.map's 5,000 on threads; 16,000 (80 ms) on cluster.
    expect(autoChunkSize(40_000, 2, 40_000n * 200n, 'threads')).toBe(5000)
    expect(autoChunkSize(40_000, 2, 40_000n * 200n, 'cluster')).toBe(16_000)
  })

  it('never makes a million tiny tasks a million queue jobs', () => {
    const size = autoChunkSize(1_000_000, 2, 3_000_000n, 'cluster')
    expect(size).toBe(MAX_CHUNK_TASKS)
    expect(Math.ceil(1_000_000 / size)).toBe(31)
  })

  it('splits heavy tasks no finer than 80 ms on cluster, 2 M tuples on threads', () => {
    // The 8.1 M-tuple job: tasks of 51 ms go two to a chunk on cluster (one chunk a lane).
    expect(autoChunkSize(4, 2, 4n * 2_035_800n, 'cluster')).toBe(2)
    expect(autoChunkSize(4, 2, 4n * 2_035_800n, 'threads')).toBe(1)
    expect(autoChunkSize(8, 2, 8n * 4_000_000n, 'cluster')).toBe(1)
    expect(autoChunkSize(1000, 2, 1000n * 1_000_000n, 'cluster')).toBe(6)
    expect(autoChunkSize(1000, 2, 1000n * 1_000_000n, 'threads')).toBe(2)
  })

  it('gives every lane work and carries 20 × the dispatch cost whenever the lanes allow it', () => {
    for (const tasks of [1, 3, 7, 64, 1000, 20_000, 250_000]) {
      for (const lanes of [1, 2, 3, 8, 64, 256]) {
        for (const tuplesPerTask of [1, 15, 200, 4845, 100_000, 2_035_800]) {
          const size = autoChunkSize(tasks, lanes, BigInt(tasks) * BigInt(tuplesPerTask), 'cluster')
          const where = `${tasks} tasks × ${tuplesPerTask} tuples on ${lanes} lanes: chunk ${size}`
          expect(size, where).toBeGreaterThanOrEqual(1)
          // The lane floor: no chunk takes more than a lane's share, so no lane is left without one
          // when there are tasks enough.
          expect(size, where).toBeLessThanOrEqual(Math.ceil(tasks / lanes))
          const chunkNs = size * tuplesPerTask * NS_PER_TUPLE
          const atLaneShare = size === Math.ceil(tasks / lanes)
          const atTaskCap = size === MAX_CHUNK_TASKS
          const heavy = tuplesPerTask * 2 > maxChunkTuples('cluster', lanes)
          if (!atLaneShare && !atTaskCap && !heavy) {
            expect(chunkNs / 1e6, where).toBeGreaterThanOrEqual(minClusterChunkMs(lanes))
            expect(chunkNs / 1e6, where).toBeGreaterThanOrEqual(CLUSTER_DISPATCH_MS / QUEUE_SHARE_LIMIT)
          }
        }
      }
    }
  })

  it('is what planJob gives a cluster spec, and threads keeps its own rule', () => {
    const spec = {
      workload: 'combinations',
      style: 'map',
      threads: 2,
      inputs: { kind: 'recipe', elements: range(6), tasks: 20_000 }
    }
    // 15 pairs a task.
    expect(planJob(spec, 2).chunkSize).toBe(2500)
    expect(planJob({ ...spec, backend: 'processes' }, 2).chunkSize).toBe(2500)
    expect(planJob({ ...spec, backend: 'cluster', redis: REDIS }, 2).chunkSize).toBe(10_000)
    // An explicit chunk size stands.
    expect(planJob({ ...spec, backend: 'cluster', redis: REDIS, chunkSize: 7 }, 2).chunkSize).toBe(7)
  })
})

describe('chunkAdvice', () => {
  const job = (over: Partial<ChunkAdviceInput> = {}): ChunkAdviceInput => ({
    taskCount: 1000,
    threads: 2,
    chunkSize: 1,
    workMs: 1000,
    maxChunkTasks: MAX_CHUNK_TASKS,
    ...over
  })

  it('says when queue work exceeds 5% and which chunk size keeps it under', () => {
    // 1,000 tasks of 1 ms in chunks of 1 at 2 ms a chunk: 2 s of queue work for 1 s of work.
    const advice = chunkAdvice(job(), 2)
    expect(advice).toMatchObject({ chunks: 1000, queueMs: 2000, queueShare: 2, overLimit: true })
    // 5% of 1 s is 50 ms: 25 chunks of 40 tasks.
    expect(advice.suggestedChunkSize).toBe(40)
    expect(advice.suggestedShare).toBeCloseTo(0.05, 10)
    expect(advice.meetsLimit).toBe(true)
    expect(advice.message).toBe(
      'queue operations take about 200% of the work (1,000 chunks × 2.00 ms), more than 5.0%; ' +
        'chunks of 40 tasks would keep them under it (--chunksize 40)'
    )
  })

  it('rounds the suggestion up when the last chunk is partial', () => {
    // 999 tasks of 1 ms: 5% is 49.95 ms, 24 chunks; chunks of 41 would make 25 (50 ms), of 42, 24.
    const advice = chunkAdvice(job({ taskCount: 999, workMs: 999 }), 2)
    expect(advice.suggestedChunkSize).toBe(42)
    expect(advice.suggestedShare).toBeLessThanOrEqual(QUEUE_SHARE_LIMIT)
    expect(chunkAdvice(job({ taskCount: 999, workMs: 999, chunkSize: 41 }), 2).overLimit).toBe(true)
  })

  it('suggests a size within the limit when the work sits a rounding error under an exact multiple', () => {
    // 400 tasks of 1 ms on 3 lanes, as a plan estimates them: 133.33… ms × 3 = 399.99999999999994 ms.
    // 5% of it is 20 ms in floating point, 5 chunks of 4 ms, yet chunks of 80 would be 5.000…01%.
    const advice = chunkAdvice(job({ taskCount: 400, threads: 3, workMs: 399.99999999999994 }), 4)
    expect(advice.suggestedChunkSize).toBe(100)
    expect(advice.suggestedShare).toBeLessThanOrEqual(QUEUE_SHARE_LIMIT)
    expect(advice.meetsLimit).toBe(true)
  })

  it('is content within the limit', () => {
    const advice = chunkAdvice(job({ chunkSize: 100 }), 2)
    expect(advice).toMatchObject({ chunks: 10, overLimit: false, suggestedChunkSize: null, meetsLimit: true })
    expect(advice.queueShare).toBeCloseTo(0.02, 10)
    expect(advice.message).toBe(
      'queue operations take about 2.0% of the work (10 chunks × 2.00 ms), within 5.0%'
    )
  })

  it('never suggests leaving a lane idle: a job too small says so', () => {
    // 8 tasks of 1 ms on 2 lanes: even 2 chunks cost 4 ms of 8.
    const advice = chunkAdvice(job({ taskCount: 8, workMs: 8 }), 2)
    expect(advice.suggestedChunkSize).toBe(4)
    expect(advice.suggestedShare).toBeCloseTo(0.5, 10)
    expect(advice.meetsLimit).toBe(false)
    expect(advice.message).toContain('even chunks of 4 tasks (one per lane) leave 50%')
    const atFloor = chunkAdvice(job({ taskCount: 8, workMs: 8, chunkSize: 4 }), 2)
    expect(atFloor).toMatchObject({ overLimit: true, suggestedChunkSize: null, meetsLimit: false })
    expect(atFloor.message).toContain('cannot grow without leaving a lane idle')
  })

  it('keeps the suggestion within the task cap', () => {
    const advice = chunkAdvice(job({ taskCount: 1_000_000, workMs: 1000, maxChunkTasks: 32_768 }), 2)
    expect(advice.suggestedChunkSize).toBe(32_768)
    expect(advice.meetsLimit).toBe(false)
  })

  it('refuses inputs that are not sizes', () => {
    expect(() => chunkAdvice(job({ chunkSize: 0 }), 2)).toThrow(
      'chunkSize must be a whole number ≥ 1 (got 0)'
    )
    expect(() => chunkAdvice(job({ workMs: Number.NaN }), 2)).toThrow('must be ≥ 0')
    expect(() => chunkAdvice(job(), -1)).toThrow('must be ≥ 0')
  })
})
