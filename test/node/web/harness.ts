import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { CommandOutcome, EngineEvent } from '../../../src/shared/protocol'
import { startWebHost, type CommandHost, type WebHost } from '../../../src/main/web/server'

/** A stand-in for EngineHost: records calls, answers `engine.info`, emits events on demand. */
export class FakeHost implements CommandHost {
  readonly calls: { name: unknown; params: unknown }[] = []
  private readonly listeners = new Set<(event: EngineEvent) => void>()

  async call(name: unknown, params: unknown): Promise<CommandOutcome> {
    this.calls.push({ name, params })
    if (name === 'engine.info')
      return { ok: true, result: { hardwareThreads: 2 } } as unknown as CommandOutcome
    return { ok: false, error: { code: 'UNKNOWN_COMMAND', message: `unknown command ${String(name)}` } }
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}

/** A temporary renderer folder with a secret file beside it, to prove it cannot be reached. */
export function makeStaticTree(): { root: string; staticDir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-web-'))
  const staticDir = join(root, 'renderer')
  mkdirSync(join(staticDir, 'assets'), { recursive: true })
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>PoolScope</title>')
  writeFileSync(join(staticDir, 'assets', 'index-abc.js'), 'console.log("hi")')
  writeFileSync(join(staticDir, 'assets', 'index-abc.css'), 'body{}')
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET')
  return { root, staticDir, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

export interface Harness {
  host: FakeHost
  web: WebHost
  origin: string
  staticDir: string
  close(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const tree = makeStaticTree()
  const host = new FakeHost()
  const web = await startWebHost({ host, staticDir: tree.staticDir })
  return {
    host,
    web,
    origin: `http://127.0.0.1:${web.port}`,
    staticDir: tree.staticDir,
    async close() {
      await web.close()
      tree.cleanup()
    }
  }
}

/** Opens a WebSocket; resolves to the open socket or the HTTP status of the refusal. */
export function connect(url: string, origin?: string): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 })
      res.resume()
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

/** The next message on a socket: text as a string, a binary frame as its bytes. */
export function nextMessage(ws: WebSocket): Promise<string | Uint8Array> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data, isBinary) =>
      resolve(isBinary ? new Uint8Array(data as Buffer) : (data as Buffer).toString())
    )
    ws.once('close', () => reject(new Error('socket closed before a message arrived')))
  })
}
