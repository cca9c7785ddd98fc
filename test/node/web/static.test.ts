import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../paths'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/web/staticFiles'
import { startHarness, type Harness } from './harness'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw HTTP request, so the path reaches the server exactly as written (no URL normalisation). */
function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('web host static files', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => {
    await h.close()
  })

  it('serves index.html at / with the CSP and nosniff headers', async () => {
    const reply = await get(h.web.port, '/')
    expect(reply.status).toBe(200)
    expect(reply.body).toContain('<title>PoolScope</title>')
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(reply.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    expect(reply.headers['referrer-policy']).toBe('no-referrer')
  })

  it('serves assets with their MIME types', async () => {
    const js = await get(h.web.port, '/assets/index-abc.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.body).toBe('console.log("hi")')
    const css = await get(h.web.port, '/assets/index-abc.css')
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get(h.web.port, '/', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    const post = await get(h.web.port, '/', 'POST')
    expect(post.status).toBe(405)
    expect(post.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
  })

  it('answers 404 for missing files and folders', async () => {
    expect((await get(h.web.port, '/nope.js')).status).toBe(404)
    expect((await get(h.web.port, '/assets')).status).toBe(404)
  })

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%252e%252e/secret.txt',
    '/index.html%00.js',
    '/%c0%ae%c0%ae/secret.txt',
    '//etc/passwd'
  ])('refuses path traversal %s', async (path) => {
    const reply = await get(h.web.port, path)
    expect([400, 403, 404]).toContain(reply.status)
    expect(reply.body).not.toContain('TOP SECRET')
    expect(reply.body).not.toContain('root:')
  })

  it('gives the renderer page the same CSP in its meta tag as in the header', () => {
    const html = readFileSync(join(projectRoot, 'src', 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
  })
})
