import { rubles } from '../common/money.ts'
import { periodName, ruDate } from '../common/periods.ts'
import { CHARGE_KIND_NAMES, SERVICE_NAMES } from '../documents/labels.ts'
import { field, renderPdf, table, type Pdf, type PdfInfo } from '../documents/pdf.ts'
import type { PayeeRequisites } from './payment-qr.ts'
import { paymentQrPrintPng } from './qr-image.ts'

/** What a printed receipt shows: the invoice as issued, the payee's requisites as they were then. */
export interface ReceiptDocument {
  number: string
  /** YYYY-MM */
  period: string
  /** YYYY-MM-DD, the supplier's calendar. */
  issuedOn: string
  dueDate: string
  payee: PayeeRequisites & { address?: string | null; phone?: string | null }
  payer: { accountNumber: string; holder: string; address: string }
  /** What a person types, with the surname, to open the account in the personal account (null: not printed). */
  accessCode?: string | null
  lines: { service: string | null; kind: string; quantity: string | null; unit: string | null; tariff: string | null; amount: string }[]
  openingBalance: string
  payments: string
  charged: string
  penalties: string
  totalDue: string
  qrPayload: string
}

const QR_SIZE = 130

export function receiptInfo(receipt: ReceiptDocument): PdfInfo {
  return { title: `Квитанция № ${receipt.number} за ${periodName(receipt.period)}`, subject: `Лицевой счёт ${receipt.payer.accountNumber}` }
}

/** One A4 page in Russian: who is paid, who pays, the lines, the totals, and the payment QR. */
export async function receiptPdf(receipt: ReceiptDocument): Promise<Buffer> {
  const qr = paymentQrPrintPng(receipt.qrPayload)
  return renderPdf(receiptInfo(receipt), (doc) => drawReceipt(doc, receipt, qr))
}

/** Draws a receipt from the top of the current page (the print batch draws many into one document). */
export function drawReceipt(doc: Pdf, receipt: ReceiptDocument, qr: Buffer): void {
  const { payee, payer } = receipt
  const left = doc.page.margins.left
  const right = doc.page.width - doc.page.margins.right
  const textWidth = right - left - QR_SIZE - 15
  const top = doc.y
  doc.image(qr, right - QR_SIZE, top, { width: QR_SIZE, height: QR_SIZE })
  doc.fontSize(13).font('bold').text(`Квитанция на оплату за ${periodName(receipt.period)}`, left, top, { width: textWidth })
  doc.fontSize(9).font('regular').text(`№ ${receipt.number} от ${ruDate(receipt.issuedOn)}`, { width: textWidth }).moveDown(0.6)
  const line = (label: string, value: string) => field(doc, label, value, { width: textWidth })
  line('Получатель', payee.name)
  line('ИНН / КПП', `${payee.inn}${payee.kpp ? ` / ${payee.kpp}` : ''}`)
  line('Р/с', `${payee.settlementAccount} в ${payee.bankName}`)
  line('БИК / к/с', `${payee.bik} / ${payee.correspondentAccount}`)
  if (payee.address) line('Адрес', payee.address)
  if (payee.phone) line('Телефон', payee.phone)
  doc.moveDown(0.6)
  line('Лицевой счёт', payer.accountNumber)
  line('Плательщик', payer.holder)
  line('Адрес помещения', payer.address)
  if (receipt.accessCode) line('Код для личного кабинета', receipt.accessCode)
  doc.y = Math.max(doc.y, top + QR_SIZE) + 12
  doc.x = left
  table(
    doc,
    [
      { title: 'Услуга', width: 120 },
      { title: 'Расчёт', width: 100 },
      { title: 'Объём', width: 70, align: 'right' },
      { title: 'Ед.', width: 45 },
      { title: 'Тариф, ₽', width: 70, align: 'right' },
      { title: 'Сумма, ₽', width: 90, align: 'right' },
    ],
    receipt.lines.map((l) => [
      l.service ? (SERVICE_NAMES[l.service] ?? l.service) : 'Пени',
      CHARGE_KIND_NAMES[l.kind] ?? l.kind,
      l.quantity ?? '',
      l.unit ?? '',
      l.tariff ?? '',
      rubles(l.amount),
    ]),
  )
  const total = (label: string, value: string, bold = false) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(bold ? 11 : 10)
    const y = doc.y
    doc.text(label, left, y, { width: 320 })
    const below = doc.y
    doc.text(value, left + 320, y, { width: right - left - 320, align: 'right' })
    doc.y = Math.max(below, doc.y)
  }
  total('Задолженность (+) / переплата (−) на начало периода', rubles(receipt.openingBalance))
  total('Оплачено в периоде', rubles(receipt.payments))
  total('Начислено за период', rubles(receipt.charged))
  total('Пени', rubles(receipt.penalties))
  doc.moveDown(0.3)
  total('Итого к оплате', rubles(receipt.totalDue), true)
  total('Оплатить до', ruDate(receipt.dueDate))
  doc.moveDown(1.5).font('regular').fontSize(8).fillColor('#555')
    .text('Оплатите по QR-коду в приложении банка: реквизиты, лицевой счёт и сумма заполнятся сами. Пени начисляются по ч. 14 ст. 155 ЖК РФ.', left, doc.y, { width: right - left })
  doc.fillColor('black')
}
