import type { PositionsPlan } from '../../../shared/workloads/entry'
import { MAX_K } from '../../../shared/workloads/limits'
import type { Checkpoint } from './combinations'
import { TupleSink } from './tupleSink'

type Positions = Uint8Array | Uint16Array | Uint32Array

const sink = new TupleSink()
/** The current tuple's positions, one per thread. */
const digits = new Int32Array(MAX_K)

/**
 * Every k-tuple of positions 0..n-1, repeats allowed, in itertools.product(…, repeat=k) order: an
 * odometer whose last place turns fastest. Contract as kernels/combinations.ts.
 */
export function product(
  plan: PositionsPlan,
  keep: number,
  out: Positions,
  outIndex: number,
  scratch: Positions,
  checkpoint: Checkpoint
): number {
  const { n, k } = plan
  if (k === 0) return 1 // one empty tuple, even of no elements, as itertools gives
  if (n === 0) return 0
  digits.fill(0, 0, k)
  sink.open(keep, k, out, outIndex, scratch, checkpoint)
  const last = k - 1
  for (;;) {
    for (let v = 0; v < n; v++) {
      sink.place()
      const target = sink.target
      const at = sink.at
      for (let i = 0; i < last; i++) target[at + i] = digits[i]
      target[at + last] = v
      if (!sink.written()) return -1
    }
    // Carry: the rightmost place below its top turns, those after it go back to 0.
    let i = last - 1
    while (i >= 0 && digits[i] === n - 1) digits[i--] = 0
    if (i < 0) break
    digits[i]++
  }
  return sink.close()
}
