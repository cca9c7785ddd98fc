#!/usr/bin/env node
// The `poolscope` command. An installed package ships prebuilt bundles (out/node/*.cjs and the UI in
// out/renderer, built by `prepack`) and runs them as they are: esbuild and Vite are devDependencies
// and are not there. In a source checkout it first rebuilds whatever is older than its sources.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)

/** True in a clone of the repository, where the sources and the build scripts are. */
function isSourceCheckout() {
  return existsSync(join(root, 'src')) && existsSync(join(root, 'scripts', 'build-node.js'))
}

/** Rebuilds the CLI bundles, and for `web` the UI it serves, when they are older than the sources. */
async function rebuildIfStale() {
  if (argv[0] === 'web' && !argv.includes('--help')) {
    const { buildRendererIfStale } = await import('../scripts/build-renderer.js')
    await buildRendererIfStale()
  }
  const { buildNode } = await import('../scripts/build-node.js')
  await buildNode({ ifStale: true })
}

if (isSourceCheckout()) await rebuildIfStale()
const require = createRequire(import.meta.url)
const { main } = require(join(root, 'out', 'node', 'cli.cjs'))
process.exitCode = await main(argv)
