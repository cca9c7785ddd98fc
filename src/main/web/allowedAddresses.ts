import type { IncomingMessage } from 'node:http'
import { networkInterfaces, hostname as machineName } from 'node:os'

/**
 * Which names the web host answers to. A browser page may only talk to the host under a name the
 * host was bound to (or, for a wildcard bind, one of this machine's own): the Origin check keeps
 * other sites' pages out, and the Host check defeats DNS rebinding, where a foreign name is made
 * to resolve to 127.0.0.1 so that the browser thinks the host is that site.
 */

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1']
const WILDCARDS = new Set(['0.0.0.0', '::', ''])

/** True when a host name or address only accepts connections from this machine. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.includes(hostname) || hostname.startsWith('127.')
}

/** True for the "every interface" addresses. */
export function isWildcard(hostname: string): boolean {
  return WILDCARDS.has(hostname)
}

/** A host name as it appears in a URL: IPv6 addresses in brackets. */
export function hostForUrl(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname
}

/** Host names (no port) a request may be addressed to. */
function allowedNames(hostname: string): Set<string> {
  const names = new Set<string>([hostname.toLowerCase()])
  if (isLoopback(hostname)) LOOPBACK_NAMES.forEach((name) => names.add(name))
  if (isWildcard(hostname)) {
    names.delete(hostname)
    names.add('localhost').add(machineName().toLowerCase())
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? []) names.add(address.address.toLowerCase())
    }
  }
  return names
}

/**
 * The `Host` header values a request to this host can carry: `name:port` for every allowed name
 * (and the bare name too on port 80, which clients leave out).
 */
export function allowedHosts(hostname: string, port: number): Set<string> {
  const hosts = new Set<string>()
  for (const name of allowedNames(hostname)) {
    hosts.add(`${hostForUrl(name)}:${port}`)
    if (port === 80) hosts.add(hostForUrl(name))
  }
  return hosts
}

/**
 * The origins a page served by this host can have. Loopback binds also accept `localhost`; a
 * wildcard bind accepts this machine's own addresses and name (reached from another machine).
 */
export function allowedOrigins(hostname: string, port: number): Set<string> {
  const authority = (name: string) => (port === 80 ? hostForUrl(name) : `${hostForUrl(name)}:${port}`)
  return new Set([...allowedNames(hostname)].map((name) => `http://${authority(name)}`))
}

/** Why a request's `Host` header is refused: the status and a short text for the answer. */
export interface HostRefusal {
  status: 400 | 421
  message: string
}

/**
 * Checks that a request names this host exactly once in its `Host` header. Node keeps only the
 * first of duplicate `Host` headers, so the raw headers are counted: two Host headers are a
 * request smuggling trick, not a client mistake.
 */
export function checkHostHeader(req: IncomingMessage, hosts: ReadonlySet<string>): HostRefusal | null {
  let count = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') count++
  }
  if (count !== 1) return { status: 400, message: 'Bad request: exactly one Host header is required' }
  const host = (req.headers.host ?? '').toLowerCase()
  if (!hosts.has(host)) {
    return {
      status: 421,
      message:
        'Misdirected request: this server does not answer to that host name; open the address PoolScope printed'
    }
  }
  return null
}
