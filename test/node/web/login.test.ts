import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connect, httpRequest, rawExchange, startHarness, type Harness } from './harness'

/** The browser login: a one-time code or the token is traded for an HttpOnly session cookie. */
describe('web host login exchange', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  /** GETs a page path and returns status, Location and Set-Cookie of the answer. */
  async function visit(target: string, headers: Record<string, string> = {}) {
    const answer = await rawExchange(h.web.port, httpRequest(h.web.port, target, headers))
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(answer.text)?.[1]?.trim()
    return { status: answer.status, location: header('Location'), cookie: header('Set-Cookie') }
  }

  const codeOf = (url: string) => new URL(url).searchParams.get('code') ?? ''

  it('hands out one-time addresses with a code, not the token', () => {
    const url = h.web.oneTimeUrl()
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${h.web.port}/\\?code=[A-Za-z0-9_-]{32}$`))
    expect(url).not.toContain(h.web.token)
  })

  it('trades a one-time code for an HttpOnly, SameSite=Strict cookie named after the port and redirects to /', async () => {
    const answer = await visit(`/?code=${codeOf(h.web.oneTimeUrl())}`)
    expect(answer.status).toBe(303)
    expect(answer.location).toBe('/')
    expect(answer.cookie).toMatch(
      new RegExp(`^poolscope-${h.web.port}=[A-Za-z0-9_-]{32}; Path=/; HttpOnly; SameSite=Strict$`)
    )
  })

  it('never puts the token itself in the cookie', async () => {
    const answer = await visit(`/?code=${codeOf(h.web.oneTimeUrl())}`)
    expect(answer.cookie).not.toContain(h.web.token)
  })

  it('grants nothing for a code used a second time, but still redirects to /', async () => {
    const code = codeOf(h.web.oneTimeUrl())
    await visit(`/?code=${code}`)
    const again = await visit(`/?code=${code}`)
    expect(again).toEqual({ status: 303, location: '/', cookie: undefined })
  })

  it('grants nothing for an expired code', async () => {
    await h.close()
    h = await startHarness({ oneTimeCodeLifetimeMs: 0 })
    const answer = await visit(`/?code=${codeOf(h.web.oneTimeUrl())}`)
    expect(answer).toEqual({ status: 303, location: '/', cookie: undefined })
  })

  it('trades the printed ?token= for the same cookie, so a pasted URL loses its secret', async () => {
    const byToken = await visit(`/?token=${h.web.token}`)
    const byCode = await visit(`/?code=${codeOf(h.web.oneTimeUrl())}`)
    expect(byToken.status).toBe(303)
    expect(byToken.location).toBe('/')
    expect(byToken.cookie).toBe(byCode.cookie)
  })

  it('grants nothing for a wrong token', async () => {
    expect(await visit('/?token=wrong')).toEqual({ status: 303, location: '/', cookie: undefined })
  })

  it('admits a WebSocket that carries the session cookie and no token', async () => {
    const { cookie } = await visit(`/?code=${codeOf(h.web.oneTimeUrl())}`)
    const pair = (cookie ?? '').split(';', 1)[0]
    const result = await connect(`ws://127.0.0.1:${h.web.port}/ws`, h.origin, { Cookie: pair })
    expect('ws' in result).toBe(true)
    if ('ws' in result) result.ws.close()
  })

  it('refuses a WebSocket whose cookie has the wrong value or another port’s name', async () => {
    const { cookie } = await visit(`/?token=${h.web.token}`)
    const value = (cookie ?? '').split(';', 1)[0].split('=')[1]
    const url = `ws://127.0.0.1:${h.web.port}/ws`
    expect(await connect(url, h.origin, { Cookie: `poolscope-${h.web.port}=nope` })).toEqual({ status: 401 })
    expect(await connect(url, h.origin, { Cookie: `poolscope-${h.web.port + 1}=${value}` })).toEqual({
      status: 401
    })
  })
})
