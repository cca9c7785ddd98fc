import {
  checkedEventOrNull,
  createApi,
  RemoteError,
  type CommandName,
  type CommandParams,
  type CommandResults,
  type EngineEvent,
  type Invoke,
  type PoolScopeApi
} from '../../../shared/protocol'
import { checkPayload } from '../../../shared/payloads'
import { formatBytes } from '../../../shared/units'
import { WireError } from '../../../shared/wire/errors'
import { MAX_CLIENT_MESSAGE_BYTES } from '../../../shared/wire/frames'
import { encodeWire } from '../../../shared/wire/json'
import { decodeServerMessage, isWireEvent } from '../../../shared/wire/messages'

/**
 * The engine over the web host's WebSocket, for a page served by `npm run web`. Same API as the
 * Electron bridge: components and stores cannot tell the two apart. Like the bridge, it checks
 * every result and event against its schema (shared/payloads) before anyone sees it: a malformed
 * result rejects its call, a malformed event is reported and dropped.
 */

interface Pending {
  /** The command sent, whose result schema the reply must match. */
  name: CommandName
  resolve(value: unknown): void
  reject(error: Error): void
}

/** Raised for calls that cannot reach the host (never opened, or the connection dropped). */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConnectionError'
  }
}

/** What a refused connection means and what to do about it (shown to the person, so be exact). */
export const REFUSED_MESSAGE =
  'the web host refused the connection: open the exact address it printed, with its ?token='

function describeClose(event: CloseEvent): string {
  const reason = event.reason ? `: ${event.reason}` : ''
  return `The connection to the PoolScope web host was lost (code ${event.code}${reason}). Reload the page to reconnect.`
}

/**
 * Opens the WebSocket at `url` (e.g. `ws://127.0.0.1:5173/ws`) and resolves to the API once it is
 * open. A page served by the web host is authorised by its HttpOnly session cookie, which the
 * browser sends by itself; a `token` is added to the query only when given (non-browser clients).
 * Rejects when the host refuses the connection (no session, foreign origin, too many clients) or
 * cannot be reached.
 */
export async function connectWebSocket(url: string, token?: string): Promise<PoolScopeApi> {
  const target = new URL(url)
  if (token !== undefined) target.searchParams.set('token', token)
  const socket = new WebSocket(target)
  // Replies with typed arrays (timeline windows, timings) arrive as binary frames; an ArrayBuffer
  // is viewed in place, with no copy.
  socket.binaryType = 'arraybuffer'

  const pending = new Map<number, Pending>()
  const listeners = new Set<(event: EngineEvent) => void>()
  let nextId = 1
  let closedMessage: string | null = null

  await new Promise<void>((resolve, reject) => {
    const onOpen = () => {
      socket.removeEventListener('close', onFailed)
      resolve()
    }
    // The browser hides the HTTP status of a refused upgrade (401 without a session, 403 for a
    // foreign origin, 503 when too many clients are connected). The page itself came from this host, so a refusal is by far the likelier cause.
    const onFailed = () =>
      reject(
        new ConnectionError(
          `${REFUSED_MESSAGE}. (Tried ${target.origin}${target.pathname}; if the host has stopped, ` +
            'start it again with npm run web.)'
        )
      )
    socket.addEventListener('open', onOpen, { once: true })
    socket.addEventListener('close', onFailed, { once: true })
  })

  socket.addEventListener('message', (message: MessageEvent) => {
    let decoded
    try {
      decoded = decodeServerMessage(message.data)
    } catch (err) {
      console.error(
        'PoolScope: ignored a message from the host:',
        err instanceof WireError ? err.message : err
      )
      return
    }
    if (isWireEvent(decoded)) {
      const event = checkedEventOrNull(decoded.event)
      if (event === null) return
      for (const listener of [...listeners]) {
        try {
          listener(event)
        } catch (err) {
          console.error('PoolScope: an event listener failed:', err)
        }
      }
      return
    }
    const entry = typeof decoded.id === 'number' ? pending.get(decoded.id) : undefined
    if (entry === undefined) {
      if (!decoded.outcome.ok)
        console.error('PoolScope: the host refused a message:', decoded.outcome.error.message)
      return
    }
    pending.delete(decoded.id as number)
    if (!decoded.outcome.ok) {
      entry.reject(new RemoteError(decoded.outcome.error))
      return
    }
    let result: unknown
    try {
      result = checkPayload('result', entry.name, decoded.outcome.result)
    } catch (err) {
      entry.reject(err instanceof Error ? err : new Error(String(err)))
      return
    }
    entry.resolve(result)
  })

  socket.addEventListener('close', (event: CloseEvent) => {
    closedMessage = describeClose(event)
    const error = new ConnectionError(closedMessage)
    for (const entry of pending.values()) entry.reject(error)
    pending.clear()
  })

  const invoke: Invoke = <N extends CommandName>(name: N, params: CommandParams[N]) =>
    new Promise<CommandResults[N]>((resolve, reject) => {
      if (closedMessage !== null || socket.readyState !== WebSocket.OPEN) {
        reject(new ConnectionError(closedMessage ?? 'The connection to the PoolScope web host is not open.'))
        return
      }
      const id = nextId++
      let text: string
      try {
        text = encodeWire({ id, name, params })
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
        return
      }
      // The host closes the connection on a message past its limit: say so instead, and send nothing.
      const bytes = new TextEncoder().encode(text).byteLength
      if (bytes > MAX_CLIENT_MESSAGE_BYTES) {
        reject(
          new Error(
            `${name}: the request is ${formatBytes(bytes)}; the web host takes at most ` +
              `${formatBytes(MAX_CLIENT_MESSAGE_BYTES)} in one request (the desktop app takes more)`
          )
        )
        return
      }
      pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject })
      socket.send(text)
    })

  return createApi(invoke, (listener) => {
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
    }
  })
}
