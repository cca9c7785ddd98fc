import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  firstErrorLine,
  outcomeOf,
  probeElectron,
  runCaptured,
  runElectronInstaller
} from '../../../scripts/electron-binary.js'

/** What electron/install.js printed on this machine, which cannot reach Electron's download host. */
const FETCH_FAILED_STDERR = `TypeError: fetch failed
    at node:internal/deps/undici/undici:14976:13
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async FetchDownloader.download (file:///work/main/node_modules/@electron/get/dist/FetchDownloader.js:46:30)
`

const folders: string[] = []
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'poolscope-electron-'))
  folders.push(folder)
  return folder
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

describe('firstErrorLine', () => {
  it('keeps the message of a stack trace and drops its frames', () => {
    expect(firstErrorLine(FETCH_FAILED_STDERR)).toBe('TypeError: fetch failed')
  })

  it('skips leading blank lines', () => {
    expect(firstErrorLine('\n\n  HTTPError: Response code 404 (Not Found)\n')).toBe(
      'HTTPError: Response code 404 (Not Found)'
    )
  })

  it('returns null when there is nothing but blanks', () => {
    expect(firstErrorLine(' \n\n')).toBeNull()
  })

  it('shortens a very long line to 160 characters', () => {
    const line = firstErrorLine('x'.repeat(500))
    expect(line).toBe(`${'x'.repeat(159)}…`)
  })
})

describe('outcomeOf', () => {
  it('is ok for exit code 0 whatever stderr holds', () => {
    expect(outcomeOf({ code: 0, timedOut: false, stderr: 'a warning' }, 1000)).toEqual({ ok: true })
  })

  it('gives the first error line of a failed command', () => {
    expect(outcomeOf({ code: 1, timedOut: false, stderr: FETCH_FAILED_STDERR }, 1000)).toEqual({
      ok: false,
      error: 'TypeError: fetch failed'
    })
  })

  it('gives the exit code when a failed command printed nothing', () => {
    expect(outcomeOf({ code: 3, timedOut: false, stderr: '' }, 1000)).toEqual({
      ok: false,
      error: 'it exited with code 3'
    })
  })

  it('states the limit of a command that timed out, in minutes when long', () => {
    expect(outcomeOf({ code: null, timedOut: true, stderr: '' }, 600_000)).toEqual({
      ok: false,
      error: 'it did not finish within 10 minutes'
    })
  })
})

describe('runCaptured', () => {
  it('returns the exit code and what the command wrote to stderr', async () => {
    const run = await runCaptured(
      process.execPath,
      ['-e', 'console.error("no route to host"); process.exit(4)'],
      {
        timeoutMs: 10_000
      }
    )
    expect(run).toEqual({ code: 4, signal: null, timedOut: false, stderr: 'no route to host\n' })
  })

  it('kills a command that outlives its time limit', async () => {
    const run = await runCaptured(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 200 })
    expect(run.timedOut).toBe(true)
    expect(run.signal).toBe('SIGKILL')
  })

  it('reports a command that cannot be spawned instead of throwing', async () => {
    const run = await runCaptured(join(temporaryFolder(), 'no-such-command'), [], { timeoutMs: 10_000 })
    expect(run.code).toBeNull()
    expect(run.stderr).toMatch(/ENOENT/)
  })
})

describe('runElectronInstaller', () => {
  it('runs install.js from the electron package it is given', async () => {
    const electronDir = temporaryFolder()
    // Stands in for electron/install.js: writes path.txt as the real one does after a download.
    writeFileSync(
      join(electronDir, 'install.js'),
      `require('node:fs').writeFileSync(require('node:path').join(__dirname, 'path.txt'), 'electron')`
    )
    const outcome = await runElectronInstaller(electronDir, { timeoutMs: 10_000 })
    expect(outcome).toEqual({ ok: true })
    expect(readFileSync(join(electronDir, 'path.txt'), 'utf8')).toBe('electron')
  })

  it('reports why the installer failed in one line', async () => {
    const electronDir = temporaryFolder()
    writeFileSync(
      join(electronDir, 'install.js'),
      `console.error(${JSON.stringify(FETCH_FAILED_STDERR)}); process.exit(1)`
    )
    const outcome = await runElectronInstaller(electronDir, { timeoutMs: 10_000 })
    expect(outcome).toEqual({ ok: false, error: 'TypeError: fetch failed' })
    expect(existsSync(join(electronDir, 'path.txt'))).toBe(false)
  })
})

describe.runIf(process.platform !== 'win32')('probeElectron', () => {
  /** A stand-in binary that succeeds only when run the way the probe must run Electron. */
  function fakeElectron(): string {
    const file = join(temporaryFolder(), 'electron')
    writeFileSync(
      file,
      '#!/bin/sh\n' +
        '[ "$ELECTRON_RUN_AS_NODE" = 1 ] && [ "$1" = --version ] && { echo v22.20.0; exit 0; }\n' +
        'echo "opened a window" >&2; exit 9\n'
    )
    chmodSync(file, 0o755)
    return file
  }

  it('runs the binary as Node with --version, which needs no window', async () => {
    expect(await probeElectron(fakeElectron())).toEqual({ ok: true })
  })

  it('reports a binary that cannot be executed', async () => {
    const file = join(temporaryFolder(), 'electron')
    writeFileSync(file, 'not a program', { mode: 0o644 })
    const outcome = await probeElectron(file)
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/^spawn .* EACCES$/) })
  })

  it('reports the error a binary prints when it fails to start', async () => {
    const file = join(temporaryFolder(), 'electron')
    writeFileSync(file, '#!/bin/sh\necho "libnss3.so: cannot open shared object file" >&2\nexit 127\n', {
      mode: 0o755
    })
    expect(await probeElectron(file)).toEqual({
      ok: false,
      error: 'libnss3.so: cannot open shared object file'
    })
  })
})
