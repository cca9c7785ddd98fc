import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { httpRequest, rawExchange, startHarness, upgradeHeaders, type Harness } from './harness'

/** Requests no browser would send: each gets an HTTP answer and the host keeps serving. */
describe('web host with malformed requests', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  async function stillServes(): Promise<void> {
    const answer = await rawExchange(h.web.port, httpRequest(h.web.port, '/'))
    expect(answer.status).toBe(200)
  }

  it('answers an upgrade whose request-target is not a URL with 400 and keeps running', async () => {
    const answer = await rawExchange(
      h.web.port,
      httpRequest(h.web.port, 'http://[', upgradeHeaders(h.web.port))
    )
    expect(answer.status).toBe(400)
    await stillServes()
  })

  it.each(['*', 'http://127.0.0.1/ws', '//ws', 'ws', '/ws%'])(
    'answers an upgrade to the odd target %s with a 4xx status',
    async (target) => {
      const answer = await rawExchange(
        h.web.port,
        httpRequest(h.web.port, target, upgradeHeaders(h.web.port))
      )
      expect(answer.status).toBeGreaterThanOrEqual(400)
      expect(answer.status).toBeLessThan(500)
      await stillServes()
    }
  )

  it.each(['http://[', '*', 'http://127.0.0.1/index.html', '/%', '/%00', `/${'a'.repeat(5000)}`])(
    'answers a plain GET of the odd target %s with a 4xx status',
    async (target) => {
      const answer = await rawExchange(h.web.port, httpRequest(h.web.port, target))
      expect(answer.status).toBeGreaterThanOrEqual(400)
      expect(answer.status).toBeLessThan(500)
    }
  )

  it('answers a request the HTTP parser cannot read with 400 and hangs up', async () => {
    const answer = await rawExchange(h.web.port, 'G ET / HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(answer.status).toBe(400)
    expect(answer.text).toMatch(/Connection: close/i)
    await stillServes()
  })

  it('answers headers larger than the parser allows with 431', async () => {
    const answer = await rawExchange(
      h.web.port,
      httpRequest(h.web.port, '/', { 'X-Big': 'x'.repeat(20_000) })
    )
    expect(answer.status).toBe(431)
  })

  it('survives a client that vanishes in the middle of an upgrade request', async () => {
    const full = httpRequest(h.web.port, h.wsUrl.slice(h.wsUrl.indexOf('/ws')), upgradeHeaders(h.web.port))
    const answer = await rawExchange(h.web.port, full.slice(0, full.length / 2), { vanish: true })
    expect(answer.status).toBeNull()
    await stillServes()
  })
})
