import fs from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'

/** Where per-CPU times come from: Linux's `/proc/stat`, or Node's `os.cpus()` elsewhere. */
export type CpuSource = 'proc-stat' | 'os-cpus'

/**
 * Cumulative per-CPU times at one moment, indexed by CPU number: busy and total time in the
 * source's unit (USER_HZ ticks for `/proc/stat`, ms for `os.cpus()`). NaN for a CPU number the
 * source did not list (offline, or a gap in the numbering).
 */
export interface CpuTimes {
  busy: Float64Array
  total: Float64Array
}

/** A source of per-CPU times. */
export interface CpuReader {
  readonly source: CpuSource
  /** The per-CPU times now. */
  read(): Promise<CpuTimes>
  /** The same, on this thread: for the one baseline reading before a job's clock starts. */
  readSync(): CpuTimes
  /** Lets go of what the reader holds open (after an in-flight read, if any). */
  close?(): void
}

/** Samples per job before they are merged in pairs: 10 minutes at 100 ms. Even, so pairs fit. */
export const MAX_CPU_SAMPLES = 6000
export const CPU_SAMPLE_MS = 100

const IDLE = 3
const IOWAIT = 4
/**
 * user nice system idle iowait irq softirq steal. The guest and guest_nice fields that follow are
 * left out: the kernel already counts them in user and nice.
 */
const COUNTED_FIELDS = 8
/** Kernels before 2.5.41 list only user nice system idle. */
const MIN_FIELDS = 4
const CPU_LINE = /^cpu(\d+)$/
const WHOLE_NUMBER = /^\d+$/
/** A CPU number beyond this is a corrupt line, not a machine with that many CPUs. */
const MAX_CPU_NUMBER = 65_535

/**
 * Per-CPU times from the text of `/proc/stat`: busy is total − idle − iowait. Lines that are not
 * `cpuN` followed by at least four whole numbers are skipped (the aggregate `cpu` line, `intr`,
 * a torn or odd line); fields a kernel does not have count as 0.
 */
export function parseProcStat(text: string): CpuTimes {
  const cpus: number[] = []
  const busyOf: number[] = []
  const totalOf: number[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue
    const fields = line.trim().split(/\s+/)
    const name = CPU_LINE.exec(fields[0])
    if (!name || fields.length - 1 < MIN_FIELDS) continue
    let total = 0
    let idle = 0
    let valid = true
    for (let f = 0; f < Math.min(COUNTED_FIELDS, fields.length - 1); f++) {
      const field = fields[1 + f]
      if (!WHOLE_NUMBER.test(field)) {
        valid = false
        break
      }
      const value = Number(field)
      total += value
      if (f === IDLE || f === IOWAIT) idle += value
    }
    if (!valid) continue
    cpus.push(Number(name[1]))
    busyOf.push(total - idle)
    totalOf.push(total)
  }
  return packTimes(cpus, busyOf, totalOf)
}

/** Per-CPU times from `os.cpus()` (ms): busy is user + nice + sys + irq. */
export function cpuTimesFromOs(cpus: readonly Pick<os.CpuInfo, 'times'>[]): CpuTimes {
  const busy = cpus.map(({ times: t }) => t.user + t.nice + t.sys + t.irq)
  const total = cpus.map(({ times: t }, i) => busy[i] + t.idle)
  return packTimes(
    cpus.map((_, i) => i),
    busy,
    total
  )
}

function packTimes(cpus: number[], busyOf: number[], totalOf: number[]): CpuTimes {
  const count = cpus.reduce((max, cpu) => (cpu <= MAX_CPU_NUMBER ? Math.max(max, cpu + 1) : max), 0)
  const busy = new Float64Array(count).fill(NaN)
  const total = new Float64Array(count).fill(NaN)
  cpus.forEach((cpu, i) => {
    if (cpu < count) {
      busy[cpu] = busyOf[i]
      total[cpu] = totalOf[i]
    }
  })
  return { busy, total }
}

