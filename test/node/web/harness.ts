import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { EngineHost, type EngineHostOptions } from '../../../src/main/host/engineHost'
import type { CommandOutcome, EngineEvent, JobSummary } from '../../../src/shared/protocol'
import {
  startWebHost,
  type CommandHost,
  type WebHost,
  type WebHostOptions
} from '../../../src/main/web/server'
import { workerFile } from '../../paths'

/** A stand-in for EngineHost: records calls, answers `engine.info`, emits events on demand. */
export class FakeHost implements CommandHost {
  readonly calls: { name: unknown; params: unknown }[] = []
  /** Reasons passed to `cancelRunning`, in order. */
  readonly cancelReasons: string[] = []
  private readonly listeners = new Set<(event: EngineEvent) => void>()

  async call(name: unknown, params: unknown): Promise<CommandOutcome> {
    this.calls.push({ name, params })
    if (name === 'engine.info')
      return { ok: true, result: { hardwareThreads: 2 } } as unknown as CommandOutcome
    return { ok: false, error: { code: 'UNKNOWN_COMMAND', message: `unknown command ${String(name)}` } }
  }

  async cancelRunning(reason: string): Promise<boolean> {
    this.cancelReasons.push(reason)
    return false
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

export interface Harness<H extends CommandHost = FakeHost> {
  host: H
  web: WebHost
  origin: string
  staticDir: string
  /** `ws://…/ws?token=…`: the address a non-browser client uses. */
  wsUrl: string
  close(): Promise<void>
}

type ExtraOptions = Omit<WebHostOptions, 'host' | 'staticDir'>

/** The web host over a FakeHost and a temporary static folder. */
export async function startHarness(options: ExtraOptions = {}): Promise<Harness> {
  return startWith(new FakeHost(), options, async () => undefined)
}

/** The web host over a real EngineHost (bundled worker, two threads; `hostOptions` as the web host's main sets them). */
export async function startEngineHarness(
  options: ExtraOptions = {},
  hostOptions: Partial<EngineHostOptions> = {}
): Promise<Harness<EngineHost>> {
  const host = new EngineHost({ workerFile, hardwareThreads: 2, ...hostOptions })
  return startWith(host, options, () => host.dispose())
}

async function startWith<H extends CommandHost>(
  host: H,
  options: ExtraOptions,
  disposeHost: () => Promise<void>
): Promise<Harness<H>> {
  const tree = makeStaticTree()
  const web = await startWebHost({ ...options, host, staticDir: tree.staticDir })
  return {
    host,
    web,
    origin: `http://127.0.0.1:${web.port}`,
    staticDir: tree.staticDir,
    wsUrl: `ws://127.0.0.1:${web.port}/ws?token=${web.token}`,
    async close() {
      await web.close()
      await disposeHost()
      tree.cleanup()
    }
  }
}

/** Opens a WebSocket; resolves to the open socket or the HTTP status of the refusal. */
export function connect(
  url: string,
  origin?: string,
  headers: Record<string, string> = {}
): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(origin === undefined ? {} : { origin }) })
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 })
      res.resume()
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

/** Opens a WebSocket that must be accepted. */
export async function connectOpen(url: string, origin: string): Promise<WebSocket> {
  const result = await connect(url, origin)
  if (!('ws' in result)) throw new Error(`refused with ${result.status}`)
  return result.ws
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

/** Resolves with the close code once the socket has closed. */
export function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1)
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

/** What came back on a raw TCP connection: the status of the first answer (null when none) and all bytes. */
export interface RawAnswer {
  status: number | null
  text: string
}

/**
 * Sends bytes exactly as given over a plain TCP socket and collects everything until the server
 * closes. `vanish` destroys the socket right after writing (a client that disappears mid-request);
 * `halfClose` ends the sending side, as a client that has nothing more to say does.
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  how: { vanish?: boolean; halfClose?: boolean } = {}
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the server answered and hung up is a normal end for a refused request.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err)
    })
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text)
      resolve({ status: match ? Number(match[1]) : null, text })
    })
    socket.on('connect', () => {
      socket.write(bytes)
      if (how.vanish) socket.destroy()
      else if (how.halfClose) socket.end()
    })
  })
}

/** An HTTP/1.1 request with `Connection: close`, so the server hangs up after answering. */
export function httpRequest(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET'
): string {
  const all = { Host: `127.0.0.1:${port}`, Connection: 'close', ...headers }
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`)
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`
}

/** Headers of a WebSocket upgrade request (a fixed, valid key). */
export function upgradeHeaders(port: number): Record<string, string> {
  return {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    Origin: `http://127.0.0.1:${port}`
  }
}

/** Resolves with the next `job.finished` summary the host emits. */
export function nextFinished(host: CommandHost): Promise<JobSummary> {
  return new Promise((resolve) => {
    const stop = host.onEvent((event) => {
      if (event.type === 'job.finished') {
        stop()
        resolve(event.payload)
      }
    })
  })
}
