import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, Money, Page, PageQuery, Uuid, problems, ref } from '../common/schemas.ts'

const STATUSES = ['received', 'applied', 'ignored', 'refused'] as const

export const PaymentNotificationView = Type.Object(
  {
    id: Uuid,
    provider: Type.String(),
    objectId: Type.String({ description: 'The provider’s id of the payment.' }),
    event: Type.String(),
    paymentId: Type.Union([Uuid, Type.Null()], { description: 'Null: it named no payment of ours.' }),
    accountNumber: Type.Union([Type.String(), Type.Null()]),
    amount: Type.Union([Money, Type.Null()]),
    status: Type.Enum([...STATUSES], { type: 'string' }),
    code: Type.Union([Type.String(), Type.Null()], { description: 'amount_mismatch, payment_transition_refused, refund_exceeds_payment, unknown_payment, out_of_order, already_in_status, attempt_failed.' }),
    detail: Type.Union([Type.String(), Type.Null()]),
    receivedAt: Type.String({ format: 'date-time' }),
    processedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  {
    $id: 'PaymentNotification',
    additionalProperties: false,
    examples: [
      {
        id: '019ad2c4-0a1b-7c2d-8e3f-4a5b6c7d8e9f',
        provider: 'cloudpayments',
        objectId: '900000017',
        event: 'pay',
        paymentId: '019ad1c2-7e4b-7c3a-9f10-2b6d8e4a1c55',
        accountNumber: '12-0012346',
        amount: '50.00',
        status: 'refused',
        code: 'amount_mismatch',
        detail: 'the provider took 5000 kopecks for a payment of 50000',
        receivedAt: '2026-11-26T05:03:00.000Z',
        processedAt: '2026-11-26T05:03:00.412Z',
      },
    ],
  },
)
type PaymentNotificationView = Static<typeof PaymentNotificationView>
export const PaymentNotificationPage = Page(PaymentNotificationView)

const ListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(Type.Enum([...STATUSES], { type: 'string', description: 'refused: what an operator must look at.' })),
    provider: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
)

interface Row extends Omit<PaymentNotificationView, 'receivedAt' | 'processedAt'> {
  receivedAt: Date
  processedAt: Date | null
}

/**
 * Providers' notifications as they came and what became of them: the refused ones (an amount
 * that disagrees, news that contradicts a settled payment) are for an operator to sort out.
 */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/payment-notifications',
    {
      config: { auth: { roles: ['admin', 'operator'] } },
      schema: {
        operationId: 'listPaymentNotifications',
        tags: ['payments'],
        summary: 'Providers’ notifications, newest first, with what became of each',
        description: 'Operators see those about their supplier’s payments; admins also those that named no payment of ours.',
        querystring: ListQuery,
        response: { 200: ref(PaymentNotificationPage, { description: 'A page of notifications.' }), ...problems(400) },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const { status, provider, cursor } = request.query
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE
      const before = cursor ? (decodeCursor(cursor, ['string']) as [string]) : null
      const operatorSupplier = caller.role === 'operator' ? (caller.supplierId ?? '00000000-0000-0000-0000-000000000000') : null
      const rows = await app.db.query<Row>(
        `SELECT n.id, n.provider, n."objectId", n.event, n."paymentId", a.number AS "accountNumber", n.amount::text AS amount,
                n.status::text AS status, n.code, n.detail, n."receivedAt", n."processedAt"
         FROM payment_notification n
         LEFT JOIN payment p ON p.id = n."paymentId"
         LEFT JOIN account a ON a.id = p."accountId"
         WHERE ($1::uuid IS NULL OR a."supplierId" = $1::uuid)
           AND ($2::text IS NULL OR n.status = $2::"PaymentNotificationStatus")
           AND ($3::text IS NULL OR n.provider = $3)
           AND ($4::uuid IS NULL OR n.id < $4::uuid)
         ORDER BY n.id DESC LIMIT $5`,
        [operatorSupplier, status ?? null, provider ?? null, before?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], (row) => ({ ...row, receivedAt: row.receivedAt.toISOString(), processedAt: row.processedAt?.toISOString() ?? null }))
    },
  )
}

export default notificationRoutes
