import QRCode from 'qrcode'
import { paymentQrPayload } from '../../src/invoices/payment-qr.ts'
import { PNG } from 'pngjs'
import { paymentQrPng, paymentQrPrintPng, paymentQrSvg } from '../../src/invoices/qr-image.ts'
import { PAYEE } from '../support/payee.ts'
import { scanQrPng } from '../support/qr.ts'

const payload = paymentQrPayload({
  payee: PAYEE,
  amount: 1234567n,
  purpose: 'Оплата за холодную воду и водоотведение, ноябрь 2026',
  accountNumber: '5406-000123',
  period: '2026-11',
  lastName: 'Иванов',
  payerAddress: 'г. Новосибирск, ул. Ленина, д. 5, кв. 7',
})

describe('payment QR image', () => {
  it('decodes back to the exact payload, Cyrillic included', async () => {
    expect(scanQrPng(await paymentQrPng(payload))?.text).toBe(payload)
  })

  it('is one byte segment at error correction level M (the version the payload needs at M, not at L)', async () => {
    const { code } = scanQrPng(await paymentQrPng(payload))!
    expect(code.chunks.map((c) => c.type)).toEqual(['byte'])
    const bytes = [{ data: Buffer.from(payload, 'utf8'), mode: 'byte' as const }]
    const atM = QRCode.create(bytes, { errorCorrectionLevel: 'M' }).version
    expect(QRCode.create(bytes, { errorCorrectionLevel: 'L' }).version).toBeLessThan(atM)
    expect(code.version).toBe(atM)
  })

  it('renders as SVG for the web', async () => {
    const svg = await paymentQrSvg(payload)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('viewBox')
  })
})

describe('the printed receipt’s QR', () => {
  it('is a greyscale PNG without alpha, two pixels a module, that scans back to the payload', () => {
    const png = paymentQrPrintPng(payload)
    const image = PNG.sync.read(png)
    expect(png.readUInt8(25)).toBe(0) // colour type: greyscale
    expect(image.width).toBe(image.height)
    const modules = QRCode.create([{ data: Buffer.from(payload), mode: 'byte' }], { errorCorrectionLevel: 'M' }).modules
    expect(image.width).toBe((modules.size + 8) * 2)
    expect(scanQrPng(png)?.text).toBe(payload)
  })
})
