import type { SweepOptions } from '../../shared/experiments/sweepOptions'

/**
 * A point's spec on a back end: the spec's Redis goes with the cluster back end only, so one sweep
 * can compare threads with cluster (a cluster point without the spec's redis is refused by the plan).
 */
export function specOn<T extends { backend?: string; redis?: string }>(
  spec: T,
  backend: SweepOptions['backends'][number]
): T & { backend: SweepOptions['backends'][number] } {
  const { redis, ...rest } = spec
  return (
    backend === 'cluster' && redis !== undefined ? { ...rest, backend, redis } : { ...rest, backend }
  ) as T & {
    backend: SweepOptions['backends'][number]
  }
}
