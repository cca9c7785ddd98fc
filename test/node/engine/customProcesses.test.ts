import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { isolationUnavailableReason } from '../../../src/main/engine/backends/processes/permissions'
import type { JobSpecInput } from '../../../src/shared/spec'
import { workerFile } from '../../paths'

const unavailable = isolationUnavailableReason()

function onProcesses(code: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    workload: 'custom',
    style: 'map',
    threads: 2,
    backend: 'processes',
    chunkSize: 1,
    inputs: { kind: 'recipe', tasks: 2 },
    code,
    ...extra
  }
}

// Every case needs Node's permission model; without it (Node < 20, Electron's Node) they are skipped.
describe.skipIf(unavailable !== null)(
  `custom code on the processes back end under Node's permission model${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const engine = new Engine({ workerFile, hardwareThreads: 2 })
    afterAll(() => engine.dispose())
    const written = join(tmpdir(), `poolscope-custom-${process.pid}.txt`)
    afterAll(() => rmSync(written, { force: true }))

    it.each([
      [
        'reads a file',
        '(i) => process.mainModule.require("fs").readFileSync("/etc/hostname", "utf8")',
        /^Error: Access to this API has been restricted \(FileSystemRead of <path>\): custom code runs here under Node's permission model/
      ],
      [
        'writes a file',
        `(i) => { process.mainModule.require("fs").writeFileSync(${JSON.stringify(written)}, "x"); return 1 }`,
        /^Error: Access to this API has been restricted \(FileSystemWrite of .*\): custom code runs here under Node's permission model/
      ],
      [
        'spawns a process',
        '(i) => process.mainModule.require("child_process").execFileSync("id").toString()',
        /^Error: Access to this API has been restricted \(ChildProcess\): custom code runs here under Node's permission model/
      ],
      [
        'reaches for internal bindings',
        '(i) => process.binding("fs") && 1',
        /^Error: process.binding \(refused\): custom code runs here under Node's permission model/
      ]
    ])(
      'fails a task that %s with a clear message; the pool runs the next job',
      async (_what, code, message) => {
        const job = await engine.start(onProcesses(code))
        const summary = await job.done
        expect(summary.tasksFailed).toBe(2)
        expect(summary.failures[0].message).toMatch(message)
        expect(existsSync(written)).toBe(false)
        const next = await (await engine.start(onProcesses('(i) => i * 10'))).done
        expect(next).toMatchObject({ status: 'done', tasksDone: 2 })
      }
    )

    it('gives the children that run custom code none of the parent’s environment', async () => {
      process.env.POOLSCOPE_TEST_SECRET = 'hunter2'
      try {
        const job = await engine.start(onProcesses('(i) => Object.keys(process.env).length'))
        expect((await job.done).status).toBe('done')
        expect(job.results.taskText(0)).toBe('0')
      } finally {
        delete process.env.POOLSCOPE_TEST_SECRET
      }
    })

    it('runs the same code unrestricted on threads (it has the app’s rights there)', async () => {
      const job = await engine.start(
        onProcesses(
          '(i) => process.mainModule.require("fs").readFileSync("/proc/self/status", "utf8").slice(0, 5)',
          {
            backend: 'threads'
          }
        )
      )
      expect((await job.done).status).toBe('done')
      expect(job.results.taskText(0)).toBe("'Name:'")
    })

    it('says in engine.info which back ends run custom code and that processes are isolated', () => {
      const info = engine.info().customCode
      expect(info).toMatchObject({ allowed: true, backends: ['threads', 'processes', 'cluster'] })
      expect(info.isolation).toMatch(
        /On processes it runs in child processes under Node’s permission model: no file writes, .* the network and signals to other processes are not restricted\.$/
      )
    })

    it('fails a task that loops for ever at about its timeout, replaces its process and runs the next job', async () => {
      const job = await engine.start(
        onProcesses('(i) => { if (i === 0) for (;;) {} return i }', {
          taskTimeoutMs: 500,
          inputs: { kind: 'recipe', tasks: 3 }
        })
      )
      const summary = await job.done
      expect(summary).toMatchObject({ status: 'failed', tasksDone: 2, tasksFailed: 1 })
      expect(summary.failures[0]).toEqual({
        task: 0,
        message: 'ran longer than the 500 ms task timeout; it was stopped and its worker thread replaced'
      })
      expect(summary.wallMs).toBeLessThan(3000)
      const next = await (await engine.start(onProcesses('(i) => -i'))).done
      expect(next).toMatchObject({ status: 'done', tasksDone: 2 })
    })

    it('fails a task that exhausts its heap; the pool runs the next job', async () => {
      const small = new Engine({ workerFile, hardwareThreads: 2, customHeapLimitMb: 64 })
      try {
        const job = await small.start(
          onProcesses(
            '(i) => { if (i !== 0) return i; const keep = []; for (;;) keep.push(new Array(1e5).fill(i)) }',
            {
              threads: 1
            }
          )
        )
        const summary = await job.done
        expect(summary.tasksDone).toBe(1)
        expect(summary.failures).toEqual([
          {
            task: 0,
            message:
              "ran out of memory: it reached the worker's 64 MB heap limit; its worker thread was replaced"
          }
        ])
        const next = await (await small.start(onProcesses('(i) => i', { threads: 1 }))).done
        expect(next).toMatchObject({ status: 'done', tasksDone: 2 })
      } finally {
        await small.dispose()
      }
    }, 60_000)
  }
)
