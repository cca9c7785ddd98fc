import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost } from '../../../src/main/host/engineHost'
import { PoolScopeError } from '../../../src/shared/errors'
import type { JobSummary } from '../../../src/shared/protocol'
import { workerFile } from '../../paths'

/** Three tasks of combinations(range(4), 2), as `Pool.map` would return them. */
const spec = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3], tasks: 3 }
}
const pairs = [
  [0, 1],
  [0, 2],
  [0, 3],
  [1, 2],
  [1, 3],
  [2, 3]
]

describe('EngineHost result streams for front doors in its own process', () => {
  let host: EngineHost
  let jobId: string
  beforeAll(async () => {
    host = new EngineHost({ workerFile, hardwareThreads: 2 })
    const finished = new Promise<JobSummary>((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.type === 'job.finished') {
          stop()
          resolve(event.payload)
        }
      })
    })
    const outcome = await host.call('job.start', { spec })
    if (!outcome.ok) throw new Error(outcome.error.message)
    jobId = (await finished).jobId
  })
  afterAll(() => host.dispose())

  it("streams the results as Python's json.dumps writes them", async () => {
    const decoder = new TextDecoder()
    let text = ''
    for await (const slice of host.resultsJson(jobId)) text += decoder.decode(slice)
    expect(text).toBe(JSON.stringify([pairs, pairs, pairs]))
  })

  it('streams the same CSV the export command makes, with no size limit', async () => {
    let text = ''
    for await (const slice of host.resultsCsv(jobId)) text += slice
    const rows = [0, 1, 2].flatMap((task) => pairs.map(([a, b], i) => `${task},done,${i},"(${a}, ${b})"`))
    expect(text).toBe(['task,status,index,tuple', ...rows, ''].join('\n'))
    const exported = await host.call('job.export', { jobId, format: 'csv' })
    expect(exported).toMatchObject({ ok: true, result: { text } })
  })

  it('streams the results as Python prints them, one line per task', async () => {
    let text = ''
    for await (const slice of host.resultsText(jobId)) text += slice
    expect(text).toBe('((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))\n'.repeat(3))
  })

  it('refuses a job it does not hold', async () => {
    const stream = host.resultsJson('no-such-job')
    await expect(stream.next()).rejects.toSatisfy(
      (err) => err instanceof PoolScopeError && err.code === 'UNKNOWN_JOB'
    )
  })
})