/**
 * Each CPU's utilization (0..1) between two readings, written to `out`: busy time gained over
 * total time gained. A counter that went backwards (a CPU brought back online restarts from 0)
 * counts as no gain, and an interval with no time gained reads as idle, never NaN. A CPU missing
 * from either reading reads NaN: nothing is known about it.
 */
export function utilization(before: CpuTimes, after: CpuTimes, out: Float32Array): void {
  for (let cpu = 0; cpu < out.length; cpu++) {
    // Out of range reads undefined, and undefined minus anything is NaN too.
    const total = after.total[cpu] - before.total[cpu]
    const busy = after.busy[cpu] - before.busy[cpu]
    if (Number.isNaN(total) || Number.isNaN(busy)) out[cpu] = NaN
    else out[cpu] = total > 0 ? Math.min(1, Math.max(0, busy) / total) : 0
  }
}

/**
 * Reads `/proc/stat` through one descriptor kept open, from offset 0 each time (as `top` does):
 * one round trip to libuv's thread pool per reading, where `readFile` takes four (open, stat,
 * read, close) and held the main thread about five times as long (BENCHMARKS.md). The kernel
 * writes the file during the read, off the main thread, which matters on machines with many CPUs
 * and interrupts, where that takes a while.
 */
export function procStatReader(path = '/proc/stat'): CpuReader {
  let fd: number | null = null
  let buffer = Buffer.alloc(16 * 1024)
  let reading = false
  let closed = false
  const closeFd = (): void => {
    if (fd !== null) fs.close(fd, () => undefined)
    fd = null
  }
  const checkOpen = (): void => {
    if (closed) throw new Error(`the reader of ${path} is closed`)
  }
  const readFromStart = (handle: number): Promise<number> =>
    new Promise((resolve, reject) =>
      fs.read(handle, buffer, 0, buffer.length, 0, (err, n) => (err ? reject(err) : resolve(n)))
    )
  return {
    source: 'proc-stat',
    async read() {
      checkOpen()
      reading = true
      try {
        fd ??= await promisify(fs.open)(path, 'r')
        let n = await readFromStart(fd)
        // A full buffer may have cut the file short: read it again into one twice the size.
        while (n === buffer.length) {
          buffer = Buffer.alloc(buffer.length * 2)
          n = await readFromStart(fd)
        }
        return parseProcStat(buffer.toString('latin1', 0, n))
      } finally {
        reading = false
        // Closed while the read was in flight: closing then could have let the descriptor's number
        // be reused under the pending read.
        if (closed) closeFd()
      }
    },
    readSync() {
      checkOpen()
      fd ??= fs.openSync(path, 'r')
      let n = fs.readSync(fd, buffer, 0, buffer.length, 0)
      while (n === buffer.length) {
        buffer = Buffer.alloc(buffer.length * 2)
        n = fs.readSync(fd, buffer, 0, buffer.length, 0)
      }
      return parseProcStat(buffer.toString('latin1', 0, n))
    },
    close() {
      closed = true
      if (!reading) closeFd()
    }
  }
}

/** Per-CPU times from `os.cpus()`, for systems without `/proc/stat`. */
export function osCpusReader(): CpuReader {
  const readSync = (): CpuTimes => cpuTimesFromOs(os.cpus())
  return { source: 'os-cpus', read: async () => readSync(), readSync }
}

let procStatReadable: boolean | undefined

/** A reader of this machine's per-CPU times: `/proc/stat` where we may read it, else `os.cpus()`. */
export function systemCpuReader(): CpuReader {
  if (procStatReadable === undefined) {
    try {
      fs.accessSync('/proc/stat', fs.constants.R_OK)
      procStatReadable = process.platform === 'linux'
    } catch {
      procStatReadable = false
    }
  }
  return procStatReadable ? procStatReader() : osCpusReader()
}

export interface CpuSamplerOptions {
  /** Where readings come from; this machine's `systemCpuReader()` unless given. */
  reader?: CpuReader
  /** Milliseconds on a clock shared with the job: `performance.timeOrigin + performance.now()`. */
  clock?: () => number
  intervalMs?: number
  maxSamples?: number
}

