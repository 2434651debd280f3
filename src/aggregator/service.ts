import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { newApiKey, type ApiClient } from '../access/api-keys.ts'
import type { Caller } from '../access/guard.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { formatKopecks, toKopecks } from '../common/money.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import { uuidv7 } from '../common/uuid.ts'
import { balances } from '../ledger/service.ts'
import { allocatePayments } from '../payments/allocation-sql.ts'
import { emitEvents } from '../webhooks/events.ts'
import { paymentEvents } from '../webhooks/payloads.ts'
import { PAYMENT_COLUMNS, paymentOf, type PaymentRow } from '../payments/payment-view.ts'
import type { Payment } from '../payments/schemas.ts'
import type { PayeeRequisites } from '../invoices/payment-qr.ts'
import { accountNumberFormatOf, normalizeAccountNumber, type SupplierFormatColumns } from '../suppliers/account-number.ts'
import { maskAddress, maskHolder } from './masking.ts'
import type { AccountLookup, ApiKey, ApiKeyCreate, ApiKeyIssued, ApiKeyListQuery, BankPaymentReport, LookupQuery } from './schemas.ts'

declare module 'fastify' {
  interface FastifyInstance {
    aggregator: ReturnType<typeof createAggregatorService>
  }
}

/** A bank may report a payment this far ahead of our clock (their clocks drift), no further. */
const FUTURE_SLACK_MS = 5 * 60_000

type SupplierRow = SupplierFormatColumns & PayeeRequisites & { id: string; accountNumberExample: string }

interface AccountRow {
  id: string
  number: string
  holderSurname: string
  holderGivenNames: string | null
  address: string
  period: string | null
  dueDate: string | null
}

interface ApiKeyRow {
  id: string
  supplierId: string
  name: string
  client: string
  scopes: ApiKey['scopes']
  prefix: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

const API_KEY_COLUMNS = `id, "supplierId", name, client, scopes, prefix, "createdAt", "lastUsedAt", "revokedAt"`

function apiKeyOf(row: ApiKeyRow): ApiKey {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }
}

