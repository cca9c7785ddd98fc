// What the experiment-statistics bench needs, bundled by bench/experiment-stats.js into
// out/bench-experiment-stats/: the per-point summary (bootstrap) and the scaling fits.
export { bootstrapMedianCi, summarizeSamples } from '../../src/shared/experiments/samples'
export { analyzeScaling } from '../../src/shared/experiments/fits'
