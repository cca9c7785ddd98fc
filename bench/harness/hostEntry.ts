// What the soak and stall benchmarks need: the EngineHost every front door uses, bundled by
// bench/lib.js buildHostBundle into out/<bench>/host.cjs, so commands go through the same
// validation and replies as the app's.
export { EngineHost } from '../../src/main/host/engineHost'
