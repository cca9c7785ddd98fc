import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AccessControl } from './access'
import { checkHostHeader } from './allowedAddresses'
import { parseRequestTarget } from './requestTarget'
import { SECURITY_HEADERS, sendText, serveStatic } from './staticFiles'

/**
 * Plain HTTP requests: the Host check, then the login exchange (a page request carrying `?code=`
 * or `?token=`), then the static renderer.
 */

/** What page requests need to know about the running host. */
export interface PageContext {
  staticDir: string
  hosts: ReadonlySet<string>
  access: AccessControl
}

/**
 * Trades a valid one-time code or token for the session cookie, and always redirects to `/` so
 * the secret leaves the address bar and history. A wrong secret earns no cookie: the page then
 * loads without one and explains that the connection was refused.
 */
function exchangeForCookie(res: ServerResponse, query: URLSearchParams, access: AccessControl): void {
  const granted = access.exchange(query)
  res.writeHead(303, {
    ...SECURITY_HEADERS,
    Location: '/',
    'Cache-Control': 'no-store',
    'Content-Length': 0,
    ...(granted ? { 'Set-Cookie': access.sessionCookie() } : {})
  })
  res.end()
}

/** Answers one HTTP request. */
export async function handlePageRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: PageContext
): Promise<void> {
  const hostRefusal = checkHostHeader(req, context.hosts)
  if (hostRefusal) {
    sendText(res, hostRefusal.status, hostRefusal.message)
    return
  }
  const target = parseRequestTarget(req.url)
  if (target === null) {
    sendText(res, 400, 'Bad request target')
    return
  }
  const isRead = req.method === 'GET' || req.method === 'HEAD'
  if (isRead && (target.query.has('code') || target.query.has('token'))) {
    exchangeForCookie(res, target.query, context.access)
    return
  }
  await serveStatic(context.staticDir, req, res, target.pathname)
}
