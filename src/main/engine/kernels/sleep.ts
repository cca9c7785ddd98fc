import { performance } from 'node:perf_hooks'
import type { ValuesKernel } from './valuesKernel'

/** Longest single wait (ms): a cancel is seen within one slice. */
const SLICE_MS = 10

/**
 * Nothing ever notifies this cell and its value stays 0, so every Atomics.wait on it runs to its
 * timeout: a blocking sleep that leaves the core idle (unlike a spin) and needs no event loop.
 */
const cell = new Int32Array(new SharedArrayBuffer(4))

/**
 * args `[ms]`: blocks the thread for `ms` milliseconds without using the CPU, the I/O-like twin of
 * `busyWait`. Returns the duration it measured (≥ ms). Each slice is sized from the time measured so
 * far, so the overshoot of one wait is not carried into the next and only the last one adds up.
 */
export const sleep: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const ms = args[0]
    const start = performance.now()
    let elapsed = 0
    // Work is time: whole microseconds waited, reported at each checkpoint for live progress.
    let reportedUs = 0
    // NaN or ≤ 0 never enters the loop: the task returns at once with 0.
    while (elapsed < ms) {
      Atomics.wait(cell, 0, 0, Math.min(SLICE_MS, ms - elapsed))
      elapsed = performance.now() - start
      if (elapsed >= ms) break // time is up: no checkpoint after the last slice
      const us = Math.floor(elapsed * 1000)
      if (!checkpoint(us - reportedUs)) return null
      reportedUs = us
      elapsed = performance.now() - start // a slow checkpoint shortens the next slice
    }
    return elapsed
  }
}
