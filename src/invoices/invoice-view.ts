import { holderName } from '../accounts/holder-name.ts'
import { toKopecks } from '../common/money.ts'
import { periodName } from '../common/periods.ts'
import type { PaymentQrInput } from './payment-qr.ts'
import type { ReceiptDocument } from './receipt-pdf.ts'
import type { Invoice, InvoiceSummary } from './schemas.ts'

/** An invoice row as `INVOICE_COLUMNS` selects it (numerics and dates as text). */
export interface InvoiceRow extends Omit<InvoiceSummary, 'number' | 'paymentStatus'> {
  number: number
  delivery: 'paper' | 'electronic'
  accountId: string
  accountNumber: string
  holderSurname: string
  holderGivenNames: string | null
  address: string
  lines: Invoice['lines']
  payee: Invoice['payee']
  /** The account's current access code (printed on every receipt, reprints included; not part of the issued invoice). */
  accessCode: string
}

export const INVOICE_COLUMNS = `i.id, i.number, to_char(i.period, 'YYYY-MM') AS period,
  to_char(i."issuedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "issuedAt", i."dueDate"::text AS "dueDate",
  i."openingBalance"::text AS "openingBalance", i.payments::text AS payments, i.charged::text AS charged, i.penalties::text AS penalties,
  i."totalDue"::text AS "totalDue",
  (SELECT it.principal + it.penalty FROM invoice_item it WHERE it."invoiceId" = i.id)::text AS owed,
  (SELECT COALESCE(sum(a.principal + a.penalty), 0) FROM payment_allocation a WHERE a."invoiceId" = i.id)::text AS paid`

export const INVOICE_DETAIL_COLUMNS = `${INVOICE_COLUMNS}, i.delivery::text AS delivery, i."accountId", i."accountNumber", i."holderSurname", i."holderGivenNames",
  i.address, i.lines, (SELECT a."accessCode" FROM account a WHERE a.id = i."accountId") AS "accessCode", json_build_object('name', q.name, 'inn', q.inn, 'kpp', q.kpp, 'bankName', q."bankName", 'bik', q.bik,
    'settlementAccount', q."settlementAccount", 'correspondentAccount', q."correspondentAccount") AS payee`

/** What the receipt's QR carries: the payee at issue, the total due, the period and the payer. */
export function invoiceQrInput(row: InvoiceRow): PaymentQrInput {
  return {
    payee: row.payee,
    amount: toKopecks(row.totalDue),
    purpose: `Квитанция № ${row.number} за ${periodName(row.period)}, лицевой счёт ${row.accountNumber}`,
    accountNumber: row.accountNumber,
    period: row.period,
    lastName: row.holderSurname,
    payerAddress: row.address,
  }
}

export function invoiceOf(row: InvoiceRow, qrPayload: string): Invoice {
  return {
    id: row.id,
    number: row.number,
    period: row.period,
    issuedAt: row.issuedAt,
    dueDate: row.dueDate,
    openingBalance: row.openingBalance,
    payments: row.payments,
    charged: row.charged,
    penalties: row.penalties,
    totalDue: row.totalDue,
    owed: row.owed,
    paid: row.paid,
    paymentStatus: paymentStatusOf(toKopecks(row.owed), toKopecks(row.paid)),
    delivery: row.delivery,
    account: { id: row.accountId, number: row.accountNumber, holder: holderName(row), address: row.address },
    payee: row.payee,
    lines: row.lines,
    qrPayload,
  }
}

export function summaryOf(row: InvoiceRow): InvoiceSummary {
  const { id, number, period, issuedAt, dueDate, openingBalance, payments, charged, penalties, totalDue, owed, paid } = row
  return { id, number, period, issuedAt, dueDate, openingBalance, payments, charged, penalties, totalDue, owed, paid, paymentStatus: paymentStatusOf(toKopecks(owed), toKopecks(paid)) }
}

/** Whether a receipt is paid, by what it asks and what payments have paid of it. */
export function paymentStatusOf(owed: bigint, paid: bigint): InvoiceSummary['paymentStatus'] {
  if (owed <= 0n) return 'nothing_owed'
  if (paid >= owed) return 'paid'
  return paid > 0n ? 'partly_paid' : 'unpaid'
}

/** The printed receipt of an invoice; its issue date is the supplier's calendar day. */
export function receiptOf(invoice: Invoice & { accessCode?: string }, issuedOn: string): ReceiptDocument {
  return {
    accessCode: invoice.accessCode ?? null,
    number: String(invoice.number),
    period: invoice.period,
    issuedOn,
    dueDate: invoice.dueDate,
    payee: invoice.payee,
    payer: { accountNumber: invoice.account.number, holder: invoice.account.holder, address: invoice.account.address },
    lines: invoice.lines,
    openingBalance: invoice.openingBalance,
    payments: invoice.payments,
    charged: invoice.charged,
    penalties: invoice.penalties,
    totalDue: invoice.totalDue,
    qrPayload: invoice.qrPayload,
  }
}
