import QRCode from 'qrcode'
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
 * The QR for a printed receipt: two pixels per module, grey levels without alpha. A PDF scales it
 * without smoothing, so it prints as sharp as a vector; and PDFKit embeds such a PNG as it is,
 * where a colour image with alpha costs ten times the time and three times the bytes per page.
 */
export function paymentQrPrintPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), {
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    type: 'png',
    scale: 2,
    margin: 4,
    // Passed to pngjs: 0 is greyscale.
    rendererOpts: { colorType: 0 },
  } as QRCode.QRCodeToBufferOptions)
}

export function paymentQrSvg(payload: string): Promise<string> {
  return QRCode.toString(segments(payload), { errorCorrectionLevel: QR_ERROR_CORRECTION, type: 'svg', margin: 4 })
}
