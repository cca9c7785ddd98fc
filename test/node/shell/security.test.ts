import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Session, WebContents } from 'electron'
import {
  contentSecurityPolicy,
  createAppUrlCheck,
  denyPermissions,
  installContentSecurityPolicy,
  isAllowedExternalUrl,
  lockDownWebContents
} from '../../../src/main/shell/security'
import { FakeWebContents } from './electronMock'

const APP_URL = 'app://poolscope/index.html'

function lockedDown() {
  const contents = new FakeWebContents(APP_URL)
  const openExternal = vi.fn(async () => undefined)
  lockDownWebContents(contents as unknown as WebContents, {
    isAppUrl: createAppUrlCheck(APP_URL),
    openExternal
  })
  const navigate = (url: string, event = 'will-navigate') => {
    const navigation = { preventDefault: vi.fn() }
    contents.emit(event, navigation, url)
    return navigation
  }
  const navigateFrame = (url: string, isMainFrame = false) => {
    const navigation = { url, isMainFrame, preventDefault: vi.fn() }
    contents.emit('will-frame-navigate', navigation)
    return navigation
  }
  return { contents, openExternal, navigate, navigateFrame }
}

describe('navigation', () => {
  it('prevents will-navigate to a foreign URL', () => {
    const { navigate, openExternal } = lockedDown()
    expect(navigate('https://evil.example.com/phish').preventDefault).toHaveBeenCalledOnce()
    expect(openExternal).not.toHaveBeenCalled()
  })

  it('prevents will-navigate to another local file', () => {
    const { navigate } = lockedDown()
    expect(navigate('file:///etc/passwd').preventDefault).toHaveBeenCalledOnce()
  })

  it('lets the app page itself load', () => {
    const { navigate } = lockedDown()
    expect(navigate(`${APP_URL}#results`).preventDefault).not.toHaveBeenCalled()
  })

  it('prevents redirects to a foreign URL', () => {
    const { navigate } = lockedDown()
    expect(navigate('http://127.0.0.1:9/', 'will-redirect').preventDefault).toHaveBeenCalledOnce()
  })

  it('sends an allow-listed https link to the browser instead of navigating', () => {
    const { navigate, openExternal } = lockedDown()
    expect(
      navigate('https://docs.python.org/3/library/multiprocessing.html').preventDefault
    ).toHaveBeenCalledOnce()
    expect(openExternal).toHaveBeenCalledWith('https://docs.python.org/3/library/multiprocessing.html')
  })

  it('refuses to attach a webview', () => {
    const { contents } = lockedDown()
    const event = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', event, {}, {})
    expect(event.preventDefault).toHaveBeenCalledOnce()
  })

  it("prevents will-navigate to a file URL of the app's own index.html", () => {
    const { navigate } = lockedDown()
    expect(
      navigate('file:///opt/PoolScope/resources/app.asar/out/renderer/index.html').preventDefault
    ).toHaveBeenCalledOnce()
  })

  it('prevents a subframe from navigating away from the app (will-frame-navigate)', () => {
    const { navigateFrame, openExternal } = lockedDown()
    expect(navigateFrame('https://evil.example.com/').preventDefault).toHaveBeenCalledOnce()
    expect(openExternal).not.toHaveBeenCalled()
  })

  it('does not open an allow-listed link a subframe navigates to', () => {
    const { navigateFrame, openExternal } = lockedDown()
    expect(navigateFrame('https://github.com/piscinajs/piscina').preventDefault).toHaveBeenCalledOnce()
    expect(openExternal).not.toHaveBeenCalled()
  })

  it('lets a subframe load a page of the app', () => {
    const { navigateFrame } = lockedDown()
    expect(navigateFrame('app://poolscope/index.html').preventDefault).not.toHaveBeenCalled()
  })

  it('leaves the main frame to will-navigate, which Electron skips once will-frame-navigate is prevented', () => {
    const { navigateFrame, openExternal } = lockedDown()
    expect(navigateFrame('https://docs.python.org/3/', true).preventDefault).not.toHaveBeenCalled()
    expect(openExternal).not.toHaveBeenCalled()
  })

  it.each([
    'app://evil/index.html',
    'app://poolscope.evil.example/index.html',
    'web://poolscope/index.html',
    'file:///opt/PoolScope/resources/app.asar/out/renderer/index.html',
    'not a url'
  ])('does not take %s for the app', (url) => {
    expect(createAppUrlCheck(APP_URL)(url)).toBe(false)
  })

  it('takes every file of app://poolscope for the app', () => {
    expect(createAppUrlCheck(APP_URL)('app://poolscope/assets/index-abc.js')).toBe(true)
  })

  it('accepts any page of the dev server origin in development', () => {
    const isAppUrl = createAppUrlCheck('http://localhost:5173/')
    expect(isAppUrl('http://localhost:5173/src/main.ts')).toBe(true)
    expect(isAppUrl('http://localhost:5174/')).toBe(false)
  })
})

