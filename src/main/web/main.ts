import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir, networkInterfaces } from 'node:os'
import { join, resolve } from 'node:path'
import { HistoryStore } from '../history/historyStore'
import { EngineHost } from '../host/engineHost'
import { isLoopback } from './allowedAddresses'
import { writeLaunchFile, type LaunchFile } from './launchFile'
import { codeStartupLine, webCodePolicy } from './codePolicy'
import { startWebHost } from './server'

/**
 * `npm run web`: serves the renderer and the engine to a browser, like `jupyter notebook` does —
 * on loopback by default, behind a random token printed with the URL.
 */

/** Where the web host keeps saved runs unless told otherwise. */
export function defaultHistoryFolder(home = homedir()): string {
  return join(home, '.poolscope', 'history')
}

const USAGE = `Usage: npm run web -- [--port N] [--host H] [--data DIR] [--no-open] [--allow-code]

  --port N    port to listen on (default 0: any free port)
  --host H    interface to bind (default 127.0.0.1; anything else is reachable from other machines)
  --data DIR  folder for the history of runs (default ${defaultHistoryFolder()})
  --no-open   do not open the page in the default browser
  --allow-code
              let clients run custom code (the custom workload), in child processes under Node's
              permission model only; without it such jobs are refused
  --help      show this help`

interface WebArgs {
  port: number
  hostname: string
  open: boolean
  /** The history folder, absolute. */
  data: string
  /** Whether clients may run custom code (isolated in child processes). */
  allowCode: boolean
}

/** Parses the command line; returns a message instead when it is wrong. */
export function parseWebArgs(argv: string[]): WebArgs | { error: string } | { help: true } {
  const args: WebArgs = {
    port: 0,
    hostname: '127.0.0.1',
    open: true,
    data: defaultHistoryFolder(),
    allowCode: false
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (flag) {
      case '--port': {
        const text = value()
        const port = Number(text)
        if (text === undefined || !/^\d+$/.test(text) || port > 65535) {
          return { error: `--port needs a whole number from 0 to 65535, got ${JSON.stringify(text ?? '')}` }
        }
        args.port = port
        break
      }
      case '--host': {
        const text = value()
        if (!text) return { error: '--host needs a host name or address, e.g. 127.0.0.1' }
        args.hostname = text
        break
      }
      case '--data': {
        const text = value()
        if (!text) return { error: '--data needs a folder for the history, e.g. ~/.poolscope/history' }
        args.data = resolve(text)
        break
      }
      case '--no-open':
        args.open = false
        break
      case '--allow-code':
        args.allowCode = true
        break
      case '--help':
      case '-h':
        return { help: true }
      default:
        return { error: `unknown option ${JSON.stringify(arg)}` }
    }
  }
  return args
}

/** True when there is a desktop to open a browser on. */
function canOpenBrowser(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
}

/**
 * Opens a local file in the user's default browser; failures are ignored. Only the file's path goes
 * on the opener's command line (visible to every local user), never a secret.
 */
function openInBrowser(file: string): void {
  const platform = process.platform
  const [command, args] =
    platform === 'darwin'
      ? ['open', [file]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', file]]
        : ['xdg-open', [file]]
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // No opener: the URL is printed anyway.
  }
}

/** For a wildcard bind, the addresses other machines can use (this machine's external IPv4s). */
function otherUrls(hostname: string, port: number, token: string): string[] {
  if (hostname !== '0.0.0.0' && hostname !== '::') return []
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => `http://${address.address}:${port}/?token=${encodeURIComponent(token)}`)
}

/** Runs the web host until SIGINT or SIGTERM; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseWebArgs(argv)
  if ('help' in parsed) {
    console.log(USAGE)
    return 0
  }
  if ('error' in parsed) {
    console.error(`poolscope web: ${parsed.error}\n\n${USAGE}`)
    return 2
  }
  if (!isLoopback(parsed.hostname)) {
    console.warn(
      `Warning: binding ${parsed.hostname} makes PoolScope reachable from other machines. ` +
        'Anyone with the token can run jobs on this computer; share the URL only with people you trust.' +
        (parsed.allowCode
          ? ' With --allow-code they can also run their own code here (isolated from files, not from the network).'
          : '')
    )
  }

  // The bundle is CommonJS in out/node: the worker sits beside it, the renderer in out/renderer.
  const staticDir = join(__dirname, '..', 'renderer')
  if (!existsSync(join(staticDir, 'index.html'))) {
    console.error(`poolscope web: the renderer is not built (no ${staticDir}); \`npm run web\` builds it`)
    return 1
  }
  let history: HistoryStore
  try {
    history = await HistoryStore.open(parsed.data)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    console.error(`poolscope web: cannot use ${parsed.data} for the history: ${message}`)
    return 1
  }
  const host = new EngineHost({
    workerFile: join(__dirname, 'worker.cjs'),
    history,
    customCode: webCodePolicy(parsed.allowCode)
  })
  let web
  try {
    web = await startWebHost({
      host,
      staticDir,
      port: parsed.port,
      hostname: parsed.hostname
    })
  } catch (err) {
    await host.dispose()
    const message = err instanceof Error ? err.message : String(err)
    console.error(`poolscope web: could not start: ${message}`)
    return 1
  }

  console.log(`PoolScope is running at ${web.url}`)
  for (const url of otherUrls(parsed.hostname, web.port, web.token)) console.log(`  also at ${url}`)
  console.log(`Runs are saved in ${history.folder}`)
  console.log(codeStartupLine(host.engine.customCodeInfo(), parsed.allowCode))
  console.log('Press Ctrl+C to stop.')
  let launchFile: LaunchFile | undefined
  if (parsed.open && canOpenBrowser()) {
    try {
      // The browser gets a file holding a one-time code; the token stays out of the process table.
      launchFile = await writeLaunchFile(web.oneTimeUrl())
      openInBrowser(launchFile.path)
    } catch {
      // No temporary folder to write to: the URL is printed anyway.
    }
  }

  // A terminal's Ctrl-C can reach this process twice (directly and through a launcher): the first
  // signal stops the host; a repeat must not kill the shutdown that cancels jobs and removes the
  // launch file, so the listeners stay until it is done and ignore what follows.
  let signal: NodeJS.Signals | null = null
  let wake = (): void => undefined
  const onSignal = (received: NodeJS.Signals): void => {
    if (signal !== null) return
    signal = received
    wake()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await new Promise<void>((resolve) => {
    wake = resolve
  })
  console.log(`\nStopping PoolScope (${signal})…`)
  await launchFile?.remove()
  await web.close()
  await host.dispose()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  return 0
}
