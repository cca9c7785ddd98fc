import { describe, expect, it, vi } from 'vitest'
import type { App, Protocol } from 'electron'
import { prepareBeforeReady } from '../../../src/main/shell/beforeReady'

function fakes(ready: boolean) {
  const app = { isReady: vi.fn(() => ready), enableSandbox: vi.fn() }
  const protocol = { registerSchemesAsPrivileged: vi.fn() }
  const run = () => prepareBeforeReady(app as unknown as App, protocol as unknown as Protocol)
  return { app, protocol, run }
}

describe('before the app is ready', () => {
  it('sandboxes every renderer app-wide', () => {
    const { app, run } = fakes(false)
    run()
    expect(app.enableSandbox).toHaveBeenCalledOnce()
  })

  it('registers the app: scheme as privileged', () => {
    const { protocol, run } = fakes(false)
    run()
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app' })
    ])
  })

  it('refuses to run once the app is ready, when neither would take effect', () => {
    const { app, protocol, run } = fakes(true)
    expect(run).toThrow('prepareBeforeReady must run before the app is ready.')
    expect(app.enableSandbox).not.toHaveBeenCalled()
    expect(protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
  })
})
