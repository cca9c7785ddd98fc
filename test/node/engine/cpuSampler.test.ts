// The per-core sampler: the /proc/stat parser on synthetic text, utilization between readings, and
// the sampler on a scripted reader and fake timers (exact utilizations, the stop a moment after a
// job, the merge that bounds a long job's samples).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CpuSampler,
  cpuTimesFromOs,
  parseProcStat,
  utilization,
  type CpuReader,
  type CpuTimes
} from '../../../src/main/engine/cpuSampler'

const times = (busy: number[], total: number[]): CpuTimes => ({
  busy: Float64Array.from(busy),
  total: Float64Array.from(total)
})

const plain = ({ busy, total }: CpuTimes) => ({ busy: [...busy], total: [...total] })

describe('parseProcStat', () => {
  it('counts idle and iowait as idle, everything up to steal as total, and skips guest time', () => {
    const text = [
      'cpu  30 2 10 400 8 1 1 0 5 0',
      // user nice system idle iowait irq softirq steal guest guest_nice
      'cpu0 10 1 5 200 4 1 1 3 5 2',
      'cpu1 20 1 5 200 4 0 0 0 0 0',
      'intr 1234 0 0 7',
      'ctxt 99',
      'btime 1700000000'
    ].join('\n')
    expect(plain(parseProcStat(text))).toEqual({
      busy: [10 + 1 + 5 + 1 + 1 + 3, 20 + 1 + 5],
      total: [10 + 1 + 5 + 200 + 4 + 1 + 1 + 3, 20 + 1 + 5 + 200 + 4]
    })
  })

  it('reads an old kernel’s four fields, and a CPU missing from the numbering as NaN', () => {
    const parsed = parseProcStat('cpu0 1 2 3 4\ncpu2 5 0 5 10 2\n')
    expect(plain(parsed)).toEqual({ busy: [6, NaN, 10], total: [10, NaN, 22] })
  })

  it('skips odd lines: too few fields, a non-number, a bad name, blank, CRLF endings kept apart', () => {
    const text = [
      'cpu',
      'cpu0 1 2 3',
      'cpu1 1 2 x 4',
      'cpu1 -1 2 3 4',
      'cpuX 1 2 3 4',
      'cpu 1 2 3 4',
      '',
      '   ',
      'cpu3 1 1 1 7\r',
      'cpu99999999 1 1 1 1'
    ].join('\n')
    expect(plain(parseProcStat(text))).toEqual({
      busy: [NaN, NaN, NaN, 3],
      total: [NaN, NaN, NaN, 10]
    })
    expect(plain(parseProcStat(''))).toEqual({ busy: [], total: [] })
  })

  it('reads os.cpus() times: idle apart, the rest busy', () => {
    const cpu = (user: number, idle: number) => ({ times: { user, nice: 1, sys: 2, idle, irq: 3 } })
    expect(plain(cpuTimesFromOs([cpu(10, 100), cpu(0, 50)]))).toEqual({
      busy: [16, 6],
      total: [116, 56]
    })
  })
})

describe('utilization', () => {
  it('is busy time gained over total time gained, per CPU', () => {
    const out = new Float32Array(2)
    utilization(times([10, 10], [100, 100]), times([15, 30], [110, 120]), out)
    expect([...out]).toEqual([0.5, 1])
  })

  it('clamps counters that went backwards, and reads no time gained as idle, never NaN', () => {
    const out = new Float32Array(3)
    utilization(times([500, 10, 10], [900, 100, 100]), times([5, 5, 10], [10, 120, 100]), out)
    expect([...out]).toEqual([0, 0, 0])
  })

  it('is NaN for a CPU missing from either reading, and ignores CPUs beyond the first reading', () => {
    const out = new Float32Array(3)
    utilization(times([0, NaN, 0], [0, NaN, 0]), times([5, 5], [10, 10]), out)
    expect([...out]).toEqual([0.5, NaN, NaN])
    const two = new Float32Array(2)
    utilization(times([0, 0], [0, 0]), times([1, 2, 3], [4, 4, 4]), two)
    expect([...two]).toEqual([0.25, 0.5])
  })
})

/** A reader that hands out `readings` in order (the last one again once they run out). */
function scripted(readings: CpuTimes[]): CpuReader & { reads: number; close: () => void } {
  const reader = {
    source: 'proc-stat' as const,
    reads: 0,
    readSync: () => readings[Math.min(reader.reads++, readings.length - 1)],
    read: async () => reader.readSync(),
    close: vi.fn()
  }
  return reader
}

/** Readings of two CPUs, each gaining 10 ticks per reading, busy for the given shares. */
function readingsOf(shares: [number, number][]): CpuTimes[] {
  const busy = [0, 0]
  const out = [times([0, 0], [0, 0])]
  shares.forEach(([a, b], i) => {
    busy[0] += a * 10
    busy[1] += b * 10
    out.push(times([...busy], [(i + 1) * 10, (i + 1) * 10]))
  })
  return out
}

