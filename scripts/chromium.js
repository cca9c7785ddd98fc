// Finding and launching Debian's Chromium for the browser tests and the UI benchmark: one place,
// so both drive the same browser with the same flags. Nothing is ever downloaded.
import { existsSync } from 'node:fs'

/** Where a Chromium may be, in order: `POOLSCOPE_CHROMIUM`, then the usual Linux paths. */
export function chromiumCandidates(env = process.env) {
  const fromEnv = env.POOLSCOPE_CHROMIUM ? [env.POOLSCOPE_CHROMIUM] : []
  return [...fromEnv, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
}

/** The first Chromium that exists, or null. */
export function findChromium(env = process.env) {
  return chromiumCandidates(env).find((path) => existsSync(path)) ?? null
}

/** Flags for a headless Chromium in a container, quiet and offline. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]
