import { randomIndex, seededRandom, type Random } from './random'

/**
 * The order a sweep runs its measurements in. A shared machine drifts (thermal throttling, another
 * job starting, turbo budgets), and running all repeats of one thread count as a block would fold
 * that drift into the difference between counts. So every round runs each count once, in a freshly
 * shuffled order, and no count runs twice in a row across a round boundary either.
 */

/** The largest thread count a sweep accepts: far beyond any machine, small enough to stay sane. */
export const MAX_SWEEP_THREADS = 4096

/**
 * Default thread counts for a machine with `hardwareThreads` logical CPUs: every power of two up to
 * twice the hardware threads, plus the hardware thread count itself and its double when they are
 * not powers of two. 2 → 1, 2, 4; 6 → 1, 2, 4, 6, 8, 12; 1 → 1, 2. The points beyond the hardware
 * threads show what oversubscription costs.
 */
export function defaultThreadCounts(hardwareThreads: number): number[] {
  if (!Number.isInteger(hardwareThreads) || hardwareThreads < 1 || hardwareThreads > MAX_SWEEP_THREADS / 2) {
    throw new RangeError(
      `hardware threads must be a whole number from 1 to ${MAX_SWEEP_THREADS / 2}, got ${String(hardwareThreads)}`
    )
  }
  const counts = new Set<number>([hardwareThreads, 2 * hardwareThreads])
  for (let n = 1; n <= 2 * hardwareThreads; n *= 2) counts.add(n)
  return [...counts].sort((a, b) => a - b)
}

/** Throws a clear error unless `counts` is a non-empty list of distinct whole numbers in range. */
export function checkThreadCounts(counts: readonly number[]): void {
  if (!Array.isArray(counts) || counts.length === 0) {
    throw new RangeError('thread counts: need at least one, got none')
  }
  const seen = new Set<number>()
  for (const n of counts) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_SWEEP_THREADS) {
      throw new RangeError(
        `thread counts: ${String(n)} is not allowed; each must be a whole number from 1 to ${MAX_SWEEP_THREADS}`
      )
    }
    if (seen.has(n)) throw new RangeError(`thread counts: ${n} appears twice; list each count once`)
    seen.add(n)
  }
}

/**
 * Hands out rounds one at a time, for a runner that decides after each round which counts still
 * need samples (adaptive stopping). `next(counts)` returns those counts in a shuffled order whose
 * first entry differs from the last entry of the previous round whenever there is a choice.
 */
export class RoundShuffler {
  private readonly random: Random
  private last: number | null = null

  constructor(seed: number) {
    this.random = seededRandom(seed)
  }

  next(counts: readonly number[]): number[] {
    checkThreadCounts(counts)
    const order = [...counts]
    // Fisher–Yates: every permutation equally likely.
    for (let i = order.length - 1; i > 0; i--) {
      const j = randomIndex(this.random, i + 1)
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    if (order.length > 1 && order[0] === this.last) {
      // Swap the repeat with a uniformly chosen later position: the rest stays shuffled.
      const j = 1 + randomIndex(this.random, order.length - 1)
      ;[order[0], order[j]] = [order[j], order[0]]
    }
    this.last = order[order.length - 1]
    return order
  }
}

export interface ScheduledRun {
  /** 0-based round; round r holds the (r + 1)-th sample of every count. */
  round: number
  threads: number
}

/** A fixed schedule of `repeats` rounds over `counts`, reproducible from `seed`. */
export function interleavedSchedule(
  counts: readonly number[],
  repeats: number,
  seed: number
): ScheduledRun[] {
  checkThreadCounts(counts)
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`repeats must be a whole number ≥ 1, got ${String(repeats)}`)
  }
  const shuffler = new RoundShuffler(seed)
  const runs: ScheduledRun[] = []
  for (let round = 0; round < repeats; round++) {
    for (const threads of shuffler.next(counts)) runs.push({ round, threads })
  }
  return runs
}
