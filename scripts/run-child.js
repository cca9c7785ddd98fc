// Runs one child process in the foreground of a launcher script: the child shares the terminal,
// a stop signal sent to the launcher reaches the child exactly once, and the launcher exits as the
// child did.
//
// Exactly once matters: the web host stops listening after its first SIGINT, so a second one, a
// moment later, kills it halfway through shutting down. A Ctrl-C in a terminal goes to the whole
// foreground process group, and npm forwards it to its script too, so a child in the launcher's
// group would get it twice or three times. On POSIX the child therefore gets a process group of its
// own, hears signals only from the launcher, and the launcher collapses the copies of one key press.
import { spawn } from 'node:child_process'
import { constants } from 'node:os'

/** Signals a launcher passes on; SIGHUP does not exist on Windows. */
export const FORWARDED_SIGNALS =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP']

/** Copies of one signal that arrive within this long of each other are one request (one key press). */
export const REPEAT_WINDOW_MS = 1000

/**
 * The exit code a launcher should report for a child that ended with `code` or by `signal`:
 * the code itself, or 128 + the signal's number as shells report it (SIGINT gives 130).
 */
export function exitCodeOf(code, signal) {
  if (code !== null) return code
  const number = signal ? constants.signals[signal] : undefined
  return number ? 128 + number : 1
}

/**
 * A signal handler that passes signals on to `child` while it runs, dropping a copy of the same
 * signal that arrives within `REPEAT_WINDOW_MS` of the last one passed on. A later repeat — a
 * second Ctrl-C because shutting down takes too long — is passed on.
 */
export function createSignalRelay(child, { now = () => performance.now() } = {}) {
  const lastSent = new Map()
  return (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const at = now()
    const previous = lastSent.get(signal)
    if (previous !== undefined && at - previous < REPEAT_WINDOW_MS) return
    lastSent.set(signal, at)
    child.kill(signal)
  }
}

/**
 * Spawns `command args` with inherited stdio and resolves to its exit code (see exitCodeOf). While
 * it runs, the launcher (`signalSource`) does not die of a forwarded signal: on POSIX it relays the
 * signal to the child, which runs in its own process group; on Windows the console already delivers
 * Ctrl-C to every process attached to it, so the launcher only waits.
 */
export function runChild(
  command,
  args,
  { env = process.env, signalSource = process, ownProcessGroup = process.platform !== 'win32' } = {}
) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit', detached: ownProcessGroup })
    const relay = ownProcessGroup ? createSignalRelay(child) : () => undefined
    const stopRelaying = () => {
      for (const signal of FORWARDED_SIGNALS) signalSource.off(signal, relay)
    }
    for (const signal of FORWARDED_SIGNALS) signalSource.on(signal, relay)
    child.on('error', (err) => {
      stopRelaying()
      reject(err)
    })
    child.on('exit', (code, signal) => {
      stopRelaying()
      resolve(exitCodeOf(code, signal))
    })
  })
}
