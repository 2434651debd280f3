import QRCode from 'qrcode'
import { crc32, deflateSync } from 'node:zlib'
import { QR_ERROR_CORRECTION } from './payment-qr.ts'

/**
 * A payment QR as an image. The payload goes in as one byte segment of its UTF-8 bytes (the
 * header's encoding digit says 2): no mode switching inside the code, which some bank apps'
 * scanners read wrongly.
 */
const segments = (payload: string) => [{ data: Buffer.from(payload, 'utf8'), mode: 'byte' as const }]

export function paymentQrPng(payload: string, width = 360): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), { errorCorrectionLevel: QR_ERROR_CORRECTION, type: 'png', width, margin: 4 })
}

/**
 * The QR for a printed receipt: a greyscale PNG (no alpha) of two pixels per module, written
 * here straight from the code's modules. A PDF scales it without smoothing, so it prints as sharp
 * as a vector; PDFKit embeds such a PNG as it is. Through qrcode's own PNG (colour with alpha,
 * then converted) a receipt cost ten times the time and three times the bytes.
 */
export function paymentQrPrintPng(payload: string): Buffer {
  const { modules } = QRCode.create(segments(payload), { errorCorrectionLevel: QR_ERROR_CORRECTION })
  return greyPng(modules.size, (row, column) => modules.get(row, column) === 1, { scale: 2, margin: 4 })
}

/** A black-on-white greyscale PNG of a square grid of cells, `scale` pixels each, inside a light margin. */
export function greyPng(cells: number, dark: (row: number, column: number) => boolean, { scale, margin }: { scale: number; margin: number }): Buffer {
  const side = (cells + 2 * margin) * scale
  const stride = side + 1 // each row starts with its filter type (0: none)
  const raw = Buffer.alloc(stride * side, 0xff)
  for (let y = 0; y < side; y++) raw[y * stride] = 0
  for (let row = 0; row < cells; row++) {
    for (let column = 0; column < cells; column++) {
      if (!dark(row, column)) continue
      for (let dy = 0; dy < scale; dy++) {
        const offset = ((row + margin) * scale + dy) * stride + 1 + (column + margin) * scale
        raw.fill(0, offset, offset + scale)
      }
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header.set([8, 0, 0, 0, 0], 8) // 8 bits, greyscale, deflate, no filter method, not interlaced
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))])
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length)
  chunk.writeUInt32BE(data.length, 0)
  chunk.write(type, 4, 'latin1')
  data.copy(chunk, 8)
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length)
  return chunk
}

export function paymentQrSvg(payload: string): Promise<string> {
  return QRCode.toString(segments(payload), { errorCorrectionLevel: QR_ERROR_CORRECTION, type: 'svg', margin: 4 })
}
