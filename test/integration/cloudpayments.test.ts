import type { AddressInfo } from 'node:net'
import { setClock } from '../../src/common/clock.ts'
import type { Payment, PaymentDetails } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { startFakeCloudPayments, type FakeCloudPayments, type FakeOrder } from '../support/fake-cloudpayments.ts'
import { atOnce } from '../support/races.ts'

const PUBLIC_ID = 'pk_9f8e7d6c5b4a39281706f5e4d3c2b'
const API_SECRET = 'c0ffee5ecret0f7he5upp1ier-water'
const RETURN = 'https://lk.example.test/payments/done'
const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let cp: FakeCloudPayments
let anna: string
let ivan: string
let admin: string
let water: string
let annaAccount: string
let ivanAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

async function startPayment(amount: string, token = anna, account = annaAccount): Promise<{ payment: Payment; order: FakeOrder }> {
  const answer = await call('POST', `/v1/accounts/${account}/payments`, token, { amount, returnUrl: RETURN })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  const payment = answer.json<Payment>()
  return { payment, order: cp.orders.find((o) => o.invoiceId === payment.id)! }
}

const details = async (paymentId: string) => (await call('GET', `/v1/accounts/${annaAccount}/payments/${paymentId}`, anna)).json<PaymentDetails>()

beforeAll(async () => {
  cp = await startFakeCloudPayments(PUBLIC_ID, API_SECRET)
  ;({ ctx, anna, ivan, accountId: ivanAccount, close } = await twoCustomers({ clock, env: { CLOUDPAYMENTS_API_URL: cp.url } }))
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  cp.notifyTo(`http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}/v1/webhooks/payments/cloudpayments`)
  water = await supplierId(ctx, 'gorvodokanal')
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
  admin = (await login(ctx, 'admin@abonent.test', STRONG_PASSWORD)).accessToken
})
afterAll(async () => {
  await close()
  await cp.close()
})

describe('the supplier’s merchant account', () => {
  it('is set by an admin, shown without its secret, stored encrypted, and audited', async () => {
    expect((await call('GET', `/v1/admin/suppliers/${water}/payment-provider`, admin)).json()).toMatchObject({ code: 'payment_provider_account_not_found' })
    const set = await call('PUT', `/v1/admin/suppliers/${water}/payment-provider`, admin, { provider: 'cloudpayments', merchantId: PUBLIC_ID, secret: API_SECRET })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toEqual({
      supplierId: water,
      provider: 'cloudpayments',
      merchantId: PUBLIC_ID,
      notificationUrl: 'http://localhost:3000/v1/webhooks/payments/cloudpayments',
      updatedAt: expect.any(String),
    })
    expect(set.body).not.toContain(API_SECRET)
    expect((await call('GET', `/v1/admin/suppliers/${water}/payment-provider`, admin)).body).not.toContain(API_SECRET)
    const [row] = await p().$queryRaw<{ secretSealed: string }[]>`SELECT "secretSealed" FROM payment_provider_account WHERE "supplierId" = ${water}::uuid`
    expect(row!.secretSealed).toMatch(/^v1:/)
    expect(row!.secretSealed).not.toContain(API_SECRET)
    expect(await p().auditLog.count({ where: { entity: 'payment_provider_account', entityId: water } })).toBe(1)
  })

  it('is out of reach of customers, and refuses an unknown supplier', async () => {
    expect((await call('GET', `/v1/admin/suppliers/${water}/payment-provider`, anna)).statusCode).toBe(403)
    const unknown = await call('PUT', '/v1/admin/suppliers/019ad0a1-5e2f-7a10-8c3d-4b5e6f708192/payment-provider', admin, {
      provider: 'cloudpayments',
      merchantId: 'x',
      secret: 'longenough',
    })
    expect(unknown.json()).toMatchObject({ code: 'supplier_not_found' })
  })
})

