import type { ValuesKernel } from './valuesKernel'

/** How often (in numbers examined) a task checks for cancellation and reports progress. */
export const CHECK_EVERY = 4096

/**
 * Trial division by 2, 3, then 6k±1 up to √x. Deliberately not a sieve: a number costs up to √x/3
 * divisions, so tasks near the top of a span take longer and equal-sized pieces are unequal work.
 */
function isPrime(x: number): boolean {
  if (x < 4) return x >= 2
  if (x % 2 === 0 || x % 3 === 0) return false
  // Math.sqrt is correctly rounded, so for x < 2**53 the floor is never below the true integer root
  // (at worst one above it, which costs a division but cannot wrongly find a factor: d + 2 < x here).
  const limit = Math.floor(Math.sqrt(x))
  for (let d = 5; d <= limit; d += 6) {
    if (x % d === 0 || x % (d + 2) === 0) return false
  }
  return true
}

/**
 * args `[lo, hi]`: the number of primes p with lo ≤ p < hi (half-open, as Python's range), for
 * integers 0 ≤ lo ≤ hi ≤ 2**53. The checkpoint's work is numbers examined, so the calls of one task
 * add up to hi − lo; any of them returning false, the last included, makes the task return null.
 */
export const countPrimes: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const lo = args[0]
    const hi = args[1]
    let count = 0
    let sinceCheck = 0
    for (let x = lo; x < hi; x++) {
      if (isPrime(x)) count++
      if (++sinceCheck === CHECK_EVERY) {
        if (!checkpoint(sinceCheck)) return null
        sinceCheck = 0
      }
    }
    if (sinceCheck > 0 && !checkpoint(sinceCheck)) return null
    return count
  }
}

/** Below this the integral's series is meaningless (ln x → 0); the numbers there cost ~nothing. */
const SERIES_FROM = 100
/** Divisions per number before the 6k±1 loop: 1 for evens, 2 for the rest (x % 2 then x % 3). */
const BASE_DIVISIONS = 1.5
/**
 * Loop divisions per number ≈ LOOP_SHARE · √x / ln x: primes run the whole loop (√x/3 divisions, a
 * share 1/ln x of numbers); composites coprime to 6 stop at their least factor, which adds about a
 * quarter more. Fitted on exact counts: the estimate is within ~8% from 10^3 to 10^12.
 */
const LOOP_SHARE = 0.42

/** ∫ √x / ln x dx ≈ (2/3) x^1.5 / ln x · (1 + 2/(3 ln x) + 8/(9 ln² x)), the series' first terms. */
function rootOverLogIntegral(x: number): number {
  const at = Math.max(x, SERIES_FROM)
  const ln = Math.log(at)
  return ((2 / 3) * at ** 1.5 * (1 + 2 / (3 * ln) + 8 / (9 * ln * ln))) / ln
}

/**
 * Estimated number of trial divisions (`%` operations) `countPrimes` does for [lo, hi): the sum over
 * x of BASE_DIVISIONS + LOOP_SHARE · √x / ln x, taken as an integral. O(1), for the host's cost
 * estimates and for predicting the imbalance between equal-sized spans, not for exact timing.
 */
export function countPrimesWork(lo: number, hi: number): number {
  if (!(hi > lo)) return 0
  return BASE_DIVISIONS * (hi - lo) + LOOP_SHARE * (rootOverLogIntegral(hi) - rootOverLogIntegral(lo))
}
