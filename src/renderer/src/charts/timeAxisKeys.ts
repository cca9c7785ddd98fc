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
