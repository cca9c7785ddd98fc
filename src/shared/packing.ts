/** Bytes per stored position: tuples are packed as the narrowest unsigned array that holds n - 1. */
export function bytesPerIndex(n: number): 1 | 2 | 4 {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4
}
