import QRCode from 'qrcode'
import { paymentQrPayload } from '../../src/invoices/payment-qr.ts'
import { paymentQrPng, paymentQrSvg } from '../../src/invoices/qr-image.ts'
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
