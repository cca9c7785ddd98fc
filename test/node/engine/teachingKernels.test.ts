import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { fibonacci, REPORT_EVERY_CALLS } from '../../../src/main/engine/kernels/fibonacci'
import { mandelbrotRows } from '../../../src/main/engine/kernels/mandelbrotRows'
import { CHECK_EVERY as PI_CHECK_EVERY, monteCarloPi } from '../../../src/main/engine/kernels/monteCarloPi'
import { CHECK_EVERY as STREAM_CHECK_EVERY, stream } from '../../../src/main/engine/kernels/stream'
import type { ValuesCheckpoint, ValuesKernel } from '../../../src/main/engine/kernels/valuesKernel'
import { fibonacciCalls, MAX_FIB_N } from '../../../src/shared/workloads/fibonacciCalls'
import { escapeIterations } from '../../../src/shared/workloads/mandelbrotPlane'
import { streamLength } from '../../../src/shared/workloads/streamSize'

const always: ValuesCheckpoint = () => true

/** Runs a kernel, recording every amount of work its checkpoints report. */
function reported(kernel: ValuesKernel, args: number[]): { value: number | null; calls: number[] } {
  const calls: number[] = []
  const value = kernel.run(args, (work) => {
    calls.push(work)
    return true
  })
  return { value, calls }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

/** A kernel asked to stop at its first checkpoint returns null, and soon. */
function stopsAtOnce(
  kernel: ValuesKernel,
  args: number[]
): { value: number | null; ms: number; checks: number } {
  let checks = 0
  const t0 = performance.now()
  const value = kernel.run(args, () => {
    checks++
    return false
  })
  return { value, ms: performance.now() - t0, checks }
}

// ---- monte_carlo_pi: a statistical bound, not a copy of the generator ----

describe('monteCarloPi', () => {
  const N = 1_000_000
  const p = Math.PI / 4
  /** The estimate 4·X/N, X binomial(N, π/4): its standard deviation. */
  const sigma = 4 * Math.sqrt((p * (1 - p)) / N)

  it('estimates π within 5σ for every one of 20 seeds, and their mean within 5σ/√20', () => {
    const estimates = Array.from({ length: 20 }, (_, seed) => monteCarloPi.run([N, seed], always)!)
    for (const [seed, estimate] of estimates.entries()) {
      expect(Math.abs(estimate - Math.PI), `seed ${seed}: ${estimate}`).toBeLessThan(5 * sigma)
      // 4 × a whole count of points over N.
      expect(Number.isInteger(Math.round((estimate * N) / 4))).toBe(true)
      expect(Math.abs((estimate * N) / 4 - Math.round((estimate * N) / 4))).toBeLessThan(1e-6)
    }
    const mean = sum(estimates) / estimates.length
    expect(Math.abs(mean - Math.PI)).toBeLessThan((5 * sigma) / Math.sqrt(estimates.length))
    // The estimates do scatter, by about σ: a generator stuck on a few points would not.
    const spread = Math.sqrt(sum(estimates.map((e) => (e - mean) ** 2)) / (estimates.length - 1))
    expect(spread).toBeGreaterThan(sigma / 3)
    expect(spread).toBeLessThan(sigma * 3)
  })

  it('the same seed gives the same estimate; different seeds, different ones', () => {
    const a = monteCarloPi.run([100_000, 7], always)
    expect(monteCarloPi.run([100_000, 7], always)).toBe(a)
    const others = new Set([1, 2, 3, 8, 2 ** 32 - 1].map((seed) => monteCarloPi.run([100_000, seed], always)))
    expect(others.has(a)).toBe(false)
    expect(others.size).toBe(5)
  })

  it('one sample lands inside (4) or outside (0)', () => {
    for (let seed = 0; seed < 20; seed++) expect([0, 4]).toContain(monteCarloPi.run([1, seed], always))
  })

  it('reports every sample as work, in CHECK_EVERY steps and then the rest', () => {
    const samples = 3 * PI_CHECK_EVERY + 123
    const { value, calls } = reported(monteCarloPi, [samples, 1])
    expect(value).toBeGreaterThan(3)
    expect(calls).toEqual([PI_CHECK_EVERY, PI_CHECK_EVERY, PI_CHECK_EVERY, 123])
  })

  it('stops at a checkpoint that says so: null, after CHECK_EVERY samples', () => {
    const { value, checks, ms } = stopsAtOnce(monteCarloPi, [1e9, 1])
    expect(value).toBeNull()
    expect(checks).toBe(1)
    expect(ms).toBeLessThan(100)
    expect(monteCarloPi.run([10, 1], () => false)).toBeNull()
  })
})

// ---- mandelbrot_rows against an implementation written here with complex numbers ----

interface Complex {
  re: number
  im: number
}

/**
 * Escape count of c written apart from the kernel: z ← z² + c with complex helpers, counting steps
 * while |z|² ≤ 4, at most `limit`. The arithmetic is the one the kernel documents, in the same order,
 * so boundary pixels round alike.
 */
function escapeCount(c: Complex, limit: number): number {
  const square = (z: Complex): Complex => ({ re: z.re * z.re - z.im * z.im, im: 2 * z.re * z.im })
  const add = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im })
  let z: Complex = { re: 0, im: 0 }
  let steps = 0
  while (steps < limit && z.re * z.re + z.im * z.im <= 4) {
    z = add(square(z), c)
    steps++
  }
  return steps
}

