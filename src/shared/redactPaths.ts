/**
 * Absolute paths and stack frames have no place in what a user is shown: they say where PoolScope
 * is installed and nothing about what went wrong. Messages that quote a lower layer (a pool that
 * cannot load its worker names the worker's absolute path) pass through `redactPaths` first.
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
