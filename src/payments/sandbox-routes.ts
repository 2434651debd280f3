import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NotFoundError, UnprocessableError } from '../common/errors.ts'
import { PaymentAmount, Uuid } from '../common/schemas.ts'
import { uuidv7 } from '../common/uuid.ts'
import { sandboxCard, sandboxObjectId } from './providers/sandbox.ts'

const Params = Type.Object({ paymentId: Uuid }, { additionalProperties: false })
const OutcomeParams = Type.Object({ paymentId: Uuid, outcome: Type.Enum(['pay', 'pay_card_declines', 'fail', 'cancel'], { type: 'string' }) }, { additionalProperties: false })
const RefundBody = Type.Object({ amount: PaymentAmount('Rubles to return.') }, { additionalProperties: false })

const EVENT = { pay: 'payment.succeeded', pay_card_declines: 'payment.succeeded', fail: 'payment.failed', cancel: 'payment.canceled' } as const

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

interface SandboxPayment {
  id: string
  amount: string
  status: string
  returnUrl: string | null
  accountNumber: string
  supplierName: string
  /** Set on an autopay's first payment: paying it saves a card. */
  autopayId: string | null
}

/**
 * The sandbox provider's side, outside production only and outside the contract: the page a
 * pending payment's confirmationUrl opens, whose buttons send the provider's signed
 * notification to POST /v1/webhooks/payments/sandbox (through the same route and checks as any
 * provider's) and send the customer back to returnUrl; and a refund, as a provider's dashboard
 * would make one.
 */
const sandboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sandbox } = app.payments
  if (!sandbox) return
  // The page's buttons post an empty form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => done(null, {}))

  async function find(paymentId: string): Promise<SandboxPayment> {
    const [payment] = await app.db.sql<SandboxPayment>`
      SELECT p.id, p.amount::text AS amount, p.status::text AS status, p."returnUrl", p."autopayId", a.number AS "accountNumber", s.name AS "supplierName"
      FROM payment p JOIN account a ON a.id = p."accountId" JOIN supplier s ON s.id = a."supplierId"
      WHERE p.id = ${paymentId}::uuid AND p.provider = 'sandbox'`
    if (!payment) throw new NotFoundError('payment_not_found', 'No sandbox payment with this id.')
    return payment
  }


  const hidden = { hide: true, tags: ['sandbox'] }

  app.get('/sandbox/payments/:paymentId', { config: { auth: false }, schema: { ...hidden, params: Params } }, async (request, reply) => {
    const payment = await find(request.params.paymentId)
    const pending = payment.status === 'pending'
    const action = (outcome: string, label: string) =>
      `<form method="post" action="/v1/sandbox/payments/${payment.id}/${outcome}"><button type="submit">${label}</button></form>`
    const html = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Песочница оплаты</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto}form{display:inline-block;margin-right:.5rem}</style></head>
<body><h1>Песочница оплаты</h1><p>Ненастоящие деньги: эта страница заменяет страницу платёжного провайдера при разработке.</p>
<p>${escapeHtml(payment.supplierName)}, лицевой счёт ${escapeHtml(payment.accountNumber)}</p><p><strong>${escapeHtml(payment.amount)} ₽</strong></p>
${pending ? (payment.autopayId ? action('pay', 'Оплатить и сохранить карту') + action('pay_card_declines', 'Оплатить картой, которая откажет в автоплатеже') : action('pay', 'Оплатить')) + action('fail', 'Отказ банка') + action('cancel', 'Отменить') : `<p>Платёж уже ${escapeHtml(payment.status)}.</p>`}
</body></html>`
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(html)
  })

  app.post('/sandbox/payments/:paymentId/:outcome', { config: { auth: false }, schema: { ...hidden, params: OutcomeParams } }, async (request, reply) => {
    const payment = await find(request.params.paymentId)
    const { outcome } = request.params
    if (payment.status === 'pending') {
      await sandbox.send({
        type: EVENT[outcome],
        paymentId: payment.id,
        objectId: sandboxObjectId(payment.id),
        amount: payment.amount,
        occurredAt: app.config.clock.now().toISOString(),
        ...(EVENT[outcome] === 'payment.succeeded'
          ? payment.autopayId
            ? { card: sandboxCard(outcome === 'pay_card_declines') }
            : {}
          : { reason: outcome === 'fail' ? 'declined_by_bank' : 'canceled_by_customer' }),
      })
    }
    if (!payment.returnUrl) return reply.code(204).send()
    const back = new URL(payment.returnUrl)
    back.searchParams.set('paymentId', payment.id)
    return reply.code(303).header('location', back.toString()).send()
  })

  app.post(
    '/sandbox/payments/:paymentId/refund',
    { config: { auth: false }, schema: { ...hidden, params: Params, body: RefundBody } },
    async (request, reply) => {
      const payment = await find(request.params.paymentId)
      if (payment.status !== 'succeeded' && payment.status !== 'refunded') {
        throw new UnprocessableError('payment_transition_refused', `A ${payment.status} payment cannot be refunded.`)
      }
      const refundId = uuidv7().replaceAll('-', '')
      await sandbox.send({
        type: 'refund.succeeded',
        paymentId: payment.id,
        objectId: sandboxObjectId(payment.id),
        amount: request.body.amount,
        refundId,
        occurredAt: app.config.clock.now().toISOString(),
      })
      return reply.code(202).send({ refundId })
    },
  )
}

export default sandboxRoutes
