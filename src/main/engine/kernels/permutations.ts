import type { PositionsPlan } from '../../../shared/workloads/entry'
import { MAX_K } from '../../../shared/workloads/limits'
import type { Checkpoint } from './combinations'
import { TupleSink } from './tupleSink'

type Positions = Uint8Array | Uint16Array | Uint32Array

const sink = new TupleSink()
/** The current arrangement's positions, one per thread. */
const chosen = new Int32Array(MAX_K)
/** Which positions the current arrangement already uses; grown to the largest n seen. */
let used = new Uint8Array(64)

/**
 * All k-permutations of positions 0..n-1 in itertools.permutations order: lexicographic in the
 * positions, so with the elements in their given order this is Python's order. A depth-first walk:
 * each place takes the next position not used by the places before it, and the last place runs
 * through every free position in one loop. Contract as kernels/combinations.ts.
 */
export function permutations(
  plan: PositionsPlan,
  keep: number,
  out: Positions,
  outIndex: number,
  scratch: Positions,
  checkpoint: Checkpoint
): number {
  const { n, k } = plan
  if (k > n) return 0
  if (k === 0) return 1 // one empty tuple, as itertools gives
  if (used.length < n) used = new Uint8Array(n)
  // A cancelled task may have left marks behind.
  used.fill(0, 0, n)
  sink.open(keep, k, out, outIndex, scratch, checkpoint)
  const last = k - 1
  let place = 0
  chosen[0] = -1
  while (place >= 0) {
    const previous = chosen[place]
    if (previous >= 0) used[previous] = 0
    let next = previous + 1
    while (next < n && used[next] === 1) next++
    if (next >= n) {
      place--
      continue
    }
    chosen[place] = next
    if (place < last) {
      used[next] = 1
      chosen[++place] = -1
      continue
    }
    // The last place: every free position from `next` on, in order.
    for (let v = next; v < n; v++) {
      if (used[v] === 1) continue
      sink.place()
      const target = sink.target
      const at = sink.at
      for (let i = 0; i < last; i++) target[at + i] = chosen[i]
      target[at + last] = v
      if (!sink.written()) return -1
    }
    place--
  }
  return sink.close()
}
