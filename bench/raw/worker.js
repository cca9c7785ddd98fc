// Raw Piscina baseline worker: no timing, no progress, no cancellation, no packing tricks. It is
// the floor the engine is measured against: each task builds an Int32Array of all k-combinations
// of positions 0..n-1 in itertools (lexicographic) order and moves it back to the main thread.
import { move } from 'piscina'

function binomial(n, k) {
  if (k < 0 || k > n) return 0
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return Math.round(r)
}

/** All k-combinations of 0..n-1, packed row by row into one Int32Array. */
function combinations(n, k) {
  const count = binomial(n, k)
  const out = new Int32Array(count * k)
  if (count === 0 || k === 0) return out
  const index = new Int32Array(k)
  for (let i = 0; i < k; i++) index[i] = i
  let at = 0
  for (;;) {
    for (let i = 0; i < k; i++) out[at + i] = index[i]
    at += k
    let i = k - 1
    while (i >= 0 && index[i] === n - k + i) i--
    if (i < 0) break
    index[i]++
    for (let j = i + 1; j < k; j++) index[j] = index[j - 1] + 1
  }
  return out
}

/**
 * `{ n, k }` runs one task; `{ n, k, count }` runs `count` tasks of the same call as one Piscina
 * task (a chunk) and returns their results concatenated in one buffer.
 */
export default function task({ n, k, count = 1 }) {
  if (count === 1) return move(combinations(n, k))
  const size = binomial(n, k) * k
  const out = new Int32Array(size * count)
  for (let t = 0; t < count; t++) out.set(combinations(n, k), t * size)
  return move(out)
}
