/** Bytes in binary units: `512 B`, `3.00 MiB`, `1.50 GiB`, `157.4 TiB`. */
export function formatBytes(bytes: number | bigint): string {
  const value = Number(bytes)
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']
  let unit = 0
  let scaled = value
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024
    unit++
  }
  if (unit === 0) return `${value} B`
  return `${scaled.toFixed(scaled < 10 ? 2 : 1)} ${units[unit]}`
}

/** Nanoseconds in the unit that reads best: `640 ns`, `12.5 µs`, `1.36 ms`, `572.6 ms`, `12.40 s`. */
export function formatNanoseconds(ns: number): string {
  if (ns < 1e4) return `${Math.round(ns)} ns`
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`
  return `${(ns / 1e9).toFixed(2)} s`
}
