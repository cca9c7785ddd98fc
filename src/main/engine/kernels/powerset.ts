import type { PositionsPlan } from '../../../shared/workloads/entry'
import { MAX_K } from '../../../shared/workloads/limits'
import type { Checkpoint } from './combinations'
import { TupleSink } from './tupleSink'

type Positions = Uint8Array | Uint16Array | Uint32Array

const sink = new TupleSink()
/** The current subset's positions, one per thread. */
const chosen = new Int32Array(MAX_K)

/**
 * Every subset of positions 0..n-1 in the order of the itertools documentation's `powerset` recipe:
 * by size from 0 to n, each size in combinations order. The plan is ragged: every subset takes n
 * places, and one of r < n positions is followed by n (no position) in the rest. Contract as
 * kernels/combinations.ts.
 */
export function powerset(
  plan: PositionsPlan,
  keep: number,
  out: Positions,
  outIndex: number,
  scratch: Positions,
  checkpoint: Checkpoint
): number {
  const n = plan.n
  if (n === 0) return 1 // the empty set's one subset, itself, of no places
  sink.open(keep, n, out, outIndex, scratch, checkpoint)
  for (let r = 0; r <= n; r++) {
    for (let i = 0; i < r; i++) chosen[i] = i
    for (;;) {
      sink.place()
      const target = sink.target
      const at = sink.at
      for (let i = 0; i < r; i++) target[at + i] = chosen[i]
      for (let i = r; i < n; i++) target[at + i] = n
      if (!sink.written()) return -1
      // Next r-combination: the rightmost place that can still move moves, those after it follow.
      let i = r - 1
      while (i >= 0 && chosen[i] === n - r + i) i--
      if (i < 0) break
      chosen[i]++
      for (let j = i + 1; j < r; j++) chosen[j] = chosen[j - 1] + 1
    }
  }
  return sink.close()
}
