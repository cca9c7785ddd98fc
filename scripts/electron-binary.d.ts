/** How a command ended, for the caller: it worked, or one line saying why not. */
export type CommandOutcome = { ok: true } | { ok: false; error: string }

/** Either an Electron executable to launch, or a phrase saying why there is none. */
export type ElectronBinary =
  { executable: string; blocker?: undefined } | { blocker: string; executable?: undefined }

/** What ensureElectron needs to know about, and do on, this machine. */
export interface ElectronSystem {
  env: NodeJS.ProcessEnv
  /** The installed electron package's folder, or null when it is not installed. */
  electronDir: string | null
  electronVersion: string | null
  exists(path: string): boolean
  /** A file's text, or null when it cannot be read. */
  readText(path: string): string | null
  /** Downloads the binary (Electron's install.js). */
  runInstaller(): Promise<CommandOutcome>
  log(line: string): void
}

export interface CapturedRun {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stderr: string
}

export const INSTALL_TIMEOUT_MS: number
export const PROBE_TIMEOUT_MS: number
export function downloadedElectron(
  system: Pick<ElectronSystem, 'readText' | 'exists'> & { electronDir: string }
): string | null
export function ensureElectron(system: ElectronSystem): Promise<ElectronBinary>
export function firstErrorLine(stderr: string): string | null
export function runCaptured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number }
): Promise<CapturedRun>
export function outcomeOf(
  run: Pick<CapturedRun, 'code' | 'timedOut' | 'stderr'>,
  timeoutMs: number
): CommandOutcome
export function runElectronInstaller(
  electronDir: string,
  options?: { nodePath?: string; timeoutMs?: number }
): Promise<CommandOutcome>
export function probeElectron(executable: string, options?: { timeoutMs?: number }): Promise<CommandOutcome>
