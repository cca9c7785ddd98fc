import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { UsageError, quote } from './args'
import { fileProblem } from './io'

/** An `--output` (or `--trace`, `--timings`) file opened (and truncated) before the job starts, so a bad path is refused before any work. */
export interface JsonFile {
  path: string
  handle: FileHandle
}

export async function openJsonFile(
  path: string,
  flag: '--output' | '--trace' | '--timings' = '--output'
): Promise<JsonFile> {
  try {
    return { path, handle: await open(path, 'w') }
  } catch (err) {
    const reason = fileProblem(err, 'its folder does not exist')
    throw new UsageError(flag, `cannot write ${quote(path)}: ${reason}`)
  }
}

/**
 * Reads the host's stream of `json.dumps(results, separators=(',', ':'))` once, writing it to the
 * output file and hashing it (SHA-256, hex: the digest Python's list has) as asked. Returns the
 * bytes written, or null without a file, and the digest, or null when not asked for.
 */
export async function drainResultsJson(
  slices: AsyncIterable<Uint8Array>,
  targets: { file: JsonFile | null; digest: boolean }
): Promise<{ bytes: number | null; digest: string | null }> {
  const hash = targets.digest ? createHash('sha256') : null
  let bytes = 0
  for await (const slice of slices) {
    hash?.update(slice)
    if (targets.file) await targets.file.handle.write(slice)
    bytes += slice.length
  }
  return { bytes: targets.file ? bytes : null, digest: hash ? hash.digest('hex') : null }
}
