// Small, valid media files made on the fly for minting stories.
import { crc32, deflateSync } from 'node:zlib'

/// A valid RGB PNG of `width`×`height`, coloured by `pixel(x, y) → [r, g, b]`.
export function png (width, height, pixel) {
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1) // each row starts with filter type 0
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 3)
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit depth, truecolour, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))
  ])
}

/// A mint-green disc on a teal gradient: recognisable in screenshots.
export function catPng () {
  const size = 160
  return png(size, size, (x, y) => {
    const dx = x - size / 2
    const dy = y - size / 2
    if (dx * dx + dy * dy < (size * 0.32) ** 2) return [167, 243, 208]
    return [15 + Math.round(x / 4), 118 - Math.round(y / 6), 110 + Math.round(y / 3)]
  })
}

/// A size×size diagonal gradient.
export function gradientPng (size = 32) {
  return png(size, size, (x, y) => [Math.round((x * 255) / size), Math.round((y * 255) / size), 160])
}

/// A valid 16-bit mono PCM WAV: `seconds` of a 440 Hz tone.
export function wav (seconds = 0.5, rate = 8000) {
  const samples = Math.round(seconds * rate)
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8, 'ascii')
  header.write('fmt ', 12, 'ascii')
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28) // byte rate
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}
