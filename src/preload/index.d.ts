// The bridge's type comes from the contract; it is imported here, never restated.
import type { PoolScopeApi } from '../shared/protocol'

declare global {
  interface Window {
    /** The engine, as exposed by the Electron preload (absent in the web build). */
    poolscope: PoolScopeApi
  }
}

export {}
