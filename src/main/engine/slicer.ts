import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Longest stretch long host work (planning, exports) holds the event loop before letting others in. */
export const SLICE_MS = 20

/**
 * Splits long synchronous work into slices of about `sliceMs`: the work checks `due` in its loop
 * and awaits `pause()` when it is, so other clients' messages and a running job's progress get
 * through in between.
 */
export class Slicer {
  private sliceStart = performance.now()

  constructor(readonly sliceMs = SLICE_MS) {}

  /** True once the current slice is used up. */
  get due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs
  }

  /** Hands the event loop back for one turn and starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn()
    this.sliceStart = performance.now()
  }
}
