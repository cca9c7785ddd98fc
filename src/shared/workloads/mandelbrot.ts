import { z } from 'zod'
import type { WorkloadEntry } from './entry'
import { wholeField } from './fields'
import { escapeIterations, pixelX, pixelY } from './mandelbrotPlane'
import { wholeProblem, wholeSchema } from './wholeNumbers'

/** Widest and tallest picture: 10^4 × 10^4 pixels × 10^5 iterations stays an exact integer. */
export const MAX_SIDE = 10_000
/** Most iterations a pixel may take. */
export const MAX_ITER = 100_000
/** One iteration, ns on one core (an 800 × 600 picture at 1000 iterations: 83 M in 0.29 s). */
const NS_PER_ITERATION = 3.5

/** The rows of band `task` of `tasks` equal bands of a picture `height` rows tall. */
function band(height: number, task: number, tasks: number): [number, number] {
  return [Math.floor((height * task) / tasks), Math.floor((height * (task + 1)) / tasks)]
}

/** Rows and columns of the coarse picture the cost estimate is read from, and its iteration cap. */
const PROFILE_ROWS = 60
const PROFILE_COLS = 90
const PROFILE_ITER = 250

/**
 * For each row of a coarse picture: the share of its pixels that did not escape within
 * PROFILE_ITER iterations (taken to be in the set) and the mean iterations of the rest. Made on
 * first use (1.35 M iterations at most, a few milliseconds), so loading the registry costs nothing.
 */
let profile: { inside: Float64Array; escapedMean: Float64Array } | null = null

function costProfile(): { inside: Float64Array; escapedMean: Float64Array } {
  if (profile) return profile
  const inside = new Float64Array(PROFILE_ROWS)
  const escapedMean = new Float64Array(PROFILE_ROWS)
  for (let row = 0; row < PROFILE_ROWS; row++) {
    let stayed = 0
    let escapedIterations = 0
    const ci = pixelY(row, PROFILE_ROWS)
    for (let col = 0; col < PROFILE_COLS; col++) {
      const used = escapeIterations(pixelX(col, PROFILE_COLS), ci, PROFILE_ITER)
      if (used === PROFILE_ITER) stayed++
      else escapedIterations += used
    }
    inside[row] = stayed / PROFILE_COLS
    escapedMean[row] = stayed === PROFILE_COLS ? 0 : escapedIterations / (PROFILE_COLS - stayed)
  }
  profile = { inside, escapedMean }
  return profile
}

/** About how many iterations rows [lo, hi) of a width × height picture take at `maxIter`. */
export function mandelbrotIterations(lo: number, hi: number, width: number, height: number, maxIter: number) {
  const { inside, escapedMean } = costProfile()
  let perPixel = 0
  for (let row = lo; row < hi; row++) {
    const at = Math.min(PROFILE_ROWS - 1, Math.floor((row * PROFILE_ROWS) / height))
    perPixel += inside[at] * maxIter + (1 - inside[at]) * Math.min(maxIter, escapedMean[at])
  }
  return perPixel * width
}

const SIZE_WHY = ' pixels'

/**
 * The Mandelbrot set drawn row by row (see kernels/mandelbrotRows.ts): a recipe splits the rows
 * into one band per task, and the bands through the middle, where the set is, cost far more.
 */
export const mandelbrotRows: WorkloadEntry = {
  name: 'mandelbrot_rows',
  title: 'Mandelbrot rows (mandelbrot_rows)',
  description:
    'Draws a band of rows of the Mandelbrot set (x from -2 to 1, y from -1.5 to 1.5) and returns its total escape iterations; the tasks split the picture into equal bands of rows.',
  lookFor:
    'Imbalance by row: bands through the middle of the picture cross the set, where every pixel runs all max_iter iterations, so their tasks are far longer; the timeline shows lanes idle while one finishes a middle band. More, thinner bands even it out.',
  params: ['row_lo', 'row_hi', 'width', 'height', 'max_iter'],
  layout: 'values',
  valueFormat: 'int',
  fields: [
    wholeField({
      key: 'width',
      label: 'Width',
      help: `picture width in pixels, 1 to ${MAX_SIDE.toLocaleString('en-US')}`,
      defaultText: '800',
      example: '800'
    }),
    wholeField({
      key: 'height',
      label: 'Height',
      help: `picture height in pixels, 1 to ${MAX_SIDE.toLocaleString('en-US')}: the rows the tasks split into equal bands`,
      defaultText: '600',
      example: '600'
    }),
    wholeField({
      key: 'max_iter',
      label: 'Max iterations',
      help: `iterations before a pixel counts as in the set, 1 to ${MAX_ITER.toLocaleString('en-US')}`,
      defaultText: '1000',
      example: '1000'
    })
  ],
  recipeSchema: z.object({
    width: wholeSchema('width', 1, MAX_SIDE, SIZE_WHY),
    height: wholeSchema('height', 1, MAX_SIDE, SIZE_WHY),
    max_iter: wholeSchema('max_iter', 1, MAX_ITER)
  }),
  recipeTasks(recipe) {
    const width = recipe.width as number
    const height = recipe.height as number
    const maxIter = recipe.max_iter as number
    return {
      kind: 'each',
      argsOf: (task, tasks) => [...band(height, task, tasks), width, height, maxIter]
    }
  },
  parseCall(args) {
    if (args.length !== 5) {
      return {
        ok: false,
        error: `mandelbrot_rows takes 5 arguments (row_lo, row_hi, width, height, max_iter), got ${args.length}; use the starmap call style`
      }
    }
    const [rowLo, rowHi, width, height, maxIter] = args
    const wide = wholeProblem('width', width, 1, MAX_SIDE, SIZE_WHY)
    if (wide) return { ok: false, error: wide, arg: 2 }
    const tall = wholeProblem('height', height, 1, MAX_SIDE, SIZE_WHY)
    if (tall) return { ok: false, error: tall, arg: 3 }
    const h = height as number
    const lo = wholeProblem('row_lo', rowLo, 0, h, ` (the picture has ${h} rows)`)
    if (lo) return { ok: false, error: lo, arg: 0 }
    const hi = wholeProblem('row_hi', rowHi, rowLo as number, h, ` (from row_lo to the picture's ${h} rows)`)
    if (hi) return { ok: false, error: hi, arg: 1 }
    const iter = wholeProblem('max_iter', maxIter, 1, MAX_ITER)
    if (iter) return { ok: false, error: iter, arg: 4 }
    return {
      ok: true,
      call: {
        elements: [],
        plan: {
          kernel: 'mandelbrot_rows',
          layout: 'values',
          args: [rowLo, rowHi, width, height, maxIter] as number[]
        }
      }
    }
  },
  // The kernel reports the pixels it has done.
  workUnits: (call) =>
    call.plan.layout === 'values' ? (call.plan.args[1] - call.plan.args[0]) * call.plan.args[2] : 0,
  costNs(call) {
    if (call.plan.layout !== 'values') return 0
    const [lo, hi, width, height, maxIter] = call.plan.args
    return NS_PER_ITERATION * mandelbrotIterations(lo, hi, width, height, maxIter)
  }
}
