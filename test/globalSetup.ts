// Worker threads cannot load TypeScript and Vitest's transform does not reach them, so the Node
// entries (worker included) are bundled once with esbuild before any test runs.
import { buildNode } from '../scripts/build-node.js'

export default async function setup(): Promise<void> {
  await buildNode()
}
