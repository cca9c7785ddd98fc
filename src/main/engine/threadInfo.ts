import { readFileSync, readlinkSync } from 'node:fs'

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

/** The CPU the calling thread last ran on (field 39 of /proc/thread-self/stat), or -1. */
export function currentCpu(): number {
  if (!procAvailable) return -1
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpu = Number(fields[39 - 3])
    return Number.isInteger(cpu) ? cpu : -1
  } catch {
    procAvailable = false
    return -1
  }
}
