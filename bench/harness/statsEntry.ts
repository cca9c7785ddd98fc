// What the statistics bench needs, bundled by bench/job-stats.js into out/bench-stats/: the Engine
// and the functions behind `job.stats`.
export { Engine } from '../../src/main/engine/engine'
export { jobStats, statsInputOf, statsOfJob } from '../../src/main/engine/jobStats'
