import { describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { defaultHistoryFolder, parseWebArgs } from '../../../src/main/web/main'
import { allowedOrigins, isLoopback } from '../../../src/main/web/server'

describe('npm run web arguments', () => {
  it('defaults to a free port on loopback, opening the browser', () => {
    expect(parseWebArgs([])).toEqual({
      port: 0,
      hostname: '127.0.0.1',
      open: true,
      data: path.join(os.homedir(), '.poolscope', 'history'),
      allowCode: false
    })
    expect(defaultHistoryFolder('/home/ada')).toBe(path.join('/home/ada', '.poolscope', 'history'))
  })

  it('reads --port, --host and --no-open, with or without =', () => {
    expect(parseWebArgs(['--port', '8080', '--host', '0.0.0.0', '--no-open', '--data', 'runs'])).toEqual({
      port: 8080,
      hostname: '0.0.0.0',
      open: false,
      data: path.resolve('runs'),
      allowCode: false
    })
    expect(parseWebArgs(['--port=9000', '--host=::1', '--data=/tmp/h'])).toEqual({
      port: 9000,
      hostname: '::1',
      open: true,
      data: '/tmp/h',
      allowCode: false
    })
  })

  it('refuses bad ports and unknown options with a message', () => {
    expect(parseWebArgs(['--port', 'x'])).toEqual({
      error: expect.stringMatching(/--port needs a whole number/)
    })
    expect(parseWebArgs(['--port', '70000'])).toEqual({ error: expect.stringMatching(/0 to 65535/) })
    expect(parseWebArgs(['--port'])).toEqual({ error: expect.stringMatching(/--port/) })
    expect(parseWebArgs(['--host'])).toEqual({ error: expect.stringMatching(/--host needs/) })
    expect(parseWebArgs(['--data'])).toEqual({ error: expect.stringMatching(/--data needs a folder/) })
    expect(parseWebArgs(['--open-sesame'])).toEqual({ error: 'unknown option "--open-sesame"' })
    expect(parseWebArgs(['--help'])).toEqual({ help: true })
    expect(parseWebArgs(['--allow-code', '--no-open'])).toMatchObject({ allowCode: true, open: false })
  })
})

describe('web host origins', () => {
  it('tells loopback hosts from others', () => {
    expect(isLoopback('127.0.0.1')).toBe(true)
    expect(isLoopback('localhost')).toBe(true)
    expect(isLoopback('::1')).toBe(true)
    expect(isLoopback('0.0.0.0')).toBe(false)
    expect(isLoopback('192.168.1.5')).toBe(false)
  })

  it('allows only the bound origin, plus localhost names on loopback', () => {
    expect(allowedOrigins('127.0.0.1', 5000)).toEqual(
      new Set(['http://127.0.0.1:5000', 'http://localhost:5000', 'http://[::1]:5000'])
    )
    expect(allowedOrigins('192.168.1.5', 5000)).toEqual(new Set(['http://192.168.1.5:5000']))
  })

  it('allows this machine’s own addresses for a wildcard bind, never a foreign one', () => {
    const origins = allowedOrigins('0.0.0.0', 5000)
    expect(origins.has('http://127.0.0.1:5000')).toBe(true)
    expect(origins.has('http://0.0.0.0:5000')).toBe(false)
    expect(origins.has('http://evil.example:5000')).toBe(false)
  })
})
