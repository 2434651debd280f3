import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { apiClientOf } from '../access/guard.ts'
import { problems, ref } from '../common/schemas.ts'
import { Payment } from '../payments/schemas.ts'
import { AccountLookup, BankPaymentReport, LookupQuery } from './schemas.ts'

/**
 * Requests per minute one key may make: a bank forwards every payer at once, so the per-address
 * ceiling of the customers' routes does not fit; the count is per key (hashed), not per address.
 */
const PER_KEY_PER_MINUTE = 30_000
const rateLimit = {
  max: PER_KEY_PER_MINUTE,
  timeWindow: 60_000,
  keyGenerator: (request: FastifyRequest) => {
    const key = request.headers['x-api-key']
    return typeof key === 'string' ? `key:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}` : `ip:${request.ip}`
  },
}

const aggregatorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['aggregator']

  app.get(
    '/aggregator/accounts/lookup',
    {
      config: { auth: { apiKey: 'accounts:lookup' }, rateLimit },
      schema: {
        operationId: 'lookUpAccount',
        tags,
        summary: 'What a bank app shows before the payer pays: masked holder and address, amount due, the QR payload',
        description:
          'For banks and aggregators, with an API key of the supplier (scope accounts:lookup). Refusals: api_key_missing, api_key_invalid (401), ' +
          'api_key_scope_missing, api_key_supplier_mismatch (403), account_not_found (404), account_number_invalid (422).',
        querystring: LookupQuery,
        response: { 200: ref(AccountLookup, { description: 'The account as a payer may see it.' }), ...problems(400, 404, 422) },
      },
    },
    async (request) => app.aggregator.lookup(apiClientOf(request), request.query),
  )

  app.post(
    '/aggregator/payments',
    {
      config: { auth: { apiKey: 'payments:write' }, rateLimit },
      schema: {
        operationId: 'reportBankPayment',
        tags,
        summary: 'Report a payment the bank took',
        description:
          'Recorded as settled at once, idempotent by the bank’s externalId: the same report again answers 200 with the same payment; ' +
          'the same externalId with another account or amount answers 409 payment_conflict. Other refusals: api_key_missing, ' +
          'api_key_invalid (401), api_key_scope_missing, api_key_supplier_mismatch (403), account_not_found (404), ' +
          'account_number_invalid, paid_at_in_future (422).',
        body: ref(BankPaymentReport),
        response: {
          201: ref(Payment, { description: 'Recorded.' }),
          200: ref(Payment, { description: 'Reported before: the same payment.' }),
          ...problems(400, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const { payment, created } = await app.aggregator.reportPayment(apiClientOf(request), request.body)
      return reply.code(created ? 201 : 200).send(payment)
    },
  )
}

export default aggregatorRoutes
