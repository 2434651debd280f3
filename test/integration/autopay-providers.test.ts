import type { AddressInfo } from 'node:net'
import { setClock } from '../../src/common/clock.ts'
import type { AutopayView } from '../../src/payments/autopay-schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { startFakeCloudPayments, type FakeCloudPayments } from '../support/fake-cloudpayments.ts'
import { startFakeTbank } from '../support/fake-tbank.ts'
import { makeJobsDue } from '../support/jobs.ts'
import { owe, receiptRequisites, settle } from '../support/receipts.ts'

/**
 * Autopay through the real adapters, each against a local fake of its provider over HTTP:
 * T-Bank saves the card by Recurrent=Y and charges by Init + Charge with the RebillId;
 * CloudPayments saves the Token of a Pay and charges by tokens/charge.
 */
const TERMINAL = '1700000000000DEMO'
const PASSWORD = 'usaf8fw8fsw21g-water'
const PUBLIC_ID = 'pk_9f8e7d6c5b4a39281706f5e4d3c2b'
const API_SECRET = 'c0ffee5ecret0f7he5upp1ier-heat'
const RETURN = 'https://lk.example.test/autopay/done'
const clock = setClock('2026-12-01T05:00:00Z')
let ctx: TestContext
let bank: Awaited<ReturnType<typeof startFakeTbank>>
let cp: FakeCloudPayments
let anna: string
let ivan: string
let annaAccount: string
let ivanAccount: string
let water: string
let heat: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

async function setUp(token: string, accountId: string): Promise<AutopayView> {
  clock.advance(60_000)
  await settle(ctx, accountId)
  const answer = await call('POST', `/v1/accounts/${accountId}/autopay`, token, { monthlyLimit: '3000.00', consent: true, returnUrl: RETURN, amount: '10.00' })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<AutopayView>()
}

const view = async (token: string, accountId: string) => (await call('GET', `/v1/accounts/${accountId}/autopay`, token)).json<AutopayView>()

async function chargeReceipt(supplier: string, accountId: string, period: string, due: string) {
  // The first payment's advance taken back out: the charge is the receipt's due exactly.
  await settle(ctx, accountId)
  await owe(p(), { accountId, period, requisitesId: await receiptRequisites(p(), supplier), due })
  await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'autopay:schedule', payload: { supplierId: supplier, period } }))
  await ctx.app.mail.drain()
  clock.advance(48 * 3_600_000)
  await makeJobsDue(ctx)
  await ctx.app.mail.drain()
}

