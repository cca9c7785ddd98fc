import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/** Suffix of a write in progress: `<name>.<random>.partial`. Never listed as a record. */
export const PARTIAL_SUFFIX = '.partial'

/**
 * Writes `file` so that a reader (or the next start after a crash) sees either its old content or
 * its whole new content, never a mixture: the text goes to a temporary file beside it, which is
 * flushed to disk (fsync) and then renamed over `file` — a rename within one folder is atomic on
 * every file system PoolScope supports. The folder is flushed too where the OS allows, so the
 * rename itself survives a power cut. Two writers of the same file each write their own temporary
 * file; the last rename wins whole.
 */
export async function writeFileAtomic(
  file: string,
  chunks: Iterable<string> | AsyncIterable<string>
): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`
  const handle = await open(temporary, 'wx', 0o600)
  try {
    for await (const chunk of chunks) await handle.write(chunk)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(temporary, { force: true })
    throw err
  }
  await handle.close()
  try {
    await rename(temporary, file)
  } catch (err) {
    await rm(temporary, { force: true })
    throw err
  }
  await syncFolder(path.dirname(file))
}

/** Flushes a folder's entries to disk; a no-op where folders cannot be opened (Windows). */
async function syncFolder(folder: string): Promise<void> {
  let handle
  try {
    handle = await open(folder, 'r')
    await handle.sync()
  } catch {
    // Windows refuses to open or sync a folder; its renames are journalled by NTFS.
  } finally {
    await handle?.close()
  }
}