/** Each row's total escape count (the row checksums) of a width × height picture of [-2,1] × [-1.5,1.5]. */
function rowChecksums(width: number, height: number, limit: number): number[] {
  const rows: number[] = []
  for (let row = 0; row < height; row++) {
    const im = -1.5 + (3 * (row + 0.5)) / height
    let total = 0
    for (let col = 0; col < width; col++)
      total += escapeCount({ re: -2 + (3 * (col + 0.5)) / width, im }, limit)
    rows.push(total)
  }
  return rows
}

describe('mandelbrotRows', () => {
  const W = 160
  const H = 120
  const LIMIT = 300
  const checksums = rowChecksums(W, H, LIMIT)

  it('the independent rows are themselves right: symmetric about the real axis, the set in the middle', () => {
    // Row r and row H − 1 − r are mirror images (up to the rounding of their y): nearly equal totals.
    for (let row = 0; row < H / 2; row++) {
      const a = checksums[row]
      const b = checksums[H - 1 - row]
      expect(Math.abs(a - b), `row ${row}`).toBeLessThanOrEqual(0.02 * Math.max(a, b) + LIMIT)
    }
    expect(checksums[H / 2]).toBeGreaterThan(20 * checksums[0])
    // The picture's middle pixel, c = -0.5 + 0.0125i, is in the set; c = 1 escapes after 3 steps.
    expect(escapeCount({ re: -0.5, im: 0 }, LIMIT)).toBe(LIMIT)
    expect(escapeCount({ re: 1, im: 0 }, LIMIT)).toBe(3)
  })

  it('every single-row task equals that row’s checksum', () => {
    for (let row = 0; row < H; row++) {
      expect(mandelbrotRows.run([row, row + 1, W, H, LIMIT], always), `row ${row}`).toBe(checksums[row])
    }
  })

  it('a band of rows is the sum of its rows; equal bands differ widely (imbalance by row)', () => {
    const bands = 8
    const totals: number[] = []
    for (let b = 0; b < bands; b++) {
      const lo = (b * H) / bands
      const hi = ((b + 1) * H) / bands
      const total = mandelbrotRows.run([lo, hi, W, H, LIMIT], always)!
      expect(total).toBe(sum(checksums.slice(lo, hi)))
      totals.push(total)
    }
    expect(mandelbrotRows.run([0, H, W, H, LIMIT], always)).toBe(sum(checksums))
    // The middle bands cross the set: many times the work of the top and bottom ones.
    expect(Math.min(totals[3], totals[4])).toBeGreaterThan(10 * Math.max(totals[0], totals[7]))
  })

  it('escapes only once |z| > 2: c = 1 after 3 steps (|z| reaches exactly 2 first), c = -2 never', () => {
    // z: 0, 1, 2, 5 for c = 1; 0, -2, 2, 2, … for c = -2. Both sit on |z|² = 4 exactly, which stays.
    expect(escapeIterations(1, 0, 100)).toBe(escapeCount({ re: 1, im: 0 }, 100))
    expect(escapeIterations(1, 0, 100)).toBe(3)
    expect(escapeIterations(-2, 0, 100)).toBe(100)
    expect(escapeIterations(-2, 0, 100)).toBe(escapeCount({ re: -2, im: 0 }, 100))
  })

  it('a one-pixel picture is its centre, -0.5 + 0i, in the set: max_iter', () => {
    expect(mandelbrotRows.run([0, 1, 1, 1, 57], always)).toBe(57)
    expect(mandelbrotRows.run([0, 0, 1, 1, 57], always)).toBe(0)
  })

  it('reports every pixel as work, a checkpoint per million iterations or so', () => {
    const { value, calls } = reported(mandelbrotRows, [0, 600, 800, 600, 1000])
    expect(sum(calls)).toBe(800 * 600)
    expect(calls.length).toBeGreaterThan(30) // 83 M iterations
    expect(value).toBeGreaterThan(8e7)
  })

  it('stops at a checkpoint that says so', () => {
    const { value, checks, ms } = stopsAtOnce(mandelbrotRows, [0, 2000, 2000, 2000, 100_000])
    expect(value).toBeNull()
    expect(checks).toBe(1)
    expect(ms).toBeLessThan(100)
    expect(mandelbrotRows.run([0, 1, 4, 4, 10], () => false)).toBeNull()
  })
})

// ---- fibonacci against an iterative loop ----

/** F(n) by the loop, and the calls the naive recursion makes, by counting them in a recursion here. */
function fibLoop(n: number): number {
  let [a, b] = [0, 1]
  for (let i = 0; i < n; i++) [a, b] = [b, a + b]
  return a
}

