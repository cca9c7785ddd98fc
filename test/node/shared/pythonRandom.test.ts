import { describe, expect, it } from 'vitest'
import { PythonRandom } from '../../../src/shared/pythonRandom'

// Drawn with CPython 3.11: random.seed(s); [random.choice(seq) for _ in range(count)]
const PYTHON_DRAWS: Array<[number, number[], number[]]> = [
  [42, [2, 3, 4], [4, 2, 2, 4, 3, 2, 2, 2, 4, 2, 4, 4, 4, 2, 4, 3, 2, 2, 2, 2]],
  [0, [2, 3, 4], [3, 3, 2, 3, 4, 3, 3, 3, 3, 3, 4, 2, 4, 2, 3, 2, 2, 4, 3, 4]],
  [2 ** 40 + 7, [2, 3, 4, 5, 6], [6, 6, 5, 4, 6, 3, 6, 5, 6, 4, 5, 5, 5, 4, 3, 5, 6, 3, 3, 6]],
  [-5, [2, 3, 4], [4, 3, 4, 3, 4, 4, 4, 4, 2, 3]]
]

describe('PythonRandom', () => {
  it.each(PYTHON_DRAWS)('draws what CPython draws for seed %s', (seed, seq, expected) => {
    const random = new PythonRandom(seed)
    expect(expected.map(() => random.choice(seq))).toEqual(expected)
  })

  it('refuses an empty sequence', () => {
    expect(() => new PythonRandom(1).choice([])).toThrow(/empty/)
  })
})
