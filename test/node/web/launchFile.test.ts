import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { launchPage, writeLaunchFile } from '../../../src/main/web/launchFile'

describe('the launch file', () => {
  const url = 'http://127.0.0.1:5173/?code=abc_DEF-123'

  it('is readable by its owner only, in a folder only its owner can enter', async () => {
    const file = await writeLaunchFile(url)
    try {
      expect(statSync(file.path).mode & 0o777).toBe(0o600)
      expect(statSync(dirname(file.path)).mode & 0o777).toBe(0o700)
    } finally {
      await file.remove()
    }
  })

  it('redirects at once to the one-time address and sends no referrer', async () => {
    const file = await writeLaunchFile(url)
    try {
      const html = readFileSync(file.path, 'utf8')
      expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`)
      expect(html).toContain('<meta name="referrer" content="no-referrer">')
    } finally {
      await file.remove()
    }
  })

  it('is removed with its folder', async () => {
    const file = await writeLaunchFile(url)
    await file.remove()
    expect(existsSync(dirname(file.path))).toBe(false)
  })

  it('escapes the address so it cannot break out of the attribute', () => {
    expect(launchPage('http://x/?a="><script>')).not.toContain('"><script>')
  })
})
