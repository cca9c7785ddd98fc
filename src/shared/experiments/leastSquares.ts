/**
 * Bounded nonlinear least squares for the scaling models: Levenberg–Marquardt with simple box
 * constraints. The models have one or two parameters and the data a handful of points, so the
 * normal equations are tiny and solved directly; what matters is robustness, not speed: several
 * starts, a damping that always makes progress, and parameters that never leave their bounds.
 */

export interface CurveModel {
  /** Parameter names, in order. */
  names: readonly string[]
  lower: readonly number[]
  upper: readonly number[]
  value(x: number, params: readonly number[]): number
  /** ∂value/∂param for each parameter. */
  gradient(x: number, params: readonly number[]): number[]
}

export interface LeastSquaresResult {
  params: number[]
  /** Sum of squared residuals at `params`. */
  sse: number
  iterations: number
  /** The model's gradient at each point (rows: points, columns: parameters). */
  jacobian: number[][]
}

const MAX_ITERATIONS = 500
/**
 * Damping this large means every step toward lower residuals has been shrunk to nothing and
 * still failed: the point is a minimum to working precision.
 */
const MAX_DAMPING = 1e10

export function sumOfSquares(
  model: CurveModel,
  xs: readonly number[],
  ys: readonly number[],
  p: readonly number[]
) {
  let sse = 0
  for (let i = 0; i < xs.length; i++) sse += (ys[i] - model.value(xs[i], p)) ** 2
  return sse
}

function clamp(model: CurveModel, p: readonly number[]): number[] {
  return p.map((v, i) => Math.min(model.upper[i], Math.max(model.lower[i], v)))
}

/**
 * Solves the small symmetric system A x = b by Gaussian elimination with partial pivoting; null
 * when A is singular to working precision.
 */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length
  const m = a.map((row, i) => [...row, b[i]])
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r
    const scale = Math.max(...m.map((row) => Math.abs(row[col])), 1e-300)
    if (Math.abs(m[pivot][col]) <= 1e-14 * scale) return null
    ;[m[col], m[pivot]] = [m[pivot], m[col]]
    for (let r = 0; r < n; r++) {
      if (r === col) continue
      const factor = m[r][col] / m[col][col]
      for (let c = col; c <= n; c++) m[r][c] -= factor * m[col][c]
    }
  }
  return m.map((row, i) => row[n] / row[i])
}

/** The inverse of a small symmetric matrix, or null when it is singular. */
export function invert(a: readonly (readonly number[])[]): number[][] | null {
  const n = a.length
  const columns: number[][] = []
  for (let j = 0; j < n; j++) {
    const column = solveLinear(
      a,
      a.map((_, i) => (i === j ? 1 : 0))
    )
    if (column === null) return null
    columns.push(column)
  }
  return a.map((_, i) => columns.map((column) => column[i]))
}

/** One Levenberg–Marquardt descent from `start`. */
function descend(
  model: CurveModel,
  xs: readonly number[],
  ys: readonly number[],
  start: readonly number[]
): { params: number[]; sse: number; iterations: number } {
  const k = model.names.length
  let p = clamp(model, start)
  let sse = sumOfSquares(model, xs, ys, p)
  let lambda = 1e-3
  let iterations = 0
  while (iterations < MAX_ITERATIONS && lambda < MAX_DAMPING) {
    iterations++
    // Normal equations JᵀJ δ = Jᵀr, r = y − model.
    const jtj = Array.from({ length: k }, () => new Array<number>(k).fill(0))
    const jtr = new Array<number>(k).fill(0)
    for (let i = 0; i < xs.length; i++) {
      const g = model.gradient(xs[i], p)
      const r = ys[i] - model.value(xs[i], p)
      for (let a = 0; a < k; a++) {
        jtr[a] += g[a] * r
        for (let b = 0; b < k; b++) jtj[a][b] += g[a] * g[b]
      }
    }
    // A parameter sitting on a bound that the descent direction pushes outward stays put this
    // step: solving for it anyway would waste the step on a move the clamp undoes.
    const free = p
      .map((v, i) => i)
      .filter((i) => !((p[i] <= model.lower[i] && jtr[i] < 0) || (p[i] >= model.upper[i] && jtr[i] > 0)))
    if (free.length === 0) break
    const system = free.map((a) =>
      free.map((b) => jtj[a][b] + (a === b ? lambda * Math.max(jtj[a][a], 1e-12) : 0))
    )
    const step = solveLinear(
      system,
      free.map((a) => jtr[a])
    )
    if (step === null) {
      lambda *= 10
      continue
    }
    const candidate = [...p]
    free.forEach((a, i) => (candidate[a] += step[i]))
    const next = clamp(model, candidate)
    const nextSse = sumOfSquares(model, xs, ys, next)
    if (nextSse < sse) {
      const moved = next.some((v, i) => Math.abs(v - p[i]) > 1e-15 * Math.max(1, Math.abs(p[i])))
      const gain = sse - nextSse
      p = next
      sse = nextSse
      lambda = Math.max(lambda / 3, 1e-12)
      // Converged: the sum of squares no longer moves in its 12th digit (or is zero to rounding: exact data).
      if (!moved || gain <= 1e-12 * sse || sse <= 1e-30 * xs.length) break
    } else {
      lambda *= 4
    }
  }
  return { params: p, sse, iterations }
}

/**
 * Least-squares parameters of `model` for the points (xs, ys), the best of a descent from each start.
 * Starts come from the caller: a linearised estimate (close to the answer) plus a few spread-out
 * values (so an odd data set cannot trap a single descent in a poor local minimum).
 */
export function fitLeastSquares(
  model: CurveModel,
  xs: readonly number[],
  ys: readonly number[],
  starts: readonly (readonly number[])[]
): LeastSquaresResult {
  if (xs.length !== ys.length) throw new RangeError('fitLeastSquares: xs and ys differ in length')
  if (starts.length === 0) throw new RangeError('fitLeastSquares: need at least one start')
  let best: { params: number[]; sse: number; iterations: number } | null = null
  let iterations = 0
  for (const start of starts) {
    const result = descend(model, xs, ys, start)
    iterations += result.iterations
    if (best === null || result.sse < best.sse) best = result
  }
  const params = best!.params
  return {
    params,
    sse: best!.sse,
    iterations,
    jacobian: xs.map((x) => model.gradient(x, params))
  }
}