function createAggregatorService(app: FastifyInstance) {
  /** Operators manage their own supplier's keys; admins any supplier's. */
  function assertManages(caller: Caller, supplierId: string) {
    if (caller.role === 'operator' && caller.supplierId !== supplierId) throw new ForbiddenError('forbidden', 'Operators manage their own supplier’s keys only.')
  }

  /**
   * The account a bank names, in the key's supplier, with its last receipt: plain SQL on the pool,
   * two statements (the number is normalized by the supplier's format in between). The banks'
   * routes are the hottest reads there are.
   */
  async function findAccount(client: ApiClient, supplierId: string, accountNumber: string) {
    if (supplierId !== client.supplierId) throw new ForbiddenError('api_key_supplier_mismatch', 'This API key is for another supplier.')
    const [supplier] = await app.db.sql<SupplierRow>`
      SELECT id, name, inn, kpp, "bankName", bik, "settlementAccount", "correspondentAccount", "accountNumberPattern", "accountNumberExample",
             "accountNumberShortPattern", "accountNumberShortPrefix", "accountNumberShortPadLength"
      FROM supplier WHERE id = ${supplierId}::uuid`
    if (!supplier) throw new NotFoundError('account_not_found', 'No account with this number at this supplier.')
    const number = normalizeAccountNumber(accountNumber, accountNumberFormatOf(supplier))
    if (!number.ok) throw new UnprocessableError('account_number_invalid', number.reason, { example: supplier.accountNumberExample })
    const [account] = await app.db.sql<AccountRow>`
      SELECT a.id, a.number, a."holderSurname", a."holderGivenNames", a.address,
             to_char(i.period, 'YYYY-MM') AS period, to_char(i."dueDate", 'YYYY-MM-DD') AS "dueDate"
      FROM account a
      LEFT JOIN LATERAL (SELECT period, "dueDate" FROM invoice WHERE "accountId" = a.id ORDER BY period DESC LIMIT 1) i ON true
      WHERE a."supplierId" = ${supplierId}::uuid AND a.number = ${number.number}`
    if (!account) throw new NotFoundError('account_not_found', 'No account with this number at this supplier.')
    return { account: { ...account, supplier }, supplier }
  }

  return {
    async createKey(context: AuditContext, input: ApiKeyCreate): Promise<ApiKeyIssued> {
      assertManages(context.caller, input.supplierId)
      const { key, hash, prefix } = newApiKey()
      return app.transaction(async (tx) => {
        const [supplier] = await tx.sql<{ id: string }>`SELECT id FROM supplier WHERE id = ${input.supplierId}::uuid`
        if (!supplier) throw new UnprocessableError('supplier_not_found', 'No such supplier.')
        const [row] = await tx.query<ApiKeyRow>(
          `INSERT INTO api_key (id, "supplierId", name, client, scopes, "keyHash", prefix, "createdBy")
           VALUES ($1::uuid, $2::uuid, $3, $4, $5::text[], $6, $7, $8::uuid) RETURNING ${API_KEY_COLUMNS}`,
          [uuidv7(), input.supplierId, input.name, input.client, input.scopes, hash, prefix, context.caller.userId],
        )
        await app.audit.record(tx, context, {
          supplierId: input.supplierId,
          entity: 'api_key',
          entityId: row!.id,
          action: 'create',
          after: { name: input.name, client: input.client, scopes: input.scopes, prefix },
        })
        return { ...apiKeyOf(row!), key }
      })
    },

    async listKeys(caller: Caller, query: ApiKeyListQuery): Promise<{ items: ApiKey[]; nextCursor: string | null }> {
      const supplierId = caller.role === 'operator' ? caller.supplierId : (query.supplierId ?? null)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<ApiKeyRow>(
        `SELECT ${API_KEY_COLUMNS} FROM api_key WHERE ($1::uuid IS NULL OR "supplierId" = $1::uuid) AND ($2::uuid IS NULL OR id < $2::uuid)
         ORDER BY id DESC LIMIT $3`,
        [supplierId, after?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], apiKeyOf)
    },

    async revokeKey(context: AuditContext, keyId: string): Promise<void> {
      await app.transaction(async (tx) => {
        const [key] = await tx.sql<{ supplierId: string; revokedAt: Date | null }>`SELECT "supplierId", "revokedAt" FROM api_key WHERE id = ${keyId}::uuid FOR UPDATE`
        if (!key || (context.caller.role === 'operator' && context.caller.supplierId !== key.supplierId)) {
          throw new NotFoundError('api_key_not_found', 'No such API key.')
        }
        // Already revoked: nothing changes, so there is nothing to audit.
        if (key.revokedAt) return context.markAudited?.()
        await tx.sql`UPDATE api_key SET "revokedAt" = now() WHERE id = ${keyId}::uuid`
        await app.audit.record(tx, context, { supplierId: key.supplierId, entity: 'api_key', entityId: keyId, action: 'revoke' })
      })
    },

    /** What a bank app shows before paying: masked holder and address, what is due, and the QR that pays it. */
    async lookup(client: ApiClient, query: LookupQuery): Promise<AccountLookup> {
      const { account, supplier } = await findAccount(client, query.supplierId, query.accountNumber)
      const { toPay } = (await balances(app.db, [account.id])).get(account.id)!
      return {
        supplierId: supplier.id,
        supplierName: supplier.name,
        accountNumber: account.number,
        holder: maskHolder(account.holderSurname, account.holderGivenNames),
        address: maskAddress(account.address),
        amountDue: toPay,
        period: account.period,
        dueDate: account.dueDate,
        // Without the payer's name and address: a lookup shows them masked only.
        qrPayload: app.invoices.qrOf(account, toKopecks(toPay), { withPayer: false }).payload,
      }
    },

    /**
     * A payment a bank took: recorded settled, once per bank and external id. The same report again
     * is the same payment (created: false); the same id with another account or amount is refused.
     */
    async reportPayment(client: ApiClient, input: BankPaymentReport): Promise<{ payment: Payment; created: boolean }> {
      const { account } = await findAccount(client, input.supplierId, input.accountNumber)
      const paidAt = new Date(input.paidAt)
      if (paidAt.getTime() > app.config.clock.now().getTime() + FUTURE_SLACK_MS) {
        throw new UnprocessableError('paid_at_in_future', 'paidAt is later than now.')
      }
      const amount = formatKopecks(toKopecks(input.amount))
      const provider = `bank:${client.client}`
      const externalId = `${input.supplierId}:${input.externalId}`
      return app.transaction(async (tx) => {
        const id = uuidv7()
        const [created] = await tx.query<PaymentRow>(
          `INSERT INTO payment AS p (id, "accountId", amount, status, provider, "externalId", "paidAt", method, "createdAt", "updatedAt")
           VALUES ($1::uuid, $2::uuid, $3::numeric, 'succeeded', $4, $5, $6, $7, now(), now())
           ON CONFLICT (provider, "externalId") DO NOTHING
           RETURNING ${PAYMENT_COLUMNS}`,
          [id, account.id, amount, provider, externalId, paidAt, input.method ?? null],
        )
        if (created) {
          await tx.sql`
            INSERT INTO payment_event (id, "paymentId", "fromStatus", "toStatus", actor, "actorId", at)
            VALUES (${uuidv7()}::uuid, ${id}::uuid, NULL, 'succeeded', 'bank', ${client.keyId}::uuid, ${paidAt})`
          await allocatePayments(tx, [account.id], { penaltiesFirst: app.config.payments.penaltiesFirst, at: app.config.clock.now() })
          await emitEvents(tx, 'payment.succeeded', app.config.clock.now(), paymentEvents([id]))
          return { payment: paymentOf(created), created: true }
        }
        // The insert met the earlier report's row: this statement sees it committed.
        const [existing] = await tx.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment p WHERE p.provider = $1 AND p."externalId" = $2`, [provider, externalId])
        if (!existing || existing.accountId !== account.id || existing.amount !== amount) {
          throw new ConflictError('payment_conflict', `Payment ${input.externalId} was reported before with another account or amount; a payment is never changed.`)
        }
        return { payment: paymentOf(existing), created: false }
      })
    },
  }
}

export default fp(
  async function aggregatorService(app: FastifyInstance) {
    app.decorate('aggregator', createAggregatorService(app))
  },
  { name: 'aggregator', dependencies: ['prisma'] },
)
