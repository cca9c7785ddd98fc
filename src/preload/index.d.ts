// The bridge's type comes from the contract; it is imported here, never restated.
import type { OutcomeBridge } from '../shared/protocol'

declare global {
  interface Window {
    /** The engine's named methods as the Electron preload exposes them (absent in the web build). */
    poolscope: OutcomeBridge
  }
}

export {}
