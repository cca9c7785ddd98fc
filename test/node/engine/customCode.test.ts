import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/main/engine/engine'
import { timelineWindow } from '../../../src/main/engine/timelineWindow'
import { exportJob } from '../../../src/main/host/exportJob'
import type { Job } from '../../../src/main/engine/job'
import { PoolScopeError } from '../../../src/shared/errors'
import type { JobSpecInput } from '../../../src/shared/spec'
import { workerFile } from '../../paths'

/** A custom job on the threads back end: `tasks` tasks of a recipe (task i gets i), or explicit args. */
function customSpec(code: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    workload: 'custom',
    style: 'map',
    threads: 2,
    inputs: { kind: 'recipe', tasks: 4 },
    code,
    ...extra
  }
}

async function run(engine: Engine, spec: JobSpecInput): Promise<Job> {
  const job = await engine.start(spec)
  await job.done
  return job
}

function digest(job: Job): { text: string; sha256: string } {
  const parts = [...job.results.jsonChunks()].map((chunk) => Buffer.from(chunk))
  const bytes = Buffer.concat(parts)
  return { text: bytes.toString('latin1'), sha256: createHash('sha256').update(bytes).digest('hex') }
}

describe('custom code on the threads back end', () => {
  const engine = new Engine({ workerFile, hardwareThreads: 2 })
  afterAll(() => engine.dispose())

  it('refuses code with a syntax error before running anything, with its line and column', async () => {
    const started = engine.start(customSpec('(x) => {\n  return x +\n}'))
    await expect(started).rejects.toThrow(PoolScopeError)
    await expect(started).rejects.toMatchObject({
      code: 'INVALID_SPEC',
      path: ['code'],
      message: expect.stringMatching(/^code: syntax error: .*\(line 3, column 1\)$/)
    })
    expect(engine.listJobs()).toHaveLength(0)
  })

  it('refuses a custom job without code, and code for another workload', async () => {
    await expect(engine.start({ ...customSpec('(x) => x'), code: undefined })).rejects.toMatchObject({
      path: ['code'],
      message: expect.stringContaining('needs code')
    })
    await expect(
      engine.start({
        workload: 'busy_wait',
        style: 'map',
        inputs: { kind: 'recipe', ms: [0] },
        code: '(x) => x'
      })
    ).rejects.toMatchObject({
      path: ['code'],
      message: expect.stringContaining('only for the custom workload')
    })
  })

  it('runs a function of i and keeps its values in task order, printed as Python does', async () => {
    const job = await run(
      engine,
      customSpec('function work(i) { return i % 2 ? i / 4 : [[i, "é"], [2 ** 60, "it\'s"]] }')
    )
    const summary = job.summary()
    expect(summary).toMatchObject({ status: 'done', tasksDone: 4, tuplesProduced: 2 + 1 + 2 + 1 })
    expect(job.plan.spec.taskTimeoutMs).toBe(10_000)
    expect([0, 1, 2, 3].map((task) => job.results.taskText(task))).toEqual([
      `[(0, 'é'), (1152921504606846976, "it's")]`,
      '0.25',
      `[(2, 'é'), (1152921504606846976, "it's")]`,
      '0.75'
    ])
    expect(job.results.row(0)).toMatchObject({
      count: 2,
      kept: 2,
      preview: ["(0, 'é')", `(1152921504606846976, "it's")`]
    })
    expect(job.results.tuplesPage(2, 1, 5).tuples).toEqual([`(1152921504606846976, "it's")`])
  })

  it('gives the digest Python gives for the same results', async () => {
    // Python: def f(i): return [(i, 'a'), (i * 0.5, 'b')] if i % 2 else i * 3
    //         json.dumps([f(i) for i in range(4)], separators=(',', ':'))
    const job = await run(engine, customSpec('(i) => i % 2 ? [[i, "a"], [i * 0.5, "b"]] : i * 3'))
    const expected = '[0,[[1,"a"],[0.5,"b"]],6,[[3,"a"],[1.5,"b"]]]'
    expect(digest(job)).toEqual({
      text: expected,
      sha256: createHash('sha256').update(expected).digest('hex')
    })
    // Whole floats print as Python floats only when they are not whole JavaScript numbers: 1.0 is 1 in JS.
    const floats = await run(
      engine,
      customSpec('(i) => [i + 0.5, 1e-7, 1e21, "\\u00e9\\n"]', { inputs: { kind: 'recipe', tasks: 1 } })
    )
    expect(digest(floats).text).toBe('[[0.5,1e-07,1000000000000000000000,"\\u00e9\\n"]]')
    expect(floats.results.taskText(0)).toBe("[0.5, 1e-07, 1000000000000000000000, 'é\\n']")
  })

  it('exports, and shows in the timeline, what each task returned', async () => {
    const job = await run(
      engine,
      customSpec(
        '(i) => { if (i === 1) throw new Error("one"); return i === 2 ? "two, \\"quoted\\"" : [[i, "a"], [i, "b"]] }',
        {
          chunkSize: 1
        }
      )
    )
    expect((await exportJob(job, 'json')).text).toBe(
      '[[[0,"a"],[0,"b"]],null,"two, \\"quoted\\"",[[3,"a"],[3,"b"]]]'
    )
    expect((await exportJob(job, 'csv')).text).toBe(
      [
        'task,status,index,tuple',
        '0,done,0,"(0, \'a\')"',
        '0,done,1,"(0, \'b\')"',
        '1,failed,,',
        `2,done,0,"'two, ""quoted""'"`,
        '3,done,0,"(3, \'a\')"',
        '3,done,1,"(3, \'b\')"',
        ''
      ].join('\n')
    )
    // The timeline's tooltip counts each task's tuples, as for combinations.
    const { tasks } = timelineWindow(job)
    if (!tasks) throw new Error('the timeline has no tasks')
    const outputs = new Map<number, number>()
    tasks.task.forEach((task, i) => outputs.set(task, tasks.output[i]))
    expect([0, 2, 3].map((task) => outputs.get(task))).toEqual([2, 1, 2])
  })

  it('gives each of many tasks its own index (their arguments travel as JSON text, not plan by plan)', async () => {
    const job = await run(
      engine,
      customSpec('(i) => [[i, String(i)]]', { inputs: { kind: 'recipe', tasks: 1000 } })
    )
    expect(job.plan.calls.length).toBe(1000)
    expect(job.summary()).toMatchObject({ status: 'done', tasksDone: 1000, tuplesProduced: 1000 })
    for (const task of [0, 1, 499, 999]) expect(job.results.taskText(task)).toBe(`[(${task}, '${task}')]`)
    const explicit = await run(
      engine,
      customSpec('(x) => typeof x === "object" ? Object.keys(x).join("") : x', {
        inputs: {
          kind: 'args',
          args: Array.from({ length: 100 }, (_, i) => (i % 2 ? { [`k${i}`]: i } : `s${i}`))
        }
      })
    )
    expect([0, 1, 98, 99].map((task) => explicit.results.taskText(task))).toEqual([
      "'s0'",
      "'k1'",
      "'s98'",
      "'k99'"
    ])
  })

  it('passes explicit arguments of any JSON kind, unpacked by starmap', async () => {
    const job = await run(
      engine,
      customSpec('(name, n, extra) => `${name}:${n}:${extra === undefined ? "none" : extra.k}`', {
        style: 'starmap',
        inputs: {
          kind: 'args',
          args: [
            ['a', 1],
            ['b', 2, { k: 'v' }]
          ]
        }
      })
    )
    expect([0, 1].map((task) => job.results.taskText(task))).toEqual(["'a:1:none'", "'b:2:v'"])
  })

  it('fails a task that throws with its message; the others run', async () => {
    const job = await run(
      engine,
      customSpec('(i) => { if (i === 2) throw new RangeError("no two"); return i }', { chunkSize: 4 })
    )
    const summary = job.summary()
    expect(summary).toMatchObject({ status: 'failed', tasksDone: 3, tasksFailed: 1 })
    expect(summary.failures).toEqual([{ task: 2, message: 'RangeError: no two' }])
    expect(job.results.taskText(3)).toBe('3')
  })

  it.each([
    ['a function', '(i) => () => i', 'the value returned is a function'],
    ['undefined', '(i) => { i + 1 }', 'the value returned is undefined (did the function forget to return?)'],
    [
      'a cyclic array',
      '(i) => { const a = [i]; a.push(a); return a }',
      'item 1 of the array returned holds an array at 1: tuples hold numbers and strings, not arrays (nested deeper than tuples, or a cycle)'
    ],
    ['a cyclic object', '(i) => { const o = {}; o.self = o; return o }', 'the value returned is an object'],
    ['nested objects', '(i) => [[i, { a: 1 }]]', 'item 0, field 1 of the array returned is an object'],
    [
      'arrays nested deeper than tuples',
      '(i) => [[i, [i]]]',
      'item 0 of the array returned holds an array at 1'
    ],
    ['NaN', '(i) => [0 / 0]', 'item 0 of the array returned is NaN: JSON has no NaN or Infinity'],
    ['a huge output', '(i) => "x".repeat(2e6)', 'the value returned is too large'],
    [
      'too many tuples',
      '(i) => new Array(1e6 + 1).fill(1)',
      'the array returned has 1,000,001 items; at most 1,000,000 tuples a task are kept'
    ],
    [
      'huge tuples',
      '(i) => Array.from({ length: 1000 }, () => ["y".repeat(2000)])',
      'the value returned is too large'
    ]
  ])(
    'fails a task that returns %s with a clear message, and the pool runs the next job',
    async (_name, code, message) => {
      const job = await run(engine, customSpec(code, { inputs: { kind: 'recipe', tasks: 2 } }))
      const summary = job.summary()
      expect(summary.tasksFailed).toBe(2)
      expect(summary.failures[0].message).toMatch(new RegExp(`^${message.replace(/[()?.]/g, '\\$&')}`))
      expect(summary.failures[0].message.length).toBeLessThanOrEqual(500)
      const next = await run(engine, customSpec('(i) => i * i'))
      expect(next.summary()).toMatchObject({ status: 'done', tasksDone: 4 })
    }
  )

  it('fails a task that loops for ever at about its timeout, replaces its worker and runs the next job', async () => {
    const job = await run(
      engine,
      customSpec('(i) => { if (i === 1) for (;;) {} return i }', { taskTimeoutMs: 400, chunkSize: 1 })
    )
    const summary = job.summary()
    expect(summary.status).toBe('failed')
    expect(summary.tasksDone).toBe(3)
    expect(summary.failures).toEqual([
      {
        task: 1,
        message: 'ran longer than the 400 ms task timeout; it was stopped and its worker thread replaced'
      }
    ])
    expect(summary.wallMs).toBeGreaterThan(400)
    expect(summary.wallMs).toBeLessThan(2500)
    const next = await run(engine, customSpec('(i) => i + 1'))
    expect(next.summary()).toMatchObject({ status: 'done', tasksDone: 4 })
    expect(next.results.taskText(3)).toBe('4')
  })

  it('fails a task whose code exits its worker, or returns a promise; the pool runs the next job', async () => {
    const exited = await run(
      engine,
      customSpec('(i) => { if (i === 1) process.exit(3); return i }', { chunkSize: 1 })
    )
    expect(exited.summary()).toMatchObject({ status: 'failed', tasksDone: 3 })
    expect(exited.summary().failures).toEqual([
      { task: 1, message: 'the worker stopped while running this task: worker exited with code: 3' }
    ])
    const promised = await run(engine, customSpec('(i) => Promise.resolve(i)'))
    expect(promised.summary().tasksFailed).toBe(4)
    expect(promised.summary().failures[0].message).toMatch(
      /^the value returned is an object; return a number/
    )
    const next = await run(engine, customSpec('(i) => i + 1'))
    expect(next.summary()).toMatchObject({ status: 'done', tasksDone: 4 })
  })

  it('keeps the pool’s clock and cancel flag out of the code’s reach', async () => {
    const job = await run(
      engine,
      customSpec(
        '(i) => { if (i === 1) performance.now = () => 0; if (i === 2) Atomics.load = () => 0; return i }',
        { chunkSize: 1 }
      )
    )
    const summary = job.summary()
    expect(summary.tasksDone).toBe(2)
    expect(summary.failures.map((f) => f.task).sort()).toEqual([1, 2])
    for (const failure of summary.failures)
      expect(failure.message).toMatch(/Cannot assign to read only property/)
    // A later job on the same workers is timed by the real clock.
    const next = await run(
      engine,
      customSpec('(i) => { let s = 0; for (let k = 0; k < 1e6; k++) s += k; return i }')
    )
    for (let task = 0; task < 4; task++) {
      const took = next.timings.end[task] - next.timings.start[task]
      expect(took).toBeGreaterThan(0.05)
      expect(took).toBeLessThan(next.summary().wallMs)
    }
  })

  it('ends a job promptly when cancelled while its tasks loop for ever, and the pool runs the next job', async () => {
    // Custom code has no checkpoints to see a cancel: its running chunks are stopped instead.
    const job = await engine.start(
      customSpec('(i) => { if (i < 2) for (;;) {} return i }', { taskTimeoutMs: 60_000, chunkSize: 1 })
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const cancelledAt = performance.now()
    job.cancel()
    await job.done
    const endedAfterMs = performance.now() - cancelledAt
    const summary = job.summary()
    expect(summary.status).toBe('cancelled')
    expect(summary.tasksFailed).toBe(0)
    expect(summary.message).toMatch(/^cancelled by the user: \d of 4 tasks completed and kept/)
    expect(endedAfterMs).toBeLessThan(1500)
    const next = await run(engine, customSpec('(i) => i * 10'))
    expect(next.summary()).toMatchObject({ status: 'done', tasksDone: 4 })
    expect(next.results.taskText(3)).toBe('30')
  })

  it('fails a task that exhausts its heap with the limit named; the pool runs the next job', async () => {
    const small = new Engine({ workerFile, hardwareThreads: 2, customHeapLimitMb: 64 })
    try {
      const job = await run(
        small,
        customSpec(
          '(i) => { if (i !== 0) return i; const keep = []; for (;;) keep.push(new Array(1e5).fill(i)) }',
          {
            threads: 1,
            chunkSize: 1
          }
        )
      )
      const summary = job.summary()
      expect(summary.tasksDone).toBe(3)
      expect(summary.failures).toEqual([
        {
          task: 0,
          message:
            "ran out of memory: it reached the worker's 64 MB heap limit; its worker thread was replaced"
        }
      ])
      const next = await run(small, customSpec('(i) => -i', { threads: 1 }))
      expect(next.summary()).toMatchObject({ status: 'done', tasksDone: 4 })
    } finally {
      await small.dispose()
    }
  }, 60_000)

  it('keeps only a count, or the first N tuples of each task', async () => {
    const code = '(i) => Array.from({ length: i + 1 }, (_, j) => [j])'
    const counted = await run(engine, customSpec(code, { keep: 'count' }))
    expect(counted.summary()).toMatchObject({ tuplesProduced: 10, tuplesKept: 0 })
    expect(counted.results.taskText(3)).toBe('None')
    const firstTwo = await run(engine, customSpec(code, { keep: 2 }))
    expect(firstTwo.summary()).toMatchObject({ tuplesProduced: 10, tuplesKept: 1 + 2 + 2 + 2 })
    expect(firstTwo.results.taskText(3)).toBe('[(0,), (1,)]')
  })

  it('gives custom code a pool of its own, which other jobs do not reuse', async () => {
    const custom = await run(engine, customSpec('(i) => i'))
    const builtIn = await run(engine, {
      workload: 'busy_wait',
      style: 'map',
      threads: 2,
      inputs: { kind: 'recipe', ms: [0], tasks: 2 }
    })
    expect(builtIn.pool.reused).toBe(false)
    const again = await run(engine, customSpec('(i) => i'))
    expect(again.pool.reused).toBe(false)
    const reused = await run(engine, customSpec('(i) => 2 * i'))
    expect(reused.pool.reused).toBe(true)
    expect(custom.summary().status).toBe('done')
  })

  it('says in engine.info that the desktop app and the CLI run custom code, and what isolates it', () => {
    const info = engine.info().customCode
    expect(info.allowed).toBe(true)
    expect(info.backends).toEqual(['threads', 'processes', 'cluster'])
    expect(info.isolation).toContain('On a cluster it runs only on agents started with --allow-code')
    // Where the permission model isolates child processes (Node 20 and later), they are the default.
    expect(info.preferred).toBe('processes')
    expect(info.isolation).toMatch(/^On threads, custom code runs in worker threads of this process/)
  })
})