describe('new windows', () => {
  it('denies window.open', () => {
    const { contents, openExternal } = lockedDown()
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example.com/' })).toEqual({ action: 'deny' })
    expect(openExternal).not.toHaveBeenCalled()
  })

  it('denies window.open of an allow-listed link but opens it in the browser', () => {
    const { contents, openExternal } = lockedDown()
    expect(contents.windowOpenHandler?.({ url: 'https://github.com/piscinajs/piscina' })).toEqual({
      action: 'deny'
    })
    expect(openExternal).toHaveBeenCalledWith('https://github.com/piscinajs/piscina')
  })

  it('denies window.open of the app page itself', () => {
    const { contents, openExternal } = lockedDown()
    expect(contents.windowOpenHandler?.({ url: APP_URL })).toEqual({ action: 'deny' })
    expect(openExternal).not.toHaveBeenCalled()
  })
})

describe('external links', () => {
  it.each([
    'http://github.com/',
    'https://github.com.evil.example/',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'not a url',
    42
  ])('refuses %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false)
  })

  it('accepts an https page of an allow-listed host', () => {
    expect(isAllowedExternalUrl('https://nodejs.org/api/worker_threads.html')).toBe(true)
  })
})

describe('permissions', () => {
  function handlers() {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() }
    denyPermissions(session as unknown as Session)
    const request = session.setPermissionRequestHandler.mock.calls[0][0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void
    ) => void
    const check = session.setPermissionCheckHandler.mock.calls[0][0] as (
      contents: unknown,
      permission: string
    ) => boolean
    return { request, check }
  }

  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem'])(
    'denies a %s permission request',
    (permission) => {
      const callback = vi.fn()
      handlers().request({}, permission, callback)
      expect(callback).toHaveBeenCalledWith(false)
    }
  )

  it('answers permission checks no, except writing to the clipboard', () => {
    const { check } = handlers()
    expect(check({}, 'media')).toBe(false)
    expect(check({}, 'clipboard-sanitized-write')).toBe(true)
  })
})

describe('content security policy', () => {
  let onHeadersReceived: ReturnType<typeof vi.fn>
  beforeEach(() => {
    onHeadersReceived = vi.fn()
  })

  it('allows only the app itself and never eval', () => {
    const policy = contentSecurityPolicy({ dev: false })
    expect(policy).toContain("default-src 'self'")
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("object-src 'none'")
    expect(policy).not.toContain('unsafe-eval')
    expect(policy).toContain("connect-src 'self';")
  })

  it('lets the dev server HMR socket connect in development only', () => {
    expect(contentSecurityPolicy({ dev: true, devServerOrigin: 'http://localhost:5173' })).toContain(
      "connect-src 'self' ws://localhost:5173 wss://localhost:5173"
    )
  })

  it('replaces any policy header with ours', () => {
    installContentSecurityPolicy(
      { webRequest: { onHeadersReceived } } as unknown as Session,
      "default-src 'self'"
    )
    const listener = onHeadersReceived.mock.calls[0][0] as (
      details: { responseHeaders: Record<string, string[]> },
      callback: (response: { responseHeaders: Record<string, string[]> }) => void
    ) => void
    const callback = vi.fn()
    listener({ responseHeaders: { 'content-security-policy': ['*'], 'X-Other': ['1'] } }, callback)
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': ["default-src 'self'"] }
    })
  })
})
