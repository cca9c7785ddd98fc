// Kept free of zod: the worker imports it (see limits.ts).

/**
 * The picture `mandelbrot_rows` draws: the square x ∈ [-2, 1], y ∈ [-1.5, 1.5] of the complex plane,
 * where the whole set lies. Pixel (col, row) of a width × height image is the point at its centre,
 * x = X_MIN + SPAN · (col + 0.5) / width and y = Y_MIN + SPAN · (row + 0.5) / height, computed in
 * exactly that order so an independent implementation gets the same bits and the same counts.
 */
export const X_MIN = -2
export const Y_MIN = -1.5
export const SPAN = 3

/** The real part of the centre of pixel column `col`. */
export function pixelX(col: number, width: number): number {
  return X_MIN + (SPAN * (col + 0.5)) / width
}

/** The imaginary part of the centre of pixel row `row`. */
export function pixelY(row: number, height: number): number {
  return Y_MIN + (SPAN * (row + 0.5)) / height
}

/**
 * Iterations of z ← z² + c from z = 0 before |z| > 2, at most `maxIter` (points of the set use them
 * all). Each step tests |z|² > 4 first, then sets zi = 2·zr·zi + ci and zr = (zr² − zi²) + cr.
 */
export function escapeIterations(cr: number, ci: number, maxIter: number): number {
  let zr = 0
  let zi = 0
  let i = 0
  while (i < maxIter) {
    const zr2 = zr * zr
    const zi2 = zi * zi
    if (zr2 + zi2 > 4) break
    zi = 2 * zr * zi + ci
    zr = zr2 - zi2 + cr
    i++
  }
  return i
}
