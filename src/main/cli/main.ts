import { PoolScopeError } from '../../shared/errors'
import { version } from '../../../package.json'
import { EngineHost } from '../host/engineHost'
import { agentCommand } from './agentCommand'
import { UsageError, quote } from './args'
import { processIo, writeOut, type CliIo } from './io'
import { notebookCommand } from './notebookCommand'
import { runCommand } from './runCommand'
import { sweepCommand } from './sweepCommand'
import { MAIN_USAGE } from './usage'

type EngineCommand = (argv: readonly string[], io: CliIo, host: EngineHost) => Promise<number>

/** Commands that run jobs through an EngineHost, by name; a Map so only these names match. */
const ENGINE_COMMANDS: ReadonlyMap<string, EngineCommand> = new Map([
  ['run', runCommand],
  ['notebook', notebookCommand],
  ['sweep', sweepCommand]
])

/** Runs a command on its own EngineHost, the same command surface the app's window and the web host use. */
async function withHost(command: EngineCommand, argv: readonly string[], io: CliIo): Promise<number> {
  const host = new EngineHost({
    workerFile: io.workerFile,
    onPoolError: (error) => io.stderr.write(`poolscope: pool error: ${error.message.split('\n', 1)[0]}\n`)
  })
  try {
    return await command(argv, io, host)
  } finally {
    await host.dispose()
  }
}

/** The web host lives in its own module; it is loaded only when asked for. */
async function webCommand(argv: readonly string[]): Promise<number> {
  const web = await import('../web/main')
  return web.main([...argv])
}

/**
 * The `poolscope` command line. Returns the exit code: 0 done, 1 failed, 2 bad arguments (one line
 * on stderr naming the flag; nothing was started), 130 interrupted by Ctrl-C.
 */
export async function main(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io = processIo(ioOverrides)
  const [command, ...rest] = argv
  try {
    if (command === undefined) {
      throw new UsageError(
        null,
        'no command given; commands are run, sweep, notebook, web and agent (see poolscope --help)'
      )
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      await writeOut(io.stdout, MAIN_USAGE + '\n')
      return 0
    }
    if (command === '--version') {
      await writeOut(io.stdout, `poolscope ${version}\n`)
      return 0
    }
    if (command === 'web') return await webCommand(rest)
    if (command === 'agent') return await agentCommand(rest, io)
    const engineCommand = ENGINE_COMMANDS.get(command)
    if (!engineCommand) {
      throw new UsageError(
        null,
        `unknown command ${quote(command)}; commands are run, sweep, notebook, web and agent (see poolscope --help)`
      )
    }
    return await withHost(engineCommand, rest, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(err.line + '\n')
      return 2
    }
    const message =
      err instanceof PoolScopeError
        ? err.message
        : `internal error: ${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)}`
    io.stderr.write(`poolscope: ${message}\n`)
    return 1
  }
}
