#!/usr/bin/env node
// The `poolscope` command: (re)bundles the Node entries (and, for `web`, the UI) when their sources
// changed, then runs the CLI.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { buildNode } from '../scripts/build-node.js'

const argv = process.argv.slice(2)
if (argv[0] === 'web' && !argv.includes('--help')) {
  // The web host serves the built UI: build it first when it is missing or older than its sources.
  const { buildRendererIfStale } = await import('../scripts/build-renderer.js')
  await buildRendererIfStale()
}
const outDir = await buildNode({ ifStale: true })
const require = createRequire(import.meta.url)
const { main } = require(join(outDir, 'cli.cjs'))
process.exitCode = await main(argv)
