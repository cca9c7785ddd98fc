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
