import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { realpathSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket } from 'ws'
import type { CommandOutcome, EngineEvent } from '../../shared/protocol'
import { encodeServerFrame, MAX_CLIENT_MESSAGE_BYTES } from '../../shared/wire/frames'
import { AbandonedJobGuard, DISCONNECT_GRACE_MS } from './abandonedJobGuard'
import { AccessControl, createToken } from './access'
import { admitUpgrade } from './admission'
import { allowedHosts, allowedOrigins, hostForUrl, isWildcard } from './allowedAddresses'
import { answerMessage } from './clientMessages'
import { exceedsLimit, Heartbeat, sendWithinLimit } from './connectionPolicy'
import { handlePageRequest } from './pageRequests'
import { answerAndClose, answerClientError } from './rawAnswers'
import { sendText } from './staticFiles'

export { WEBSOCKET_PATH } from './admission'
export { DISCONNECT_GRACE_MS } from './abandonedJobGuard'
export { createToken, ONE_TIME_CODE_LIFETIME_MS, tokensEqual } from './access'
export { allowedOrigins, allowedHosts, isLoopback } from './allowedAddresses'

/** What the web host needs of the engine host: the EngineHost surface, so tests can pass a fake. */
export interface CommandHost {
  call(name: unknown, params: unknown): Promise<CommandOutcome>
  onEvent(listener: (event: EngineEvent) => void): () => void
  /** Cancels the running job, if any, with a reason shown in its status; resolves once it has ended. */
  cancelRunning(reason: string): Promise<boolean>
}

/** Largest message a client may send; requests are small, so this is generous. */
export const MAX_PAYLOAD_BYTES = MAX_CLIENT_MESSAGE_BYTES
/** A client may have at most this much waiting to be sent; beyond it, it is cut off. */
export const MAX_BUFFERED_BYTES = 32 * 1024 * 1024
/** WebSocket clients at once: a handful of tabs, never an unbounded number of buffers. */
export const MAX_CONNECTIONS = 16
/** Every client is pinged this often; one that has not answered the previous ping is cut off. */
export const HEARTBEAT_INTERVAL_MS = 15_000
/** An HTTP connection that says nothing for this long (before any upgrade) is closed. */
export const IDLE_TIMEOUT_MS = 30_000

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
  /** Default {@link MAX_BUFFERED_BYTES}. */
  maxBufferedBytes?: number
  /** Default {@link MAX_CONNECTIONS}. */
  maxConnections?: number
  /** Default {@link HEARTBEAT_INTERVAL_MS}. */
  heartbeatIntervalMs?: number
  /** Default {@link IDLE_TIMEOUT_MS}. */
  idleTimeoutMs?: number
  /** How long without any client before the running job is cancelled; default {@link DISCONNECT_GRACE_MS}. */
  disconnectGraceMs?: number
  /** Default {@link ONE_TIME_CODE_LIFETIME_MS}. */
  oneTimeCodeLifetimeMs?: number
}

export interface WebHost {
  /** The page to open, token included: printed for people to paste. */
  url: string
  port: number
  token: string
  /** WebSocket clients connected right now. */
  readonly connectionCount: number
  /** A fresh single-use address (`/?code=…`) that logs one browser in; for the launch file. */
  oneTimeUrl(): string
  /** Closes every socket and the server; the engine host is left to its owner. */
  close(): Promise<void>
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
 * requires the session cookie or `?token=`, a Host and an Origin of this very server, and room
 * under the connection cap. Resolves once it listens.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { host } = options
  const hostname = options.hostname ?? '127.0.0.1'
  const token = options.token ?? createToken()
  const staticDir = realpathSync(options.staticDir)
  const maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES
  const maxConnections = options.maxConnections ?? MAX_CONNECTIONS
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS

  // Slow or silent HTTP clients (before any upgrade) are cut off rather than held open forever.
  const server = createServer({ headersTimeout: idleTimeoutMs, requestTimeout: idleTimeoutMs })
  server.timeout = idleTimeoutMs
  server.on('clientError', answerClientError)
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, clientTracking: true })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, hostname, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    wss.close()
    throw err
  }

  // The names, origins and cookie depend on the port, known only now. The handlers below are
  // attached in the same turn as the listen callback, before any connection can be read.
  const port = (server.address() as AddressInfo).port
  const hosts = allowedHosts(hostname, port)
  const origins = allowedOrigins(hostname, port)
  const access = new AccessControl(token, port, options.oneTimeCodeLifetimeMs)
  const heartbeat = new Heartbeat(options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS)
  const guard = new AbandonedJobGuard(
    (reason) => host.cancelRunning(reason),
    options.disconnectGraceMs ?? DISCONNECT_GRACE_MS
  )

  server.on('request', (req, res) => {
    handlePageRequest(req, res, { staticDir, hosts, access }).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error')
      else res.destroy()
    })
  })

  // Without a listener Node drops CONNECT requests unanswered; this host is no proxy.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy())
    answerAndClose(socket, 405, 'Method not allowed')
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    // Whatever the request looks like, it gets an answer: a throw here would end the process.
    try {
      const refusal = admitUpgrade(req, {
        hosts,
        origins,
        access,
        openConnections: wss.clients.size,
        maxConnections
      })
      if (refusal) {
        answerAndClose(socket, refusal.status, refusal.message)
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    } catch {
      answerAndClose(socket, 400)
    }
  })

  wss.on('connection', (ws: WebSocket) => {
    guard.clientConnected()
    heartbeat.track(ws)
    ws.once('close', () => guard.clientDisconnected())
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      void answerMessage(host, data, isBinary, maxBufferedBytes).then((reply) =>
        sendWithinLimit(ws, reply, maxBufferedBytes)
      )
    })
  })

  const unsubscribe = host.onEvent((event) => {
    if (wss.clients.size === 0) return
    // Encoded once for every client (events carry no typed arrays: they go as JSON text).
    let data: string | Uint8Array
    try {
      data = encodeServerFrame({ event })
    } catch {
      return
    }
    // An event no client could ever hold is dropped rather than cutting every client off.
    if (exceedsLimit(data, maxBufferedBytes)) return
    for (const ws of wss.clients) sendWithinLimit(ws, data, maxBufferedBytes)
  })

  const shownHost = isWildcard(hostname) ? '127.0.0.1' : hostForUrl(hostname)
  const base = `http://${shownHost}:${port}`
  let closing: Promise<void> | undefined

  return {
    url: `${base}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    get connectionCount() {
      return wss.clients.size
    },
    oneTimeUrl() {
      return `${base}/?code=${access.issueCode()}`
    },
    close() {
      closing ??= (async () => {
        unsubscribe()
        guard.dispose()
        heartbeat.stop()
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
