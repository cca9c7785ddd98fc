import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CHILD_FILE_NAME, childFileFor } from '../../../src/main/engine/backends/processes/processes'
import { nodeOutDir, workerFile } from '../../paths'

describe('the worker bundle', () => {
  it('never loads zod, which would cost every pool thread tens of milliseconds at start-up', () => {
    const source = readFileSync(workerFile, 'utf8')
    expect(source).toMatch(/require\("piscina"\)/)
    expect(source).not.toMatch(/require\("zod/)
  })
})

describe('the child process bundle of the processes back end', () => {
  it('lies beside the worker, where the back end looks for it', () => {
    expect(childFileFor(workerFile)).toBe(join(nodeOutDir, CHILD_FILE_NAME))
  })

  it('loads Piscina for its worker thread, and neither zod nor electron', () => {
    const source = readFileSync(childFileFor(workerFile), 'utf8')
    expect(source).toMatch(/require\("piscina"\)/)
    expect(source).not.toMatch(/require\("zod/)
    expect(source).not.toMatch(/require\("electron"\)/)
  })
})
