// Kept free of zod: the worker imports it (see limits.ts).

/** The stream's arrays: a = b + s·c and back, three Float64Arrays that share a task's megabytes. */
export const STREAM_ARRAYS = 3

/**
 * The most megabytes a stream task may use. Each pool thread keeps its arrays while the job runs and
 * the planner's memory budget does not count a workload's own buffers, so the cap keeps the worst
 * case modest: 8 threads (the most a 2-core machine allows) × 256 MB = 2 GB. 256 MB is still several
 * times the largest caches of common CPUs, which is all the lesson needs.
 */
export const MAX_STREAM_MB = 256

/** Elements in each of the stream's arrays for a task of `mb` megabytes (MiB). */
export function streamLength(mb: number): number {
  return Math.floor((mb * 1024 * 1024) / (8 * STREAM_ARRAYS))
}
