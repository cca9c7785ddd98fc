import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { contentTypeOf } from '../contentTypes'
import { join, sep } from 'node:path'

/**
 * Serves the built renderer (out/renderer) read-only: GET and HEAD only, `index.html` at `/`, no
 * path may leave the folder (decoded `..`, backslashes, NUL bytes and symlinks out are refused).
 */

/**
 * The page's Content-Security-Policy, also in src/renderer/index.html's meta tag (a test keeps the
 * two equal). `connect-src 'self'` covers the WebSocket back to the page's own host: in CSP Level 3
 * browsers 'self' matches ws: and wss: on the same host and port, so no other socket is allowed.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Headers sent with every HTTP answer of the web host. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // A pasted page URL carries the token until the redirect: never hand it to another site.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

/** Sends a short plain-text answer with the security headers. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {}
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store'
  })
  res.end(text)
}

/**
 * Maps a request path to a file inside `root`, or returns an HTTP status explaining the refusal.
 * `root` must already be a real (symlink-free) absolute path.
 */
export async function resolveStaticPath(root: string, rawPath: string): Promise<string | number> {
  let pathname: string
  try {
    pathname = decodeURIComponent(rawPath)
  } catch {
    return 400
  }
  if (!pathname.startsWith('/') || pathname.includes('\0') || pathname.includes('\\')) return 400
  const segments = pathname.split('/').filter((segment) => segment !== '')
  if (segments.some((segment) => segment === '..' || segment === '.')) return 400
  if (segments.length === 0) segments.push('index.html')
  const candidate = join(root, ...segments)
  if (!candidate.startsWith(root + sep)) return 403
  try {
    const info = await stat(candidate)
    if (!info.isFile()) return 404
    // A symlink inside the folder must not lead outside it.
    const real = await realpath(candidate)
    if (!real.startsWith(root + sep)) return 403
    return real
  } catch {
    return 404
  }
}

/** Answers one HTTP request for `rawPath` (the request-target's path, still percent-encoded) from the static folder. */
export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' })
    return
  }
  const resolved = await resolveStaticPath(root, rawPath)
  if (typeof resolved === 'number') {
    sendText(res, resolved, resolved === 404 ? 'Not found' : 'Bad path')
    return
  }
  const info = await stat(resolved)
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(resolved),
    'Content-Length': info.size,
    'Cache-Control': 'no-cache'
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(resolved)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
