// `npm run web`: builds the renderer when it is missing or stale, then serves it with the web host.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { buildNode } from './build-node.js'
import { buildRendererIfStale } from './build-renderer.js'

await buildRendererIfStale()
const outDir = await buildNode({ ifStale: true })
const require = createRequire(import.meta.url)
const { main } = require(join(outDir, 'web.cjs'))
process.exitCode = await main(process.argv.slice(2))
