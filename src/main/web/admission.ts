import type { IncomingMessage } from 'node:http'
import type { AccessControl } from './access'
import { checkHostHeader } from './allowedAddresses'
import { parseRequestTarget } from './requestTarget'

/**
 * The checks a WebSocket upgrade passes before the socket is handed to `ws`, in order: the Host
 * header names this host, the target is `/ws`, the request is authorised (session cookie or
 * `?token=`), the Origin is a page of this host, and there is room for one more connection.
 */

/** Path of the WebSocket endpoint. */
export const WEBSOCKET_PATH = '/ws'

/** What admission needs to know about the running host. */
export interface AdmissionContext {
  hosts: ReadonlySet<string>
  origins: ReadonlySet<string>
  access: AccessControl
  openConnections: number
  maxConnections: number
}

/** A refusal: the HTTP status to answer with and its text. */
export interface Refusal {
  status: number
  message: string
}

/** Null when the upgrade may proceed, else why not. Never throws, whatever the request looks like. */
export function admitUpgrade(req: IncomingMessage, context: AdmissionContext): Refusal | null {
  const hostRefusal = checkHostHeader(req, context.hosts)
  if (hostRefusal) return hostRefusal
  const target = parseRequestTarget(req.url)
  if (target === null) return { status: 400, message: 'Bad request target' }
  if (target.pathname !== WEBSOCKET_PATH) return { status: 404, message: 'Not found' }
  if (!context.access.authorizes(req, target.query)) return { status: 401, message: 'Unauthorized' }
  const origin = req.headers.origin
  if (origin === undefined || !context.origins.has(origin)) return { status: 403, message: 'Forbidden' }
  if (context.openConnections >= context.maxConnections) {
    return {
      status: 503,
      message: `Too many connections: at most ${context.maxConnections} clients at once; close another tab`
    }
  }
  return null
}
