// What bench/fidelity.js needs of the engine: the Engine the front doors use and the skew bounds
// the tests use, bundled into out/bench-fidelity/fidelity.cjs.
export { Engine } from '../../src/main/engine/engine'
export { laneClockBounds, leastSkewMs } from '../../src/main/engine/clockBounds'
