// What the per-core bench needs, bundled by bench/core-occupancy.js into out/bench-cores/: the
// Engine, the function behind `job.cpu`'s occupancy, and the wire encoding its reply travels in.
export { Engine } from '../../src/main/engine/engine'
export { coreOccupancy } from '../../src/main/engine/coreOccupancy'
export { encodeServerFrame } from '../../src/shared/wire/frames'
