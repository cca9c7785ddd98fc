import type { ErrorInfo } from '../../shared/errors'
import { redactPaths } from '../../shared/redactPaths'

/**
 * The last filter on errors that leave main for the page: exactly `{ code, message }`, with stack
 * frames dropped and file system paths replaced. The host already sends only `{ code, message }`,
 * but messages can quote a lower layer (a pool that cannot load its worker names the worker's
 * absolute path), and the page has no use for where PoolScope is installed.
 */

export { REDACTED_PATH, redactPaths } from '../../shared/redactPaths'

/** The error as the page may see it: its code and its redacted message, nothing else. */
export function toRendererError(error: ErrorInfo): ErrorInfo {
  return { code: error.code, message: redactPaths(String(error.message)) }
}
