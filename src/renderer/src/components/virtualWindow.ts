/**
 * Which rows of a long uniform list are on screen. Browsers cap an element's height (about 17 M px
 * in Firefox, 33 M px in Chromium), so past `maxScrollPx` the scrollbar is scaled: its position maps
 * to a fraction of the rows instead of a pixel offset.
 */
export interface VirtualWindow {
  /** First and last row index to render (inclusive); last < first when there are no rows. */
  first: number
  last: number
  /** Height of the scrolling spacer, px. */
  spacerHeight: number
  /** Top of the first rendered row inside the spacer, px. */
  offsetTop: number
}

export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 6,
  maxScrollPx = 8_000_000
): VirtualWindow {
  if (total <= 0) return { first: 0, last: -1, spacerHeight: 0, offsetTop: 0 }
  const visibleRows = Math.max(1, Math.ceil(viewportHeight / rowHeight))
  const fullHeight = total * rowHeight
  if (fullHeight <= maxScrollPx) {
    const top = Math.floor(Math.max(0, scrollTop) / rowHeight)
    const first = Math.max(0, top - overscan)
    const last = Math.min(total - 1, top + visibleRows + overscan)
    return { first, last, spacerHeight: fullHeight, offsetTop: first * rowHeight }
  }
  const scrollable = Math.max(1, maxScrollPx - viewportHeight)
  const fraction = Math.min(1, Math.max(0, scrollTop / scrollable))
  const top = Math.round(fraction * Math.max(0, total - visibleRows))
  const first = Math.max(0, top - overscan)
  const last = Math.min(total - 1, top + visibleRows + overscan)
  // Rows are laid out from the viewport's top edge, the overscan rows above it.
  const offsetTop = Math.max(0, scrollTop) - (top - first) * rowHeight
  return { first, last, spacerHeight: maxScrollPx, offsetTop }
}
