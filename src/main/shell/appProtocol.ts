import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { Protocol } from 'electron'
import { contentTypeOf } from '../contentTypes'

/**
 * The app's own origin, `app://poolscope`: the built renderer is served from it instead of
 * `file://`, so pages get no file-protocol privileges (the `GrantFileProtocolExtraPrivileges` fuse
 * is off in a packaged app) and `'self'` in the CSP means exactly the app's files. The handler reads
 * only inside the renderer directory and answers everything else with a bare 404.
 */

/** The custom scheme the packaged renderer is served from. */
export const APP_SCHEME = 'app'
/** The one host of the scheme; any other host is refused. */
export const APP_HOST = 'poolscope'
/** The page the window loads. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * Registers `app:` as a standard, secure scheme. Standard gives it real origins and relative URLs
 * (module scripts, `'self'`); secure makes it a secure context like https. It does not bypass the
 * CSP. Electron allows this only before the app is ready, and only once.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/**
 * The file inside `rootDir` that an `app:` URL names, or null when the URL is not the app's host,
 * cannot be decoded, or points outside `rootDir` (`..`, encoded slashes, a NUL byte).
 */
export function resolveAppFile(rootDir: string, url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (path.includes('\0')) return null
  if (path === '/' || path === '') path = '/index.html'
  const root = resolve(rootDir)
  const file = resolve(root, `.${path}`)
  const inside = relative(root, file)
  // `inside` is empty for the directory itself and starts with `..` (or is absolute, on another
  // drive) for anything outside it.
  if (inside === '' || isAbsolute(inside) || inside === '..' || inside.startsWith(`..${sep}`)) return null
  return file
}

/** What the request handler needs. */
export interface AppRequestHandlerOptions {
  /** The built renderer directory (`out/renderer`); nothing outside it is ever read. */
  rendererDir: string
  /** The content security policy sent with every response. */
  contentSecurityPolicy: string
  /** Reads a file (Node's `readFile`, which Electron extends to app.asar); replaceable in tests. */
  readFile?: (path: string) => Promise<Uint8Array>
}

/** The part of a fetch Request the handler reads. */
export type AppRequest = Pick<Request, 'url' | 'method'>

function plainResponse(status: number, text: string, policy: string): Response {
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': policy,
      'X-Content-Type-Options': 'nosniff'
    }
  })
}

/**
 * The `protocol.handle` handler for `app:`: GET and HEAD of files inside the renderer directory,
 * with their content type and the CSP; 404 for anything else. Error bodies never name a path.
 */
export function createAppRequestHandler(
  options: AppRequestHandlerOptions
): (request: AppRequest) => Promise<Response> {
  const read = options.readFile ?? readFile
  const policy = options.contentSecurityPolicy
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plainResponse(405, 'Method not allowed.', policy)
    }
    const file = resolveAppFile(options.rendererDir, request.url)
    if (!file) return plainResponse(404, 'Not found.', policy)
    let body: Uint8Array
    try {
      body = await read(file)
    } catch {
      // A missing file, a directory or an unreadable one: all look the same to the page.
      return plainResponse(404, 'Not found.', policy)
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Length': String(body.byteLength),
        'Content-Security-Policy': policy,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache'
      }
    })
  }
}

/** Serves the renderer on `app://poolscope/` in the default session (after the app is ready). */
export function serveApp(protocol: Pick<Protocol, 'handle'>, options: AppRequestHandlerOptions): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(options))
}
