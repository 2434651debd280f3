import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../access/guard.ts'
import { UnprocessableError } from '../common/errors.ts'
import { formatKopecks, toKopecks } from '../common/money.ts'
import { balances } from '../ledger/service.ts'
import { paymentQrPayload, PaymentQrError, type PaymentQrInput } from './payment-qr.ts'
import type { PaymentQr } from './schemas.ts'

/** A payment QR that cannot be built is the supplier's requisites' fault: 422 naming the fields. */
export function qrPayload(input: PaymentQrInput): string {
  try {
    return paymentQrPayload(input)
  } catch (error) {
    if (!(error instanceof PaymentQrError)) throw error
    throw new UnprocessableError(error.code, error.message, { fields: error.fields })
  }
}

function createInvoiceService(app: FastifyInstance) {
  return {
    /** "Create a receipt yourself": a QR for any amount, or for what the account owes now. */
    async paymentQr(caller: Caller, accountId: string, amount?: string): Promise<PaymentQr> {
      const account = await app.accounts.findVisible(caller, accountId)
      const kopecks = amount !== undefined ? toKopecks(amount) : toKopecks((await balances(app.db, [account.id])).get(account.id)!.toPay)
      const { supplier } = account
      const payload = qrPayload({
        payee: supplier,
        amount: kopecks,
        purpose: `Оплата по лицевому счёту ${account.number}`,
        accountNumber: account.number,
        lastName: account.holderSurname,
        payerAddress: account.address,
      })
      return { payload, amount: kopecks > 0n ? formatKopecks(kopecks) : null, accountNumber: account.number }
    },
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
  { name: 'invoice-service', dependencies: ['prisma'] },
)
