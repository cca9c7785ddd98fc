import { join, resolve } from 'node:path'

/** Project root and the bundles built by test/globalSetup.ts. */
export const projectRoot = resolve(import.meta.dirname, '..')
export const nodeOutDir = join(projectRoot, 'out', 'node')
export const workerFile = join(nodeOutDir, 'worker.cjs')
export const fixturesDir = join(projectRoot, 'test', 'fixtures')
/** The standard worker plus injected faults (see test/fixtures/faultyWorker.ts). */
export const faultyWorkerFile = join(projectRoot, 'out', 'test', 'faultyWorker.cjs')
