import { Webhook } from 'standardwebhooks'
import { setClock } from '../../src/common/clock.ts'
import { loadConfig } from '../../src/config.ts'
import { sandboxObjectId, signSandboxNotification, type SandboxNotificationBody } from '../../src/payments/providers/sandbox.ts'
import type { Payment, PaymentDetails } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { makeJobsDue } from '../support/jobs.ts'
import { atOnce } from '../support/races.ts'

const clock = setClock('2026-11-26T05:00:00Z')
const SECRET = loadConfig({ NODE_ENV: 'test' }).payments.sandbox.secret
const RETURN = 'https://lk.example.test/payments/done'
let ctx: TestContext
let ivan: string
let anna: string
let ivanAccount: string
let annaAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) })

async function startPayment(amount = '1500.00', token = anna, account = annaAccount): Promise<Payment> {
  const answer = await call('POST', `/v1/accounts/${account}/payments`, token, { amount, returnUrl: RETURN })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<Payment>()
}

function notification(payment: Pick<Payment, 'id' | 'amount'>, overrides: Partial<SandboxNotificationBody> = {}): SandboxNotificationBody {
  return {
    type: 'payment.succeeded',
    paymentId: payment.id,
    objectId: sandboxObjectId(payment.id),
    amount: payment.amount,
    occurredAt: clock.now().toISOString(),
    ...overrides,
  }
}

function send(body: SandboxNotificationBody, { at = clock.now(), secret = SECRET } = {}) {
  const { headers, payload } = signSandboxNotification(secret, body, at)
  return ctx.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: { ...headers, 'content-type': 'application/json' }, payload })
}

const details = async (paymentId: string, token = anna, account = annaAccount) =>
  (await call('GET', `/v1/accounts/${account}/payments/${paymentId}`, token)).json<PaymentDetails>()

const balance = async () =>
  (await call('GET', `/v1/accounts/${annaAccount}`, anna)).json<{ balance: { balance: string; pendingPayments: string; toPay: string } }>().balance

beforeAll(async () => {
  ;({ ctx, ivan, anna, accountId: ivanAccount, close } = await twoCustomers({ clock }))
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  await p().account.update({ where: { id: annaAccount }, data: { openingBalance: '3000.00' } })
})
afterAll(() => close())

describe('starting an online payment', () => {
  it('answers 201 pending with the provider’s page, a frozen copy of what it pays, and shows as pending on the account at once', async () => {
    const before = await balance()
    const payment = await startPayment('1500.00')
    expect(payment).toMatchObject({ status: 'pending', amount: '1500.00', provider: 'sandbox', refundedAmount: '0.00', failureReason: null })
    expect(payment.confirmationUrl).toBe(`http://localhost:3000/v1/sandbox/payments/${payment.id}`)
    expect(payment.paysFor).toEqual({ invoiceId: null, invoiceNumber: null, period: null, totalDue: null, toPay: before.toPay })
    expect(new Date(payment.expiresAt!).getTime() - clock.now().getTime()).toBe(60 * 60_000)
    const after = await balance()
    expect(after.balance).toBe(before.balance)
    expect(Number(after.pendingPayments) - Number(before.pendingPayments)).toBe(1500)
    const { events } = await details(payment.id)
    expect(events).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'pending', actor: 'customer' })])
    await p().payment.update({ where: { id: payment.id }, data: { status: 'canceled' } })
  })

  it('is idempotent by Idempotency-Key: the retry gets the same payment; the key with another body is refused', async () => {
    const headers = { 'idempotency-key': 'pay-2026-11-26-anna-1' }
    const first = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '700.00', returnUrl: RETURN }, headers)
    const again = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '700.00', returnUrl: RETURN }, headers)
    expect(first.statusCode).toBe(201)
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotency-replayed']).toBe('true')
    expect(again.json<Payment>().id).toBe(first.json<Payment>().id)
    const other = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '701.00', returnUrl: RETURN }, headers)
    expect(other.statusCode).toBe(422)
    expect(other.json()).toMatchObject({ code: 'idempotency_key_reused' })
    expect(await p().payment.count({ where: { accountId: annaAccount, amount: '700.00' } })).toBe(1)
  })

  it('refuses a return address outside the web app (no open redirect), zero or malformed amounts, and other people’s accounts', async () => {
    for (const returnUrl of ['https://evil.example/steal', 'https://lk.example.test@evil.example/', 'javascript:alert(1)']) {
      const answer = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '10.00', returnUrl })
      expect([400, 422]).toContain(answer.statusCode)
      if (answer.statusCode === 422) expect(answer.json()).toMatchObject({ code: 'return_url_not_allowed' })
    }
    for (const amount of ['0', '0.00', '-5', '10.001', '1e3', '10000000']) {
      const answer = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount, returnUrl: RETURN })
      expect(answer.statusCode).toBe(400)
      expect(answer.json()).toMatchObject({ code: 'validation_failed' })
    }
    const stranger = await call('POST', `/v1/accounts/${annaAccount}/payments`, ivan, { amount: '10.00', returnUrl: RETURN })
    expect(stranger.statusCode).toBe(404)
    expect(stranger.json()).toMatchObject({ code: 'account_not_found' })
  })

  it('hides another customer’s payment, even by its id under one’s own account', async () => {
    const payment = await startPayment('20.00')
    expect((await call('GET', `/v1/accounts/${annaAccount}/payments/${payment.id}`, ivan)).statusCode).toBe(404)
    const underOwn = await call('GET', `/v1/accounts/${ivanAccount}/payments/${payment.id}`, ivan)
    expect(underOwn.statusCode).toBe(404)
    expect(underOwn.json()).toMatchObject({ code: 'payment_not_found' })
  })
})

