import { performance } from 'node:perf_hooks'
import type { ValuesKernel } from './valuesKernel'

/** How long (ms) the spin goes between checkpoints: short enough that a cancel lands within ~1 ms. */
const CHECK_EVERY_MS = 1

/**
 * args `[ms]`: keeps one core busy for `ms` milliseconds, the CPU-bound twin of `sleep`. Returns the
 * duration it measured (≥ ms), so the host compares what the task really took with its own timings.
 * The checkpoint gets the whole microseconds spun since the last one: this kernel's work is time.
 */
export const busyWait: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const ms = args[0]
    const start = performance.now()
    let now = start
    let lastCheck = start
    // Work is time: whole microseconds spun, reported at each checkpoint for live progress.
    let reportedUs = 0
    // NaN or ≤ 0 never enters the loop: the task returns at once with 0.
    while (now - start < ms) {
      // Checked before the clock is read, so no checkpoint runs once the time is up and the time a
      // slow one takes is inside the returned duration, as it is inside the host's.
      if (now - lastCheck >= CHECK_EVERY_MS) {
        const us = Math.floor((now - start) * 1000)
        if (!checkpoint(us - reportedUs)) return null
        reportedUs = us
        lastCheck = now
      }
      now = performance.now()
    }
    return now - start
  }
}
