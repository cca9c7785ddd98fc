// Worker threads cannot load TypeScript and Vitest's transform does not reach them, so the Node
// entries (worker included) and the fault-injecting test worker are bundled with esbuild first.
import { build } from 'esbuild'
import { join } from 'node:path'
import { buildNode, nodeBundleOptions } from '../scripts/build-node.js'
import { faultyWorkerFile, fixturesDir } from './paths'

export default async function setup(): Promise<void> {
  await buildNode()
  await build({
    entryPoints: [join(fixturesDir, 'faultyWorker.ts')],
    outfile: faultyWorkerFile,
    ...nodeBundleOptions
  })
}
