/**
 * Exact binomial coefficients. Result sizes are checked before a run, and C(n, k) leaves the safe
 * integer range long before it leaves memory budgets, so this is BigInt throughout.
 */
export function binomial(n: number, k: number): bigint {
  if (!Number.isInteger(n) || !Number.isInteger(k)) throw new RangeError('binomial needs integers')
  if (k < 0 || n < 0 || k > n) return 0n
  const kk = Math.min(k, n - k)
  let result = 1n
  // Multiply then divide at each step: the running value is always C(n - kk + i, i), an integer.
  for (let i = 1; i <= kk; i++) {
    result = (result * BigInt(n - kk + i)) / BigInt(i)
  }
  return result
}

/** `binomial` as a plain number when it is exactly representable, otherwise null. */
export function binomialSafe(n: number, k: number): number | null {
  const value = binomial(n, k)
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
}
