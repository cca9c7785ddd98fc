/**
 * Python's `random` module, as far as the notebook uses it: `random.seed(int)` and
 * `random.choice(seq)`. A Mersenne Twister (MT19937) seeded by `init_by_array` exactly as CPython
 * seeds from an int, and `choice` by rejection sampling over `getrandbits`, as CPython's
 * `_randbelow_with_getrandbits` does, so `--seed 42` draws the same n values as
 * `random.seed(42); [random.choice((2, 3, 4)) for _ in range(tasks)]`.
 */
export class PythonRandom {
  private readonly mt = new Uint32Array(624)
  private index = 625

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError('seed must be a safe integer')
    this.seedFromInt(seed)
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s >>> 0
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = 624
  }

  private seedFromInt(seed: number): void {
    // CPython takes abs(seed) and splits it into 32-bit words, least significant first.
    let value = BigInt(Math.abs(seed))
    const key: number[] = []
    do {
      key.push(Number(value & 0xffffffffn))
      value >>= 32n
    } while (value > 0n)
    this.initByArray(key)
  }

  private initByArray(key: number[]): void {
    const mt = this.mt
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30)
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0
      i++
      j++
      if (i >= 624) {
        mt[0] = mt[623]
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30)
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= 624) {
        mt[0] = mt[623]
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  /** One 32-bit output of MT19937. */
  nextUint32(): number {
    const mt = this.mt
    if (this.index >= 624) {
      for (let kk = 0; kk < 624; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % 624] & 0x7fffffff)
        mt[kk] = (mt[(kk + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0
      }
      this.index = 0
    }
    let y = mt[this.index++]
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** `random.getrandbits(k)` for 1 <= k <= 32. */
  getrandbits(k: number): number {
    return this.nextUint32() >>> (32 - k)
  }

  /** `random._randbelow(n)` for 1 <= n < 2**32. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff)
      throw new RangeError('randbelow needs 1 <= n < 2**32')
    const k = 32 - Math.clz32(n) // n.bit_length()
    let r = this.getrandbits(k)
    while (r >= n) r = this.getrandbits(k)
    return r
  }

  /** `random.choice(seq)`. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError('cannot choose from an empty sequence')
    return seq[this.randbelow(seq.length)]
  }
}
