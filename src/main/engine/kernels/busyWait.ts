import { performance } from 'node:perf_hooks'
import type { ValuesKernel } from './valuesKernel'

/** How long (ms) the spin goes between checkpoints: short enough that a cancel lands within ~1 ms. */
const CHECK_EVERY_MS = 1

/**
 * args `[ms]`: keeps one core busy for `ms` milliseconds, the CPU-bound twin of `sleep`. Returns the
 * duration it measured (≥ ms), so the host compares what the task really took with its own timings.
 * The checkpoint gets 0 work: this kernel's work is time, which the host measures itself.
 */
export const busyWait: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const ms = args[0]
    const start = performance.now()
    let now = start
    let lastCheck = start
    // NaN or ≤ 0 never enters the loop: the task returns at once with 0.
    while (now - start < ms) {
      // Checked before the clock is read, so no checkpoint runs once the time is up and the time a
      // slow one takes is inside the returned duration, as it is inside the host's.
      if (now - lastCheck >= CHECK_EVERY_MS) {
        if (!checkpoint(0)) return null
        lastCheck = now
      }
      now = performance.now()
    }
    return now - start
  }
}
