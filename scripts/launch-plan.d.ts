import type { CommandOutcome, ElectronBinary, ElectronSystem } from './electron-binary.js'

/** `start` opens the built app (electron-vite preview); `dev` runs it with hot reload. */
export type LaunchMode = 'start' | 'dev'

/** This machine as the launcher sees it; tests pass a stand-in. */
export interface LaunchSystem extends ElectronSystem {
  platform: NodeJS.Platform
  isRoot: boolean
  nodePath: string
  electronViteBin: string | null
  webScript: string
  /** Checks that the binary runs here at all (its libraries load). */
  probe(executable: string): Promise<CommandOutcome>
}

/** A command to run in the foreground, and the line to print first (null for the desktop app). */
export interface LaunchPlan {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  notice: string | null
}

export function desktopBlocker(system: Pick<LaunchSystem, 'platform' | 'env' | 'isRoot'>): string | null
export function desktopReadiness(system: LaunchSystem): Promise<ElectronBinary>
export function fallbackNotice(mode: LaunchMode, blocker: string): string
export function planLaunch(mode: LaunchMode, system: LaunchSystem): Promise<LaunchPlan>
