export const rendererOutDir: string
export function rendererFresh(): boolean
export function buildRenderer(): Promise<string>
export function buildRendererIfStale(): Promise<string>
