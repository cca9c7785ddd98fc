import { createHash } from 'node:crypto'
import type { ResultsStore } from './resultsStore'

/**
 * SHA-256 (hex) of the result list in task order as Python's
 * `json.dumps(results, separators=(',', ':'))` writes it, hashed piece by piece so millions of
 * tuples never become one string.
 */
export function resultsDigest(results: ResultsStore): string {
  const hash = createHash('sha256')
  for (const chunk of results.jsonChunks()) hash.update(chunk)
  return hash.digest('hex')
}