beforeAll(async () => {
  bank = await startFakeTbank(TERMINAL, PASSWORD)
  cp = await startFakeCloudPayments(PUBLIC_ID, API_SECRET)
  ;({ ctx, anna, ivan, accountId: ivanAccount, close } = await twoCustomers({ clock, env: { TBANK_API_URL: bank.url, CLOUDPAYMENTS_API_URL: cp.url } }))
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const apiUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`
  bank.notifyTo(`${apiUrl}/v1/webhooks/payments/tbank`)
  cp.notifyTo(`${apiUrl}/v1/webhooks/payments/cloudpayments`)
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  water = await supplierId(ctx, 'gorvodokanal')
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
  const admin = (await login(ctx, 'admin@abonent.test', STRONG_PASSWORD)).accessToken
  expect((await call('PUT', `/v1/admin/suppliers/${water}/payment-provider`, admin, { provider: 'tbank', merchantId: TERMINAL, secret: PASSWORD })).statusCode).toBe(200)
  expect((await call('PUT', `/v1/admin/suppliers/${heat}/payment-provider`, admin, { provider: 'cloudpayments', merchantId: PUBLIC_ID, secret: API_SECRET })).statusCode).toBe(200)
})
afterAll(async () => {
  await close()
  await bank.close()
  await cp.close()
})

describe('autopay through T-Bank', () => {
  it('Init with Recurrent=Y saves the card; its RebillId charges the receipt by Init + Charge; CONFIRMED settles it', async () => {
    const setup = await setUp(anna, annaAccount)
    const first = bank.payments.find((b) => b.orderId === setup.firstPayment!.id)!
    expect(first).toMatchObject({ amount: 1000, customerKey: expect.any(String) })
    expect(await bank.notify(first, 'CONFIRMED')).toEqual({ status: 200, body: 'OK' })
    await ctx.app.mail.drain()
    expect(await view(anna, annaAccount)).toMatchObject({ status: 'active', card: { mask: '430000******0777', expires: '12/30' } })

    await chargeReceipt(water, annaAccount, '2026-11', '1234.56')
    const after = await view(anna, annaAccount)
    expect(after.charges[0]).toMatchObject({ status: 'succeeded', amount: '1234.56' })
    expect(bank.charges).toEqual([expect.objectContaining({ rebillId: first.rebillId, amount: 123456, status: 'CONFIRMED' })])
    const charged = bank.payments.find((b) => b.orderId === after.charges[0]!.paymentId)!
    expect(charged).toMatchObject({ amount: 123456, customerKey: null, data: { accountNumber: DEMO.semenovaWater.number, autopay: 'true' } })
    expect(await p().payment.findUniqueOrThrow({ where: { id: charged.orderId } })).toMatchObject({ status: 'succeeded', externalId: String(charged.paymentId) })
  })

  it('a card T-Bank refuses: REJECTED in Charge’s answer fails the payment and stops autopay', async () => {
    bank.declineCharges(bank.charges[0]!.rebillId)
    await chargeReceipt(water, annaAccount, '2026-12', '500.00')
    const after = await view(anna, annaAccount)
    // Charge's answer and the REJECTED notification both say so; whichever is applied first fails the payment, the other changes nothing.
    expect(after).toMatchObject({ status: 'stopped', endReason: expect.stringMatching(/^charge_declined: (Недостаточно средств \(1051\)|REJECTED)$/) })
    expect(after.charges[0]).toMatchObject({ status: 'declined', amount: '500.00' })
    const notifications = await p().paymentNotification.findMany({ where: { paymentId: after.charges[0]!.paymentId! } })
    expect(notifications).toEqual([expect.objectContaining({ event: 'REJECTED', status: expect.stringMatching(/^(ignored|applied)$/) })])
    expect(await p().payment.findUniqueOrThrow({ where: { id: after.charges[0]!.paymentId! } })).toMatchObject({ status: 'failed' })
  })
})

describe('autopay through CloudPayments', () => {
  it('the Token of the first Pay is saved; tokens/charge takes the receipt; its Pay settles it', async () => {
    const setup = await setUp(ivan, ivanAccount)
    const order = cp.orders.find((o) => o.invoiceId === setup.firstPayment!.id)!
    expect(await cp.pay(order)).toMatchObject({ check: 0, pay: 0 })
    await ctx.app.mail.drain()
    expect(await view(ivan, ivanAccount)).toMatchObject({ status: 'active', card: { mask: '424242******4242', expires: '12/30' } })

    await chargeReceipt(heat, ivanAccount, '2026-11', '2100.00')
    const after = await view(ivan, ivanAccount)
    expect(after.charges[0]).toMatchObject({ status: 'succeeded', amount: '2100.00' })
    expect(cp.tokenCharges).toEqual([{ token: `tk_${DEMO.ivanovHeat.number}_4242`, amount: 2100, invoiceId: after.charges[0]!.paymentId, accountId: DEMO.ivanovHeat.number, success: true }])
  })

  it('a declined token charge (Success false with the bank’s message) stops autopay', async () => {
    cp.decliningTokens.add(`tk_${DEMO.ivanovHeat.number}_4242`)
    await chargeReceipt(heat, ivanAccount, '2026-12', '100.00')
    const after = await view(ivan, ivanAccount)
    expect(after).toMatchObject({ status: 'stopped', endReason: 'charge_declined: Недостаточно средств на карте' })
    expect(after.charges[0]).toMatchObject({ status: 'declined' })
    expect(await p().payment.findUniqueOrThrow({ where: { id: after.charges[0]!.paymentId! } })).toMatchObject({ status: 'failed' })
  })
})
