// `run`'s Queue line on a cluster: when a chunk's way back (its results crossing Redis) is most of
// its trip, it says that keeping fewer results helps and bigger chunks do not.
import { describe, expect, it } from 'vitest'
import { resultsTripNote } from '../../../src/main/cli/runCommand'

describe('the Queue line’s note on results crossing Redis', () => {
  it('names the results when they are most of a chunk’s trip (the 8.1 M-tuple job: 421 ms back, 20 ms out)', () => {
    expect(resultsTripNote({ pickupMs: 19.6, returnMs: 421.1 }, 'all')).toBe(
      '; most of that is the results crossing Redis: keeping fewer (--keep count, or --keep N per task) ' +
        'shortens it, bigger chunks do not'
    )
    expect(resultsTripNote({ pickupMs: 19.6, returnMs: 421.1 }, 10)).not.toBe('')
  })

  it('says nothing when results are counted only, or when the way back is short or not the larger part', () => {
    expect(resultsTripNote({ pickupMs: 19.6, returnMs: 421.1 }, 'count')).toBe('')
    expect(resultsTripNote({ pickupMs: 1.4, returnMs: 0.7 }, 'all')).toBe('')
    expect(resultsTripNote({ pickupMs: 1, returnMs: 8 }, 'all')).toBe('')
    expect(resultsTripNote({ pickupMs: 5, returnMs: 15 }, 'all')).toBe('')
  })
})
