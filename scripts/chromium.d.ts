export function chromiumCandidates(env?: NodeJS.ProcessEnv): string[]
export function findChromium(env?: NodeJS.ProcessEnv): string | null
export const CHROMIUM_ARGS: string[]
