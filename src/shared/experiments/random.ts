/**
 * A small seeded pseudo-random generator for the experiment statistics: the bootstrap and the run
 * order must give the same answer for the same seed on every machine and in both processes, which
 * `Math.random` cannot promise. A Weyl sequence (add the golden-ratio constant) pushed through a
 * 32-bit avalanche mix: every state is visited once per 2^32 draws and each output bit depends on
 * every state bit, plenty for a few hundred thousand draws of a resampling loop. Not for secrets.
 */
export type Random = () => number

export function seededRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${String(seed)}`)
  }
  // Fold the high bits in too so seeds that differ only above bit 31 still differ.
  let state = (seed ^ Math.floor(seed / 0x100000000)) >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    z = (z ^ (z >>> 16)) >>> 0
    return z / 0x100000000
  }
}

/** A whole number in [0, n): the bias of scaling a 32-bit draw is below 2^-20 for the n used here. */
export function randomIndex(random: Random, n: number): number {
  return Math.floor(random() * n)
}
