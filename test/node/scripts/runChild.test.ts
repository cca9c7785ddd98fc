import { EventEmitter } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { REPEAT_WINDOW_MS, createSignalRelay, exitCodeOf, runChild } from '../../../scripts/run-child.js'

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** A path for a child to write once it is listening for signals. */
function readyFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'poolscope-run-child-'))
  folders.push(folder)
  return join(folder, 'ready')
}

/** A child that records its process group, then exits with 7 on SIGTERM (and waits until then). */
function waitingChildScript(ready: string): string {
  return `
    const fs = require('node:fs')
    process.on('SIGTERM', () => process.exit(7))
    const stat = fs.existsSync('/proc/self/stat') ? fs.readFileSync('/proc/self/stat', 'utf8') : ''
    const processGroup = stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] : ''
    fs.writeFileSync(${JSON.stringify(ready)}, JSON.stringify({ pid: process.pid, processGroup }))
    setInterval(() => {}, 1000)
  `
}

describe('exitCodeOf', () => {
  it('passes an exit code through', () => {
    expect(exitCodeOf(3, null)).toBe(3)
  })

  it('reports death by SIGINT as 130, as shells do', () => {
    expect(exitCodeOf(null, 'SIGINT')).toBe(130)
  })

  it('reports death by SIGTERM as 143', () => {
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143)
  })
})

describe('createSignalRelay', () => {
  function fakeChild() {
    return { exitCode: null as number | null, signalCode: null, kill: vi.fn(() => true) }
  }

  it('passes a signal on to the running child', () => {
    const child = fakeChild()
    createSignalRelay(child, { now: () => 0 })('SIGTERM')
    expect(child.kill).toHaveBeenCalledWith('SIGTERM')
  })

  it('passes one Ctrl-C on once although the terminal and npm both delivered it', () => {
    const child = fakeChild()
    let clock = 0
    const relay = createSignalRelay(child, { now: () => clock })
    relay('SIGINT')
    clock = 5
    relay('SIGINT')
    expect(child.kill).toHaveBeenCalledTimes(1)
  })

  it('passes on a second Ctrl-C pressed after the repeat window', () => {
    const child = fakeChild()
    let clock = 0
    const relay = createSignalRelay(child, { now: () => clock })
    relay('SIGINT')
    clock = REPEAT_WINDOW_MS + 1
    relay('SIGINT')
    expect(child.kill).toHaveBeenCalledTimes(2)
  })

  it('passes on different signals arriving together', () => {
    const child = fakeChild()
    const relay = createSignalRelay(child, { now: () => 0 })
    relay('SIGINT')
    relay('SIGTERM')
    expect(child.kill.mock.calls).toEqual([['SIGINT'], ['SIGTERM']])
  })

  it('sends nothing to a child that has exited', () => {
    const child = fakeChild()
    child.exitCode = 0
    createSignalRelay(child, { now: () => 0 })('SIGINT')
    expect(child.kill).not.toHaveBeenCalled()
  })
})

describe('runChild', () => {
  it("resolves to the child's exit code", async () => {
    const signalSource = new EventEmitter()
    expect(await runChild(process.execPath, ['-e', 'process.exit(3)'], { signalSource })).toBe(3)
  })

  it.runIf(process.platform !== 'win32')(
    "relays a signal the launcher receives to the child and resolves to the child's code",
    async () => {
      const signalSource = new EventEmitter()
      const ready = readyFile()
      const exit = runChild(process.execPath, ['-e', waitingChildScript(ready)], { signalSource })
      await vi.waitFor(() => expect(existsSync(ready)).toBe(true), { timeout: 10_000 })
      signalSource.emit('SIGTERM', 'SIGTERM')
      expect(await exit).toBe(7)
    }
  )

  it.runIf(process.platform === 'linux')(
    "runs the child in a process group of its own, out of reach of the terminal's copy of Ctrl-C",
    async () => {
      const signalSource = new EventEmitter()
      const ready = readyFile()
      const exit = runChild(process.execPath, ['-e', waitingChildScript(ready)], { signalSource })
      await vi.waitFor(() => expect(existsSync(ready)).toBe(true), { timeout: 10_000 })
      const { pid, processGroup } = JSON.parse(readFileSync(ready, 'utf8'))
      signalSource.emit('SIGTERM', 'SIGTERM')
      await exit
      expect(Number(processGroup)).toBe(pid)
    }
  )

  it('stops listening for signals once the child has exited', async () => {
    const signalSource = new EventEmitter()
    await runChild(process.execPath, ['-e', 'process.exit(0)'], { signalSource })
    expect(signalSource.eventNames()).toEqual([])
  })

  it('rejects when the command cannot be started', async () => {
    const signalSource = new EventEmitter()
    await expect(runChild(join(tmpdir(), 'no-such-launcher-command'), [], { signalSource })).rejects.toThrow(
      /ENOENT/
    )
  })
})
