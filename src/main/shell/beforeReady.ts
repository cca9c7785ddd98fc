import type { App, Protocol } from 'electron'
import { registerAppScheme } from './appProtocol'

/**
 * What must happen before Electron is ready, because Electron accepts it only then: every renderer
 * sandboxed app-wide, and the `app:` scheme registered as privileged.
 */

/**
 * Sandboxes every renderer whatever its web preferences say (so a window created elsewhere, or a
 * preference changed by mistake, cannot run unsandboxed) and registers the `app:` scheme.
 * Throws when called after the app is ready, where both would silently do nothing useful.
 */
export function prepareBeforeReady(
  app: Pick<App, 'enableSandbox' | 'isReady'>,
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>
): void {
  if (app.isReady()) throw new Error('prepareBeforeReady must run before the app is ready.')
  app.enableSandbox()
  registerAppScheme(protocol)
}