describe('the sandbox flow, end to end', () => {
  it('page → pay → signed notification → job → succeeded, and the balance drops by the amount', async () => {
    const before = await balance()
    const payment = await startPayment('1234.56')
    const page = await ctx.app.inject({ method: 'GET', url: `/v1/sandbox/payments/${payment.id}` })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('1234.56')
    expect(page.body).toContain(`/v1/sandbox/payments/${payment.id}/pay`)
    const paid = await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${payment.id}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    expect(paid.statusCode).toBe(303)
    expect(paid.headers.location).toBe(`${RETURN}?paymentId=${payment.id}`)
    // Stored and answered; applied by the job.
    expect((await details(payment.id)).status).toBe('pending')
    await ctx.app.jobs.drain()
    const done = await details(payment.id)
    expect(done).toMatchObject({ status: 'succeeded', confirmationUrl: null, expiresAt: null })
    expect(done.events.map((e) => [e.fromStatus, e.toStatus, e.actor, e.providerStatus])).toEqual([
      [null, 'pending', 'customer', null],
      ['pending', 'succeeded', 'provider', 'payment.succeeded'],
    ])
    const after = await balance()
    expect(Number(before.balance) - Number(after.balance)).toBeCloseTo(1234.56, 2)
    expect(after.pendingPayments).toBe(before.pendingPayments)
  })

  it('a declined payment fails with the reason, and changes no balance', async () => {
    const before = await balance()
    const payment = await startPayment('300.00')
    await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${payment.id}/fail`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'failed', failureReason: 'declined_by_bank' })
    expect((await balance()).balance).toBe(before.balance)
  })
})

describe('notifications', () => {
  it('refuses a forged signature, missing headers, a stale or future timestamp and a malformed body, storing nothing', async () => {
    const payment = await startPayment('50.00')
    const body = notification(payment)
    const forged = await send(body, { secret: `whsec_${Buffer.from('an attacker’s own secret, 32 by').toString('base64')}` })
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toMatchObject({ code: 'notification_signature_invalid' })
    const { headers, payload } = signSandboxNotification(SECRET, body, clock.now())
    const tampered = await ctx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/payments/sandbox',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: payload.replace('"50.00"', '"5.00"'),
    })
    expect(tampered.json()).toMatchObject({ code: 'notification_signature_invalid' })
    const bare = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: { 'content-type': 'application/json' }, payload })
    expect(bare.json()).toMatchObject({ code: 'notification_signature_missing' })
    for (const at of [new Date(clock.now().getTime() - 301_000), new Date(clock.now().getTime() + 301_000)]) {
      const stale = await send(body, { at })
      expect(stale.statusCode).toBe(401)
      expect(stale.json()).toMatchObject({ code: 'notification_timestamp_stale' })
    }
    const { headers: h2 } = signSandboxNotification(SECRET, body, clock.now())
    const junk = '{"type":"payment.succeeded"}'
    const signedJunk = new Webhook(SECRET).sign(h2['webhook-id'], clock.now(), junk)
    const malformed = await ctx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/payments/sandbox',
      headers: { ...h2, 'webhook-signature': signedJunk, 'content-type': 'application/json' },
      payload: junk,
    })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json()).toMatchObject({ code: 'notification_malformed' })
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/payments/paypal', headers, payload })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'payment_provider_unknown' })
    const huge = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers, payload: 'x'.repeat(70_000) })
    expect(huge.statusCode).toBe(413)
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBe(0)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('pending')
  })

  it('the same notification ten times at once, ten times over: one stored, one transition, one payment', async () => {
    for (let round = 0; round < 10; round++) {
      const payment = await startPayment('10.00')
      const body = notification(payment)
      const answers = await atOnce(10, () => send(body))
      expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200))
      await ctx.app.jobs.drain()
      // The provider's retry after we crashed before answering is the same repeat.
      expect((await send(body)).statusCode).toBe(200)
      await ctx.app.jobs.drain()
      expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBe(1)
      const { status, events } = await details(payment.id)
      expect(status).toBe('succeeded')
      expect(events.filter((e) => e.toStatus === 'succeeded')).toHaveLength(1)
    }
  })

  it('an amount that disagrees is refused and recorded for operators; the payment stays pending', async () => {
    const payment = await startPayment('999.00')
    expect((await send(notification(payment, { amount: '9.99' }))).statusCode).toBe(200)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('pending')
    const stored = await p().paymentNotification.findFirstOrThrow({ where: { paymentId: payment.id } })
    expect(stored).toMatchObject({ status: 'refused', code: 'amount_mismatch' })
    expect(stored.detail).toContain('999')
  })

  it('news that contradicts a settled payment is refused and recorded, never applied', async () => {
    const payment = await startPayment('40.00')
    await send(notification(payment))
    await ctx.app.jobs.drain()
    await send(notification(payment, { type: 'payment.failed' }))
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('succeeded')
    const failed = await p().paymentNotification.findFirstOrThrow({ where: { paymentId: payment.id, event: 'payment.failed' } })
    expect(failed).toMatchObject({ status: 'refused', code: 'payment_transition_refused' })
  })

  it('a notification about a payment we do not have is stored as refused: unknown_payment', async () => {
    const ghost = { id: '019ad1c2-7e4b-7c3a-9f10-2b6d8e4a1c55', amount: '10.00' }
    expect((await send(notification(ghost))).statusCode).toBe(200)
    await ctx.app.jobs.drain()
    const stored = await p().paymentNotification.findFirstOrThrow({ where: { objectId: sandboxObjectId(ghost.id) } })
    expect(stored).toMatchObject({ status: 'refused', code: 'unknown_payment', paymentId: null })
  })
})

describe('refunds', () => {
  it('partly, then the rest: reversal entries dated when returned; more than was paid is refused', async () => {
    const payment = await startPayment('1500.00')
    await send(notification(payment))
    await ctx.app.jobs.drain()
    const paidBalance = (await balance()).balance
    const refund = (amount: string) =>
      ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${payment.id}/refund`, payload: { amount } })
    expect((await refund('500.00')).statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '500.00' })
    expect(Number((await balance()).balance) - Number(paidBalance)).toBeCloseTo(500, 2)
    expect((await refund('1000.01')).statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '500.00' })
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id, status: 'refused', code: 'refund_exceeds_payment' } })).toBe(1)
    expect((await refund('1000.00')).statusCode).toBe(202)
    await ctx.app.jobs.drain()
    const { refundedAmount, events } = await details(payment.id)
    expect(refundedAmount).toBe('1500.00')
    expect(events.filter((e) => e.toStatus === 'refunded').map((e) => e.amount)).toEqual(['500.00', '1000.00'])
    expect(Number((await balance()).balance) - Number(paidBalance)).toBeCloseTo(1500, 2)
    expect(await p().paymentRefund.count({ where: { paymentId: payment.id } })).toBe(2)
  })

  it('an admin refunds a sandbox payment through the API; a registry payment is refunded by whoever took it', async () => {
    await createStaff(ctx, 'admin', 'refunds@abonent.test', STRONG_PASSWORD)
    const admin = (await login(ctx, 'refunds@abonent.test', STRONG_PASSWORD)).accessToken
    const payment = await startPayment('90.00')
    await send(notification(payment))
    await ctx.app.jobs.drain()
    const asked = await call('POST', `/v1/admin/payments/${payment.id}/refunds`, admin, { amount: '90.00' })
    expect(asked.statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '90.00' })
    const imported = await p().payment.create({ data: { accountId: annaAccount, amount: '10.00', status: 'succeeded', provider: 'import', externalId: 'refund-1', paidAt: clock.now() } })
    const refused = await call('POST', `/v1/admin/payments/${imported.id}/refunds`, admin, { amount: '10.00' })
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'refund_not_supported' })
  })

  it('a pending payment cannot be refunded', async () => {
    const payment = await startPayment('15.00')
    const answer = await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${payment.id}/refund`, payload: { amount: '15.00' } })
    expect(answer.statusCode).toBe(422)
    expect(answer.json()).toMatchObject({ code: 'payment_transition_refused' })
  })
})

describe('expiry', () => {
  it('an unpaid payment is canceled when its page expires; a late success is refused for operators, not applied', async () => {
    const payment = await startPayment('77.00')
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('pending')
    clock.advance(61 * 60_000)
    try {
      await makeJobsDue(ctx)
      await ctx.app.jobs.drain()
      const canceled = await details(payment.id)
      expect(canceled).toMatchObject({ status: 'canceled', failureReason: 'expired' })
      expect(canceled.events.at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'canceled', actor: 'system' })
      await send(notification(payment))
      await ctx.app.jobs.drain()
      expect((await details(payment.id)).status).toBe('canceled')
      expect(await p().paymentNotification.findFirstOrThrow({ where: { paymentId: payment.id } })).toMatchObject({ status: 'refused', code: 'payment_transition_refused' })
    } finally {
      clock.set('2026-11-26T05:00:00Z')
    }
  })
})

describe('the payments list', () => {
  it('pages newest first with a status filter, imported payments included', async () => {
    await p().payment.create({ data: { accountId: annaAccount, amount: '100.00', status: 'succeeded', provider: 'import', externalId: 'list-1', paidAt: new Date('2026-10-01T00:00:00Z') } })
    const seen: Payment[] = []
    let cursor: string | null = null
    do {
      const page: { items: Payment[]; nextCursor: string | null } = (
        await call('GET', `/v1/accounts/${annaAccount}/payments?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, anna)
      ).json()
      seen.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    expect(seen.length).toBe(await p().payment.count({ where: { accountId: annaAccount } }))
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length)
    const times = seen.map((s) => s.paidAt)
    expect([...times].sort().reverse()).toEqual(times)
    expect(seen.at(-1)).toMatchObject({ provider: 'import', paysFor: null, confirmationUrl: null })
    const failed = (await call('GET', `/v1/accounts/${annaAccount}/payments?status=failed`, anna)).json<{ items: Payment[] }>()
    expect(failed.items.length).toBeGreaterThan(0)
    expect(failed.items.every((item) => item.status === 'failed')).toBe(true)
    expect((await call('GET', `/v1/accounts/${annaAccount}/payments`, ivan)).statusCode).toBe(404)
  })
})

describe('what operators see', () => {
  it('refused notifications about their supplier’s payments; admins also those naming no payment of ours; customers nothing', async () => {
    await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, await supplierId(ctx, 'gorvodokanal'))
    await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, await supplierId(ctx, 'sibteplo'))
    await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
    const list = async (email: string, query = '?status=refused') =>
      (await call('GET', `/v1/admin/payment-notifications${query}`, (await login(ctx, email, STRONG_PASSWORD)).accessToken)).json<{
        items: { code: string; accountNumber: string | null; status: string }[]
      }>().items
    const water = await list('op@water.test')
    expect(water.map((n) => n.code)).toEqual(expect.arrayContaining(['amount_mismatch', 'payment_transition_refused', 'refund_exceeds_payment']))
    expect(water.every((n) => n.status === 'refused' && n.accountNumber === DEMO.semenovaWater.number)).toBe(true)
    expect(await list('op@heat.test')).toEqual([])
    expect((await list('admin@abonent.test')).map((n) => n.code)).toContain('unknown_payment')
    expect((await call('GET', '/v1/admin/payment-notifications', anna)).statusCode).toBe(403)
  })
})
