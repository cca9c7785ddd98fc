// Bundles the Node-side entries (CLI, web host, Piscina worker, the processes back end's child) into
// out/node/*.cjs with esbuild. Used by the CLI launcher, `npm run web`, the tests' global setup and
// the benchmarks, so none of them needs Electron or a TypeScript loader. Takes about 100 ms.
import { build } from 'esbuild'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')
export const nodeOutDir = join(root, 'out', 'node')

const entries = {
  cli: 'src/main/cli/main.ts',
  web: 'src/main/web/main.ts',
  worker: 'src/main/worker.ts',
  // The processes back end's child entry; it finds it beside worker.cjs.
  processChild: 'src/main/engine/backends/processes/child.ts'
}

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** True when every bundle exists and is newer than every source file under src/. */
export function nodeBundlesFresh() {
  const outputs = Object.keys(entries).map((name) => join(nodeOutDir, `${name}.cjs`))
  if (!outputs.every((file) => existsSync(file))) return false
  const oldestOutput = Math.min(...outputs.map((file) => statSync(file).mtimeMs))
  return oldestOutput >= newestMtime(join(root, 'src'))
}

/**
 * esbuild options shared by every Node-side bundle (CLI, web host, worker, the test fixture worker,
 * the benchmark harness): CommonJS `.cjs` files for Node 20, dependencies left external so Piscina
 * finds its own worker script in node_modules.
 */
export const nodeBundleOptions = {
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning'
}

/** Builds the bundles (always, or only when sources changed with `{ ifStale: true }`). */
export async function buildNode({ ifStale = false } = {}) {
  if (ifStale && (!existsSync(join(root, 'src')) || nodeBundlesFresh())) return nodeOutDir
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(root, file)])),
    outdir: nodeOutDir,
    ...nodeBundleOptions
  })
  return nodeOutDir
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildNode()
}
