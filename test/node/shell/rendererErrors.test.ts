import { describe, expect, it } from 'vitest'
import { redactPaths, toRendererError } from '../../../src/main/shell/rendererErrors'

describe('errors sent to the page', () => {
  it('replaces absolute POSIX paths', () => {
    expect(
      redactPaths(
        "could not start a pool of 2 threads: Cannot find module '/home/alice/worker.cjs' imported from /opt/PoolScope/node_modules/piscina/dist/worker.js"
      )
    ).toBe("could not start a pool of 2 threads: Cannot find module '<path>' imported from <path>")
  })

  it('replaces Windows paths and file URLs', () => {
    expect(redactPaths('failed at C:\\Users\\bob\\PoolScope\\worker.cjs and file:///C:/x/y.js')).toBe(
      'failed at <path> and <path>'
    )
  })

  it('drops stack frames', () => {
    expect(
      redactPaths('boom\n    at run (/srv/app/out/main/index.cjs:12:3)\n    at next (node:internal/x:1:1)')
    ).toBe('boom')
  })

  it('keeps web links, fractions and field paths as they are', () => {
    const text = 'threads: 3/4 of https://docs.python.org/3/library/x.html; inputs.n[0] must be at most 60'
    expect(redactPaths(text)).toBe(text)
  })

  it('keeps the field path, so the form can show the error under its field', () => {
    expect(
      toRendererError({ code: 'INVALID_SPEC', message: 'inputs.tasks: bad', path: ['inputs', 'tasks'] })
    ).toEqual({ code: 'INVALID_SPEC', message: 'inputs.tasks: bad', path: ['inputs', 'tasks'] })
  })

  it('drops a path that is not a list of field names and indexes', () => {
    const error = { code: 'INVALID_SPEC', message: 'm', path: [{ toString: 1 }] } as never
    expect(toRendererError(error)).toEqual({ code: 'INVALID_SPEC', message: 'm' })
  })

  it('keeps only the code and the message', () => {
    const error = {
      code: 'INTERNAL',
      message: 'failed in /a/b/c.ts',
      stack: 'Error\n at /a/b/c.ts:1'
    } as never
    expect(toRendererError(error)).toEqual({ code: 'INTERNAL', message: 'failed in <path>' })
  })
})
