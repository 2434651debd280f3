import type { AddressInfo } from 'node:net'
import { setClock } from '../../src/common/clock.ts'
import type { Payment, PaymentDetails } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { startFakeTbank } from '../support/fake-tbank.ts'
import { atOnce } from '../support/races.ts'

const TERMINAL = '1700000000000DEMO'
const PASSWORD = 'usaf8fw8fsw21g-water'
const RETURN = 'https://lk.example.test/payments/done'
const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let bank: Awaited<ReturnType<typeof startFakeTbank>>
let anna: string
let annaAccount: string
let apiUrl: string
let admin: string
let close: () => Promise<void>

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

async function startPayment(amount: string) {
  const answer = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount, returnUrl: RETURN })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  const payment = answer.json<Payment>()
  // T-Bank is told to notify the public URL; in this test that is our listening server.
  const sent = bank.payments.find((p) => p.orderId === payment.id)!
  return { payment, sent: { ...sent, notificationUrl: sent.notificationUrl.replace('http://localhost:3000', apiUrl) } }
}

const details = async (paymentId: string) => (await call('GET', `/v1/accounts/${annaAccount}/payments/${paymentId}`, anna)).json<PaymentDetails>()

beforeAll(async () => {
  bank = await startFakeTbank(TERMINAL, PASSWORD)
  ;({ ctx, anna, close } = await twoCustomers({ clock, env: { TBANK_API_URL: bank.url } }))
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  apiUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`
  annaAccount = (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
  admin = (await login(ctx, 'admin@abonent.test', STRONG_PASSWORD)).accessToken
  bank.notifyTo(`${apiUrl}/v1/webhooks/payments/tbank`)
  const water = await supplierId(ctx, 'gorvodokanal')
  const set = await call('PUT', `/v1/admin/suppliers/${water}/payment-provider`, admin, { provider: 'tbank', merchantId: TERMINAL, secret: PASSWORD })
  expect(set.statusCode).toBe(200)
})
afterAll(async () => {
  await close()
  await bank.close()
})

describe('paying through T-Bank', () => {
  it('Init with a valid Token, kopecks and our payment as OrderId; CONFIRMED settles it, answered OK', async () => {
    const { payment, sent } = await startPayment('2345.67')
    expect(payment).toMatchObject({ provider: 'tbank', status: 'pending', confirmationUrl: `https://securepay.example/new/${sent.paymentId}` })
    expect(sent).toMatchObject({ amount: 234567, successUrl: RETURN, data: { accountNumber: DEMO.semenovaWater.number } })
    expect(sent.notificationUrl).toBe(`${apiUrl}/v1/webhooks/payments/tbank`)
    expect(await bank.notify(sent, 'AUTHORIZED')).toEqual({ status: 200, body: 'OK' })
    expect(await bank.notify(sent, 'CONFIRMED')).toEqual({ status: 200, body: 'OK' })
    await ctx.app.jobs.drain()
    const done = await details(payment.id)
    expect(done.status).toBe('succeeded')
    expect(done.events.map((e) => e.providerStatus)).toEqual([null, 'CONFIRMED'])
  })

  it('CONFIRMED before AUTHORIZED is fine: the late AUTHORIZED changes nothing', async () => {
    const { payment, sent } = await startPayment('100.00')
    await bank.notify(sent, 'CONFIRMED')
    await bank.notify(sent, 'AUTHORIZED')
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).status).toBe('succeeded')
    const authorized = await ctx.client.prisma.paymentNotification.findFirstOrThrow({ where: { paymentId: payment.id, event: 'AUTHORIZED' } })
    expect(authorized).toMatchObject({ status: 'ignored', code: 'out_of_order' })
  })

  it('refuses a wrong Token or terminal (not OK, so T-Bank retries), storing nothing', async () => {
    const { payment, sent } = await startPayment('200.00')
    expect(await bank.notify(sent, 'CONFIRMED', { password: 'guessed' })).toEqual({ status: 400, body: 'REJECTED' })
    expect((await bank.notify(sent, 'CONFIRMED', { extra: { TerminalKey: 'OtherTerminal' } })).body).toBe('REJECTED')
    expect(await ctx.client.prisma.paymentNotification.count({ where: { paymentId: payment.id } })).toBe(0)
  })

  it('REJECTED fails the payment with the bank’s word; CANCELED cancels another', async () => {
    const first = await startPayment('300.00')
    await bank.notify(first.sent, 'REJECTED', { extra: { Message: 'Недостаточно средств' } })
    const second = await startPayment('301.00')
    await bank.notify(second.sent, 'CANCELED')
    await ctx.app.jobs.drain()
    expect(await details(first.payment.id)).toMatchObject({ status: 'failed', failureReason: 'Недостаточно средств' })
    expect(await details(second.payment.id)).toMatchObject({ status: 'canceled' })
  })

  it('the same CONFIRMED ten times at once: one transition', async () => {
    const { payment, sent } = await startPayment('10.00')
    const answers = await atOnce(10, () => bank.notify(sent, 'CONFIRMED'))
    expect(answers.every((a) => a.body === 'OK')).toBe(true)
    await ctx.app.jobs.drain()
    expect((await details(payment.id)).events.filter((e) => e.toStatus === 'succeeded')).toHaveLength(1)
  })

  it('PARTIAL_REFUNDED then REFUNDED return the money in two reversal entries', async () => {
    const { payment, sent } = await startPayment('500.00')
    await bank.notify(sent, 'CONFIRMED')
    await ctx.app.jobs.drain()
    await bank.notify(sent, 'PARTIAL_REFUNDED', { amount: 20000 })
    await bank.notify(sent, 'REFUNDED', { amount: 30000 })
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '500.00' })
  })

  it('an admin refunds through T-Bank’s Cancel; its notifications apply it; more than is left is refused', async () => {
    const { payment, sent } = await startPayment('700.00')
    await bank.notify(sent, 'CONFIRMED')
    await ctx.app.jobs.drain()
    const refund = (amount: string) => call('POST', `/v1/admin/payments/${payment.id}/refunds`, admin, { amount })
    const first = await refund('250.00')
    expect(first.statusCode).toBe(202)
    expect(first.json()).toEqual({ paymentId: payment.id, amount: '250.00', status: 'requested' })
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '250.00' })
    const tooMuch = await refund('450.01')
    expect(tooMuch.statusCode).toBe(422)
    expect(tooMuch.json()).toMatchObject({ code: 'refund_exceeds_payment' })
    expect((await refund('450.00')).statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect(await details(payment.id)).toMatchObject({ status: 'refunded', refundedAmount: '700.00' })
  })

  it('a refused Init (a wrong terminal password) is a 502 and a failed payment', async () => {
    await ctx.client.prisma.$executeRaw`UPDATE payment_provider_account SET "merchantId" = 'UnknownTerminal'`
    try {
      const answer = await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '42.00', returnUrl: RETURN })
      expect(answer.statusCode).toBe(502)
      expect(answer.json()).toMatchObject({ code: 'payment_provider_unavailable' })
    } finally {
      await ctx.client.prisma.$executeRaw`UPDATE payment_provider_account SET "merchantId" = ${TERMINAL}`
    }
  })
})
