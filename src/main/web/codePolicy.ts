import type { CustomCodePolicy } from '../engine/engine'

/**
 * Who may run custom code through the web host. Anyone with its token can start jobs, and custom
 * code runs with the rights of the process that runs it, so the host refuses it unless its owner
 * started it with --allow-code; then it runs only in child processes under Node's permission model.
 */

/** The refusal every front door shows when this host does not run custom code. */
export const WEB_CODE_REFUSAL = 'this web host does not run custom code; start it with --allow-code'

export function webCodePolicy(allowCode: boolean): CustomCodePolicy {
  return allowCode
    ? { allowed: true, backends: ['processes'], isolatedOnly: true }
    : { allowed: false, backends: [], refusal: WEB_CODE_REFUSAL }
}

/** The start-up line about custom code, from what the engine reports it will do. */
export function codeStartupLine(info: { allowed: boolean; isolation: string }, allowCode: boolean): string {
  if (!allowCode) {
    return 'Custom code is refused: start with --allow-code to let clients run their own functions (in isolated child processes).'
  }
  if (!info.allowed) return `Custom code is refused although --allow-code was given: ${info.isolation}`
  return `Custom code is allowed (--allow-code). ${info.isolation}`
}