/** A job's per-CPU utilization, as `job.cpu` sends it (times on the job clock). */
export interface CpuSamples {
  cores: number
  /** The sampling interval now: it doubles each time the samples are merged in pairs. */
  intervalMs: number
  source: CpuSource
  /** The baseline reading's time: where the first interval starts. Null before there is one. */
  from: number | null
  /** Each interval's end. */
  at: Float64Array
  /** `busy[core × at.length + sample]`: the core's utilization over that interval, 0..1. */
  busy: Float32Array
}

/**
 * Samples every CPU's utilization on an unref'd timer, one interval per reading, from a baseline
 * reading on. Readings never overlap: the next is scheduled when one returns. The samples are kept
 * sample-major in typed arrays that grow by doubling; when `maxSamples` are held, neighbouring
 * intervals are merged in pairs (their utilizations averaged by duration) and the interval
 * doubles, so a long job keeps all of its span, and all of the load, at a coarser step, in bounded
 * memory. Dropping every other sample instead would lose the load of the dropped intervals.
 */
export class CpuSampler {
  private readonly reader: CpuReader
  private readonly clock: () => number
  private readonly maxSamples: number
  private intervalMs: number
  private cores = 0
  private last: CpuTimes | null = null
  private from = 0
  private at = new Float64Array(0)
  /** `rows[sample × cores + core]`. */
  private rows = new Float32Array(0)
  private count = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private nextAt = 0
  /** Stop once a reading is taken at or after this time; null while sampling goes on. */
  private stopAt: number | null = null
  private stopped = false
  private settle: () => void = () => undefined
  /** Resolves once sampling has stopped (the last reading taken), however it stopped. */
  readonly finished: Promise<void> = new Promise((resolve) => (this.settle = resolve))

  constructor(options: CpuSamplerOptions = {}) {
    this.reader = options.reader ?? systemCpuReader()
    this.clock = options.clock ?? (() => performance.timeOrigin + performance.now())
    this.intervalMs = options.intervalMs ?? CPU_SAMPLE_MS
    this.maxSamples = options.maxSamples ?? MAX_CPU_SAMPLES
    if (this.maxSamples < 2 || this.maxSamples % 2 !== 0) {
      throw new RangeError(`maxSamples must be an even number of at least 2, not ${this.maxSamples}`)
    }
  }

  /**
   * A stopped sampler holding samples a `samples(origin)` call gave (a restored job): its
   * `samples(0)` gives them back as they were, and it never reads the CPUs.
   */
  static holding(samples: CpuSamples): CpuSampler {
    const { cores, at, busy } = samples
    const count = at.length
    if (busy.length !== cores * count) {
      throw new RangeError(
        `CPU samples of ${cores} cores × ${count} intervals cannot have ${busy.length} values`
      )
    }
    const unread = (): never => {
      throw new Error('a restored job reads no CPUs')
    }
    const sampler = new CpuSampler({
      reader: { source: samples.source, read: async () => unread(), readSync: unread },
      intervalMs: samples.intervalMs,
      maxSamples: Math.max(2, count + (count % 2))
    })
    sampler.cores = cores
    sampler.count = count
    sampler.at = Float64Array.from(at)
    sampler.rows = new Float32Array(cores * count)
    for (let s = 0; s < count; s++) {
      for (let core = 0; core < cores; core++) sampler.rows[s * cores + core] = busy[core * count + s]
    }
    if (samples.from !== null) {
      sampler.from = samples.from
      sampler.last = { busy: new Float64Array(0), total: new Float64Array(0) }
    }
    sampler.stop()
    return sampler
  }

  /**
   * Takes the baseline reading here and now, on this thread, so that it falls just before whatever
   * starts next (tens of microseconds for `/proc/stat` on a 2-CPU machine; a first reading on the
   * thread pool landed up to 6 ms into a job). Samples on the timer from then on.
   */
  start(): void {
    const asked = this.clock()
    try {
      this.add(this.reader.readSync(), (asked + this.clock()) / 2)
    } catch {
      // No baseline: the first timed reading becomes it.
    }
    this.nextAt = asked
    this.schedule()
  }

