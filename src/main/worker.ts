// The Piscina worker entry. Bundled as CommonJS with a default export: Piscina's ESM fallback
// fails inside app.asar. It imports only the engine's worker side, never electron.
import { createWorkerHandler, standardKernels } from './engine/chunkWorker'

export default createWorkerHandler(standardKernels)
