/** One step of the zoom keys and buttons, and of a wheel notch: half or twice the view. */
export const ZOOM_STEP = 0.5
/** One step of the arrow keys: a fifth of the view. */
export const PAN_STEP = 0.2

/** A view on a time axis that keys can move (the timeline's, which the cores share; Compare's). */
export interface TimeAxisView {
  zoom(factor: number): void
  pan(fraction: number): void
  reset(): void
}

/**
 * The keys of a focused chart on a time axis: + and − zoom, ← and → pan, 0 and Home show it all.
 * Handles the key (and keeps it from the page) when it is one of them; leaves any other alone.
 */
export function onTimeAxisKey(event: KeyboardEvent, view: TimeAxisView): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return
  const actions: Record<string, () => void> = {
    '+': () => view.zoom(ZOOM_STEP),
    '=': () => view.zoom(ZOOM_STEP),
    '-': () => view.zoom(1 / ZOOM_STEP),
    _: () => view.zoom(1 / ZOOM_STEP),
    ArrowLeft: () => view.pan(-PAN_STEP),
    ArrowRight: () => view.pan(PAN_STEP),
    '0': () => view.reset(),
    Home: () => view.reset()
  }
  const action = actions[event.key]
  if (!action) return
  event.preventDefault()
  action()
}

/** The zoom of one wheel notch: a quarter in or out, toward the pointer. */
export function wheelZoomFactor(deltaY: number): number {
  return deltaY > 0 ? 1 / (1 - ZOOM_STEP / 2) : 1 - ZOOM_STEP / 2
}

/** Where a pointer is across a chart's plot (margins in px), 0 at its left edge, 1 at its right. */
export function plotFraction(el: HTMLElement | null, clientX: number, left: number, right: number): number {
  if (!el) return 0.5
  const rect = el.getBoundingClientRect()
  const width = rect.width - left - right
  return width > 0 ? Math.min(1, Math.max(0, (clientX - rect.left - left) / width)) : 0.5
}

/**
 * Pointer handlers that pan a view by dragging across a chart's plot, while `canDrag` says the view
 * is zoomed in (there is somewhere to pan to).
 */
export function timeAxisDrag(
  box: () => HTMLElement | null,
  margins: { left: number; right: number },
  view: Pick<TimeAxisView, 'pan'>,
  canDrag: () => boolean
): { down(event: PointerEvent): void; move(event: PointerEvent): void; up(): void } {
  let dragFrom: number | null = null
  return {
    down(event) {
      if (event.button === 0 && canDrag()) dragFrom = event.clientX
    },
    move(event) {
      const el = box()
      if (dragFrom === null || !el) return
      const width = el.getBoundingClientRect().width - margins.left - margins.right
      if (width <= 0) return
      view.pan((dragFrom - event.clientX) / width)
      dragFrom = event.clientX
    },
    up() {
      dragFrom = null
    }
  }
}
