import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tokensEqual, createToken } from '../../../src/main/web/server'
import { connect, startHarness, type Harness } from './harness'

describe('web host WebSocket admission', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  const wsUrl = (query: string) => `ws://127.0.0.1:${h.web.port}/ws${query}`

  it('refuses a connection without a token with 401 and never calls the host', async () => {
    expect(await connect(wsUrl(''), h.origin)).toEqual({ status: 401 })
    expect(h.host.calls).toEqual([])
  })

  it('refuses a wrong token with 401', async () => {
    expect(await connect(wsUrl('?token=wrong'), h.origin)).toEqual({ status: 401 })
    const almost = h.web.token.slice(0, -1) + (h.web.token.endsWith('A') ? 'B' : 'A')
    expect(await connect(wsUrl(`?token=${almost}`), h.origin)).toEqual({ status: 401 })
    expect(await connect(wsUrl(`?token=${h.web.token}x`), h.origin)).toEqual({ status: 401 })
  })

  it('refuses a foreign or missing Origin with 403, even with the right token', async () => {
    const query = `?token=${h.web.token}`
    expect(await connect(wsUrl(query), 'http://evil.example')).toEqual({ status: 403 })
    expect(await connect(wsUrl(query), `http://127.0.0.1:${h.web.port + 1}`)).toEqual({ status: 403 })
    expect(await connect(wsUrl(query), `https://127.0.0.1:${h.web.port}`)).toEqual({ status: 403 })
    expect(await connect(wsUrl(query), 'null')).toEqual({ status: 403 })
    expect(await connect(wsUrl(query))).toEqual({ status: 403 })
    expect(h.host.calls).toEqual([])
  })

  it('refuses WebSocket upgrades on other paths', async () => {
    const result = await connect(`ws://127.0.0.1:${h.web.port}/other?token=${h.web.token}`, h.origin)
    expect(result).toEqual({ status: 404 })
  })

  it('accepts the right token from its own origin, including localhost', async () => {
    for (const origin of [h.origin, `http://localhost:${h.web.port}`]) {
      const result = await connect(wsUrl(`?token=${h.web.token}`), origin)
      expect('ws' in result).toBe(true)
      if ('ws' in result) result.ws.close()
    }
  })

  it('prints a URL that carries the token', () => {
    expect(h.web.url).toBe(`http://127.0.0.1:${h.web.port}/?token=${h.web.token}`)
  })
})

describe('tokens', () => {
  it('are 24 random bytes in base64url and differ each time', () => {
    const a = createToken()
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(createToken()).not.toBe(a)
  })

  it('compare equal only when identical', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true)
    expect(tokensEqual('abd', 'abc')).toBe(false)
    expect(tokensEqual('', 'abc')).toBe(false)
  })
})