function countedCalls(n: number): number {
  let calls = 0
  const fib = (k: number): number => {
    calls++
    return k < 2 ? k : fib(k - 1) + fib(k - 2)
  }
  fib(n)
  return calls
}

describe('fibonacci', () => {
  it.each(Array.from({ length: 33 }, (_, n) => n))('fib(%i) is what the loop gives', (n) => {
    expect(fibonacci.run([n], always)).toBe(fibLoop(n))
  })

  it('the loop itself is right (so it can judge the kernel)', () => {
    expect([0, 1, 2, 3, 10, 46].map(fibLoop)).toEqual([0, 1, 1, 2, 55, 1_836_311_903])
    expect(Number.isSafeInteger(fibLoop(MAX_FIB_N))).toBe(true)
  })

  it('counts calls as the recursion makes them, and reports exactly those as work', () => {
    for (const n of [0, 1, 2, 10, 23, 24, 25]) expect(fibonacciCalls(n), `n = ${n}`).toBe(countedCalls(n))
    // 2·F(n+1) − 1, up to the cap.
    for (let n = 0; n <= MAX_FIB_N; n++) expect(fibonacciCalls(n)).toBe(2 * fibLoop(n + 1) - 1)
    for (const n of [0, 5, 23, 24, 29, 32]) {
      const { value, calls } = reported(fibonacci, [n])
      expect(value).toBe(fibLoop(n))
      expect(sum(calls), `n = ${n}`).toBe(fibonacciCalls(n))
      expect(calls.slice(0, -1).every((work) => work >= REPORT_EVERY_CALLS)).toBe(true)
    }
  })

  it('each n more costs about 1.6 times as many calls', () => {
    expect(fibonacciCalls(31) / fibonacciCalls(30)).toBeCloseTo((1 + Math.sqrt(5)) / 2, 3)
    expect(fibonacciCalls(30) / fibonacciCalls(20)).toBeGreaterThan(120)
  })

  it('a long task (fib(44), about 10 s) stops at its first checkpoint within milliseconds', () => {
    const { value, checks, ms } = stopsAtOnce(fibonacci, [44])
    expect(value).toBeNull()
    expect(checks).toBe(1)
    expect(ms).toBeLessThan(100)
    // The next task starts clean: the stop is not carried over.
    expect(fibonacci.run([25], always)).toBe(fibLoop(25))
    expect(fibonacci.run([3], () => false)).toBeNull()
  })
})

// ---- stream against plain loops ----

/** The stream's checksum by the plain loops of its definition, on arrays of its own. */
function streamChecksum(n: number, passes: number): number {
  const a = new Float64Array(n)
  const b = new Float64Array(n)
  const c = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    b[i] = 1 + (i % 256)
    c[i] = (i % 8) / 4
  }
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < n; i++) {
      if (pass % 2 === 0) a[i] = b[i] + 3 * c[i]
      else b[i] = a[i] + 3 * c[i]
    }
  }
  const last = passes % 2 === 1 ? a : b
  let total = 0
  for (let i = 0; i < n; i++) total += last[i]
  return total
}

describe('stream', () => {
  it('three arrays share the megabytes', () => {
    expect(streamLength(3)).toBe(131_072)
    expect(streamLength(64)).toBe(2_796_202)
  })

  it.each([
    [1, 1],
    [1, 2],
    [2, 3],
    [3, 10]
  ])('%i MB, %i passes: the checksum the plain loops give', (mb, passes) => {
    const n = streamLength(mb)
    const expected = streamChecksum(n, passes)
    expect(stream.run([mb, passes], always)).toBe(expected)
    // And the closed form: after p passes each value is 1 + (i mod 256) + 3p · (i mod 8)/4.
    let closed = 0
    for (let i = 0; i < n; i++) closed += 1 + (i % 256) + (3 * passes * (i % 8)) / 4
    expect(expected).toBe(closed)
  })

  it('a reused buffer gives the same answers whatever ran before, at any size', () => {
    const twoMb = stream.run([2, 3], always)
    expect(stream.run([1, 2], always)).toBe(streamChecksum(streamLength(1), 2))
    expect(stream.run([2, 3], always)).toBe(twoMb)
    expect(stream.run([2, 4], always)).toBe(streamChecksum(streamLength(2), 4))
  })

  it('reports every element written as work: the fill and each pass', () => {
    const { calls } = reported(stream, [2, 5])
    expect(sum(calls)).toBe(streamLength(2) * 6)
    expect(calls.slice(0, -1).every((work) => work === STREAM_CHECK_EVERY)).toBe(true)
  })

  it('stops at a checkpoint that says so, and the next task is still right', () => {
    const { value, checks, ms } = stopsAtOnce(stream, [64, 1000])
    expect(value).toBeNull()
    expect(checks).toBe(1)
    expect(ms).toBeLessThan(200)
    expect(stream.run([1, 1], always)).toBe(streamChecksum(streamLength(1), 1))
  })

  it('the worker’s warm-up call (no megabytes) does nothing', () => {
    expect(stream.run([0, 0], always)).toBe(0)
  })
})
