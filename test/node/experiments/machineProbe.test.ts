import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  MachineProbe,
  meanScalingFreqMhz,
  outsideCores,
  parseCpuinfoMhz,
  parseProcessCpuMs,
  type CpuMoment
} from '../../../src/main/experiments/machineProbe'

function moment(at: number, busy: number[], total: number[], ownMs: number | null): CpuMoment {
  return { at, cpus: { busy: Float64Array.from(busy), total: Float64Array.from(total) }, ownMs }
}

describe('machine facts', () => {
  it('reads the mean cpu MHz of /proc/cpuinfo, and nothing from text without it', () => {
    const text = 'processor\t: 0\ncpu MHz\t\t: 2400.000\n\nprocessor\t: 1\ncpu MHz\t\t: 3000.500\n'
    expect(parseCpuinfoMhz(text)).toBeCloseTo(2700.25, 6)
    expect(parseCpuinfoMhz('processor : 0\nBogoMIPS : 48.00\n')).toBeNull()
  })

  it('reads scaling_cur_freq in kHz as MHz, skipping unreadable values', () => {
    expect(meanScalingFreqMhz(['2400000\n', '3600000\n', 'garbage'])).toBe(3000)
    expect(meanScalingFreqMhz([])).toBeNull()
  })

  it("reads a process's utime + stime even when its name holds spaces and parentheses", () => {
    // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 1 0'
    expect(parseProcessCpuMs(stat)).toBe(3000)
    expect(parseProcessCpuMs('garbled')).toBeNull()
  })
})

describe('cores busy outside PoolScope', () => {
  it('is the machine’s busy cores minus PoolScope’s own CPU time, over the wall time', () => {
    // Two CPUs over 1 s: one fully busy, one half busy (1.5 cores); PoolScope used 1 s of CPU.
    const before = moment(0, [0, 0], [0, 0], 0)
    const after = moment(1000, [100, 50], [100, 100], 1000)
    expect(outsideCores(before, after)).toBeCloseTo(0.5, 6)
  })

  it('never reads below zero, and is unknown without PoolScope’s CPU time', () => {
    const before = moment(0, [0, 0], [0, 0], 0)
    expect(outsideCores(before, moment(1000, [40, 40], [100, 100], 1000))).toBe(0)
    expect(outsideCores(before, moment(1000, [40, 40], [100, 100], null))).toBeNull()
    expect(outsideCores(before, moment(0, [0, 0], [0, 0], 0))).toBeNull()
  })

  it.runIf(process.platform === 'linux')('sees another process spinning on a core', async () => {
    const probe = new MachineProbe()
    const spinner = spawn(
      process.execPath,
      ['-e', 'const end = Date.now() + 5000; while (Date.now() < end) {}'],
      {
        stdio: 'ignore'
      }
    )
    try {
      await new Promise((r) => setTimeout(r, 200))
      const before = probe.moment([])
      await new Promise((r) => setTimeout(r, 500))
      const after = probe.moment([])
      // A whole core spun outside this process (less when the machine's other load took turns with it).
      expect(outsideCores(before, after)).toBeGreaterThan(0.5)
    } finally {
      spinner.kill()
      probe.close()
    }
  })
})
