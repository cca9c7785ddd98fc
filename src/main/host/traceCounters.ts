import type { CpuSamples } from '../engine/cpuSampler'

/*
 * The counter tracks of a job's Chrome trace: each logical CPU's utilization, and how many worker
 * lanes were inside a task, over the CPU sampler's intervals. A trace counter holds its value until
 * its next event, so each interval's value is written at the interval's start, and a last event at
 * the last interval's end closes the span.
 */

/**
 * The sampler's interval boundaries, ms on the job clock: `from`, then each sample's end. Empty
 * when there is no complete interval (no baseline reading, or none after it).
 */
export function intervalBounds(samples: Pick<CpuSamples, 'from' | 'at'>): Float64Array {
  if (samples.from === null || samples.at.length === 0) return new Float64Array(0)
  const bounds = new Float64Array(samples.at.length + 1)
  bounds[0] = samples.from
  bounds.set(samples.at, 1)
  return bounds
}

/**
 * Adds to `out[i]` the time (ms) tasks first..first+count-1 spent in interval i, [bounds[i],
 * bounds[i+1]). Call it for one lane's chunks in time order, passing back the cursor it returns
 * (start from 0 for each lane): a lane's tasks never overlap and only move forward in time, so one
 * walk through its tasks and the intervals together does it. Tasks that did not run (NaN) add
 * nothing.
 */
export function addBusy(
  start: ArrayLike<number>,
  end: ArrayLike<number>,
  first: number,
  count: number,
  bounds: Float64Array,
  out: Float64Array,
  cursor: number
): number {
  const intervals = bounds.length - 1
  let i = cursor
  for (let task = first; task < first + count && i < intervals; task++) {
    const from = start[task]
    const to = end[task]
    if (!(to > from)) continue
    while (i < intervals && bounds[i + 1] <= from) i++
    for (let j = i; j < intervals && bounds[j] < to; j++) {
      const overlap = Math.min(to, bounds[j + 1]) - Math.max(from, bounds[j])
      if (overlap > 0) out[j] += overlap
    }
  }
  return i
}

/** Busy time per interval (from `addBusy`, summed over lanes) as the mean number of lanes in a task. */
export function meanLanes(busyMs: Float64Array, bounds: Float64Array): Float64Array {
  const mean = new Float64Array(busyMs.length)
  for (let i = 0; i < busyMs.length; i++) {
    const span = bounds[i + 1] - bounds[i]
    mean[i] = span > 0 ? busyMs[i] / span : 0
  }
  return mean
}

/** A value as the counter writes it: at most `decimals` decimals, no trailing zeros. */
export function rounded(value: number, decimals: number): string {
  const scale = 10 ** decimals
  return String(Math.round(value * scale) / scale)
}
