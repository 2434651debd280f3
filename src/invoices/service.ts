import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../access/guard.ts'
import { localDate } from '../accounts/meters.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { NotFoundError } from '../common/errors.ts'
import { formatKopecks, toKopecks } from '../common/money.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { Tx } from '../db/transaction.ts'
import { balances } from '../ledger/service.ts'
import { INVOICE_COLUMNS, INVOICE_DETAIL_COLUMNS, invoiceOf, invoiceQrInput, receiptOf, summaryOf, type InvoiceRow } from './invoice-view.ts'
import { paymentQrPayload } from './payment-qr.ts'
import { qrPayload } from './qr-problem.ts'
import type { Invoice, InvoiceSummary, PaymentQr } from './schemas.ts'

const invoiceNotFound = (period: string) => new NotFoundError('invoice_not_found', `No receipt was issued for ${period} on this account.`)

type QrAccount = { number: string; holderSurname: string; address: string; supplier: Parameters<typeof qrPayload>[0]['payee'] }

function createInvoiceService(app: FastifyInstance) {
  // The answer's schema drops `accessCode` from the JSON; the receipt PDF prints it.
  async function detail(db: Tx, where: string, values: unknown[]): Promise<(Invoice & { accessCode: string }) | undefined> {
    const [row] = await db.query<InvoiceRow>(`SELECT ${INVOICE_DETAIL_COLUMNS} FROM invoice i JOIN invoice_requisites q ON q.id = i."requisitesId" WHERE ${where}`, values)
    // Issued receipts always had complete requisites (issuing checks them), so this never refuses.
    return row && { ...invoiceOf(row, paymentQrPayload(invoiceQrInput(row))), accessCode: row.accessCode }
  }

  /** The receipt PDF of an invoice, dated on the supplier's calendar. */
  async function pdf(invoice: Invoice & { accessCode?: string }, timeZone: string): Promise<Buffer> {
    return app.renderPdf({ kind: 'receipt', receipt: receiptOf(invoice, localDate(new Date(invoice.issuedAt), timeZone)) })
  }

  // Receipt mails carry the PDF, made when the mail is sent (the invoice never changes).
  app.mail.renderInvoiceWith(async (invoiceId) => {
    const invoice = await detail(app.db, 'i.id = $1::uuid', [invoiceId])
    if (!invoice) throw new Error(`invoice ${invoiceId} is gone`)
    const [supplier] = await app.db.sql<{ timeZone: string }>`SELECT s."timeZone" FROM supplier s JOIN account a ON a."supplierId" = s.id WHERE a.id = ${invoice.account.id}::uuid`
    return { filename: `receipt-${invoice.account.number}-${invoice.period}.pdf`, contentType: 'application/pdf', content: await pdf(invoice, supplier!.timeZone) }
  })

  /**
   * The GOST payload that pays `kopecks` to an account (none: the payer types the amount in).
   * `withPayer: false` leaves out the payer's surname and address, for those who may not see them.
   */
  function qrOf(account: QrAccount, kopecks: bigint, { withPayer = true } = {}): PaymentQr {
    const { supplier } = account
    const payload = qrPayload({
      payee: supplier,
      amount: kopecks,
      purpose: `Оплата по лицевому счёту ${account.number}`,
      accountNumber: account.number,
      lastName: withPayer ? account.holderSurname : null,
      payerAddress: withPayer ? account.address : null,
    })
    return { payload, amount: kopecks > 0n ? formatKopecks(kopecks) : null, accountNumber: account.number }
  }

  return {
    /** "Create a receipt yourself": a QR for any amount, or for what the account owes now. */
    async paymentQr(caller: Caller, accountId: string, amount?: string): Promise<PaymentQr> {
      const account = await app.accounts.findVisible(caller, accountId)
      const kopecks = amount !== undefined ? toKopecks(amount) : toKopecks((await balances(app.db, [account.id])).get(account.id)!.toPay)
      return qrOf(account, kopecks)
    },

    qrOf,

    /** The account's receipts, newest period first. */
    async list(caller: Caller, accountId: string, query: PageQuery): Promise<{ items: InvoiceSummary[]; nextCursor: string | null }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const before = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<InvoiceRow>(
        `SELECT ${INVOICE_COLUMNS} FROM invoice i
         WHERE i."accountId" = $1::uuid AND ($2::date IS NULL OR i.period < $2::date)
         ORDER BY i.period DESC LIMIT $3`,
        [account.id, before ? `${before[0]}-01` : null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.period], summaryOf)
    },

    /** One receipt, as issued, and the supplier's time zone its PDF is dated in. */
    async get(caller: Caller, accountId: string, period: string): Promise<{ invoice: Invoice; timeZone: string }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const invoice = await detail(app.db, 'i."accountId" = $1::uuid AND i.period = $2::date', [account.id, `${period}-01`])
      if (!invoice) throw invoiceNotFound(period)
      return { invoice, timeZone: account.supplier.timeZone }
    },

    pdf,
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    invoices: ReturnType<typeof createInvoiceService>
  }
}

export default fp(
  async function invoiceService(app: FastifyInstance) {
    app.decorate('invoices', createInvoiceService(app))
  },
  { name: 'invoice-service', dependencies: ['prisma', 'mail', 'render-pool', 'accounts-service'] },
)
