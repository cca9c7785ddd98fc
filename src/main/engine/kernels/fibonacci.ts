import { fibonacciCalls } from '../../../shared/workloads/fibonacciCalls'
import type { ValuesCheckpoint, ValuesKernel } from './valuesKernel'

/**
 * Below this n a call recurses with no bookkeeping at all: fib(23) makes 92,735 calls, well under a
 * millisecond, and the calls of such a subtree are known exactly (fibonacciCalls), not counted.
 */
const PLAIN_BELOW = 24
/** Calls between checkpoints: about 3 ms of them. */
export const REPORT_EVERY_CALLS = 1 << 20

/** The exponential recursion itself: fib(n) = fib(n − 1) + fib(n − 2). */
function fibPlain(n: number): number {
  return n < 2 ? n : fibPlain(n - 1) + fibPlain(n - 2)
}

/** The running task's checkpoint and bookkeeping (a worker runs one task at a time). */
let check: ValuesCheckpoint = () => true
let unreported = 0
let stopped = false

/** The same recursion from n ≥ PLAIN_BELOW down, reporting the calls of each plain subtree it runs. */
function fibChecked(n: number): number {
  if (n < PLAIN_BELOW) {
    const value = fibPlain(n)
    unreported += fibonacciCalls(n)
    if (unreported >= REPORT_EVERY_CALLS) {
      if (!check(unreported)) stopped = true
      unreported = 0
    }
    return value
  }
  const a = fibChecked(n - 1)
  if (stopped) return 0
  const b = fibChecked(n - 2)
  unreported++ // this call
  return a + b
}

/**
 * args `[n]`: the n-th Fibonacci number (fib(0) = 0, fib(1) = 1) by the naive recursion, whose
 * 2·F(n+1) − 1 calls grow about 1.6× with each n: a task of n = 30 costs 120 times one of n = 20.
 * The checkpoint's work is calls made, so the calls of one task add up to fibonacciCalls(n).
 */
export const fibonacci: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    check = checkpoint
    unreported = 0
    stopped = false
    const value = fibChecked(args[0])
    if (stopped) return null
    if (unreported > 0 && !checkpoint(unreported)) return null
    return value
  }
}
