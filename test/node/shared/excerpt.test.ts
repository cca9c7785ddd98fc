import { describe, expect, it } from 'vitest'
import { excerpt, MAX_EXCERPT_CHARS } from '../../../src/shared/excerpt'
import { planError as planErrorOf } from './planError'

describe('excerpt', () => {
  it('quotes short input whole, as JSON', () => {
    expect(excerpt('combos')).toBe('"combos"')
    expect(excerpt([1, 'a'])).toBe('[1,"a"]')
    expect(excerpt(undefined)).toBe('undefined')
  })

  it('cuts long input and says how long it was', () => {
    const text = excerpt('x'.repeat(5000))
    expect(text).toBe(`"${'x'.repeat(MAX_EXCERPT_CHARS - 1)}… (5002 characters)`)
  })

  it('survives values JSON cannot write', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(excerpt(loop)).toBe('[object Object]')
    expect(excerpt(10n)).toBe('[object BigInt]')
  })
})

describe('errors that repeat user input', () => {
  const planError = (spec: unknown): string => planErrorOf(spec).message

  it('quote a huge starmap argument only in part', () => {
    const message = planError({
      workload: 'combinations_n',
      style: 'starmap',
      inputs: { kind: 'args', args: ['y'.repeat(400_000)] }
    })
    expect(message).toMatch(/^task 0: starmap needs each task's arguments as a list/)
    expect(message.length).toBeLessThan(300)
  })

  it('quote a huge unknown key only in part, and list at most five problems', () => {
    const spec: Record<string, unknown> = {
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [1, 2] }
    }
    for (let i = 0; i < 50; i++) spec[`${i}${'z'.repeat(20_000)}`] = i
    const message = planError(spec)
    expect(message.length).toBeLessThan(1000)
  })

  it('list at most five problems and count the rest', () => {
    const message = planError({ workload: 7, style: 8, inputs: 9, threads: 'a', chunkSize: 'b', keep: -3 })
    expect(message).toMatch(/; and 1 more problem$/)
  })
})
