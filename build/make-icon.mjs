// Draws build/icon.png (512 × 512): four worker lanes of task bars, as the timing chart shows them.
// Run with `node build/make-icon.mjs`; electron-builder derives every platform's icon from it.
import { Buffer } from 'node:buffer'
import process from 'node:process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'

const SIZE = 512
// Palette: transparent, background, four lane colours, lane track.
const palette = [
  [0, 0, 0, 0],
  [22, 33, 62, 255],
  [56, 189, 248, 255],
  [52, 211, 153, 255],
  [251, 191, 36, 255],
  [244, 114, 182, 255],
  [39, 54, 92, 255]
]
const pixels = new Uint8Array(SIZE * SIZE)

function fillRoundRect(x0, y0, x1, y1, radius, colour) {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const dx = Math.max(x0 + radius - x - 0.5, 0, x + 0.5 - (x1 - radius))
      const dy = Math.max(y0 + radius - y - 0.5, 0, y + 0.5 - (y1 - radius))
      if (dx * dx + dy * dy <= radius * radius) pixels[y * SIZE + x] = colour
    }
  }
}

fillRoundRect(16, 16, 496, 496, 96, 1)
// Each lane: a track and the tasks that ran on it (start, end as fractions of the track).
const lanes = [
  [
    [0.0, 0.3],
    [0.34, 0.55],
    [0.6, 0.92]
  ],
  [
    [0.0, 0.45],
    [0.5, 0.7],
    [0.74, 0.86]
  ],
  [
    [0.05, 0.22],
    [0.26, 0.62],
    [0.66, 1.0]
  ],
  [
    [0.0, 0.18],
    [0.22, 0.4],
    [0.44, 0.78]
  ]
]
const left = 80
const width = 352
lanes.forEach((tasks, lane) => {
  const top = 104 + lane * 80
  fillRoundRect(left, top, left + width, top + 48, 14, 6)
  for (const [start, end] of tasks) {
    fillRoundRect(
      left + Math.round(start * width),
      top,
      left + Math.round(end * width) - 6,
      top + 48,
      14,
      2 + lane
    )
  }
})

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body) >>> 0)
  return Buffer.concat([length, body, crc])
}

function crc32(buffer) {
  let crc = ~0
  for (const byte of buffer) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return ~crc
}

const header = Buffer.alloc(13)
header.writeUInt32BE(SIZE, 0)
header.writeUInt32BE(SIZE, 4)
header[8] = 8 // bit depth
header[9] = 3 // indexed colour
const rows = Buffer.alloc(SIZE * (SIZE + 1))
for (let y = 0; y < SIZE; y++) {
  rows[y * (SIZE + 1)] = 0
  rows.set(pixels.subarray(y * SIZE, (y + 1) * SIZE), y * (SIZE + 1) + 1)
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('PLTE', Buffer.from(palette.flatMap(([r, g, b]) => [r, g, b]))),
  chunk('tRNS', Buffer.from(palette.map(([, , , a]) => a))),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
writeFileSync(join(import.meta.dirname, 'icon.png'), png)
process.stdout.write(`build/icon.png: ${SIZE}×${SIZE}, ${png.length} bytes\n`)
