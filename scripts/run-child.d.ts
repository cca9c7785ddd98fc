import type { ChildProcess } from 'node:child_process'

/** Where a launcher hears signals: its own process, or a stand-in in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
}

export const FORWARDED_SIGNALS: NodeJS.Signals[]
export const REPEAT_WINDOW_MS: number
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number
export function createSignalRelay(
  child: Pick<ChildProcess, 'exitCode' | 'signalCode' | 'kill'>,
  options?: { now?: () => number }
): (signal: NodeJS.Signals) => void
export function runChild(
  command: string,
  args: string[],
  options?: { env?: NodeJS.ProcessEnv; signalSource?: SignalSource; ownProcessGroup?: boolean }
): Promise<number>
