import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../access/guard.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DomainError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { formatKopecks, toKopecks, type Kopecks } from '../common/money.ts'
import { createSecretBox } from '../common/secret-box.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { insertPendingPayment } from './pending-payment.ts'
import { PAYMENT_COLUMNS, PAYMENT_EVENT_COLUMNS, paymentEventOf, paymentOf, type PaymentEventRow, type PaymentRow } from './payment-view.ts'
import { supplierProviderAccount } from './provider-accounts.ts'
import { createProviders, type PaymentProvider } from './providers/index.ts'
import type { Credentials } from './providers/provider.ts'
import { decide, returnUrlAllowed, type PaymentStatus } from './rules.ts'
import { endBySystem, lockPayment } from './transitions.ts'
import type { Payment, PaymentAllocationView, PaymentDetails, PaymentListQuery, PaymentStart, RefundRequested } from './schemas.ts'
import type { AuditContext } from '../audit/audit.ts'

declare module 'fastify' {
  interface FastifyInstance {
    payments: ReturnType<typeof createPaymentService>
  }
}

const paymentNotFound = () => new NotFoundError('payment_not_found', 'No such payment on this account.')

function createPaymentService(app: FastifyInstance) {
  const { config } = app
  const { providers, sandbox } = createProviders(config, async (url, headers, payload) => {
    const answer = await app.inject({ method: 'POST', url, headers, payload })
    if (answer.statusCode !== 200) throw new Error(`the sandbox notification was refused: ${answer.statusCode} ${answer.body}`)
  })
  const secretBox = createSecretBox(config.dataEncryptionKey)

  /**
   * The provider that takes a supplier's online payments: its own merchant account, else (outside
   * production) the sandbox.
   */
  async function providerFor(supplierId: string): Promise<{ provider: PaymentProvider; credentials: Credentials | null }> {
    const account = await supplierProviderAccount(app.db, secretBox, supplierId)
    const provider = account ? providers.get(account.provider) : providers.get('sandbox')
    if (provider) return { provider, credentials: account?.credentials ?? null }
    throw new UnprocessableError('online_payment_unavailable', 'This supplier does not take online payments here yet; pay by the receipt’s QR code.')
  }

  /** A payment the provider never opened, or a charge it declined, fails through the state machine. */
  async function failPayment(paymentId: string, reason: string): Promise<void> {
    await app.transaction(async (tx) => {
      const payment = await lockPayment(tx, paymentId)
      if (payment) await endBySystem(tx, payment, { kind: 'failed', reason, at: config.clock.now() }, config.payments.penaltiesFirst)
    })
  }

  /**
   * Starts an online payment: the pending payment (shown on the account at once), its first
   * event, the job that cancels it if it never settles, and whatever `within` adds (an autopay
   * waiting for this payment's card) commit together; then the provider opens its page. A
   * provider that cannot be reached fails the payment and answers 502.
   */
  async function startOnline(
    caller: Caller,
    account: { id: string; number: string; supplierId: string },
    input: { amount: Kopecks; returnUrl: string },
    options: { saveCard?: boolean; within?: (tx: Tx, payment: { id: string; provider: PaymentProvider; now: Date }) => Promise<{ autopayId: string }> } = {},
  ): Promise<Payment> {
    if (!returnUrlAllowed(input.returnUrl, config.payments.returnOrigins)) {
      throw new UnprocessableError('return_url_not_allowed', 'returnUrl must lead back to the web app or an allowed app (PAYMENT_RETURN_ORIGINS).')
    }
    const { provider, credentials } = await providerFor(account.supplierId)
    if (options.saveCard && !provider.charge) {
      throw new UnprocessableError('autopay_unavailable', `Payments through ${provider.name} cannot charge a saved card: autopay is not available for this supplier.`)
    }
    const { amount } = input
    const now = config.clock.now()
    const expiresAt = new Date(now.getTime() + config.payments.pendingTtlMin * 60_000)
    const id = uuidv7(now.getTime())
    await app.transaction(async (tx) => {
      const autopayId = options.within ? (await options.within(tx, { id, provider, now })).autopayId : null
      await insertPendingPayment(tx, { id, accountId: account.id, amount, provider: provider.name, userId: caller.userId, returnUrl: input.returnUrl, now, expiresAt, actor: 'customer', autopayId })
    })
    let started: Awaited<ReturnType<PaymentProvider['start']>>
    try {
      started = await provider.start({
        paymentId: id,
        amount,
        description: `Оплата по лицевому счёту ${account.number}`,
        accountNumber: account.number,
        returnUrl: input.returnUrl,
        notificationUrl: notificationUrl(provider),
        expiresAt,
        credentials,
        saveCard: options.saveCard ? { customerKey: caller.userId } : null,
      })
    } catch (error) {
      app.log.warn({ err: error, paymentId: id, provider: provider.name }, 'payment provider did not open the payment')
      // Through the state machine, like every change: a notification that settled it meanwhile wins.
      await failPayment(id, 'provider_unavailable')
      throw new DomainError(502, 'payment_provider_unavailable', 'Bad gateway', 'The payment provider could not be reached; nothing was charged. Try again.')
    }
    const [row] = await app.db.query<PaymentRow>(
      `UPDATE payment p SET "externalId" = COALESCE(p."externalId", $2), "confirmationUrl" = $3 WHERE p.id = $1::uuid RETURNING ${PAYMENT_COLUMNS}`,
      [id, started.externalId, started.confirmationUrl],
    )
    return paymentOf(row!)
  }

  const notificationUrl = (provider: PaymentProvider) => `${config.publicApiUrl}/v1/webhooks/payments/${provider.name}`

  return {
    providers,
    /** The sandbox provider, outside production. */
    sandbox,
    secretBox,
    startOnline,
    failPayment,
    notificationUrl,

    /** A customer pays online (POST /accounts/{id}/payments). */
    async start(caller: Caller, accountId: string, input: PaymentStart): Promise<Payment> {
      const account = await app.accounts.findVisible(caller, accountId)
      return startOnline(caller, account, { amount: toKopecks(input.amount), returnUrl: input.returnUrl })
    },

    /**
     * An operator asks the provider to return money from a settled payment. Nothing changes here:
     * the provider's refund notification applies it (the state machine, a reversal entry, allocation).
     */
    async refund(context: AuditContext, paymentId: string, amount: string): Promise<RefundRequested> {
      const { caller } = context
      const [payment] = await app.db.sql<{ id: string; status: PaymentStatus; amount: string; refundedAmount: string; provider: string; externalId: string | null; supplierId: string }>`
        SELECT p.id, p.status::text AS status, p.amount::text AS amount, p."refundedAmount"::text AS "refundedAmount", p.provider, p."externalId", a."supplierId"
        FROM payment p JOIN account a ON a.id = p."accountId" WHERE p.id = ${paymentId}::uuid`
      if (!payment || (caller.role === 'operator' && caller.supplierId !== payment.supplierId)) throw new NotFoundError('payment_not_found', 'No such payment.')
      const provider = providers.get(payment.provider)
      if (!provider?.refund) {
        throw new UnprocessableError('refund_not_supported', `A payment from ${payment.provider} is refunded by whoever took it (the bank, the cash desk); record it when they report it.`)
      }
      const kopecks = toKopecks(amount)
      const decision = decide({ status: payment.status, amount: toKopecks(payment.amount), refunded: toKopecks(payment.refundedAmount) }, { kind: 'refund', amount: kopecks })
      if (decision.kind === 'refuse') throw new UnprocessableError(decision.code, decision.detail)
      const account = provider.name === 'sandbox' ? null : await supplierProviderAccount(app.db, secretBox, payment.supplierId)
      await app.transaction((tx) =>
        app.audit.record(tx, context, { supplierId: payment.supplierId, entity: 'payment', entityId: payment.id, action: 'refund_requested', after: { amount: formatKopecks(kopecks) } }),
      )
      try {
        await provider.refund({ paymentId: payment.id, externalId: payment.externalId, amount: kopecks, credentials: account?.credentials ?? null })
      } catch (error) {
        app.log.warn({ err: error, paymentId, provider: provider.name }, 'payment provider did not take the refund')
        throw new DomainError(502, 'payment_provider_unavailable', 'Bad gateway', 'The payment provider did not take the refund; nothing was returned. Try again.')
      }
      return { paymentId: payment.id, amount: formatKopecks(kopecks), status: 'requested' }
    },

    /** An account's payments, newest first: online, imported and the banks' alike. */
    async list(caller: Caller, accountId: string, query: PaymentListQuery): Promise<{ items: Payment[]; nextCursor: string | null }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as [string, string]) : null
      const rows = await app.db.query<PaymentRow>(
        `SELECT ${PAYMENT_COLUMNS} FROM payment p
         WHERE p."accountId" = $1::uuid AND ($2::text IS NULL OR p.status = $2::"PaymentStatus")
           AND ($3::timestamptz IS NULL OR (p."paidAt", p.id) < ($3::timestamptz, $4::uuid))
         ORDER BY p."paidAt" DESC, p.id DESC LIMIT $5`,
        [account.id, query.status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.paidAt.toISOString(), row.id], paymentOf)
    },

    /** One payment with every transition it went through. */
    async get(caller: Caller, accountId: string, paymentId: string): Promise<PaymentDetails> {
      const account = await app.accounts.findVisible(caller, accountId)
      const [row] = await app.db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment p WHERE p.id = $1::uuid AND p."accountId" = $2::uuid`, [
        paymentId,
        account.id,
      ])
      if (!row) throw paymentNotFound()
      const events = await app.db.query<PaymentEventRow>(
        `SELECT ${PAYMENT_EVENT_COLUMNS} FROM payment_event e WHERE e."paymentId" = $1::uuid ORDER BY e.at, e.id`,
        [paymentId],
      )
      const allocations = await app.db.query<PaymentAllocationView>(
        `SELECT a."invoiceId", to_char(i.period, 'YYYY-MM') AS period, sum(a.principal)::text AS principal, sum(a.penalty)::text AS penalty
         FROM payment_allocation a LEFT JOIN invoice i ON i.id = a."invoiceId"
         WHERE a."paymentId" = $1::uuid
         GROUP BY a."invoiceId", i.period HAVING sum(a.principal) <> 0 OR sum(a.penalty) <> 0
         ORDER BY i.period NULLS LAST`,
        [paymentId],
      )
      return { ...paymentOf(row), events: events.map(paymentEventOf), allocations }
    },
  }
}

export default fp(
  async function paymentService(app: FastifyInstance) {
    app.decorate('payments', createPaymentService(app))
  },
  { name: 'payments', dependencies: ['prisma', 'jobs'] },
)
