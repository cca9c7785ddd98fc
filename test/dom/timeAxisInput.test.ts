import { describe, expect, it, vi } from 'vitest'
import { plotFraction, timeAxisDrag, wheelZoomFactor, ZOOM_STEP } from '@renderer/charts/timeAxisInput'

/** An element 478 px wide at x = 100: a plot of 300 px between margins of 150 and 28. */
function box(): HTMLElement {
  const el = document.createElement('div')
  el.getBoundingClientRect = () => ({ left: 100, width: 478 }) as DOMRect
  return el
}

describe('time-axis pointer input', () => {
  it('places a pointer across the plot, clamped to it', () => {
    expect(plotFraction(box(), 250, 150, 28)).toBe(0)
    expect(plotFraction(box(), 400, 150, 28)).toBe(0.5)
    expect(plotFraction(box(), 10_000, 150, 28)).toBe(1)
    expect(plotFraction(null, 400, 150, 28)).toBe(0.5)
  })

  it('zooms a notch toward the pointer: a quarter in, back out by the inverse', () => {
    expect(wheelZoomFactor(-1)).toBe(1 - ZOOM_STEP / 2)
    expect(wheelZoomFactor(1) * wheelZoomFactor(-1)).toBeCloseTo(1, 12)
  })

  it('pans by the share of the plot dragged across, only while zoomed in', () => {
    const view = { pan: vi.fn() }
    let zoomed = false
    const drag = timeAxisDrag(box, { left: 150, right: 28 }, view, () => zoomed)
    const at = (clientX: number, button = 0) => ({ clientX, button }) as PointerEvent
    drag.down(at(400))
    drag.move(at(340))
    expect(view.pan).not.toHaveBeenCalled()
    zoomed = true
    drag.down(at(400))
    drag.move(at(340))
    drag.move(at(370))
    expect(view.pan.mock.calls).toEqual([[0.2], [-0.1]])
    drag.up()
    drag.move(at(100))
    expect(view.pan).toHaveBeenCalledTimes(2)
    drag.down(at(400, 2))
    drag.move(at(300))
    expect(view.pan).toHaveBeenCalledTimes(2)
  })
})
