import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { SECURITY_HEADERS } from './staticFiles'

/**
 * HTTP answers written straight to a socket, for the two places Node gives no response object: a
 * refused WebSocket upgrade and a request the HTTP parser could not read (`clientError`).
 */

/** A complete `Connection: close` answer with a short plain-text body. */
export function rawAnswer(status: number, text = STATUS_CODES[status] ?? 'Error'): string {
  const body = `${text}\n`
  const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`)
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n${headers.join('')}` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

/** Answers on a raw socket and hangs up. */
export function answerAndClose(socket: Duplex, status: number, text?: string): void {
  if (socket.writable) socket.end(rawAnswer(status, text))
  socket.destroy()
}

/** The status Node itself would answer a parser error with. */
function clientErrorStatus(err: NodeJS.ErrnoException): number {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408
  return 400
}

/**
 * The server's `clientError` handler: a request that cannot be parsed gets a status (when nothing
 * has been written on the socket yet) and the connection is closed. A reset peer gets nothing.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const silent = err.code === 'ECONNRESET' || !socket.writable
  const started = 'bytesWritten' in socket && (socket as { bytesWritten: number }).bytesWritten > 0
  if (silent || started) {
    socket.destroy()
    return
  }
  answerAndClose(socket, clientErrorStatus(err))
}
