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

/**
 * The scroll position that brings row `index` wholly into view: the current one when the row is
 * already in view, else one with the row at the nearest edge (`nearest`, for stepping row by row)
 * or in the middle (`center`, for a jump, so the rows around it show too). The inverse of
 * `virtualWindow`, scaled scrollbar included (row `top` is at the viewport's top edge when the
 * scrollbar is at `top / (total - visibleRows)` of its range).
 */
export function scrollTopToShow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  block: 'nearest' | 'center' = 'nearest',
  maxScrollPx = 8_000_000
): number {
  if (total <= 0) return 0
  const row = Math.min(Math.max(0, index), total - 1)
  const fullHeight = total * rowHeight
  if (fullHeight <= maxScrollPx) {
    const rowTop = row * rowHeight
    const above = rowTop < scrollTop
    const below = rowTop + rowHeight > scrollTop + viewportHeight
    if (!above && !below) return scrollTop
    const target =
      block === 'center'
        ? rowTop + rowHeight / 2 - viewportHeight / 2
        : above
          ? rowTop
          : rowTop + rowHeight - viewportHeight
    return Math.min(Math.max(0, target), Math.max(0, fullHeight - viewportHeight))
  }
  const visibleRows = Math.max(1, Math.ceil(viewportHeight / rowHeight))
  const wholeRows = Math.max(1, Math.floor(viewportHeight / rowHeight))
  const scrollable = Math.max(1, maxScrollPx - viewportHeight)
  const span = Math.max(1, total - visibleRows)
  const fraction = Math.min(1, Math.max(0, scrollTop / scrollable))
  const top = Math.round(fraction * Math.max(0, total - visibleRows))
  const above = row < top
  const below = row >= top + wholeRows
  if (!above && !below) return scrollTop
  const target =
    block === 'center' ? row - Math.floor((wholeRows - 1) / 2) : above ? row : row - wholeRows + 1
  return (Math.min(Math.max(0, target), span) / span) * scrollable
}
