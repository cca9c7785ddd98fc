import { extname } from 'node:path'

/**
 * Content types of the built renderer's files, by extension: one table for both places that serve
 * them (the web host over HTTP, the desktop app over `app://`). Anything else is served as bytes,
 * with `nosniff`, so a page can never run it as a script or style.
 */
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.ico', 'image/x-icon'],
  ['.woff', 'font/woff'],
  ['.woff2', 'font/woff2'],
  ['.ttf', 'font/ttf'],
  ['.wasm', 'application/wasm'],
  ['.txt', 'text/plain; charset=utf-8']
])

/** The content type served for a file name. */
export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES.get(extname(fileName).toLowerCase()) ?? 'application/octet-stream'
}
