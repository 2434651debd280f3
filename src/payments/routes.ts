import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { auditContextOf } from '../audit/audit.ts'
import { Payment, PaymentDetails, PaymentListQuery, PaymentPage, PaymentParams, PaymentStart, RefundRequest, RefundRequested } from './schemas.ts'

const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false })

const paymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['payments']
  const payers = { auth: { roles: ['customer', 'organization'] } } as const
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const

  app.post(
    '/accounts/:accountId/payments',
    {
      config: { ...payers, idempotent: true },
      schema: {
        operationId: 'startPayment',
        tags,
        summary: 'Pay online: start a payment and get the provider’s page',
        description:
          'Creates a pending payment (it shows on the account at once, so the debt does not look unpaid) and answers with ' +
          '`confirmationUrl`, the provider’s page to send the customer to. The provider notifies the API; the payment then ' +
          'becomes succeeded, failed or canceled (unpaid past `expiresAt`). The payment keeps a frozen copy of what it pays ' +
          'for (`paysFor`). Send Idempotency-Key: a retry gets the same payment. Refusals: account_not_found, ' +
          'return_url_not_allowed, online_payment_unavailable, payment_provider_unavailable (502, nothing charged).',
        params: AccountParams,
        body: ref(PaymentStart),
        response: {
          201: ref(Payment, { description: 'Started: send the customer to confirmationUrl.' }),
          ...problems(400, 404, 422, 502),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await app.payments.start(callerOf(request), request.params.accountId, request.body)),
  )

  app.post(
    '/admin/payments/:paymentId/refunds',
    {
      config: { auth: { roles: ['operator', 'admin'] }, idempotent: true },
      schema: {
        operationId: 'refundPayment',
        tags,
        summary: 'Return money from a settled online payment through its provider',
        description:
          'Operators of the payment’s supplier, and admins. Answers 202 once the provider takes the request; the provider’s refund ' +
          'notification then moves the payment to refunded (a reversal entry; allocation follows). Send Idempotency-Key. Refusals: ' +
          'payment_not_found (404), refund_not_supported (a bank’s or registry payment), payment_transition_refused (not settled), ' +
          'refund_exceeds_payment (422), payment_provider_unavailable (502).',
        params: Type.Object({ paymentId: Uuid }, { additionalProperties: false }),
        body: ref(RefundRequest),
        response: { 202: ref(RefundRequested, { description: 'Requested from the provider.' }), ...problems(400, 404, 422, 502) },
      },
    },
    async (request, reply) => reply.code(202).send(await app.payments.refund(auditContextOf(request), request.params.paymentId, request.body.amount)),
  )

  app.get(
    '/accounts/:accountId/payments',
    {
      config: anyone,
      schema: {
        operationId: 'listPayments',
        tags,
        summary: 'The account’s payments, newest first: online, from the banks and from the supplier’s registers',
        params: AccountParams,
        querystring: PaymentListQuery,
        response: { 200: ref(PaymentPage, { description: 'A page of payments.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.payments.list(callerOf(request), request.params.accountId, request.query),
  )

  app.get(
    '/accounts/:accountId/payments/:paymentId',
    {
      config: anyone,
      schema: {
        operationId: 'getPayment',
        tags,
        summary: 'One payment and every change of its status',
        params: PaymentParams,
        response: { 200: ref(PaymentDetails, { description: 'The payment.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.payments.get(callerOf(request), request.params.accountId, request.params.paymentId),
  )
}

export default paymentRoutes
