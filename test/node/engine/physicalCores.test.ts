// Physical cores from Linux's CPU topology, on synthetic text: distinct (package, core) pairs from
// sysfs or /proc/cpuinfo, only among the CPUs the process may run on, and the hardware threads
// standing in (and saying so) where neither tells.
import { describe, expect, it } from 'vitest'
import {
  allowedCpusFromStatus,
  countCores,
  parseCpuinfo,
  parseCpuList,
  readPhysicalCores,
  type TopologyFiles
} from '../../../src/main/engine/physicalCores'

/** /proc/cpuinfo of a machine with two packages of two cores, each core with two hardware threads. */
function x86Cpuinfo(): string {
  const blocks: string[] = []
  let processor = 0
  for (const pkg of [0, 1])
    for (const core of [0, 4])
      for (let thread = 0; thread < 2; thread++)
        blocks.push(
          [
            `processor\t: ${processor++}`,
            'vendor_id\t: GenuineIntel',
            'model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz',
            `physical id\t: ${pkg}`,
            'siblings\t: 4',
            `core id\t\t: ${core}`,
            'cpu cores\t: 2',
            'flags\t\t: fpu vme de pse'
          ].join('\n')
        )
  return blocks.join('\n\n') + '\n'
}

/** Files of a fake machine, from a path → text map; directories list the names under them. */
function filesOf(map: Record<string, string>): TopologyFiles {
  return {
    readText: (path) => map[path] ?? null,
    listDir: (path) => [
      ...new Set(
        Object.keys(map)
          .filter((p) => p.startsWith(`${path}/`))
          .map((p) => p.slice(path.length + 1).split('/')[0])
      )
    ]
  }
}

/** sysfs topology files for CPUs given as [cpu, package, core]. */
function sysfsOf(cpus: [number, number, number][]): Record<string, string> {
  const map: Record<string, string> = {}
  for (const [cpu, pkg, core] of cpus) {
    map[`/sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`] = `${pkg}\n`
    map[`/sys/devices/system/cpu/cpu${cpu}/topology/core_id`] = `${core}\n`
  }
  map['/sys/devices/system/cpu/online'] = '0-7\n'
  return map
}

describe('parseCpuinfo', () => {
  it('reads each processor’s package and core; two threads per core make four cores of eight', () => {
    const places = parseCpuinfo(x86Cpuinfo())!
    expect(places).toHaveLength(8)
    expect(places[5]).toEqual({ cpu: 5, packageId: '1', coreId: '0' })
    expect(countCores(places)).toBe(4)
  })

  it('says nothing (null) when a processor lacks its core id, as ARM kernels list them', () => {
    const arm = 'processor\t: 0\nBogoMIPS\t: 48.00\nCPU part\t: 0xd0c\n\nprocessor\t: 1\nBogoMIPS\t: 48.00\n'
    expect(parseCpuinfo(arm)).toBeNull()
    expect(parseCpuinfo('')).toBeNull()
  })

  it('tells the same core id in two packages apart', () => {
    const places = parseCpuinfo(
      'processor : 0\nphysical id : 0\ncore id : 0\n\nprocessor : 1\nphysical id : 1\ncore id : 0\n'
    )!
    expect(countCores(places)).toBe(2)
  })
})

describe('parseCpuList', () => {
  it('reads single CPUs and ranges', () => {
    expect([...parseCpuList('0-3,8,10-11\n')]).toEqual([0, 1, 2, 3, 8, 10, 11])
  })

  it('refuses what is neither a number nor an ascending range, saying which part', () => {
    expect(() => parseCpuList('0-3,x')).toThrow(
      '"x" in a CPU list is neither a CPU number nor a range such as 0-3'
    )
    expect(() => parseCpuList('5-2')).toThrow('"5-2"')
  })

  it('finds the allowed CPUs in /proc/self/status', () => {
    const status = 'Name:\tnode\nCpus_allowed:\t0f\nCpus_allowed_list:\t0-1,3\nMems_allowed:\t1\n'
    expect([...allowedCpusFromStatus(status)!]).toEqual([0, 1, 3])
    expect(allowedCpusFromStatus('Name:\tnode\n')).toBeNull()
  })
})

describe('readPhysicalCores', () => {
  const eightThreads: [number, number, number][] = [
    [0, 0, 0],
    [1, 0, 1],
    [2, 0, 2],
    [3, 0, 3],
    [4, 0, 0],
    [5, 0, 1],
    [6, 0, 2],
    [7, 0, 3]
  ]

  it('counts distinct (package, core) pairs in sysfs first', () => {
    const files = filesOf({ ...sysfsOf(eightThreads), '/proc/cpuinfo': x86Cpuinfo() })
    expect(readPhysicalCores(8, files, 'linux')).toEqual({ count: 4, source: 'sysfs-topology' })
  })

  it('counts only the cores of CPUs this process may run on', () => {
    const files = filesOf({
      ...sysfsOf(eightThreads),
      // CPUs 0 and 4 share core 0; 1 is core 1: two cores.
      '/proc/self/status': 'Cpus_allowed_list:\t0-1,4\n'
    })
    expect(readPhysicalCores(3, files, 'linux')).toEqual({ count: 2, source: 'sysfs-topology' })
  })

  it('falls back to /proc/cpuinfo without sysfs, then to the hardware threads, saying which', () => {
    expect(readPhysicalCores(8, filesOf({ '/proc/cpuinfo': x86Cpuinfo() }), 'linux')).toEqual({
      count: 4,
      source: 'proc-cpuinfo'
    })
    expect(readPhysicalCores(6, filesOf({ '/proc/cpuinfo': 'processor : 0\n' }), 'linux')).toEqual({
      count: 6,
      source: 'hardware-threads'
    })
  })

  it('uses the hardware threads off Linux', () => {
    const files = filesOf(sysfsOf(eightThreads))
    expect(readPhysicalCores(8, files, 'darwin')).toEqual({ count: 8, source: 'hardware-threads' })
  })

  it('reads this machine: at least one core, at most its hardware threads', async () => {
    const os = await import('node:os')
    const found = readPhysicalCores()
    expect(found.count).toBeGreaterThanOrEqual(1)
    expect(found.count).toBeLessThanOrEqual(os.cpus().length)
    if (process.platform === 'linux') expect(found.source).not.toBe('hardware-threads')
  })
})
