import { paymentQrPayload } from '../../src/invoices/payment-qr.ts'
import { receiptPdf, type ReceiptDocument } from '../../src/invoices/receipt-pdf.ts'
import { pdfImages, pdfText } from '../support/pdf.ts'
import { PAYEE } from '../support/payee.ts'
import { scanQrPixels } from '../support/qr.ts'

const payee = PAYEE

const receipt: ReceiptDocument = {
  number: '000123',
  period: '2026-11',
  issuedOn: '2026-12-01',
  dueDate: '2026-12-15',
  payee: { ...payee, address: 'г. Новосибирск, ул. Революции, д. 5', phone: '+7 383 200-00-00' },
  payer: { accountNumber: '5406-000123', holder: 'Иванов И. И.', address: 'г. Новосибирск, ул. Ленина, д. 5, кв. 7' },
  lines: [
    { service: 'cold_water', kind: 'metered', quantity: '5.000', unit: 'м³', tariff: '40.5000', amount: '202.50' },
    { service: 'wastewater', kind: 'normative', quantity: '7.300', unit: 'м³', tariff: '30.0000', amount: '219.00' },
    { service: null, kind: 'penalty', quantity: null, unit: null, tariff: null, amount: '12.34' },
  ],
  openingBalance: '1500.00',
  payments: '1000.00',
  charged: '421.50',
  penalties: '12.34',
  totalDue: '933.84',
  qrPayload: paymentQrPayload({ payee, amount: 93384n, purpose: 'Оплата ЖКУ за 11.2026', accountNumber: '5406-000123', period: '2026-11', lastName: 'Иванов', payerAddress: 'г. Новосибирск, ул. Ленина, д. 5, кв. 7' }),
}

describe('receipt PDF', () => {
  it('is one A4 page in Russian with the lines, the totals and the due date', async () => {
    const pdf = await receiptPdf(receipt)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const raw = pdf.toString('latin1')
    expect(raw.match(/\/Type \/Page\b/g)).toHaveLength(1)
    expect(raw).toMatch(/\/MediaBox \[0 0 595\.2\d* 841\.8\d*\]/)
    const text = await pdfText(pdf)
    for (const expected of ['Квитанция на оплату за ноябрь 2026', '№ 000123 от 01.12.2026', 'ООО «Горводоканал»', '5406-000123', 'холодная вода', 'по показаниям', 'по нормативу', 'Пени', 'Итого к оплате', '933,84', '15.12.2026']) {
      expect(text).toContain(expected)
    }
  })

  it('carries a QR code that scans back to the exact payload', async () => {
    const images = await pdfImages(await receiptPdf(receipt))
    expect(images).toHaveLength(1)
    const [image] = images
    expect(image!.page).toBe(1)
    expect(scanQrPixels(image!.rgba, image!.width, image!.height)?.text).toBe(receipt.qrPayload)
  })
})
