/**
 * Redis URLs as the cluster back end's job specs carry them. A password in one is used to connect
 * and never kept: a job's spec is shown, saved in History and exported.
 */

/** The password of a Redis URL as it is shown instead. */
export const HIDDEN_PASSWORD = '***'

/** `redis://user:***@host:port` for `redis://user:secret@host:port`; a URL without a password as it is. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (!parsed.password || parsed.password === HIDDEN_PASSWORD) return url
    parsed.password = HIDDEN_PASSWORD
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}

/** Whether a URL's password was hidden by `withoutPassword`. */
export function passwordHidden(url: string): boolean {
  try {
    return new URL(url).password === HIDDEN_PASSWORD
  } catch {
    return false
  }
}

/** The server a URL names, without who connects: `rediss://host:6380/0`. */
export function redisServerOf(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.toString()
  } catch {
    return url
  }
}
