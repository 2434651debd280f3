import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { BadRequestError, DomainError, NotFoundError } from '../common/errors.ts'
import { problems } from '../common/schemas.ts'

/** Notifications are small; anything larger is not from a provider. */
const NOTIFICATION_MAX_BYTES = 64 * 1024

const ProviderParams = Type.Object(
  { provider: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$', description: 'sandbox (outside production); cloudpayments and tbank as they are set up.' }) },
  { additionalProperties: false },
)

const NotificationQuery = Type.Object(
  {
    event: Type.Optional(
      Type.Enum(['check', 'pay', 'fail', 'refund'], { type: 'string', description: 'CloudPayments: which of its notifications this URL receives (set per URL in its dashboard).' }),
    ),
  },
  { additionalProperties: true },
)

const Received = Type.Object(
  { received: Type.Boolean() },
  { additionalProperties: false, description: 'The sandbox’s answer; real providers get theirs ({"code":0} for CloudPayments, OK for T-Bank).' },
)

/**
 * Payment providers' notifications. The body is kept as the raw bytes it came as (this plugin's
 * own parser, whatever the media type): a signature covers exactly those bytes.
 */
const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NOTIFICATION_MAX_BYTES }, (_request, body, done) => done(null, body))

  app.post(
    '/webhooks/payments/:provider',
    {
      // Authenticated by the signature over the body; providers send many from few addresses.
      config: { auth: false, rateLimit: false },
      bodyLimit: NOTIFICATION_MAX_BYTES,
      schema: {
        operationId: 'receivePaymentNotification',
        tags: ['payments'],
        summary: 'A payment provider’s notification (for providers, not for apps)',
        description:
          'Verified over the raw body (the sandbox: Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature`, ' +
          'at most PAYMENT_NOTIFICATION_TOLERANCE_S old), stored once per provider, payment and event, and answered at once; a job ' +
          'applies it to the payment. A repeat is answered the same and changes nothing. Refusals: payment_provider_unknown (404), ' +
          'notification_signature_missing, notification_signature_invalid, notification_timestamp_stale (401), ' +
          'notification_malformed (400), payload_too_large (413).',
        params: ProviderParams,
        querystring: NotificationQuery,
        response: {
          200: { description: 'Stored (or a repeat of a stored one).', content: { 'application/json': { schema: Received } } },
          ...problems(400, 401, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const provider = app.payments.providers.get(request.params.provider)
      if (!provider) throw new NotFoundError('payment_provider_unknown', `No payment provider "${request.params.provider}" is enabled here.`)
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const query = request.query as Record<string, string | undefined>
      const outcome = await app.paymentNotifications.receive(provider, { rawBody, headers: request.headers, query, receivedAt: app.config.clock.now() })
      if (outcome.kind === 'rejected') request.log.warn({ provider: provider.name, reason: outcome.reason }, 'payment notification refused')
      const answer = provider.answer(outcome)
      // In the provider's protocol, which the response schema can only describe.
      if (answer) return (reply as FastifyReply).code(answer.status).type(answer.contentType).send(answer.body)
      if (outcome.kind !== 'rejected') throw new Error(`provider ${provider.name} gave no answer to ${outcome.kind}`)
      if (outcome.reason === 'malformed') throw new BadRequestError('notification_malformed', 'The notification is signed but not in the provider’s format.')
      if (outcome.reason === 'unknown_payment') throw new NotFoundError('payment_not_found', 'The notification names no payment of this provider.')
      throw new DomainError(401, `notification_${outcome.reason}`, 'Unauthorized', {
        signature_missing: 'The notification carries no signature headers.',
        signature_invalid: 'The notification’s signature does not match its body.',
        timestamp_stale: 'The notification’s signed timestamp is too old (or in the future): a replay is refused.',
      }[outcome.reason])
    },
  )
}

export default webhookRoutes
