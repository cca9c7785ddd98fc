import type { ErrorInfo } from '../../shared/errors'

/**
 * The last filter on errors that leave main for the page: exactly `{ code, message }`, with stack
 * frames dropped and file system paths replaced. The host already sends only `{ code, message }`,
 * but messages can quote a lower layer (a pool that cannot load its worker names the worker's
 * absolute path), and the page has no use for where PoolScope is installed.
 */

/** What a redacted path reads as. */
export const REDACTED_PATH = '<path>'

// A path character is anything but white space, quotes, brackets and the `:` before a line number.
const SEGMENT = String.raw`[^\s'"\x60()<>:\\/]+`
const PATTERNS: readonly RegExp[] = [
  // file:///home/me/x.js
  /\bfile:\/\/\S+/g,
  // /home/me/x.js, but not the `//host/path` of a URL nor `a/b` inside a word
  new RegExp(String.raw`(?<![\w.:/\\])/(?:${SEGMENT}/)+(?:${SEGMENT})?`, 'g'),
  // C:\Users\me\x.js
  new RegExp(String.raw`\b[A-Za-z]:\\(?:${SEGMENT}\\)*(?:${SEGMENT})?`, 'g')
]
// A stack frame is a later line starting with `at`; the first line is the message itself.
const STACK_FRAME = /\n[ \t]*at .*/g

/** `text` with stack frames removed and absolute paths and file URLs replaced by `<path>`. */
export function redactPaths(text: string): string {
  let redacted = text.replace(STACK_FRAME, '')
  for (const pattern of PATTERNS) redacted = redacted.replace(pattern, REDACTED_PATH)
  return redacted
}

/** The error as the page may see it: its code and its redacted message, nothing else. */
export function toRendererError(error: ErrorInfo): ErrorInfo {
  return { code: error.code, message: redactPaths(String(error.message)) }
}
