import { isErrorPath, type ErrorInfo } from '../../shared/errors'
import { redactPaths } from '../../shared/redactPaths'

/**
 * The last filter on errors that leave main for the page: exactly `{ code, message, path? }`, with stack
 * frames dropped and file system paths replaced. The host already sends only `{ code, message }`,
 * but messages can quote a lower layer (a pool that cannot load its worker names the worker's
 * absolute path), and the page has no use for where PoolScope is installed.
 */

export { REDACTED_PATH, redactPaths } from '../../shared/redactPaths'

/**
 * The error as the page may see it: its code, its redacted message and the spec field it is about
 * (the form shows it under that field), nothing else. A path that is not a short list of field
 * names and indexes is dropped.
 */
export function toRendererError(error: ErrorInfo): ErrorInfo {
  const safe: ErrorInfo = { code: error.code, message: redactPaths(String(error.message)) }
  if (isErrorPath(error.path)) safe.path = [...error.path]
  return safe
}
