export const nodeOutDir: string
export function nodeBundlesFresh(): boolean
export function buildNode(options?: { ifStale?: boolean }): Promise<string>
export const nodeBundleOptions: import('esbuild').BuildOptions
