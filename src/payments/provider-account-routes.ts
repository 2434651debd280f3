import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { NotFoundError } from '../common/errors.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import { credentialsContext } from './provider-accounts.ts'

export const ProviderAccountInput = Type.Object(
  {
    provider: Type.Enum(['cloudpayments', 'tbank'], { type: 'string' }),
    merchantId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description: 'CloudPayments’ Public ID, or T-Bank’s TerminalKey.' }),
    secret: Type.String({ minLength: 8, maxLength: 200, description: 'CloudPayments’ API secret, or T-Bank’s terminal password. Stored encrypted; never shown again.' }),
  },
  {
    $id: 'PaymentProviderAccountInput',
    additionalProperties: false,
    examples: [{ provider: 'cloudpayments', merchantId: 'pk_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5', secret: 'c0ffee5ecret0f7he5upp1ier' }],
  },
)
type ProviderAccountInput = Static<typeof ProviderAccountInput>

export const ProviderAccountView = Type.Object(
  {
    supplierId: Uuid,
    provider: Type.Enum(['cloudpayments', 'tbank'], { type: 'string' }),
    merchantId: Type.String(),
    notificationUrl: Type.String({ description: 'Set this in the provider’s dashboard (CloudPayments: add ?event=check, pay, fail or refund per kind).' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'PaymentProviderAccount',
    additionalProperties: false,
    examples: [
      {
        supplierId: '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192',
        provider: 'cloudpayments',
        merchantId: 'pk_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5',
        notificationUrl: 'https://api.abonent.example/v1/webhooks/payments/cloudpayments',
        updatedAt: '2026-11-20T08:00:00.000Z',
      },
    ],
  },
)

const Params = Type.Object({ supplierId: Uuid }, { additionalProperties: false })

/** A supplier's own merchant account at a provider: set, read (never the secret), removed. Admins only. */
const providerAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['payments']
  const admin = { auth: { roles: ['admin'] } } as const
  const view = (row: { supplierId: string; provider: string; merchantId: string; updatedAt: Date }) => ({
    supplierId: row.supplierId,
    provider: row.provider as ProviderAccountInput['provider'],
    merchantId: row.merchantId,
    notificationUrl: `${app.config.publicApiUrl}/v1/webhooks/payments/${row.provider}`,
    updatedAt: row.updatedAt.toISOString(),
  })
  const supplierNotFound = () => new NotFoundError('supplier_not_found', 'No such supplier.')

  app.put(
    '/admin/suppliers/:supplierId/payment-provider',
    {
      config: admin,
      schema: {
        operationId: 'setPaymentProviderAccount',
        tags,
        summary: 'Take the supplier’s online payments through its own merchant account',
        description: 'Replaces any earlier account. The secret is stored encrypted (DATA_ENCRYPTION_KEY) and never returned. Refusals: supplier_not_found.',
        params: Params,
        body: ref(ProviderAccountInput),
        response: { 200: ref(ProviderAccountView, { description: 'Set.' }), ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      const { supplierId } = request.params
      const { provider, merchantId, secret } = request.body
      const sealed = app.payments.secretBox.seal(secret, credentialsContext(supplierId, provider))
      return app.transaction(async (tx) => {
        const [supplier] = await tx.sql<{ id: string }>`SELECT id FROM supplier WHERE id = ${supplierId}::uuid`
        if (!supplier) throw supplierNotFound()
        const [row] = await tx.sql<{ supplierId: string; provider: string; merchantId: string; updatedAt: Date }>`
          INSERT INTO payment_provider_account ("supplierId", provider, "merchantId", "secretSealed", "updatedAt")
          VALUES (${supplierId}::uuid, ${provider}, ${merchantId}, ${sealed}, now())
          ON CONFLICT ("supplierId") DO UPDATE SET provider = EXCLUDED.provider, "merchantId" = EXCLUDED."merchantId",
            "secretSealed" = EXCLUDED."secretSealed", "updatedAt" = now()
          RETURNING "supplierId", provider, "merchantId", "updatedAt"`
        await app.audit.record(tx, auditContextOf(request), {
          supplierId,
          entity: 'payment_provider_account',
          entityId: supplierId,
          action: 'set',
          after: { provider, merchantId },
        })
        return view(row!)
      })
    },
  )

  app.get(
    '/admin/suppliers/:supplierId/payment-provider',
    {
      config: admin,
      schema: {
        operationId: 'getPaymentProviderAccount',
        tags,
        summary: 'The supplier’s merchant account (without its secret)',
        description: 'Refusals: payment_provider_account_not_found (the supplier takes payments through the sandbox outside production, or not online).',
        params: Params,
        response: { 200: ref(ProviderAccountView, { description: 'The account.' }), ...problems(400, 404) },
      },
    },
    async (request) => {
      const [row] = await app.db.sql<{ supplierId: string; provider: string; merchantId: string; updatedAt: Date }>`
        SELECT "supplierId", provider, "merchantId", "updatedAt" FROM payment_provider_account WHERE "supplierId" = ${request.params.supplierId}::uuid`
      if (!row) throw new NotFoundError('payment_provider_account_not_found', 'This supplier has no merchant account set.')
      return view(row)
    },
  )

  app.delete(
    '/admin/suppliers/:supplierId/payment-provider',
    {
      config: admin,
      schema: {
        operationId: 'removePaymentProviderAccount',
        tags,
        summary: 'Stop taking the supplier’s payments online',
        description: 'Payments already started keep their provider; notifications about them can no longer be verified. Refusals: payment_provider_account_not_found.',
        params: Params,
        response: { 204: NoContent('Removed.'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const { supplierId } = request.params
      await app.transaction(async (tx) => {
        const removed = await tx.sql`DELETE FROM payment_provider_account WHERE "supplierId" = ${supplierId}::uuid RETURNING provider`
        if (removed.length === 0) throw new NotFoundError('payment_provider_account_not_found', 'This supplier has no merchant account set.')
        await app.audit.record(tx, auditContextOf(request), { supplierId, entity: 'payment_provider_account', entityId: supplierId, action: 'remove' })
      })
      return reply.code(204).send(null)
    },
  )
}

export default providerAccountRoutes
