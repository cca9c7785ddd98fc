#!/usr/bin/env node
// The `poolscope` command: (re)bundles the Node entries when sources changed, then runs the CLI.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { buildNode } from '../scripts/build-node.js'

const outDir = await buildNode({ ifStale: true })
const require = createRequire(import.meta.url)
const { main } = require(join(outDir, 'cli.cjs'))
process.exitCode = await main(process.argv.slice(2))
