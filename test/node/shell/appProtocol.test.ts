import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { Protocol } from 'electron'
import {
  APP_INDEX_URL,
  createAppRequestHandler,
  registerAppScheme,
  resolveAppFile,
  serveApp
} from '../../../src/main/shell/appProtocol'

const POLICY = "default-src 'self'"
const SECRET = 'the main bundle, never to be served'

/** A built app's layout: out/renderer with a page, a script and a style; out/main beside it. */
function builtApp() {
  const out = mkdtempSync(join(tmpdir(), 'poolscope-protocol-'))
  const rendererDir = join(out, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  mkdirSync(join(out, 'main'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>PoolScope</title>')
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'export {}')
  writeFileSync(join(rendererDir, 'assets', 'index-abc.css'), 'body{}')
  writeFileSync(join(rendererDir, 'assets', 'data.bin'), 'bytes')
  writeFileSync(join(out, 'main', 'index.cjs'), SECRET)
  writeFileSync(join(out, 'secret.txt'), SECRET)
  const read = vi.fn((path: string) => readFile(path))
  const handle = createAppRequestHandler({ rendererDir, contentSecurityPolicy: POLICY, readFile: read })
  const get = (url: string, method = 'GET') => handle({ url, method })
  return { out, rendererDir, read, get }
}

describe('app:// protocol', () => {
  it('serves index.html with an HTML content type, the CSP and nosniff', async () => {
    const response = await builtApp().get(APP_INDEX_URL)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(POLICY)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe('<!doctype html><title>PoolScope</title>')
  })

  it('serves index.html for the bare origin', async () => {
    expect(await (await builtApp().get('app://poolscope/')).text()).toContain('<title>PoolScope</title>')
  })

  it.each([
    ['assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['assets/index-abc.css', 'text/css; charset=utf-8'],
    ['assets/data.bin', 'application/octet-stream']
  ])('serves %s as %s', async (path, type) => {
    const response = await builtApp().get(`app://poolscope/${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
  })

  it.each([
    'app://poolscope/..%2fmain%2findex.cjs',
    'app://poolscope/assets/..%2F..%2Fsecret.txt',
    'app://poolscope/%2e%2e/secret.txt',
    'app://poolscope/..%5csecret.txt',
    'app://poolscope/index.html%00.js',
    'app://poolscope/%E0%A4%A'
  ])('refuses %s without reading outside the renderer directory', async (url) => {
    const { get, read, rendererDir } = builtApp()
    const response = await get(url)
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('Not found.')
    for (const [path] of read.mock.calls) expect(path.startsWith(`${rendererDir}/`)).toBe(true)
  })

  it('resolves a URL that climbs with plain dots inside the renderer directory, as the URL parser does', () => {
    const rendererDir = '/opt/PoolScope/out/renderer'
    expect(resolveAppFile(rendererDir, 'app://poolscope/../../main/index.cjs')).toBe(
      '/opt/PoolScope/out/renderer/main/index.cjs'
    )
  })

  it.each(['app://evil/index.html', 'app://poolscope.evil/index.html', 'file:///index.html'])(
    'refuses %s, which is not the app host',
    async (url) => {
      const { get, read } = builtApp()
      expect((await get(url)).status).toBe(404)
      expect(read).not.toHaveBeenCalled()
    }
  )

  it('answers a missing file with 404 and no path in the body', async () => {
    const response = await builtApp().get('app://poolscope/assets/missing.js')
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('Not found.')
  })

  it('answers a directory with 404', async () => {
    expect((await builtApp().get('app://poolscope/assets/')).status).toBe(404)
  })

  it('refuses methods other than GET and HEAD', async () => {
    const { get, read } = builtApp()
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405)
    expect(read).not.toHaveBeenCalled()
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await builtApp().get(APP_INDEX_URL, 'HEAD')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('39')
    expect(await response.text()).toBe('')
  })

  it('registers app: as a standard, secure scheme that does not bypass the CSP', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() }
    registerAppScheme(protocol as unknown as Protocol)
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }
    ])
  })

  it('binds its handler to the app scheme', async () => {
    const { rendererDir } = builtApp()
    const protocol = { handle: vi.fn() }
    serveApp(protocol as unknown as Protocol, { rendererDir, contentSecurityPolicy: POLICY })
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    const handler = protocol.handle.mock.calls[0][1] as (request: Request) => Promise<Response>
    expect((await handler(new Request(APP_INDEX_URL))).status).toBe(200)
  })
})
