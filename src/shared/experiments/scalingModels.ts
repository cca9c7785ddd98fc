import type { CurveModel } from './leastSquares'

/**
 * The three scaling laws as curves of speedup against threads, and how a fit of each starts. Each
 * law is fitted to log throughput (see `throughputModel`), never to speedup directly.
 */

export type ModelName = 'amdahl' | 'gustafson' | 'usl'

/** Amdahl: S = 1 / (f + (1 − f)/N), serial fraction f in [0, 1]. */
export const amdahlModel: CurveModel = {
  names: ['serialFraction'],
  lower: [0],
  upper: [1],
  value: (n, [f]) => 1 / (f + (1 - f) / n),
  gradient: (n, [f]) => {
    const d = f + (1 - f) / n
    return [-(1 - 1 / n) / (d * d)]
  }
}

/** Gustafson: S = N − f (N − 1), serial fraction f of the parallel run's time, in [0, 1]. */
export const gustafsonModel: CurveModel = {
  names: ['serialFraction'],
  lower: [0],
  upper: [1],
  value: (n, [f]) => n - f * (n - 1),
  gradient: (n) => [-(n - 1)]
}

/**
 * Gunther's Universal Scalability Law: S = N / (1 + σ(N − 1) + κN(N − 1)), contention σ in [0, 1]
 * and coherency κ ≥ 0. With κ = 0 it is Amdahl's law with f = σ.
 */
export const uslModel: CurveModel = {
  names: ['contention', 'coherency'],
  lower: [0, 0],
  upper: [1, Infinity],
  value: (n, [s, k]) => n / (1 + s * (n - 1) + k * n * (n - 1)),
  gradient: (n, [s, k]) => {
    const d = 1 + s * (n - 1) + k * n * (n - 1)
    const dd = d * d
    return [(-n * (n - 1)) / dd, (-n * n * (n - 1)) / dd]
  }
}

export const MODELS: Record<ModelName, CurveModel> = {
  amdahl: amdahlModel,
  gustafson: gustafsonModel,
  usl: uslModel
}
export const LABELS: Record<ModelName, string> = { amdahl: 'Amdahl', gustafson: 'Gustafson', usl: 'USL' }

/** Linearised first guesses and a few spread-out starts for each model. */
export function lawStarts(model: ModelName, ns: readonly number[], ss: readonly number[]): number[][] {
  const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5)
  if (model === 'amdahl') {
    // 1/S − 1/N = f (1 − 1/N): a line through the origin.
    let sxy = 0
    let sxx = 0
    ns.forEach((n, i) => {
      const x = 1 - 1 / n
      sxy += x * (1 / ss[i] - 1 / n)
      sxx += x * x
    })
    return [[clamp01(sxy / sxx)], [0], [0.05], [0.3], [0.8]]
  }
  if (model === 'gustafson') {
    // N − S = f (N − 1): again a line through the origin; least squares gives f directly.
    let sxy = 0
    let sxx = 0
    ns.forEach((n, i) => {
      sxy += (n - 1) * (n - ss[i])
      sxx += (n - 1) ** 2
    })
    return [[clamp01(sxy / sxx)], [0.5]]
  }
  // USL: N/S − 1 = σ (N − 1) + κ N (N − 1), linear in σ and κ (Gunther's own transform).
  const rows = ns.map((n) => [n - 1, n * (n - 1)])
  const z = ns.map((n, i) => n / ss[i] - 1)
  const starts: number[][] = [
    [0, 0],
    [0.1, 1e-4],
    [0.5, 1e-2],
    [0.02, 0.05]
  ]
  const a11 = rows.reduce((s, r) => s + r[0] * r[0], 0)
  const a12 = rows.reduce((s, r) => s + r[0] * r[1], 0)
  const a22 = rows.reduce((s, r) => s + r[1] * r[1], 0)
  const b1 = rows.reduce((s, r, i) => s + r[0] * z[i], 0)
  const b2 = rows.reduce((s, r, i) => s + r[1] * z[i], 0)
  const det = a11 * a22 - a12 * a12
  if (Math.abs(det) > 1e-12 * a11 * a22) {
    starts.unshift([clamp01((b1 * a22 - b2 * a12) / det), Math.max(0, (a11 * b2 - a12 * b1) / det)])
  }
  starts.push([clamp01(b1 / a11), 0], [0, Math.max(0, b2 / a22)])
  return starts
}

/**
 * A law turned into a model of log throughput: log(work / time) at N threads is
 * c + log S(N), with c = log of the 1-thread throughput a free parameter. Timing noise is
 * multiplicative (a run is a few percent slower, not a few milliseconds), so equal weights in log
 * space are the right ones; and treating the 1-thread throughput as unknown lets its noise show
 * in the intervals instead of silently shifting every speedup.
 */
export function throughputModel(law: CurveModel): CurveModel {
  return {
    names: ['logBaselineThroughput', ...law.names],
    lower: [-Infinity, ...law.lower],
    upper: [Infinity, ...law.upper],
    value: (n, [c, ...theta]) => c + Math.log(law.value(n, theta)),
    gradient: (n, [, ...theta]) => {
      const s = law.value(n, theta)
      return [1, ...law.gradient(n, theta).map((g) => g / s)]
    }
  }
}
