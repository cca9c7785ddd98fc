import { quantileSorted } from './distributions'
import { randomIndex, seededRandom } from './random'

/**
 * The statistics of one sweep point: the repeated wall times of the same job at the same thread
 * count. Timings on a shared machine are skewed and carry occasional outliers (another process woke
 * up), so the centre is the median and the spread the MAD; the mean, standard deviation and CV are
 * kept for hyperfine-compatible output and the high-variation warning.
 */

/** Resamples for the bootstrap CI: the Monte Carlo error of a 2.5% / 97.5% percentile is then about
 * ±0.35 percentage points of coverage, and 2,000 medians of 30 samples cost about a millisecond. */
export const DEFAULT_RESAMPLES = 2000
/** A fixed default seed: the same samples always give the same interval. */
export const DEFAULT_BOOTSTRAP_SEED = 0x5eed
/** Iglewicz & Hoaglin's cut-off for the modified z-score. */
export const OUTLIER_Z = 3.5
/** The CV above which a point is flagged as too noisy to trust. */
export const HIGH_CV = 0.1
/** Runs shorter than this are dominated by timer resolution and scheduling noise. */
export const DEFAULT_MIN_RUN_MS = 100

export interface ConfidenceInterval {
  low: number
  high: number
  /** 0.95 for a 95% interval. */
  level: number
}

export interface BootstrapInterval extends ConfidenceInterval {
  resamples: number
  seed: number
}

export interface Outlier {
  /** Position in the samples as given (run order). */
  index: number
  value: number
  /** The modified z-score: 0.6745 · (value − median) / MAD, see `modifiedZScores`. */
  z: number
}

export interface SampleSummary {
  /** Every sample, in the order given (run order). */
  samples: number[]
  count: number
  median: number
  /** Median absolute deviation from the median, unscaled (multiply by 1.4826 for a normal σ). */
  mad: number
  min: number
  max: number
  mean: number
  /** Sample standard deviation (n − 1); 0 for a single sample. */
  stddev: number
  /** Coefficient of variation, stddev / mean; 0 for a single sample. */
  cv: number
  /** 95% percentile-bootstrap interval of the median; null with fewer than 2 samples. */
  medianCi: BootstrapInterval | null
  outliers: Outlier[]
  /** CV above 10%: the point is noisy. */
  highVariation: boolean
  /** The median run is shorter than the minimum meaningful run time (default 100 ms). */
  tooShort: boolean
}

export interface SummaryOptions {
  resamples?: number
  seed?: number
  /** Confidence level of the median's interval; default 0.95. */
  level?: number
  minRunMs?: number
}

/** Throws a clear error unless `samples` is a non-empty list of finite, positive times. */
export function checkSamples(samples: readonly number[], what = 'samples'): void {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new RangeError(`${what}: need at least one sample, got none`)
  }
  samples.forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${what}: sample ${i} is ${String(value)}; every time must be a finite number > 0`)
    }
  })
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort()
}

/** The median of sorted values: the middle one, or the mean of the two middle ones. */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length
  if (n === 0) throw new RangeError('median of no values')
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function median(values: readonly number[]): number {
  return medianSorted(sortedCopy(values))
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values)
  return median(values.map((v) => Math.abs(v - m)))
}

/**
 * Modified z-scores (Iglewicz & Hoaglin): 0.6745 · (x − median) / MAD, where 0.6745 makes the MAD
 * of normal data equal σ, so the score reads like an ordinary z-score but one outlier cannot
 * inflate the scale it is measured against.
 *
 * MAD = 0 happens when more than half the samples are identical (coarse timers). Then the scale
 * falls back to the mean absolute deviation from the median, times 1.2533 (= sqrt(π/2), which makes
 * it equal σ for normal data): z = (x − median) / (1.2533 · meanAD). If that is 0 too, every sample
 * equals the median and every score is 0. Never dividing by zero means a lone different sample
 * among identical ones gets a finite, large score rather than Infinity.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  if (values.length === 0) return []
  const m = median(values)
  const madValue = median(values.map((v) => Math.abs(v - m)))
  if (madValue > 0) return values.map((v) => (0.6745 * (v - m)) / madValue)
  const meanAd = values.reduce((sum, v) => sum + Math.abs(v - m), 0) / values.length
  if (meanAd === 0) return values.map(() => 0)
  return values.map((v) => (v - m) / (1.2533 * meanAd))
}

/** Samples whose modified z-score exceeds 3.5 in either direction. */
export function findOutliers(values: readonly number[]): Outlier[] {
  return modifiedZScores(values).flatMap((z, index) =>
    Math.abs(z) > OUTLIER_Z ? [{ index, value: values[index], z }] : []
  )
}

/**
 * Percentile-bootstrap interval of the median: resample the n samples with replacement, take each
 * resample's median, and report the (1 − level)/2 and (1 + level)/2 quantiles of those medians.
 * Chosen over a normal-theory interval because timing samples are skewed and the median has no
 * simple standard error; chosen over BCa because with 5–30 samples its acceleration estimate is
 * itself noisy. For n = 5 the interval is close to [min, max] (the resampled median rarely leaves
 * the middle three values): honest about how little five runs pin down.
 *
 * Each resample is drawn as counts per sorted position, and its median read off the running
 * count, so one resample costs O(n) with no sort.
 */
export function bootstrapMedianCi(
  samples: readonly number[],
  options: { resamples?: number; seed?: number; level?: number } = {}
): BootstrapInterval {
  checkSamples(samples)
  const resamples = options.resamples ?? DEFAULT_RESAMPLES
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED
  const level = options.level ?? 0.95
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new RangeError(`resamples must be a whole number ≥ 100, got ${resamples}`)
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be within (0, 1), got ${level}`)
  const sorted = sortedCopy(samples)
  const n = sorted.length
  const random = seededRandom(seed)
  const counts = new Int32Array(n)
  const medians = new Float64Array(resamples)
  // 0-based ranks of the middle element(s) of a resample of size n.
  const rankLow = (n - 1) >> 1
  const rankHigh = n >> 1
  for (let r = 0; r < resamples; r++) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[randomIndex(random, n)]++
    let seen = 0
    let low = NaN
    let high = NaN
    for (let i = 0; i < n; i++) {
      seen += counts[i]
      if (Number.isNaN(low) && seen > rankLow) low = sorted[i]
      if (seen > rankHigh) {
        high = sorted[i]
        break
      }
    }
    medians[r] = (low + high) / 2
  }
  medians.sort()
  const tail = (1 - level) / 2
  return {
    low: quantileSorted(medians, tail),
    high: quantileSorted(medians, 1 - tail),
    level,
    resamples,
    seed
  }
}

