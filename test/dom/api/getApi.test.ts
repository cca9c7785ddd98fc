import { afterEach, describe, expect, it, vi } from 'vitest'
import { getApi } from '@renderer/api'

/** Opens as soon as it is created and remembers where it connected. */
class OpeningSocket extends EventTarget {
  static readonly OPEN = 1
  static urls: string[] = []
  readyState = 0
  binaryType = 'blob'
  constructor(url: URL | string) {
    super()
    OpeningSocket.urls.push(String(url))
    queueMicrotask(() => {
      this.readyState = OpeningSocket.OPEN
      this.dispatchEvent(new Event('open'))
    })
  }
  send(): void {}
  close(): void {}
}

describe('getApi in a page served by the web host', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    OpeningSocket.urls = []
  })

  it('connects to /ws on the page’s own host with no secret in the URL (the session cookie authorises it)', async () => {
    ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
      'http://127.0.0.1:4000/'
    )
    vi.stubGlobal('WebSocket', OpeningSocket)
    await getApi()
    expect(OpeningSocket.urls).toEqual(['ws://127.0.0.1:4000/ws'])
  })
})
