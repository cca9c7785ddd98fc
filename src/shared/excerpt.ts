/** Longest piece of user input an error message repeats. */
export const MAX_EXCERPT_CHARS = 60

/**
 * User input as an error message may quote it: JSON text, cut to `max` characters with the full
 * length said, so a megabyte of input never comes back in a reply (or fills a log).
 */
export function excerpt(value: unknown, max = MAX_EXCERPT_CHARS): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  if (text.length <= max) return text
  return `${text.slice(0, max)}… (${text.length} characters)`
}

/** Text cut to at most `max` characters, the last of them `…` when anything was cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
