import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces, hostname as machineName } from 'node:os'
import { realpathSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import { ErrorCodes, toErrorInfo } from '../../shared/errors'
import type { CommandOutcome, EngineEvent } from '../../shared/protocol'
import {
  decodeRequest,
  encodeServerFrame,
  encodeWire,
  salvageRequestId,
  type WireId,
  WireError
} from '../../shared/wire'
import { sendText, serveStatic } from './staticFiles'

/** What the web host needs of the engine host: the EngineHost surface, so tests can pass a fake. */
export interface CommandHost {
  call(name: unknown, params: unknown): Promise<CommandOutcome>
  onEvent(listener: (event: EngineEvent) => void): () => void
}

export interface WebHostOptions {
  host: CommandHost
  /** The built renderer (out/renderer). */
  staticDir: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** Interface to bind; loopback by default. */
  hostname?: string
  /** The access token; a random one when omitted. */
  token?: string
}

export interface WebHost {
  /** The page to open, token included. */
  url: string
  port: number
  token: string
  /** Closes every socket and the server; the engine host is left to its owner. */
  close(): Promise<void>
}

/** Path of the WebSocket endpoint. */
export const WEBSOCKET_PATH = '/ws'
/** Largest message a client may send; requests are small, so this is generous. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024
/** A client that lets this much pile up unsent is too slow to follow events and is closed. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

/** A new random access token: 24 bytes, base64url. */
export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Compares two tokens in time that does not depend on where they differ (lengths hidden by hashing). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
const WILDCARD = new Set(['0.0.0.0', '::', ''])

/** True when a host name or address only accepts connections from this machine. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname) || hostname.startsWith('127.')
}

function hostForUrl(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname
}

/**
 * The origins a page served by this host can have. Loopback binds also accept `localhost`; a
 * wildcard bind accepts this machine's own addresses and name (reached from another machine).
 */
export function allowedOrigins(hostname: string, port: number): Set<string> {
  const names = new Set<string>([hostname])
  if (isLoopback(hostname)) ['127.0.0.1', 'localhost', '::1'].forEach((name) => names.add(name))
  if (WILDCARD.has(hostname)) {
    names.delete(hostname)
    names.add('localhost').add(machineName())
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? []) names.add(address.address)
    }
  }
  return new Set([...names].map((name) => `http://${hostForUrl(name)}:${port}`))
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
  socket.destroy()
}

/** Closes a socket politely (1001 "going away"), cutting it off if the peer does not answer soon. */
function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve()
    const timer = setTimeout(() => ws.terminate(), 500)
    ws.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    ws.close(1001, 'PoolScope is shutting down')
  })
}

/**
 * Starts the web host: the renderer over HTTP and the engine over a WebSocket at `/ws`, which
 * requires `?token=` and an Origin of this very server. Resolves once it listens.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { host } = options
  const hostname = options.hostname ?? '127.0.0.1'
  const token = options.token ?? createToken()
  const staticDir = realpathSync(options.staticDir)
  let origins = new Set<string>()

  const server = createServer((req, res) => {
    serveStatic(staticDir, req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error')
      else res.destroy()
    })
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, clientTracking: true })

  /** Checks path, token and Origin; answers the refusal itself and returns false when one fails. */
  function admit(req: IncomingMessage, socket: Duplex): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== WEBSOCKET_PATH) {
      rejectUpgrade(socket, 404, 'Not Found')
      return false
    }
    const given = url.searchParams.get('token')
    if (given === null || !tokensEqual(given, token)) {
      rejectUpgrade(socket, 401, 'Unauthorized')
      return false
    }
    const origin = req.headers.origin
    if (origin === undefined || !origins.has(origin)) {
      rejectUpgrade(socket, 403, 'Forbidden')
      return false
    }
    return true
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (!admit(req, socket)) return
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  /** Sends a text frame, or a binary one for messages that carry typed arrays (see `encodeServerFrame`). */
  function send(ws: WebSocket, data: string | Uint8Array): void {
    if (ws.readyState !== WebSocket.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, 'Client too slow to receive events')
      return
    }
    ws.send(data)
  }

  function respond(ws: WebSocket, id: WireId | null, outcome: CommandOutcome): void {
    let data: string | Uint8Array
    try {
      data = encodeServerFrame({ id, outcome })
    } catch (err) {
      data = encodeWire({ id, outcome: { ok: false, error: toErrorInfo(err) } })
    }
    send(ws, data)
  }

  async function handleMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    const text = isBinary ? null : data.toString()
    let request
    try {
      request = decodeRequest(text)
    } catch (err) {
      const message = err instanceof WireError ? err.message : 'the message could not be read'
      respond(ws, text === null ? null : salvageRequestId(text), {
        ok: false,
        error: { code: ErrorCodes.INVALID_COMMAND, message: `Bad message: ${message}` }
      })
      return
    }
    let outcome: CommandOutcome
    try {
      outcome = await host.call(request.name, request.params)
    } catch (err) {
      outcome = { ok: false, error: toErrorInfo(err) }
    }
    respond(ws, request.id, outcome)
  }

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => void handleMessage(ws, data, isBinary))
  })

  const unsubscribe = host.onEvent((event) => {
    if (wss.clients.size === 0) return
    // Encoded once for every client; timing batches go as one binary frame each.
    let data: string | Uint8Array
    try {
      data = encodeServerFrame({ event })
    } catch {
      return
    }
    for (const ws of wss.clients) send(ws, data)
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, hostname, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    unsubscribe()
    wss.close()
    throw err
  }

  const port = (server.address() as AddressInfo).port
  origins = allowedOrigins(hostname, port)
  const shownHost = WILDCARD.has(hostname) ? '127.0.0.1' : hostForUrl(hostname)
  let closing: Promise<void> | undefined

  return {
    url: `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        unsubscribe()
        await Promise.all([...wss.clients].map((ws) => closeSocket(ws)))
        wss.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      })()
      return closing
    }
  }
}
