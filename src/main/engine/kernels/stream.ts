import { STREAM_ARRAYS, streamLength } from '../../../shared/workloads/streamSize'
import type { ValuesKernel } from './valuesKernel'

/** Elements between checkpoints: 256 Ki elements of three arrays, about 6 MB of traffic. */
export const CHECK_EVERY = 1 << 18
/** The triad's scalar. */
const SCALE = 3
/** An idle thread lets go of its arrays after this long, so a finished job does not keep them. */
const RELEASE_AFTER_MS = 1000

/**
 * The thread's arrays, reused from task to task: allocating (and zeroing) them anew would be as much
 * memory traffic as a pass, and the lesson is the passes.
 */
let buffer: Float64Array | null = null
let releaseTimer: ReturnType<typeof setTimeout> | undefined

function arraysOf(length: number): Float64Array {
  clearTimeout(releaseTimer)
  if (buffer?.length !== STREAM_ARRAYS * length) {
    buffer = null // the old one may go before the new one is allocated
    buffer = new Float64Array(STREAM_ARRAYS * length)
  }
  return buffer
}

function releaseLater(): void {
  releaseTimer = setTimeout(() => (buffer = null), RELEASE_AFTER_MS)
  releaseTimer.unref?.()
}

/**
 * args `[mb, passes]`: a memory-bound loop in the manner of the STREAM benchmark's triad over three
 * Float64Arrays that together take `mb` MiB. b and c are filled (b[i] = 1 + i mod 256,
 * c[i] = (i mod 8) / 4; a is written before it is read), then each pass writes one array from the other two: pass 0
 * a = b + 3·c, pass 1 b = a + 3·c, and so on. Returns the sum of the array the last pass wrote (of b
 * when there are no passes): every value is a multiple of 1/4 far below 2^40, so the sum is exact in
 * any order. A task does a handful of flops per 24 bytes moved, so its speed is memory bandwidth,
 * which the cores share. The checkpoint's work is elements written: (passes + 1) × the length.
 */
export const stream: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const n = streamLength(args[0])
    const passes = args[1]
    if (!(n > 0)) return 0
    const all = arraysOf(n)
    const a = all.subarray(0, n)
    const b = all.subarray(n, 2 * n)
    const c = all.subarray(2 * n, 3 * n)
    try {
      let since = 0
      for (let i = 0; i < n; i++) {
        b[i] = 1 + (i & 255)
        c[i] = (i & 7) / 4
        if (++since === CHECK_EVERY) {
          if (!checkpoint(since)) return null
          since = 0
        }
      }
      for (let pass = 0; pass < passes; pass++) {
        const to = pass % 2 === 0 ? a : b
        const from = pass % 2 === 0 ? b : a
        for (let i = 0; i < n; i++) {
          to[i] = from[i] + SCALE * c[i]
          if (++since === CHECK_EVERY) {
            if (!checkpoint(since)) return null
            since = 0
          }
        }
      }
      if (since > 0 && !checkpoint(since)) return null
      const last = passes % 2 === 1 ? a : b
      let sum = 0
      for (let i = 0; i < n; i++) sum += last[i]
      return sum
    } finally {
      releaseLater()
    }
  }
}