  /**
   * Goes on sampling until a reading at least `afterMs` after now, then stops: the load just after
   * a job is part of its picture. Returns at once; `stop()` ends sooner. Only the first call counts.
   */
  stopAfter(afterMs: number): void {
    this.stopAt ??= this.clock() + afterMs
  }

  /** Stops now: no more readings, the timer cleared, the reader closed. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.reader.close?.()
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.settle()
  }

  /** Bytes the samples hold (the arrays' capacity): part of what a retained job costs. */
  get bytes(): number {
    return this.at.byteLength + this.rows.byteLength
  }

  /** The samples so far, with times relative to `origin` (the job's zero on the same clock). */
  samples(origin: number): CpuSamples {
    const { cores, count } = this
    const at = new Float64Array(count)
    for (let i = 0; i < count; i++) at[i] = this.at[i] - origin
    // Row-major by core, as a heat map's rows are read.
    const busy = new Float32Array(cores * count)
    for (let s = 0; s < count; s++) {
      for (let core = 0; core < cores; core++) busy[core * count + s] = this.rows[s * cores + core]
    }
    return {
      cores,
      intervalMs: this.intervalMs,
      source: this.reader.source,
      from: this.last ? this.from - origin : null,
      at,
      busy
    }
  }

  private async sample(): Promise<void> {
    const asked = this.clock()
    let reading: CpuTimes | null = null
    try {
      reading = await this.reader.read()
    } catch {
      // A failed reading (the file vanished, a sandbox refused it) is a gap, not a failed job.
    }
    if (this.stopped) return
    // The counters were read somewhere between asking and hearing back.
    const time = (asked + this.clock()) / 2
    if (reading) this.add(reading, time)
    if (this.stopAt !== null && time >= this.stopAt) {
      this.stop()
      return
    }
    this.schedule()
  }

  private schedule(): void {
    this.nextAt += this.intervalMs
    const delay = Math.max(0, this.nextAt - this.clock())
    // Running late (a stalled loop): sample as soon as possible and take up the beat from there.
    if (delay === 0) this.nextAt = this.clock()
    this.timer = setTimeout(() => void this.sample(), delay)
    this.timer.unref?.()
  }

  private add(reading: CpuTimes, time: number): void {
    if (!this.last) {
      this.cores = reading.total.length
      this.from = time
      this.last = reading
      return
    }
    if (this.count === this.maxSamples) this.mergePairs()
    if (this.count === this.at.length) this.grow()
    const cores = this.cores
    utilization(this.last, reading, this.rows.subarray(this.count * cores, (this.count + 1) * cores))
    this.at[this.count++] = time
    this.last = reading
  }

  private grow(): void {
    const capacity = Math.min(this.maxSamples, Math.max(64, this.at.length * 2))
    const at = new Float64Array(capacity)
    at.set(this.at)
    const rows = new Float32Array(capacity * this.cores)
    rows.set(this.rows)
    this.at = at
    this.rows = rows
  }

  /** Halves the samples held: each pair of neighbouring intervals becomes one, weighted by duration. */
  private mergePairs(): void {
    const { cores } = this
    for (let pair = 0; pair < this.count / 2; pair++) {
      const a = 2 * pair
      const b = a + 1
      const aMs = this.at[a] - (a === 0 ? this.from : this.at[a - 1])
      const bMs = this.at[b] - this.at[a]
      for (let core = 0; core < cores; core++) {
        this.rows[pair * cores + core] = mergedShare(
          this.rows[a * cores + core],
          aMs,
          this.rows[b * cores + core],
          bMs
        )
      }
      this.at[pair] = this.at[b]
    }
    this.count /= 2
    this.intervalMs *= 2
  }
}

/** Two neighbouring intervals' utilization as one: weighted by duration, an unknown one left out. */
function mergedShare(a: number, aMs: number, b: number, bMs: number): number {
  if (Number.isNaN(a)) return b
  if (Number.isNaN(b)) return a
  return aMs + bMs > 0 ? (a * aMs + b * bMs) / (aMs + bMs) : (a + b) / 2
}
