import { binomial } from '../binomial'
import type { PositionsPlan } from './entry'

// Kept free of zod: the worker imports it to size each task's results.

/**
 * How many tuples a positions plan produces, exactly, for each kind of tuple a kernel writes. The
 * planner sizes jobs with it before anything runs, and the worker lays out a chunk's results with it.
 */
const COUNTS: Readonly<Record<string, (n: number, k: number) => bigint>> = {
  /** C(n, k): k-subsets in order, as itertools.combinations. */
  combinations: (n, k) => binomial(n, k),
  /** n! / (n − k)!: ordered k-arrangements, as itertools.permutations. */
  permutations: (n, k) => {
    if (k > n) return 0n
    let count = 1n
    for (let i = 0; i < k; i++) count *= BigInt(n - i)
    return count
  },
  /** n^k: every k-tuple of the n elements, as itertools.product(…, repeat=k); one empty tuple for k = 0. */
  product: (n, k) => BigInt(n) ** BigInt(k),
  /** 2^n: every subset, shortest first, as the itertools recipe `powerset`. */
  powerset: (n) => 1n << BigInt(n)
}

/** How a size term reads in the form: `C(6,2)`, `P(6,2)`, `6^2`, `2^6`. */
const NOTATION: Readonly<Record<string, (n: number, k: number) => string>> = {
  combinations: (n, k) => `C(${n},${k})`,
  permutations: (n, k) => `P(${n},${k})`,
  product: (n, k) => `${n}^${k}`,
  powerset: (n) => `2^${n}`
}

/** Exact number of tuples a positions plan produces (an unknown kernel produces none). */
export function positionsCount(plan: Pick<PositionsPlan, 'kernel' | 'n' | 'k'>): bigint {
  const count = Object.hasOwn(COUNTS, plan.kernel) ? COUNTS[plan.kernel] : undefined
  return count ? count(plan.n, plan.k) : 0n
}

/** `positionsCount` as a plain number when it is exactly representable, otherwise null. */
export function positionsCountSafe(plan: Pick<PositionsPlan, 'kernel' | 'n' | 'k'>): number | null {
  const value = positionsCount(plan)
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
}

/** A plan's size as the form writes it, such as `C(6,2)`. */
export function positionsNotation(plan: Pick<PositionsPlan, 'kernel' | 'n' | 'k'>): string {
  const notation = Object.hasOwn(NOTATION, plan.kernel) ? NOTATION[plan.kernel] : undefined
  return notation ? notation(plan.n, plan.k) : `${plan.kernel}(${plan.n},${plan.k})`
}
