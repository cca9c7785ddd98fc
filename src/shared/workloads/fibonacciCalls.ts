// Kept free of zod: the worker imports it (see limits.ts).

/**
 * The largest n `fibonacci` takes: the naive recursion makes 2·F(n+1) − 1 calls, 5.9 billion at
 * n = 46, about 25 s at the 4 ns a call measured on one core here, so a task stays under a minute;
 * each n more costs 1.6 times as much. F(46) is far inside the safe integers (F(78) is the last).
 */
export const MAX_FIB_N = 46

/** calls[n] = calls the naive recursion makes for fib(n): 1 for n < 2, else 1 + calls[n−1] + calls[n−2]. */
const CALLS: readonly number[] = (() => {
  const calls = [1, 1]
  for (let n = 2; n <= MAX_FIB_N; n++) calls.push(1 + calls[n - 1] + calls[n - 2])
  return calls
})()

/** Calls the naive recursion makes for fib(n), 0 ≤ n ≤ MAX_FIB_N (what a task reports as its work). */
export function fibonacciCalls(n: number): number {
  return CALLS[n] ?? 0
}
