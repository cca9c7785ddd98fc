import { openSync, readSync, readlinkSync } from 'node:fs'

/**
 * Which OS thread and CPU core the calling thread is on, from Linux's /proc/thread-self. Elsewhere
 * (or when /proc is unavailable) both are -1: the timing views then show lanes only.
 */

let cachedTid: number | undefined

/** The OS thread id of the calling thread, read once per thread. */
export function osThreadId(): number {
  if (cachedTid === undefined) {
    try {
      // /proc/thread-self is a link to "<pid>/task/<tid>".
      const target = readlinkSync('/proc/thread-self')
      const tid = Number(target.slice(target.lastIndexOf('/') + 1))
      cachedTid = Number.isInteger(tid) ? tid : -1
    } catch {
      cachedTid = -1
    }
  }
  return cachedTid
}

let procAvailable = process.platform === 'linux'

let statFd = -1
const statBuffer = Buffer.alloc(1024)

/** The CPU the calling thread last ran on (field 39 of /proc/thread-self/stat), or -1. */
export function currentCpu(): number {
  if (!procAvailable) return -1
  try {
    // One descriptor per thread (this module is loaded once per worker), re-read from offset 0:
    // an open/read/close per sample cost tens of microseconds.
    if (statFd < 0) statFd = openSync('/proc/thread-self/stat', 'r')
    const length = readSync(statFd, statBuffer, 0, statBuffer.length, 0)
    const stat = statBuffer.toString('latin1', 0, length)
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpu = Number(fields[39 - 3])
    return Number.isInteger(cpu) ? cpu : -1
  } catch {
    procAvailable = false
    return -1
  }
}
