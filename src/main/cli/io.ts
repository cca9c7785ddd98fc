import { join } from 'node:path'

/** The part of a writable stream the CLI uses; tests pass plain objects that collect text. */
export interface CliOutput {
  write(chunk: string): boolean
  isTTY?: boolean
  columns?: number
  once?(event: 'drain', listener: () => void): unknown
}

/** Where Ctrl-C comes from: the process, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: 'SIGINT', listener: () => void): unknown
  off(event: 'SIGINT', listener: () => void): unknown
}

/** Everything the CLI touches outside itself, injectable so tests run it in-process. */
export interface CliIo {
  stdout: CliOutput
  stderr: CliOutput
  env: NodeJS.ProcessEnv
  signals: SignalSource
  /** Resolves relative `--args-file` and `--output` paths. */
  cwd: string
  /** The bundled Piscina worker; beside the CLI bundle unless given. */
  workerFile: string
}

/** The real process, with the worker bundle that sits beside `out/node/cli.cjs`. */
export function processIo(overrides: Partial<CliIo> = {}): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signals: process,
    cwd: process.cwd(),
    workerFile: join(__dirname, 'worker.cjs'),
    ...overrides
  }
}

/** Writes text and waits for the stream to drain when it asks to, so huge outputs stay in bounded memory. */
export async function writeOut(out: CliOutput, text: string): Promise<void> {
  if (!out.write(text) && out.once) {
    await new Promise<void>((resolve) => out.once?.('drain', resolve))
  }
}

/** Why a file could not be opened, in words, from a Node error (`missing` names the ENOENT case). */
export function fileProblem(err: unknown, missing: string): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return missing
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'ENOTDIR') return 'part of its path is a file, not a folder'
  return code ?? 'it could not be opened'
}
