import type { ValuesKernel } from './valuesKernel'

/** How often (in samples) a task checks for cancellation and reports progress: about 0.2 ms. */
export const CHECK_EVERY = 1 << 16

/** One step of SplitMix32 (a Weyl sequence through murmur3's finaliser): seeds the main generator. */
function splitMix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) | 0
}

const TWO_POW_32 = 2 ** 32

/**
 * args `[samples, seed]`: 4 × the share of `samples` points of the unit square that fall inside the
 * quarter circle x² + y² < 1, an estimate of π whose error shrinks as 1/√samples. The points come
 * from xoshiro128** (period 2^128 − 1), its four words seeded by SplitMix32 from `seed`, so a seed
 * always gives the same estimate and different seeds give practically independent ones. The
 * checkpoint's work is samples drawn.
 */
export const monteCarloPi: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const samples = args[0]
    // Four words from one 32-bit seed; SplitMix32 never gives four zeros (xoshiro's one bad state).
    let s0 = splitMix32(args[1] | 0)
    let s1 = splitMix32(s0)
    let s2 = splitMix32(s1)
    let s3 = splitMix32(s2)
    let inside = 0
    let sinceCheck = 0
    for (let i = 0; i < samples; i++) {
      // xoshiro128**, twice: x then y. Written out here, as the state lives in locals.
      let r = Math.imul(s1, 5)
      const x = Math.imul((r << 7) | (r >>> 25), 9) >>> 0
      let t = s1 << 9
      s2 ^= s0
      s3 ^= s1
      s1 ^= s2
      s0 ^= s3
      s2 ^= t
      s3 = (s3 << 11) | (s3 >>> 21)
      r = Math.imul(s1, 5)
      const y = Math.imul((r << 7) | (r >>> 25), 9) >>> 0
      t = s1 << 9
      s2 ^= s0
      s3 ^= s1
      s1 ^= s2
      s0 ^= s3
      s2 ^= t
      s3 = (s3 << 11) | (s3 >>> 21)
      const fx = x / TWO_POW_32
      const fy = y / TWO_POW_32
      if (fx * fx + fy * fy < 1) inside++
      if (++sinceCheck === CHECK_EVERY) {
        if (!checkpoint(sinceCheck)) return null
        sinceCheck = 0
      }
    }
    if (sinceCheck > 0 && !checkpoint(sinceCheck)) return null
    // No samples (only the worker's warm-up call asks for none) estimate nothing.
    return samples > 0 ? (4 * inside) / samples : Number.NaN
  }
}
