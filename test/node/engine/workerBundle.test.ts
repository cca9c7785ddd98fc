import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { workerFile } from '../../paths'

describe('the worker bundle', () => {
  it('never loads zod, which would cost every pool thread tens of milliseconds at start-up', () => {
    const source = readFileSync(workerFile, 'utf8')
    expect(source).toMatch(/require\("piscina"\)/)
    expect(source).not.toMatch(/require\("zod/)
  })
})
