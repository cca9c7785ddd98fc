import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

/*
 * Node's permission model for the child processes that run custom code. Started with it, a process
 * may read only the files it was allowed, may not write any, start child processes or worker
 * threads it was not allowed, nor load native add-ons; the model is process-wide, so the worker
 * thread that runs the code inherits it. What it does NOT restrict (Node 20 to 22): the network
 * (fetch, sockets), signals to other processes of the same user (process.kill), CPU time and
 * memory (the task timeout and heap limit see to those), and reading the files allowed below.
 */

/** The flag that turns the model on, in this Node: `--permission` (Node 22.13+), `--experimental-permission` (20, 21), or none. */
export function permissionFlag(
  flags: ReadonlySet<string> = process.allowedNodeEnvironmentFlags
): string | null {
  if (flags.has('--permission')) return '--permission'
  if (flags.has('--experimental-permission')) return '--experimental-permission'
  return null
}

/**
 * Why custom code cannot run isolated in child processes here, or null when it can. Electron run
 * as Node does not offer the permission model; Node before 20 has none.
 */
export function isolationUnavailableReason(): string | null {
  if (process.versions.electron) return 'Electron’s Node does not offer the permission model'
  if (!permissionFlag()) return `Node ${process.versions.node} has no permission model (Node 20 or later has)`
  return null
}

/**
 * The `node_modules` folders the child finds a package in: the one module resolution walks into
 * from the child's file, and the real one behind it when it is a link (Node resolves links, and
 * reads every folder on the way). Null when the package is not installed there.
 */
function modulesFolders(fromFile: string, name: string): string[] {
  const folders: string[] = []
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules')
    if (existsSync(join(candidate, name))) {
      folders.push(candidate)
      try {
        folders.push(realpathSync(candidate))
        folders.push(dirname(realpathSync(join(candidate, name))))
      } catch {
        // A broken link fails the child's start, with its own message.
      }
      return folders
    }
    if (dirname(dir) === dir) return folders
  }
}

/**
 * Node flags that start a child under the permission model: it may read its own bundle's folder
 * and the installed packages it loads Piscina from (the `node_modules` folder), and nothing else; it may start the one worker thread it runs chunks on
 * (threads inherit the model); no writes, no child processes, no add-ons. Null when this Node has
 * no permission model.
 */
export function isolatedChildFlags(childFile: string, workerFile: string): string[] | null {
  const flag = permissionFlag()
  if (!flag) return null
  const readable = new Set<string>()
  for (const file of [childFile, workerFile]) {
    readable.add(dirname(file))
    try {
      readable.add(dirname(realpathSync(file)))
    } catch {
      // A file that is not there fails the child's start, with its own message.
    }
  }
  for (const folder of modulesFolders(childFile, 'piscina')) readable.add(folder)
  return [
    flag,
    ...[...readable].map((path) => `--allow-fs-read=${path}`),
    // Piscina runs the chunks on a worker thread of the child: the thread is under the same model.
    '--allow-worker',
    '--no-addons',
    // The model is still marked experimental in Node 20: its warning would print on every start.
    '--disable-warning=ExperimentalWarning',
    // …and Node warns that allowing workers needs care: it does (see README), and the warning would
    // print on every start. The worker is PoolScope's own; code in it finds the model in force.
    '--disable-warning=SecurityWarning'
  ]
}

/** One plain sentence on what isolates custom code on each back end, for `engine.info`. */
export function isolationSentence(processesAvailable: boolean): string {
  const reason = isolationUnavailableReason()
  const threads =
    'On threads, custom code runs in worker threads of this process, with its rights, under a heap limit and a per-task timeout.'
  const cluster =
    ' On a cluster it runs only on agents started with --allow-code, in worker threads with their rights.'
  if (!processesAvailable) return threads + cluster
  if (reason) {
    return `${threads} On processes it runs in child processes with the same rights (${reason}).${cluster}`
  }
  return `${threads}${cluster} On processes it runs in ${ISOLATED_PROCESSES}`
}

/** What the permission model does and does not stop, as the end of a sentence. */
export const ISOLATED_PROCESSES =
  'child processes under Node’s permission model: no file writes, no file reads outside PoolScope’s own ' +
  'code and installed packages, no child processes, no native add-ons; the network and signals to ' +
  'other processes are not restricted.'
