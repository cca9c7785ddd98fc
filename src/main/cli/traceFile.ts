import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { JsonFile } from './resultsJson'

/**
 * Writes text slices (a trace, timings) to an opened `--trace` or `--timings` file, through gzip
 * when its name ends in `.gz` (Perfetto opens `.json.gz` as it is). Each write is awaited, so the pipeline's
 * back-pressure keeps only a few slices in memory. Returns the bytes the file holds.
 */
export async function writeTraceFile(slices: AsyncIterable<string>, file: JsonFile): Promise<number> {
  let bytes = 0
  const toFile = async (chunks: AsyncIterable<Buffer | string>): Promise<void> => {
    for await (const chunk of chunks) {
      const { bytesWritten } = await file.handle.write(
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
      )
      bytes += bytesWritten
    }
  }
  const source = Readable.from(slices)
  if (file.path.endsWith('.gz')) await pipeline(source, createGzip(), toFile)
  else await pipeline(source, toFile)
  return bytes
}
