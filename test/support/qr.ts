import * as jsQRModule from 'jsqr'
import type { QRCode } from 'jsqr'
import { PNG } from 'pngjs'

type Scan = (data: Uint8ClampedArray, width: number, height: number) => QRCode | null
// jsqr is CommonJS with a `default` export: depending on the loader's interop, the function is
// the default import or that import's own `default`.
const loaded = (jsQRModule as unknown as { default: Scan | { default: Scan } }).default
const jsQR: Scan = typeof loaded === 'function' ? loaded : loaded.default

/** Reads a QR code off a PNG as a bank app's scanner does; the raw bytes come back as UTF-8. */
export function scanQrPng(png: Buffer): { text: string; code: QRCode } | null {
  const image = PNG.sync.read(png)
  return scanQrPixels(new Uint8ClampedArray(image.data), image.width, image.height)
}

/** The same from RGBA pixels (an image taken out of a PDF). */
export function scanQrPixels(rgba: Uint8ClampedArray, width: number, height: number): { text: string; code: QRCode } | null {
  const code = jsQR(rgba, width, height)
  return code ? { text: Buffer.from(code.binaryData).toString('utf8'), code } : null
}
