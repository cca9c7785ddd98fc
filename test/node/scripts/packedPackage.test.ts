import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRendererIfStale } from '../../../scripts/build-renderer.js'
import { projectRoot } from '../../paths'

const run = promisify(execFile)

/** Everything a packed package may hold: the command, its prebuilt bundles, the built UI, the README. */
const SHIPPABLE =
  /^(package\.json|README\.md|bin\/poolscope\.js|out\/node\/(cli|web|worker|processChild)\.cjs|out\/renderer\/.+)$/

let packed: string[] = []

beforeAll(async () => {
  // `prepack` builds these for a real `npm pack`; the global setup has built out/node already.
  await buildRendererIfStale()
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: projectRoot
  })
  packed = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path)
}, 120_000)

describe('the packed npm package', () => {
  it('ships the poolscope command, its three prebuilt Node bundles, the built UI and the README', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/poolscope.js',
        'out/node/cli.cjs',
        'out/node/web.cjs',
        'out/node/worker.cjs',
        'out/renderer/index.html',
        'README.md',
        'package.json'
      ])
    )
  })

  it("ships the UI's scripts and styles with its page", () => {
    expect(
      packed.filter((path) => path.startsWith('out/renderer/assets/') && path.endsWith('.js')).length
    ).toBeGreaterThan(0)
  })

  it('ships nothing else: no sources, tests, build scripts, benchmarks, Electron build or source maps', () => {
    expect(packed.filter((path) => !SHIPPABLE.test(path))).toEqual([])
  })
})

describe('the poolscope command in an installed package', () => {
  let installed: string

  beforeAll(() => {
    // What `npm install <tarball>` leaves: the shipped files, and node_modules beside them (here
    // the project's, so the test needs no registry). No src/ and no scripts/: nothing to build with.
    installed = mkdtempSync(join(tmpdir(), 'poolscope-installed-'))
    for (const file of ['package.json', 'bin/poolscope.js', 'out/node/cli.cjs', 'out/node/worker.cjs']) {
      mkdirSync(join(installed, file, '..'), { recursive: true })
      cpSync(join(projectRoot, file), join(installed, file))
    }
    symlinkSync(join(projectRoot, 'node_modules'), join(installed, 'node_modules'), 'dir')
  })

  afterAll(() => rmSync(installed, { recursive: true, force: true }))

  it('runs a job from the prebuilt bundles without the build scripts', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(installed, 'bin', 'poolscope.js'), 'run', '--threads', '1', '--tasks', '2'],
      {
        cwd: installed
      }
    )
    expect(stdout).toMatch(/^Number of threads: 1\nNumber of results: 2\n/)
  })
})