describe('CpuSampler', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_000)
  })
  afterEach(() => vi.useRealTimers())

  const sampler = (reader: CpuReader, maxSamples?: number) =>
    new CpuSampler({ reader, clock: () => Date.now(), maxSamples })

  it('gives each interval’s exact utilization per core, on the job clock, row-major by core', async () => {
    const reader = scripted(
      readingsOf([
        [0.5, 1],
        [0, 0.2],
        [1, 0]
      ])
    )
    const cpu = sampler(reader)
    cpu.start()
    await vi.advanceTimersByTimeAsync(300)
    const samples = cpu.samples(1_000)
    expect(samples).toMatchObject({ cores: 2, intervalMs: 100, source: 'proc-stat', from: 0 })
    expect([...samples.at]).toEqual([100, 200, 300])
    expect([...samples.busy]).toEqual([0.5, 0, 1, 1, Math.fround(0.2), 0])
    cpu.stop()
  })

  it('goes on for one reading at least an interval after the end, then stops and closes its reader', async () => {
    const reader = scripted(readingsOf([[1, 1]]))
    const cpu = sampler(reader)
    cpu.start()
    await vi.advanceTimersByTimeAsync(150)
    cpu.stopAfter(100)
    await vi.advanceTimersByTimeAsync(1_000)
    expect([...cpu.samples(1_000).at]).toEqual([100, 200, 300])
    expect(reader.reads).toBe(4)
    expect(reader.close).toHaveBeenCalledOnce()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('counts the bytes its sample arrays hold, capacity included', async () => {
    const cpu = sampler(scripted(readingsOf([[1, 1]])))
    expect(cpu.bytes).toBe(0)
    cpu.start()
    await vi.advanceTimersByTimeAsync(100)
    // The first sample grows the arrays to 64 samples: 64 × 8 bytes of times, 64 × 2 × 4 of loads.
    expect(cpu.bytes).toBe(64 * 8 + 64 * 2 * 4)
    cpu.stop()
  })

  it('takes a failed reading as a gap and goes on sampling', async () => {
    const readings = readingsOf([
      [1, 0],
      [0, 1]
    ])
    let reads = 0
    const reader: CpuReader = {
      source: 'os-cpus',
      readSync: () => {
        if (reads++ === 1) throw new Error('EACCES')
        return readings[Math.min(reads - 1, readings.length - 1)]
      },
      read: async () => reader.readSync()
    }
    const cpu = sampler(reader)
    cpu.start()
    await vi.advanceTimersByTimeAsync(300)
    cpu.stop()
    const samples = cpu.samples(1_000)
    expect(samples.source).toBe('os-cpus')
    // The second interval spans the failed reading: from 0 to 200 ms, ticks 0 to 20.
    expect([...samples.at]).toEqual([200, 300])
    expect([...samples.busy]).toEqual([0.5, 0, 0.5, 0])
  })

  it('merges neighbouring intervals in pairs when full, keeping the whole span and its load', async () => {
    const reader = scripted(
      readingsOf([
        [1, 0],
        [0, 0],
        [1, 0],
        [0, 1],
        [0.5, 0.5],
        [1, 1]
      ])
    )
    const cpu = sampler(reader, 4)
    cpu.start()
    await vi.advanceTimersByTimeAsync(400)
    expect([...cpu.samples(1_000).at]).toEqual([100, 200, 300, 400])
    // The fifth interval finds the samples full: four become two, and the interval doubles.
    await vi.advanceTimersByTimeAsync(100)
    let samples = cpu.samples(1_000)
    expect(samples.intervalMs).toBe(200)
    expect([...samples.at]).toEqual([200, 400, 500])
    expect([...samples.busy]).toEqual([0.5, 0.5, 0.5, 0, 0.5, 0.5])
    // Readings now come every 200 ms.
    await vi.advanceTimersByTimeAsync(100)
    expect(cpu.samples(1_000).at).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(100)
    samples = cpu.samples(1_000)
    expect([...samples.at]).toEqual([200, 400, 500, 700])
    expect([...samples.busy]).toEqual([0.5, 0.5, 0.5, 1, 0, 0.5, 0.5, 1])
    cpu.stop()
  })

  it('makes the first timed reading the baseline when the one at the start fails', async () => {
    const readings = readingsOf([[1, 0.5]])
    const reader: CpuReader = {
      source: 'proc-stat',
      readSync: () => {
        throw new Error('EMFILE')
      },
      read: async () => readings.shift() ?? times([10, 5], [10, 10])
    }
    const cpu = sampler(reader)
    cpu.start()
    expect(cpu.samples(1_000)).toMatchObject({ cores: 0, from: null, at: new Float64Array(0) })
    await vi.advanceTimersByTimeAsync(200)
    cpu.stop()
    const samples = cpu.samples(1_000)
    expect(samples).toMatchObject({ cores: 2, from: 100 })
    expect([...samples.at]).toEqual([200])
    expect([...samples.busy]).toEqual([1, 0.5])
  })
})
