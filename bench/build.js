// Bundles the engine and its Piscina worker for the benchmarks into out/bench/ with esbuild,
// straight from src/ (no TypeScript loader, no Electron), the way scripts/build-node.js does for
// the CLI. Own output directory, so a bench never races a concurrent `npm run cli` build, and it
// bundles only the engine, so work in progress elsewhere (web host, shell) cannot break it.
import { build } from 'esbuild'
import { join, resolve } from 'node:path'
import { nodeBundleOptions } from '../scripts/build-node.js'

export const benchRoot = resolve(import.meta.dirname)
const root = resolve(benchRoot, '..')
export const buildDir = join(root, 'out', 'bench')

/** Builds out/bench/{engine,worker}.cjs; returns their paths and the repository files bundled. */
export async function buildBench() {
  const result = await build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: {
      engine: join(benchRoot, 'harness', 'engineEntry.ts'),
      worker: join(root, 'src', 'main', 'worker.ts')
    },
    outdir: buildDir,
    ...nodeBundleOptions
  })
  const sources = Object.keys(result.metafile.inputs).filter((file) => file.startsWith('src/'))
  return { engineFile: join(buildDir, 'engine.cjs'), workerFile: join(buildDir, 'worker.cjs'), sources }
}
