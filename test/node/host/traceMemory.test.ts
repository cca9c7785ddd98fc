// A million-task job's trace streams to a file: the heap it holds while writing stays far below
// the text it writes.
import { statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, expect, it } from 'vitest'
import { writeTraceFile } from '../../../src/main/cli/traceFile'
import { EngineHost } from '../../../src/main/host/engineHost'
import type { JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const dir = mkdtempSync(join(tmpdir(), 'poolscope-trace-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('writes a 1,000,000-task trace of over 50 MB holding under 50 MB of heap', async () => {
  const host = new EngineHost({ workerFile })
  try {
    const finished = new Promise<JobSummary>((resolve) =>
      host.onEvent((event) => event.type === 'job.finished' && resolve(event.payload))
    )
    const started = await host.call('job.start', {
      spec: {
        workload: 'combinations',
        style: 'map',
        threads: 2,
        keep: 'count',
        inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5], tasks: 1_000_000 }
      }
    })
    expect(started.ok).toBe(true)
    const summary = await finished
    gc()
    const baseline = process.memoryUsage().heapUsed
    let peak = baseline
    // The live heap, after a full collection, every 100 slices (about 6 MB of text).
    async function* sampled(slices: AsyncIterable<string>): AsyncGenerator<string> {
      let count = 0
      for await (const slice of slices) {
        yield slice
        if (++count % 100 === 0) {
          gc()
          peak = Math.max(peak, process.memoryUsage().heapUsed)
        }
      }
    }
    const path = join(dir, 'million.json')
    const handle = await open(path, 'w')
    const bytes = await writeTraceFile(sampled(host.trace(summary.jobId)), { path, handle }).finally(() =>
      handle.close()
    )
    const growth = peak - baseline
    console.log(
      `1,000,000-task trace: ${(bytes / 1e6).toFixed(1)} MB, live heap growth ${(growth / 1e6).toFixed(1)} MB`
    )
    expect(statSync(path).size).toBe(bytes)
    expect(bytes).toBeGreaterThan(50e6)
    expect(growth).toBeLessThan(50e6)
  } finally {
    await host.dispose()
  }
}, 120_000)
