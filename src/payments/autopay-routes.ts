import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { AutopaySetup, AutopayView } from './autopay-schemas.ts'

const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false })

const autopayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['payments']

  app.get(
    '/accounts/:accountId/autopay',
    {
      config: { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } },
      schema: {
        operationId: 'getAutopay',
        tags,
        summary: 'The account’s autopay: its status, limit, card and latest charges',
        description:
          'The live autopay (awaiting_card or active), else the latest that ended. The card is shown only to whoever set it up. ' +
          'Refusals: account_not_found, autopay_not_found (404).',
        params: AccountParams,
        response: { 200: ref(AutopayView, { description: 'The autopay.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.autopay.get(callerOf(request), request.params.accountId),
  )

  app.post(
    '/accounts/:accountId/autopay',
    {
      config: { auth: { roles: ['customer', 'organization'] }, idempotent: true },
      schema: {
        operationId: 'setUpAutopay',
        tags,
        summary: 'Set up autopay: consent, a limit, and a first payment that saves the card',
        description:
          'Answers 201 with the autopay awaiting its card and `firstPayment.confirmationUrl`, the provider’s page. When that payment ' +
          'succeeds and the provider saves the card, the autopay becomes active (mailed); if it fails, the autopay is canceled. Then each ' +
          'issued receipt is announced by mail AUTOPAY_NOTICE_HOURS before its charge, charged for what is owed at that time up to the ' +
          'month’s limit, and mailed again; a declined charge stops the autopay (no retries). The caller’s own unfinished setup is ' +
          'replaced. Send Idempotency-Key. Refusals: account_not_found (404), autopay_exists (409), autopay_consent_required, ' +
          'autopay_unavailable, return_url_not_allowed, online_payment_unavailable (422), payment_provider_unavailable (502).',
        params: AccountParams,
        body: ref(AutopaySetup),
        response: { 201: ref(AutopayView, { description: 'Awaiting the card: send the customer to firstPayment.confirmationUrl.' }), ...problems(400, 404, 409, 422, 502) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.autopay.setUp(auditContextOf(request), request.params.accountId, request.body)),
  )

  app.delete(
    '/accounts/:accountId/autopay',
    {
      config: { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } },
      schema: {
        operationId: 'cancelAutopay',
        tags,
        summary: 'Cancel autopay (any time): announced charges not yet taken are canceled too',
        description:
          'By whoever set it up, or by the supplier’s operators. A charge already with the provider completes. ' +
          'Refusals: account_not_found, autopay_not_found (404), autopay_not_yours (403).',
        params: AccountParams,
        response: { 200: ref(AutopayView, { description: 'Canceled.' }), ...problems(400, 403, 404) },
      },
    },
    async (request) => app.autopay.cancel(auditContextOf(request), request.params.accountId),
  )
}

export default autopayRoutes
