import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../../src/main/cli/main'
import type { CliOutput } from '../../../src/main/cli/io'
import type { RunReport } from '../../../src/main/cli/runCommand'
import { fixturesDir, workerFile } from '../../paths'

/** A stream that collects what is written; optionally a TTY, and calls `onWrite` for each chunk. */
export function captureStream(
  options: { isTTY?: boolean; onWrite?: (chunk: string) => void } = {}
): CliOutput & {
  text(): string
} {
  const chunks: string[] = []
  return {
    isTTY: options.isTTY ?? false,
    columns: 100,
    write(chunk: string) {
      chunks.push(chunk)
      options.onWrite?.(chunk)
      return true
    },
    text: () => chunks.join('')
  }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `poolscope …argv` in-process with captured output, the bundled worker and a private Ctrl-C source. */
export async function runCli(
  argv: string[],
  options: { cwd?: string; stderr?: ReturnType<typeof captureStream>; signals?: EventEmitter } = {}
): Promise<CliResult> {
  const stdout = captureStream()
  const stderr = options.stderr ?? captureStream()
  const code = await main(argv, {
    stdout,
    stderr,
    env: {},
    signals: options.signals ?? new EventEmitter(),
    cwd: options.cwd ?? process.cwd(),
    workerFile
  })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/** `--json` output parsed, failing loudly if stdout is not exactly one JSON object. */
export function parseReport(result: CliResult): RunReport {
  return JSON.parse(result.stdout) as RunReport
}

/** A golden file written by scripts/make-golden.py. */
export function golden<T>(name: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, 'golden', name), 'utf8')) as T
}

export interface ArgsCase {
  name: string
  workload: string
  style: 'map' | 'starmap'
  args: unknown[]
  digest: string
  tuples: number
  tasks: number
  large?: boolean
}

export interface CombinationCase {
  elements: (number | string)[]
  k: number
  tuples: (number | string)[][]
  printed: string
}

export interface NotebookCase {
  threads: number
  cell: 'map' | 'starmap'
  seed?: number
  lines: string[]
}

/** A scratch folder for args and output files, removed by `cleanup`. */
export function scratchDir(): { dir: string; file(name: string, content?: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-cli-'))
  return {
    dir,
    file(name, content) {
      const path = join(dir, name)
      if (content !== undefined) writeFileSync(path, content)
      return path
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}
