import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Who may use the web host. The secret token is printed with the URL, as Jupyter does; a browser
 * trades it — or a one-time code from the launch file — for an HttpOnly session cookie, so the
 * secret leaves the address bar and history, and scripts on the page never see it. Non-browser
 * clients (and tests) may still put `?token=` on the WebSocket URL.
 */

/** How long a one-time code stays valid: long enough for a cold browser start. */
export const ONE_TIME_CODE_LIFETIME_MS = 120_000
/** At most this many codes wait to be redeemed; the oldest is forgotten beyond it. */
const MAX_PENDING_CODES = 32

/** A new random secret: 24 bytes, base64url. */
export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Compares two secrets in time that does not depend on where they differ (lengths hidden by hashing). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

/**
 * The session cookie's name. Cookies are not separated by port, so two hosts on one machine would
 * overwrite each other's cookie under a shared name.
 */
export function sessionCookieName(port: number): string {
  return `poolscope-${port}`
}

/** The value of cookie `name` in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return null
}

/** Single-use codes that expire: what the launch file hands the browser instead of the token. */
export class OneTimeCodes {
  private readonly expiries = new Map<string, number>()

  constructor(
    private readonly lifetimeMs: number = ONE_TIME_CODE_LIFETIME_MS,
    private readonly now: () => number = Date.now
  ) {}

  /** A fresh code, valid once within the lifetime. */
  issue(): string {
    this.forgetExpired()
    if (this.expiries.size >= MAX_PENDING_CODES) {
      const oldest = this.expiries.keys().next().value as string
      this.expiries.delete(oldest)
    }
    const code = createToken()
    this.expiries.set(code, this.now() + this.lifetimeMs)
    return code
  }

  /** True once for a code that was issued and has not expired; it is spent either way. */
  redeem(code: string): boolean {
    this.forgetExpired()
    for (const [known] of this.expiries) {
      if (tokensEqual(code, known)) {
        this.expiries.delete(known)
        return true
      }
    }
    return false
  }

  private forgetExpired(): void {
    const now = this.now()
    for (const [code, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(code)
  }
}

/** The token, the one-time codes and the session cookie of one running host. */
export class AccessControl {
  readonly cookieName: string
  private readonly sessionSecret = createToken()
  private readonly codes: OneTimeCodes

  constructor(
    readonly token: string,
    port: number,
    codeLifetimeMs: number = ONE_TIME_CODE_LIFETIME_MS
  ) {
    this.cookieName = sessionCookieName(port)
    this.codes = new OneTimeCodes(codeLifetimeMs)
  }

  /** A fresh one-time code for the launch file. */
  issueCode(): string {
    return this.codes.issue()
  }

  /** True when a page request's `?code=` (single use) or `?token=` is valid: it earns a session cookie. */
  exchange(query: URLSearchParams): boolean {
    const code = query.get('code')
    if (code !== null && this.codes.redeem(code)) return true
    const token = query.get('token')
    return token !== null && tokensEqual(token, this.token)
  }

  /** The `Set-Cookie` value of a session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
  sessionCookie(): string {
    return `${this.cookieName}=${this.sessionSecret}; Path=/; HttpOnly; SameSite=Strict`
  }

  /** True when a WebSocket upgrade carries the session cookie or the token in its query. */
  authorizes(req: IncomingMessage, query: URLSearchParams): boolean {
    const cookie = readCookie(req.headers.cookie, this.cookieName)
    if (cookie !== null && tokensEqual(cookie, this.sessionSecret)) return true
    const token = query.get('token')
    return token !== null && tokensEqual(token, this.token)
  }
}