/** Everything the sweep keeps about one point. */
export function summarizeSamples(samples: readonly number[], options: SummaryOptions = {}): SampleSummary {
  checkSamples(samples)
  const sorted = sortedCopy(samples)
  const count = sorted.length
  const med = medianSorted(sorted)
  const mean = samples.reduce((sum, v) => sum + v, 0) / count
  const variance = count > 1 ? samples.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (count - 1) : 0
  const stddev = Math.sqrt(variance)
  const cv = stddev / mean
  return {
    samples: [...samples],
    count,
    median: med,
    mad: mad(samples),
    min: sorted[0],
    max: sorted[count - 1],
    mean,
    stddev,
    cv,
    medianCi:
      count >= 2
        ? bootstrapMedianCi(samples, {
            resamples: options.resamples,
            seed: options.seed,
            level: options.level
          })
        : null,
    outliers: findOutliers(samples),
    highVariation: cv > HIGH_CV,
    tooShort: med < (options.minRunMs ?? DEFAULT_MIN_RUN_MS)
  }
}

export interface StoppingRule {
  /** At least this many samples, whatever the limits say (default 5). */
  minSamples?: number
  /** Stop once this many samples are in, precise or not (default 30). */
  maxSamples?: number
  /** Stop once this much time has been spent on the point (or the sweep: the caller decides). */
  maxElapsedMs?: number
  /** The CI must lie within ± this fraction of the median (default 0.05). */
  relativePrecision?: number
}

export type StoppingReason = 'precise' | 'sample-limit' | 'time-limit'
export type ContinuingReason = 'below-minimum' | 'imprecise'

export type StoppingDecision =
  | { stop: true; reason: StoppingReason; relativeHalfWidth: number | null; summary: SampleSummary }
  | { stop: false; reason: ContinuingReason; relativeHalfWidth: number | null; summary: SampleSummary | null }

/**
 * Whether a point has enough samples (adaptive stopping). The minimum is a floor that no limit
 * overrides: the user asked for at least R runs. Past it, stop when the median's 95% interval lies
 * within ±5% of the median on both sides (the farther end decides, as the bootstrap interval is
 * not symmetric), or when the sample or time limit is reached. Precision is checked before the
 * limits, so a point that became precise on its last allowed sample says 'precise'.
 */
export function shouldStopSampling(
  samples: readonly number[],
  elapsedMs: number,
  rule: StoppingRule = {},
  options: SummaryOptions = {}
): StoppingDecision {
  const minSamples = rule.minSamples ?? 5
  const maxSamples = rule.maxSamples ?? Math.max(30, minSamples)
  const maxElapsedMs = rule.maxElapsedMs ?? Infinity
  const precision = rule.relativePrecision ?? 0.05
  if (!Number.isInteger(minSamples) || minSamples < 1) {
    throw new RangeError(`minSamples must be a whole number ≥ 1, got ${minSamples}`)
  }
  if (!Number.isInteger(maxSamples) || maxSamples < minSamples) {
    throw new RangeError(`maxSamples must be a whole number ≥ minSamples (${minSamples}), got ${maxSamples}`)
  }
  if (!(maxElapsedMs > 0)) throw new RangeError(`maxElapsedMs must be > 0, got ${maxElapsedMs}`)
  if (!(precision > 0 && precision < 1)) {
    throw new RangeError(`relativePrecision must be within (0, 1), got ${precision}`)
  }
  if (!(elapsedMs >= 0)) throw new RangeError(`elapsedMs must be ≥ 0, got ${elapsedMs}`)
  if (samples.length === 0)
    return { stop: false, reason: 'below-minimum', relativeHalfWidth: null, summary: null }
  const summary = summarizeSamples(samples, options)
  const ci = summary.medianCi
  const relativeHalfWidth =
    ci === null ? null : Math.max(summary.median - ci.low, ci.high - summary.median) / summary.median
  if (samples.length < minSamples) return { stop: false, reason: 'below-minimum', relativeHalfWidth, summary }
  if (relativeHalfWidth !== null && relativeHalfWidth <= precision) {
    return { stop: true, reason: 'precise', relativeHalfWidth, summary }
  }
  if (samples.length >= maxSamples) return { stop: true, reason: 'sample-limit', relativeHalfWidth, summary }
  if (elapsedMs >= maxElapsedMs) return { stop: true, reason: 'time-limit', relativeHalfWidth, summary }
  return { stop: false, reason: 'imprecise', relativeHalfWidth, summary }
}
