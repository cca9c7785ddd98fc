import type { TimelineWindow } from '../../../shared/protocol'
import { SEGMENT } from '../../../shared/timeline'

/**
 * PoolScope's own cost over a timeline window, as the timeline's own track draws it (as Tracy
 * draws its instrumentation's cost beside the program's): per time bin, how many threads' worth
 * of time the engine took — its bookkeeping inside chunks on every worker lane, and filing replies
 * on the main thread. Derived from the window the chart already has, never fetched apart, so it
 * always agrees with the lanes above it.
 */
export interface EngineCostTrack {
  from: number
  binMs: number
  count: number
  /** Per bin, the workers' bookkeeping in threads busy (1 = one thread for the whole bin). */
  bookkeeping: Float64Array
  /** Per bin, the main thread filing replies, in threads busy (0..1). */
  filing: Float64Array
  /** The most threads busy in any bin (bookkeeping + filing). */
  peak: number
}

/** Bins across a detailed window (a detailed window has few tasks, so this is cheap). */
export const DETAIL_TRACK_BINS = 200

/** The engine's cost in `count` bins (detail windows) or in the window's own bins. */
export function engineCostTrack(window: TimelineWindow, detailBins = DETAIL_TRACK_BINS): EngineCostTrack {
  const { threads } = window
  if (window.bins) {
    const { count, binMs, kinds, ms } = window.bins
    const bookkeeping = new Float64Array(count)
    const filing = new Float64Array(count)
    for (let lane = 0; lane < threads; lane++) {
      const row = (lane * kinds + SEGMENT.bookkeeping) * count
      for (let bin = 0; bin < count; bin++) bookkeeping[bin] += ms[row + bin] / binMs
    }
    const filed = (threads * kinds + SEGMENT.filing) * count
    for (let bin = 0; bin < count; bin++) filing[bin] = ms[filed + bin] / binMs
    return finish({ from: window.from, binMs, count, bookkeeping, filing, peak: 0 })
  }
  const count = Math.max(1, detailBins)
  const binMs = (window.to - window.from) / count
  const track = {
    from: window.from,
    binMs,
    count,
    bookkeeping: new Float64Array(count),
    filing: new Float64Array(count),
    peak: 0
  }
  if (!(binMs > 0)) return track
  /** Adds `sign` × the part of [a, b) in each bin to `into`, in threads busy. */
  const add = (into: Float64Array, a: number, b: number, sign: number): void => {
    const lo = Math.max(a, window.from)
    const hi = Math.min(b, window.to)
    if (!(hi > lo)) return
    const first = Math.min(count - 1, Math.floor((lo - window.from) / binMs))
    const last = Math.min(count - 1, Math.floor((hi - window.from) / binMs))
    for (let bin = first; bin <= last; bin++) {
      const start = Math.max(lo, window.from + bin * binMs)
      const end = Math.min(hi, window.from + (bin + 1) * binMs)
      if (end > start) into[bin] += (sign * (end - start)) / binMs
    }
  }
  const s = window.segments
  if (s) {
    for (let i = 0; i < s.lane.length; i++) {
      const lane = s.lane[i]
      const kind = s.kind[i]
      if (lane < threads && kind === SEGMENT.bookkeeping) add(track.bookkeeping, s.from[i], s.to[i], 1)
      // A task a cancel stopped lies inside its chunk: its time is the workload's, not bookkeeping.
      else if (lane < threads && kind === SEGMENT.stopped) add(track.bookkeeping, s.from[i], s.to[i], -1)
      else if (lane === threads && kind === SEGMENT.filing) add(track.filing, s.from[i], s.to[i], 1)
    }
  }
  // A chunk's segment spans its tasks: what is left between them is bookkeeping. Running tasks lie
  // in a running chunk's segment, which is not bookkeeping.
  const t = window.tasks
  if (t)
    for (let i = 0; i < t.task.length; i++)
      if (t.running[i] !== 1) add(track.bookkeeping, t.start[i], t.end[i], -1)
  return finish(track)
}

/** Rounding dust below zero cleared, and the peak found. */
function finish(track: EngineCostTrack): EngineCostTrack {
  let peak = 0
  for (let bin = 0; bin < track.count; bin++) {
    if (track.bookkeeping[bin] < 1e-9) track.bookkeeping[bin] = 0
    if (track.filing[bin] < 1e-9) track.filing[bin] = 0
    peak = Math.max(peak, track.bookkeeping[bin] + track.filing[bin])
  }
  track.peak = peak
  return track
}
