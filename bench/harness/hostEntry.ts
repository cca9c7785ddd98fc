// What the soak needs: the EngineHost every front door uses, bundled by bench/soak.js into
// out/soak/host.cjs, so cancels and starts go through the same validation and replies as the app's.
export { EngineHost } from '../../src/main/host/engineHost'
