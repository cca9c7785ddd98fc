import fs from 'node:fs'
import os from 'node:os'

/**
 * Where the count of physical cores came from: Linux's CPU topology in sysfs, `/proc/cpuinfo`, or
 * nowhere (then the hardware threads stand in for cores: a machine with simultaneous multithreading
 * has fewer cores than that).
 */
export type PhysicalCoresSource = 'sysfs-topology' | 'proc-cpuinfo' | 'hardware-threads'

export interface PhysicalCores {
  count: number
  source: PhysicalCoresSource
}

/** One logical CPU's place: its package (socket) and its core within the package. */
export interface CpuPlace {
  cpu: number
  packageId: string
  coreId: string
}

/** Physical cores among the places: distinct (package, core) pairs, counting only `allowed` CPUs if given. */
export function countCores(places: readonly CpuPlace[], allowed?: ReadonlySet<number> | null): number {
  const cores = new Set<string>()
  for (const place of places) {
    if (!allowed || allowed.has(place.cpu)) cores.add(`${place.packageId}:${place.coreId}`)
  }
  return cores.size
}

/**
 * Each processor's place from the text of `/proc/cpuinfo` (x86 lists `physical id` and `core id`
 * per processor). Null when a processor lacks either, as on most ARM kernels: then the text cannot
 * tell cores from hardware threads.
 */
export function parseCpuinfo(text: string): CpuPlace[] | null {
  const places: CpuPlace[] = []
  // Processors are blocks separated by blank lines, each a list of `key : value` lines.
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    }
    const processor = fields.get('processor')
    if (processor === undefined || !/^\d+$/.test(processor)) continue
    const packageId = fields.get('physical id')
    const coreId = fields.get('core id')
    if (packageId === undefined || coreId === undefined) return null
    places.push({ cpu: Number(processor), packageId, coreId })
  }
  return places.length > 0 ? places : null
}

/**
 * The CPUs of a kernel CPU list such as `0-3,8,10-11` (sysfs, `Cpus_allowed_list`). Throws a
 * RangeError naming the part that is not a number or an ascending range.
 */
export function parseCpuList(text: string): Set<number> {
  const cpus = new Set<number>()
  for (const part of text.trim().split(',')) {
    if (part === '') continue
    const range = /^(\d+)(?:-(\d+))?$/.exec(part)
    const lo = range ? Number(range[1]) : NaN
    const hi = range?.[2] !== undefined ? Number(range[2]) : lo
    if (!range || hi < lo) {
      throw new RangeError(`"${part}" in a CPU list is neither a CPU number nor a range such as 0-3`)
    }
    for (let cpu = lo; cpu <= hi; cpu++) cpus.add(cpu)
  }
  return cpus
}

/** The CPUs this process may run on, from `Cpus_allowed_list` in `/proc/self/status`; null when unknown. */
export function allowedCpusFromStatus(status: string): Set<number> | null {
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)
  if (!line) return null
  try {
    return parseCpuList(line[1])
  } catch {
    return null
  }
}

/** What the reading of the machine's topology needs: the file system, as a seam for tests. */
export interface TopologyFiles {
  readText(path: string): string | null
  listDir(path: string): string[]
}

const systemFiles: TopologyFiles = {
  readText(path) {
    try {
      return fs.readFileSync(path, 'latin1')
    } catch {
      return null
    }
  },
  listDir(path) {
    try {
      return fs.readdirSync(path)
    } catch {
      return []
    }
  }
}

const SYS_CPU = '/sys/devices/system/cpu'

/** Each online CPU's place from sysfs (`cpuN/topology/{physical_package_id,core_id}`); null when absent. */
export function sysfsPlaces(files: TopologyFiles): CpuPlace[] | null {
  const places: CpuPlace[] = []
  for (const name of files.listDir(SYS_CPU)) {
    const cpu = /^cpu(\d+)$/.exec(name)
    if (!cpu) continue
    // An offline CPU has no topology directory; it is not a core the job could use.
    const packageId = files.readText(`${SYS_CPU}/${name}/topology/physical_package_id`)?.trim()
    const coreId = files.readText(`${SYS_CPU}/${name}/topology/core_id`)?.trim()
    if (!packageId || !coreId) continue
    places.push({ cpu: Number(cpu[1]), packageId, coreId })
  }
  return places.length > 0 ? places : null
}

/**
 * The machine's physical cores that this process may use: on Linux from sysfs, else
 * `/proc/cpuinfo`, counting distinct (package, core) pairs among the CPUs it is allowed to run on;
 * elsewhere, and when neither says, the hardware threads.
 */
export function readPhysicalCores(
  hardwareThreads = os.availableParallelism(),
  files: TopologyFiles = systemFiles,
  platform: string = process.platform
): PhysicalCores {
  const fallback: PhysicalCores = { count: hardwareThreads, source: 'hardware-threads' }
  if (platform !== 'linux') return fallback
  const status = files.readText('/proc/self/status')
  const allowed = status === null ? null : allowedCpusFromStatus(status)
  const fromSysfs = sysfsPlaces(files)
  if (fromSysfs) {
    const count = countCores(fromSysfs, allowed)
    if (count > 0) return { count, source: 'sysfs-topology' }
  }
  const cpuinfo = files.readText('/proc/cpuinfo')
  const fromCpuinfo = cpuinfo === null ? null : parseCpuinfo(cpuinfo)
  if (fromCpuinfo) {
    const count = countCores(fromCpuinfo, allowed)
    if (count > 0) return { count, source: 'proc-cpuinfo' }
  }
  return fallback
}

let cached: PhysicalCores | null = null

/** This machine's physical cores, read once (the topology does not change while the app runs). */
export function physicalCores(): PhysicalCores {
  cached ??= readPhysicalCores()
  return cached
}
