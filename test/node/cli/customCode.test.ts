import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { parseReport, runCli, scratchDir } from './cliHarness'

const scratch = scratchDir()
afterAll(() => scratch.cleanup())

describe('poolscope run --workload custom --code FILE', () => {
  it('runs the function on each task and reports the digest Python gives', async () => {
    const code = scratch.file(
      'work.js',
      '// pairs of i and its square\nfunction work(i) {\n  return [[i, i * i], [i, "x"]]\n}\n'
    )
    const result = await runCli([
      'run',
      '--workload',
      'custom',
      '--code',
      code,
      '--tasks',
      '3',
      '--threads',
      '2',
      '--json'
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = parseReport(result)
    // Python: json.dumps([[(i, i * i), (i, 'x')] for i in range(3)], separators=(',', ':'))
    const python = '[[[0,0],[0,"x"]],[[1,1],[1,"x"]],[[2,4],[2,"x"]]]'
    expect(report.digest).toBe(createHash('sha256').update(python).digest('hex'))
    expect(report.spec).toMatchObject({ workload: 'custom', taskTimeoutMs: 10_000 })
  })

  it('runs custom code isolated on processes unless --backend says otherwise', async () => {
    const code = scratch.file('isolated.js', '(i) => i')
    const run = (...extra: string[]) =>
      runCli(['run', '--workload', 'custom', '--code', code, '--tasks', '2', '--json', ...extra])
    const isolated = await run()
    expect(isolated.code).toBe(0)
    expect(parseReport(isolated).spec).toMatchObject({ backend: 'processes' })
    const chosen = await run('--backend', 'threads')
    expect(chosen.code).toBe(0)
    expect(parseReport(chosen).spec).toMatchObject({ backend: 'threads' })
  })

  it('prints each result as Python prints it, and writes them with --output', async () => {
    const code = scratch.file('half.js', '(i) => i / 2')
    const output = scratch.file('half.json')
    const result = await runCli([
      'run',
      '--workload',
      'custom',
      '--code',
      code,
      '--tasks',
      '3',
      '--threads',
      '2',
      '--print',
      '--output',
      output
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('Number of threads: 2\nNumber of results: 3\n0\n0.5\n1\n')
    expect(readFileSync(output, 'utf8')).toBe('[0,0.5,1]')
  })

  it('takes any JSON arguments from an args file', async () => {
    const code = scratch.file('args.js', '(a, b) => `${a}-${b.k}`')
    const args = scratch.file('args.json', '[["x", {"k": 1}], ["y", {"k": 2}]]')
    const result = await runCli([
      'run',
      '--workload',
      'custom',
      '--code',
      code,
      '--style',
      'starmap',
      '--args-file',
      args,
      '--threads',
      '2',
      '--print'
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("Number of threads: 2\nNumber of results: 2\n'x-1'\n'y-2'\n")
  })

  it('refuses code with a syntax error as FILE:LINE:COLUMN before running anything', async () => {
    const code = scratch.file('bad.js', '(i) => {\n  return i +\n}\n')
    const result = await runCli(['run', '--workload', 'custom', '--code', code])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`poolscope: --code: ${code}:3:1: syntax error: Unexpected token\n`)
  })

  it('refuses a custom run without --code, --code for another workload, and a missing file', async () => {
    const missing = await runCli(['run', '--workload', 'custom'])
    expect(missing).toMatchObject({ code: 2 })
    expect(missing.stderr).toMatch(/^poolscope: --code: the custom workload needs --code FILE/)
    const other = await runCli(['run', '--workload', 'sleep', '--code', scratch.file('x.js', '(i) => i')])
    expect(other.stderr).toBe('poolscope: --code: is only for --workload custom; sleep runs its own kernel\n')
    const absent = await runCli(['run', '--workload', 'custom', '--code', 'nowhere.js'], { cwd: scratch.dir })
    expect(absent.stderr).toMatch(/^poolscope: --code: cannot read "nowhere\.js": no such file/)
  })

  it('fails the tasks whose code throws, exits 1 and says which', async () => {
    const code = scratch.file('throws.js', '(i) => { if (i === 1) throw new Error("odd one out"); return i }')
    const result = await runCli(['run', '--workload', 'custom', '--code', code, '--tasks', '3', '--json'])
    expect(result.code).toBe(1)
    const report = parseReport(result)
    expect(report.digest).toBeNull()
    expect(report.failures).toEqual([{ task: 1, message: 'Error: odd one out' }])
  })

  it('lists --code in run --help', async () => {
    const help = await runCli(['run', '--help'])
    expect(help.stdout).toMatch(
      /--code FILE {9}for --workload custom: a file holding one JavaScript function/
    )
    expect(help.stdout).toMatch(/^ {2}custom\(i\)$/m)
  })
})
