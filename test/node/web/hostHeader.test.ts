import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allowedHosts } from '../../../src/main/web/allowedAddresses'
import { httpRequest, rawExchange, startHarness, upgradeHeaders, type Harness } from './harness'

describe('allowed Host headers', () => {
  it('are the bound name and port, plus the loopback names on a loopback bind', () => {
    expect(allowedHosts('127.0.0.1', 5000)).toEqual(
      new Set(['127.0.0.1:5000', 'localhost:5000', '[::1]:5000'])
    )
    expect(allowedHosts('192.168.1.5', 5000)).toEqual(new Set(['192.168.1.5:5000']))
  })

  it('include the bare name on port 80, which clients leave out', () => {
    expect(allowedHosts('192.168.1.5', 80)).toEqual(new Set(['192.168.1.5:80', '192.168.1.5']))
  })

  it('never include a foreign name on a wildcard bind', () => {
    const hosts = allowedHosts('0.0.0.0', 5000)
    expect(hosts.has('127.0.0.1:5000')).toBe(true)
    expect(hosts.has('evil.example:5000')).toBe(false)
    expect(hosts.has('0.0.0.0:5000')).toBe(false)
  })
})

/** DNS rebinding: a foreign name that resolves to 127.0.0.1 must not reach the host. */
describe('web host Host check', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => {
    await h.close()
  })

  const page = (headers: Record<string, string>) =>
    rawExchange(h.web.port, httpRequest(h.web.port, '/', headers))

  it('serves a page addressed to 127.0.0.1 or localhost on its port', async () => {
    expect((await page({})).status).toBe(200)
    expect((await page({ Host: `localhost:${h.web.port}` })).status).toBe(200)
    expect((await page({ Host: `LOCALHOST:${h.web.port}` })).status).toBe(200)
  })

  it('answers 421 to a page request addressed to a foreign name', async () => {
    const answer = await page({ Host: `rebind.attacker.example:${h.web.port}` })
    expect(answer.status).toBe(421)
    expect(answer.text).not.toContain('<title>PoolScope</title>')
  })

  it('answers 421 to the right name on another port', async () => {
    expect((await page({ Host: `127.0.0.1:${h.web.port + 1}` })).status).toBe(421)
  })

  it('answers 400 to two Host headers, even when the first is right', async () => {
    const request = httpRequest(h.web.port, '/').replace('\r\n\r\n', '\r\nHost: evil.example\r\n\r\n')
    expect((await rawExchange(h.web.port, request)).status).toBe(400)
  })

  it('answers 400 to an HTTP/1.0 request without a Host header', async () => {
    expect((await rawExchange(h.web.port, 'GET / HTTP/1.0\r\n\r\n')).status).toBe(400)
  })

  it('refuses a WebSocket upgrade with the right token to a foreign name with 421', async () => {
    const headers = { ...upgradeHeaders(h.web.port), Host: `rebind.attacker.example:${h.web.port}` }
    const answer = await rawExchange(h.web.port, httpRequest(h.web.port, `/ws?token=${h.web.token}`, headers))
    expect(answer.status).toBe(421)
  })

  it('does not trade the token for a cookie under a foreign name', async () => {
    const request = httpRequest(h.web.port, `/?token=${h.web.token}`, {
      Host: `rebind.attacker.example:${h.web.port}`
    })
    const answer = await rawExchange(h.web.port, request)
    expect(answer.status).toBe(421)
    expect(answer.text).not.toMatch(/Set-Cookie/i)
  })
})
