/**
 * Reads an HTTP request-target without `new URL`, which throws on targets such as `http://[` (and
 * once crashed the host from inside a synchronous `upgrade` handler). Only the origin form
 * (`/path?query`) is accepted: the web host is no proxy, so `*` and absolute URLs are refused.
 */

/** The parts of a request-target the web host uses. */
export interface RequestTarget {
  /** The path, still percent-encoded (static files decode it themselves, with their own checks). */
  pathname: string
  query: URLSearchParams
}

/** Splits an origin-form request-target into path and query; null when it is not one. */
export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (raw === undefined || !raw.startsWith('/') || raw.includes('#')) return null
  const queryAt = raw.indexOf('?')
  const pathname = queryAt === -1 ? raw : raw.slice(0, queryAt)
  // URLSearchParams never throws: malformed escapes are kept as they are.
  const query = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1))
  return { pathname, query }
}
