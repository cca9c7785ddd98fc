import type { Session, WebContents, WebPreferences } from 'electron'

/**
 * The window lock-down, in one place: web preferences, the content security policy, navigation and
 * new-window denial, permission denial and the allow-list of links that may open in the browser.
 * Everything here takes its Electron objects as arguments so it can be tested with small fakes.
 */

/** Hosts whose https pages may be opened in the user's browser; everything else is refused. */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  'github.com',
  'docs.python.org',
  'nodejs.org',
  'piscinajs.dev',
  'www.electronjs.org',
  'developer.mozilla.org',
  'en.wikipedia.org'
])

/** Permission checks that are answered yes (requests are always refused): copying results only. */
const ALLOWED_PERMISSION_CHECKS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/**
 * Web preferences of every PoolScope window: isolated, sandboxed, no Node in the page. Stated
 * explicitly even where they are Electron's defaults, so a change of default cannot loosen them.
 */
export function secureWebPreferences(preload: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: options.devTools
  }
}

/**
 * The content security policy sent with every response. `dev` adds what the Vite dev server needs
 * (its HMR WebSocket); `unsafe-eval` is never allowed. Inline styles are allowed because ECharts
 * and Vue set element styles.
 */
export function contentSecurityPolicy(options: { dev: boolean; devServerOrigin?: string }): string {
  const connect = ["'self'"]
  if (options.dev && options.devServerOrigin) {
    const url = new URL(options.devServerOrigin)
    connect.push(`ws://${url.host}`, `wss://${url.host}`)
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

/**
 * Adds the CSP header to every response of `session` that passes through the network stack (the
 * dev server's pages); the `app:` handler sets the same header on its own responses.
 */
export function installContentSecurityPolicy(session: Pick<Session, 'webRequest'>, policy: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = { ...details.responseHeaders }
    // Drop any policy the server sent under another casing, so exactly one (ours) applies.
    for (const name of Object.keys(responseHeaders)) {
      if (name.toLowerCase() === 'content-security-policy') delete responseHeaders[name]
    }
    responseHeaders['Content-Security-Policy'] = [policy]
    callback({ responseHeaders })
  })
}

/** Refuses every permission request (camera, notifications, geolocation, …) and almost every check. */
export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>
): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler((_webContents, permission) => ALLOWED_PERMISSION_CHECKS.has(permission))
}

/** True for an https URL on an allow-listed host, without credentials or an unusual port. */
export function isAllowedExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    EXTERNAL_HOSTS.has(parsed.hostname)
  )
}

/**
 * Decides whether a URL is the app itself: a page of the app's own origin, `app://poolscope` in a
 * build or the Vite dev server's origin in development. Anything else, `file:` URLs included, is
 * foreign.
 */
export function createAppUrlCheck(appUrl: string): (url: string) => boolean {
  const app = new URL(appUrl)
  return (url: string) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return false
    }
    // Compared by scheme and host: WHATWG URLs give a custom scheme the opaque origin "null", so
    // comparing `origin` would make every app: URL equal to every other non-special URL.
    return target.protocol === app.protocol && target.host === app.host && target.host !== ''
  }
}

/** What the lock-down needs from the world outside the web contents. */
export interface LockDownOptions {
  /** True for URLs of the app itself, which may load in the window (a dev-server reload, say). */
  isAppUrl: (url: string) => boolean
  /** Opens a URL in the user's browser (`shell.openExternal`); called only for allow-listed URLs. */
  openExternal: (url: string) => Promise<void> | void
}

type NavigationEvent = { preventDefault(): void }
type FrameNavigationEvent = NavigationEvent & { url: string; isMainFrame: boolean }

/**
 * Denies every navigation away from the app, of the main frame or of any subframe, and every new
 * window; an allow-listed https link the page tries to open goes to the user's browser instead.
 */
export function lockDownWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  options: LockDownOptions
): void {
  const openIfAllowed = (url: string): void => {
    if (!isAllowedExternalUrl(url)) return
    void Promise.resolve(options.openExternal(url)).catch(() => undefined)
  }
  const guard = (event: NavigationEvent, url: string): void => {
    if (options.isAppUrl(url)) return
    event.preventDefault()
    openIfAllowed(url)
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
  // `will-navigate` sees the main frame only; this one sees every frame. Electron emits it first and
  // skips `will-navigate` when it is prevented, so the main frame is left to `guard` above (which
  // opens allow-listed links in the browser) and only subframes are stopped here: no subframe may
  // leave the app, and its links are not opened externally (the app frames nothing).
  contents.on('will-frame-navigate', (event: FrameNavigationEvent) => {
    if (event.isMainFrame || options.isAppUrl(event.url)) return
    event.preventDefault()
  })
  contents.on('will-attach-webview', (event: NavigationEvent) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url)
    return { action: 'deny' }
  })
}
