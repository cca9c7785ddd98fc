// What bench/cluster.js needs of the engine, bundled into out/bench-cluster/engine.cjs: the Engine
// the front doors use, and the reading of a job's per-chunk dispatch cost from its chunk log.
export { Engine } from '../../src/main/engine/engine'
export { dispatchTimes } from '../../src/main/engine/chunkDispatch'
export { CLUSTER_DISPATCH_MS } from '../../src/shared/dispatchCost'
