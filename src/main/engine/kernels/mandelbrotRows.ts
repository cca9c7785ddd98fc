import { escapeIterations, pixelX, pixelY } from '../../../shared/workloads/mandelbrotPlane'
import type { ValuesKernel } from './valuesKernel'

/**
 * How many iterations (about 1.5 ms of them) a task runs between checkpoints. Counted in iterations,
 * not pixels: a pixel inside the set costs max_iter, one far outside costs one.
 */
export const CHECK_EVERY_ITERATIONS = 1 << 20

/**
 * args `[row_lo, row_hi, width, height, max_iter]`: the sum of the escape iterations (see
 * mandelbrotPlane.ts) of every pixel in rows row_lo ≤ row < row_hi of a width × height picture of
 * the set. Rows through the middle of the picture cross the set, whose points use all max_iter
 * iterations, so equal bands of rows are very unequal work. The checkpoint's work is pixels done.
 */
export const mandelbrotRows: ValuesKernel = {
  layout: 'values',
  run(args, checkpoint) {
    const [rowLo, rowHi, width, height, maxIter] = args
    let total = 0
    let pixels = 0
    let iterations = 0
    for (let row = rowLo; row < rowHi; row++) {
      const ci = pixelY(row, height)
      for (let col = 0; col < width; col++) {
        const used = escapeIterations(pixelX(col, width), ci, maxIter)
        total += used
        pixels++
        // A pixel that escapes at once still costs a test: count it as one.
        iterations += used + 1
        if (iterations >= CHECK_EVERY_ITERATIONS) {
          if (!checkpoint(pixels)) return null
          pixels = 0
          iterations = 0
        }
      }
    }
    if (pixels > 0 && !checkpoint(pixels)) return null
    return total
  }
}