describe('paying through CloudPayments', () => {
  it('opens an order with the amount in rubles and our payment as InvoiceId; Check, then Pay, settles it', async () => {
    const { payment, order } = await startPayment('1500.50')
    expect(payment).toMatchObject({ provider: 'cloudpayments', status: 'pending', confirmationUrl: `${cp.url}/d/${order.id}` })
    expect(order).toMatchObject({ amount: 1500.5, accountId: DEMO.semenovaWater.number, successRedirectUrl: RETURN })
    const { check, pay, transactionId } = await cp.pay(order)
    expect([check, pay]).toEqual([0, 0])
    await ctx.app.jobs.drain()
    const done = await details(payment.id)
    expect(done).toMatchObject({ status: 'succeeded', paidAt: '2026-11-26T05:01:00.000Z' })
    expect(done.events.at(-1)).toMatchObject({ toStatus: 'succeeded', actor: 'provider', providerStatus: 'Completed' })
    expect((await p().payment.findUniqueOrThrow({ where: { id: payment.id } })).externalId).toBe(transactionId)
  })

  it('Check refuses a wrong amount (11), a payment no longer payable (13) and an unknown order (10), storing nothing', async () => {
    const { payment, order } = await startPayment('200.00')
    expect((await cp.pay(order, { amount: '199.99' })).check).toBe(11)
    expect((await cp.pay({ ...order, invoiceId: '019ad1c2-7e4b-7c3a-9f10-2b6d8e4a1c55' })).check).toBe(10)
    await cp.pay(order)
    await ctx.app.jobs.drain()
    expect((await cp.pay(order)).check).toBe(13)
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBe(1)
  })

  it('a forged or missing Content-HMAC is refused with code 13 and stored nowhere; X-Content-HMAC over the decoded body is accepted', async () => {
    const { payment, order } = await startPayment('300.00')
    const fields = { TransactionId: '777000001', Amount: '300.00', DateTime: '2026-11-26 05:02:00', InvoiceId: order.invoiceId, AccountId: order.accountId, Status: 'Completed', Description: 'Оплата по лицевому счёту' }
    expect(await cp.send('pay', fields, { secret: 'someone else’s secret' })).toBe(13)
    expect(await cp.send('pay', fields, { header: 'none' })).toBe(13)
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBe(0)
    expect(await cp.send('pay', fields, { header: 'X-Content-HMAC' })).toBe(0)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('succeeded')
  })

  it('a declined card leaves the payment payable with the reason; another card then pays it', async () => {
    const { payment, order } = await startPayment('400.00')
    expect(await cp.fail(order, 'Insufficient funds')).toBe(0)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'pending', failureReason: 'Insufficient funds' })
    expect((await cp.pay(order)).pay).toBe(0)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('succeeded')
  })

  it('a Pay of another amount is recorded and refused for operators', async () => {
    const { payment, order } = await startPayment('500.00')
    expect(await cp.send('pay', { TransactionId: '777000002', Amount: '50.00', DateTime: '2026-11-26 05:03:00', InvoiceId: order.invoiceId, AccountId: order.accountId })).toBe(0)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('pending')
    expect(await p().paymentNotification.findFirstOrThrow({ where: { paymentId: payment.id } })).toMatchObject({ status: 'refused', code: 'amount_mismatch' })
  })

  it('the same Pay ten times at once, five times over: one payment, one transition', async () => {
    for (let round = 0; round < 5; round++) {
      const { payment, order } = await startPayment('10.00')
      const fields = { TransactionId: String(778000000 + round), Amount: '10.00', DateTime: '2026-11-26 05:04:00', InvoiceId: order.invoiceId, AccountId: order.accountId, Status: 'Completed' }
      expect(await atOnce(10, () => cp.send('pay', fields))).toEqual(Array(10).fill(0))
      await ctx.app.jobs.drain()
      const { status, events } = await details(payment.id)
      expect(status).toBe('succeeded')
      expect(events.filter((e) => e.toStatus === 'succeeded')).toHaveLength(1)
    }
  })

  it('refunds in parts by the provider’s Refund notifications', async () => {
    const { payment, order } = await startPayment('600.00')
    const { transactionId } = await cp.pay(order)
    await ctx.app.jobs.drain()
    expect(await cp.refund(order, transactionId, '100.00')).toBe(0)
    expect(await cp.refund(order, transactionId, '100.00')).toBe(0)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '200.00' })
  })

  it('an admin refunds through CloudPayments; its Refund notification applies it; an unsettled payment cannot be refunded', async () => {
    const { payment, order } = await startPayment('800.00')
    const refund = (amount: string) => call('POST', `/v1/admin/payments/${payment.id}/refunds`, admin, { amount })
    expect((await refund('100.00')).json()).toMatchObject({ code: 'payment_transition_refused' })
    await cp.pay(order)
    await ctx.app.jobs.drain()
    expect((await refund('300.00')).statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '300.00' })
    expect(await p().auditLog.count({ where: { entity: 'payment', entityId: payment.id, action: 'refund_requested' } })).toBe(1)
    expect((await call('POST', `/v1/admin/payments/${payment.id}/refunds`, anna, { amount: '1.00' })).statusCode).toBe(403)
  })

  it('a provider that cannot open the order: 502, nothing charged, the payment failed with the reason', async () => {
    cp.failOrders = 500
    try {
      const answer = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '700.00', returnUrl: RETURN })
      expect(answer.statusCode).toBe(502)
      expect(answer.json()).toMatchObject({ code: 'payment_provider_unavailable' })
      const failed = await p().payment.findFirstOrThrow({ where: { accountId: annaAccount, amount: '700.00' } })
      expect(failed).toMatchObject({ status: 'failed', failureReason: 'provider_unavailable' })
    } finally {
      cp.failOrders = null
    }
  })

  it('a supplier without a merchant account still uses the sandbox outside production', async () => {
    const answer = await call('POST', `/v1/accounts/${ivanAccount}/payments`, ivan, { amount: '100.00', returnUrl: RETURN })
    expect(answer.json<Payment>().provider).toBe('sandbox')
  })
})
