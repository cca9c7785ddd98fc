// What the benchmarks need of the engine, bundled by bench/build.js into out/bench/engine.cjs.
// The bench drives the same Engine class the app's front doors use, never a copy of it.
export { Engine } from '../../src/main/engine/engine'
