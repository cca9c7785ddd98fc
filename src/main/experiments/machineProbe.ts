import fs from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { systemCpuReader, utilization, type CpuReader, type CpuTimes } from '../engine/cpuSampler'

/**
 * What the machine was doing around one measured run: the load average, the CPU frequency, and
 * how much CPU went to work outside PoolScope.
 *
 * "Busy with something else" is judged from two readings of every CPU's counters (the ones the
 * job's CPU samples come from: `/proc/stat`, or `os.cpus()`), taken at the same moments as the CPU
 * time of PoolScope itself (this process, worker threads included, and the back end's worker
 * processes). Busy core-time of the whole machine minus PoolScope's own, over the wall time, is the
 * number of cores other programs kept busy. Why not the load average: it is a one-minute damped
 * count of runnable threads that includes the sweep's own workers, so during a sweep it mostly
 * measures the sweep, and it trails a burst by up to a minute. Why not the job's CPU samples: they
 * are 100 ms intervals that do not line up with the run's start and end, and the last one arrives
 * after the job has ended; two readings taken with the CPU-time readings line up exactly.
 */

/** Cores busy outside PoolScope, on average over a run, from which the run is flagged. */
export const BUSY_OUTSIDE_CORES = 0.5

/** Linux's USER_HZ: `/proc/<pid>/stat` counts CPU time in these ticks per second (100 everywhere in practice). */
const USER_HZ = 100

/** The 1-minute load average, or null where the OS has none (Windows reports zeros). */
export function loadAverage1m(): number | null {
  if (process.platform === 'win32') return null
  return os.loadavg()[0]
}

/** The mean of the `cpu MHz` lines of `/proc/cpuinfo`'s text, or null when it has none. */
export function parseCpuinfoMhz(text: string): number | null {
  const values: number[] = []
  for (const match of text.matchAll(/^cpu MHz\s*:\s*([\d.]+)\s*$/gm)) {
    const mhz = Number(match[1])
    if (Number.isFinite(mhz) && mhz > 0) values.push(mhz)
  }
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null
}

/** The mean of `scaling_cur_freq` texts (kHz) in MHz, or null when none reads as a positive number. */
export function meanScalingFreqMhz(texts: readonly string[]): number | null {
  const values = texts
    .map((text) => Number(text.trim()) / 1000)
    .filter((mhz) => Number.isFinite(mhz) && mhz > 0)
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null
}

/**
 * The CPUs' mean current frequency, MHz: cpufreq's `scaling_cur_freq` where the kernel exposes it
 * (real hardware), else `/proc/cpuinfo`'s `cpu MHz` (virtual machines often report only that, and
 * only the nominal figure), else null.
 */
export function cpuFrequencyMhz(root = '/'): number | null {
  if (process.platform !== 'linux') return null
  const cpuDir = `${root}sys/devices/system/cpu`
  try {
    const texts: string[] = []
    for (const name of fs.readdirSync(cpuDir)) {
      if (!/^cpu\d+$/.test(name)) continue
      try {
        texts.push(fs.readFileSync(`${cpuDir}/${name}/cpufreq/scaling_cur_freq`, 'utf8'))
      } catch {
        // No cpufreq for this CPU (a VM, or the driver is not loaded).
      }
    }
    const mhz = meanScalingFreqMhz(texts)
    if (mhz !== null) return mhz
  } catch {
    // No sysfs: try cpuinfo.
  }
  try {
    return parseCpuinfoMhz(fs.readFileSync(`${root}proc/cpuinfo`, 'utf8'))
  } catch {
    return null
  }
}

/** utime + stime of a process from its `/proc/<pid>/stat` text, in ms; null when it does not parse. */
export function parseProcessCpuMs(text: string): number | null {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const end = text.lastIndexOf(')')
  if (end < 0) return null
  const fields = text
    .slice(end + 2)
    .trim()
    .split(/\s+/)
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null
  return ((utime + stime) * 1000) / USER_HZ
}

/** CPU time of this process (every thread) plus the given worker processes, ms; null if one cannot be read. */
export function ownCpuMs(workerPids: readonly number[]): number | null {
  const usage = process.cpuUsage()
  let ms = (usage.user + usage.system) / 1000
  for (const pid of workerPids) {
    if (process.platform !== 'linux') return null
    try {
      const child = parseProcessCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
      if (child === null) return null
      ms += child
    } catch {
      return null
    }
  }
  return ms
}

/** One reading: every CPU's counters, PoolScope's CPU time and the clock, taken together. */
export interface CpuMoment {
  at: number
  cpus: CpuTimes
  ownMs: number | null
}

/**
 * Cores busy outside PoolScope between two moments, on average: the machine's busy core-time
 * (each CPU's busy share of its counted time, times the wall time) minus PoolScope's CPU time, over
 * the wall time; at least 0 (the counters tick at 10 ms, so a quiet machine can read slightly
 * negative). Null when PoolScope's time is unknown or no time passed.
 */
export function outsideCores(before: CpuMoment, after: CpuMoment): number | null {
  const wallMs = after.at - before.at
  if (before.ownMs === null || after.ownMs === null || !(wallMs > 0)) return null
  const cores = Math.max(before.cpus.busy.length, after.cpus.busy.length)
  const shares = new Float32Array(cores)
  utilization(before.cpus, after.cpus, shares)
  let busyCores = 0
  for (const share of shares) if (!Number.isNaN(share)) busyCores += share
  const ownCores = (after.ownMs - before.ownMs) / wallMs
  return Math.max(0, busyCores - ownCores)
}

/** Takes `CpuMoment`s of this machine; one reader kept open for a whole sweep. */
export class MachineProbe {
  private readonly reader: CpuReader

  constructor(reader: CpuReader = systemCpuReader()) {
    this.reader = reader
  }

  moment(workerPids: readonly number[]): CpuMoment {
    const cpus = this.reader.readSync()
    return { at: performance.now(), cpus, ownMs: ownCpuMs(workerPids) }
  }

  close(): void {
    this.reader.close?.()
  }
}
