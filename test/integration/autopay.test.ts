import { setClock } from '../../src/common/clock.ts'
import type { AutopayView } from '../../src/payments/autopay-schemas.ts'
import type { Payment, PaymentDetails } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { makeJobsDue } from '../support/jobs.ts'
import { atOnce } from '../support/races.ts'
import { owe, receiptRequisites, settle } from '../support/receipts.ts'
import type { SmtpServer } from '../support/smtp.ts'

const clock = setClock('2026-12-01T05:00:00Z')
const RETURN = 'https://lk.example.test/autopay/done'
const HOUR = 3_600_000
let ctx: TestContext
let smtp: SmtpServer
let anna: string
let ivan: string
let semyon: string
let operator: string
let water: string
let requisites: string
let annaAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

const autopay = async (token = anna) => call('GET', `/v1/accounts/${annaAccount}/autopay`, token)

async function setUp(body: Record<string, unknown> = {}, token = anna): Promise<AutopayView> {
  // A minute between setups, as between a customer's visits: the latest is the one shown.
  clock.advance(60_000)
  const answer = await call('POST', `/v1/accounts/${annaAccount}/autopay`, token, { monthlyLimit: '5000.00', consent: true, returnUrl: RETURN, ...body })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<AutopayView>()
}

/** The customer on the sandbox's page: pays (saving a card, or one that will decline) or fails. */
async function onPage(view: AutopayView, outcome: 'pay' | 'pay_card_declines' | 'fail') {
  const answer = await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${view.firstPayment!.id}/${outcome}` })
  expect(answer.statusCode).toBe(303)
  await ctx.app.mail.drain()
}

/** An active autopay on a settled account (the first payment's advance taken back out of the balance). */
async function active(declining = false): Promise<AutopayView> {
  const view = await setUp()
  await onPage(view, declining ? 'pay_card_declines' : 'pay')
  await settled()
  return (await autopay()).json<AutopayView>()
}

const receipt = (period: string, due: string) => owe(p(), { accountId: annaAccount, period, requisitesId: requisites, due })

/** What issuing a period queues: autopay announces its charges. */
async function schedule(period: string) {
  await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'autopay:schedule', payload: { supplierId: water, period } }))
  await ctx.app.mail.drain()
}

/** The notice passes: the charge's job is due by the clock and by the queue. */
async function chargeTime(hours = 48) {
  clock.advance(hours * HOUR)
  await makeJobsDue(ctx)
  await ctx.app.mail.drain()
}

const toPay = async () => (await call('GET', `/v1/accounts/${annaAccount}`, anna)).json<{ balance: { toPay: string } }>().balance.toPay
const mails = (subject: RegExp) => smtp.to('anna@example.test').filter((m) => subject.test(m.subject))

async function settled() {
  await settle(ctx, annaAccount)
  expect(await toPay()).toBe('0.00')
}

async function cancelLive() {
  await p().$executeRaw`
    UPDATE autopay SET status = 'canceled', "endReason" = 'test', "endedAt" = ${clock.now()} WHERE "accountId" = ${annaAccount}::uuid AND status IN ('awaiting_card', 'active')`
}

beforeAll(async () => {
  ;({ ctx, smtp, anna, ivan, close } = await twoCustomers({ clock }))
  water = await supplierId(ctx, 'gorvodokanal')
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  await p().account.update({ where: { id: annaAccount }, data: { openingBalance: '1845.20' } })
  requisites = await receiptRequisites(p(), water)
  // Another member of the household, linked to the same account.
  semyon = (await signUp(ctx, smtp, 'semyon@example.test', DEMO.semenovaWater)).accessToken
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => close())
afterEach(() => cancelLive())

describe('setting up autopay', () => {
  it('needs consent, an allowed return URL and an account the caller sees', async () => {
    const url = `/v1/accounts/${annaAccount}/autopay`
    const refused = await call('POST', url, anna, { monthlyLimit: '5000.00', consent: false, returnUrl: RETURN })
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'autopay_consent_required' })
    const elsewhere = await call('POST', url, anna, { monthlyLimit: '5000.00', consent: true, returnUrl: 'https://evil.example/steal' })
    expect(elsewhere.json()).toMatchObject({ status: 422, code: 'return_url_not_allowed' })
    const noLimit = await call('POST', url, anna, { monthlyLimit: '0', consent: true, returnUrl: RETURN })
    expect(noLimit.statusCode).toBe(400)
    const stranger = await call('POST', url, ivan, { monthlyLimit: '5000.00', consent: true, returnUrl: RETURN })
    expect(stranger.json()).toMatchObject({ status: 404, code: 'account_not_found' })
    expect((await autopay()).json()).toMatchObject({ status: 404, code: 'autopay_not_found' })
    expect(await p().autopay.count()).toBe(0)
  })

  it('the first payment (what is owed) saves the card: awaiting_card → active, the consent kept word for word, mailed', async () => {
    const view = await setUp({ monthlyLimit: '3000.00' })
    expect(view).toMatchObject({ status: 'awaiting_card', provider: 'sandbox', monthlyLimit: '3000.00', yours: true, card: null, charges: [] })
    expect(view.firstPayment).toMatchObject({ status: 'pending', amount: '1845.20' })
    expect(view.firstPayment!.confirmationUrl).toBe(`http://localhost:3000/v1/sandbox/payments/${view.firstPayment!.id}`)
    expect(view.consentText).toContain('12-0012346')
    expect(view.consentText).toContain('3\u00a0000,00 ₽')
    const page = await ctx.app.inject({ method: 'GET', url: `/v1/sandbox/payments/${view.firstPayment!.id}` })
    expect(page.body).toContain('Оплатить и сохранить карту')
    const payments = (await call('GET', `/v1/accounts/${annaAccount}/payments`, anna)).json<{ items: Payment[] }>().items
    expect(payments[0]).toMatchObject({ id: view.firstPayment!.id, autopayId: view.id })

    await onPage(view, 'pay')
    const now = (await autopay()).json<AutopayView>()
    expect(now).toMatchObject({ status: 'active', card: { mask: '400000******0077', expires: '12/30' }, firstPayment: { status: 'succeeded', confirmationUrl: null } })
    expect(now.activatedAt).toBe(clock.now().toISOString())
    expect(await toPay()).toBe('0.00')
    const [mail] = mails(/Автоплатёж подключён/)
    expect(mail?.text).toContain('400000******0077')
    // The token is sealed at rest; the API never shows it.
    const [row] = await p().$queryRaw<{ cardToken: string }[]>`SELECT "cardToken" FROM autopay WHERE id = ${view.id}::uuid`
    expect(row!.cardToken).toMatch(/^v1:/)
    expect(JSON.stringify(now)).not.toContain('sbx_card_')
    // Someone else on the account sees it, not the card; a second setup is refused.
    expect((await autopay(semyon)).json()).toMatchObject({ status: 'active', yours: false, card: null })
    const again = await call('POST', `/v1/accounts/${annaAccount}/autopay`, semyon, { monthlyLimit: '100.00', consent: true, returnUrl: RETURN })
    expect(again.json()).toMatchObject({ status: 409, code: 'autopay_exists' })
  })

  it('a first payment that fails cancels the setup; a setup abandoned on the page is replaced by the next', async () => {
    const failed = await setUp()
    await onPage(failed, 'fail')
    expect((await autopay()).json()).toMatchObject({ id: failed.id, status: 'canceled', endReason: 'first_payment_failed' })
    const abandoned = await setUp()
    const next = await setUp({ amount: '10.00' })
    expect(next.firstPayment!.amount).toBe('10.00')
    expect(await p().autopay.findUniqueOrThrow({ where: { id: abandoned.id } })).toMatchObject({ status: 'canceled', endReason: 'replaced' })
    // The abandoned page still takes money: it is a payment like any, but saves no card.
    await onPage(abandoned, 'pay')
    expect((await autopay()).json()).toMatchObject({ id: next.id, status: 'awaiting_card' })
    expect(await p().autopay.findUniqueOrThrow({ where: { id: abandoned.id } })).toMatchObject({ status: 'canceled', cardToken: null })
  })

  it('parallel setups end with one live autopay (the unique index), each answer clean', async () => {
    for (let round = 0; round < 5; round++) {
      const answers = await atOnce(6, (i) =>
        ctx.app.inject({
          method: 'POST',
          url: `/v1/accounts/${annaAccount}/autopay`,
          headers: { ...bearer(i % 2 ? anna : semyon), 'idempotency-key': `race-${round}-${i}` },
          payload: { monthlyLimit: '1000.00', consent: true, returnUrl: RETURN, amount: '1.00' },
        }),
      )
      for (const answer of answers) expect([201, 409]).toContain(answer.statusCode)
      expect(answers.some((a) => a.statusCode === 201)).toBe(true)
      const [live] = await p().$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM autopay WHERE "accountId" = ${annaAccount}::uuid AND status IN ('awaiting_card', 'active')`
      expect(live!.n).toBe(1)
      await cancelLive()
    }
  })
})

describe('charging receipts', () => {
  it('announces a receipt’s charge, waits for the notice to pass, charges what is owed, mails after; a repeat changes nothing', async () => {
    const view = await active()
    await receipt('2026-11', '1200.00')
    await schedule('2026-11')
    const [charge] = (await autopay()).json<AutopayView>().charges
    expect(charge).toMatchObject({ period: '2026-11', status: 'scheduled', plannedAmount: '1200.00', amount: null })
    expect(charge!.chargeAt).toBe(new Date(clock.now().getTime() + 48 * HOUR).toISOString())
    expect(mails(/спишем 1\u00a0200,00 ₽/)).toHaveLength(1)

    // The queue runs the job early (its run time is the database's): the clock says wait.
    await chargeTime(0)
    expect((await autopay()).json<AutopayView>().charges[0]!.status).toBe('scheduled')

    await chargeTime(48)
    const after = (await autopay()).json<AutopayView>()
    expect(after.charges[0]).toMatchObject({ status: 'succeeded', amount: '1200.00' })
    const payment = (await call('GET', `/v1/accounts/${annaAccount}/payments/${after.charges[0]!.paymentId}`, anna)).json<PaymentDetails>()
    expect(payment).toMatchObject({ status: 'succeeded', amount: '1200.00', autopayId: view.id, provider: 'sandbox' })
    expect(payment.events.map((e) => [e.actor, e.toStatus])).toEqual([['system', 'pending'], ['provider', 'succeeded']])
    // Older credit goes onto the receipt first (oldest money first), so the charge may stand as credit: its whole amount is placed.
    expect(payment.allocations.reduce((sum, a) => sum + Math.round(Number(a.principal) * 100), 0)).toBe(120000)
    expect(await toPay()).toBe('0.00')
    expect(mails(/списано 1\u00a0200,00 ₽/)).toHaveLength(1)

    // Issuing again (a retried job) announces nothing new and charges nothing twice.
    await schedule('2026-11')
    await chargeTime(48)
    expect(await p().autopayCharge.count({ where: { autopayId: view.id } })).toBe(1)
    expect(await p().payment.count({ where: { autopayId: view.id } })).toBe(2)
  })

  it('charges at most the monthly limit and says what is left to pay', async () => {
    await active()
    await p().autopay.updateMany({ where: { accountId: annaAccount, status: 'active' }, data: { monthlyLimit: '1000.00' } })
    await receipt('2026-12', '1500.00')
    await schedule('2026-12')
    expect(mails(/спишем 1\u00a0000,00 ₽/).at(-1)?.text).toContain('остаток оплатите сами')
    await chargeTime()
    expect((await autopay()).json<AutopayView>().charges[0]).toMatchObject({ status: 'succeeded', plannedAmount: '1000.00', amount: '1000.00' })
    expect(await toPay()).toBe('500.00')
    expect(mails(/списано 1\u00a0000,00 ₽/).at(-1)?.text).toContain('Осталось оплатить по лицевому счёту: 500,00 ₽')
    await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: '500.00', returnUrl: RETURN })
  })

  it('a receipt paid by hand before the charge is skipped: nothing is taken', async () => {
    await active()
    await receipt('2027-01', '700.00')
    await schedule('2027-01')
    const manual = (await call('POST', `/v1/accounts/${annaAccount}/payments`, anna, { amount: await toPay(), returnUrl: RETURN })).json<Payment>()
    await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${manual.id}/pay` })
    await chargeTime()
    const view = (await autopay()).json<AutopayView>()
    expect(view.charges[0]).toMatchObject({ status: 'skipped', reason: 'nothing_due', paymentId: null })
    expect(view.status).toBe('active')
    expect(mails(/списание не понадобилось/)).toHaveLength(1)
  })

  it('a declined charge stops autopay (no retries), mails why; the next receipt is not charged; setting up again works', async () => {
    await active(true)
    await receipt('2027-02', '300.00')
    await schedule('2027-02')
    await chargeTime()
    const view = (await autopay()).json<AutopayView>()
    expect(view).toMatchObject({ status: 'stopped', endReason: 'charge_declined: insufficient_funds' })
    expect(view.charges[0]).toMatchObject({ status: 'declined', amount: '300.00', reason: 'insufficient_funds' })
    const payment = await p().payment.findUniqueOrThrow({ where: { id: view.charges[0]!.paymentId! } })
    expect(payment).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds' })
    expect(mails(/Автоплатёж не прошёл/).at(-1)?.text).toContain('Автоплатёж остановлен')

    await receipt('2027-03', '300.00')
    await schedule('2027-03')
    await chargeTime()
    expect(await p().autopayCharge.count({ where: { autopayId: view.id } })).toBe(1)
    expect(await toPay()).toBe('600.00')
    expect((await setUp({ amount: '1.00' })).status).toBe('awaiting_card')
  })

  it('cancel: by whoever set it up or an operator, not by another member of the household; announced charges are canceled', async () => {
    await active()
    await receipt('2027-04', '250.00')
    await schedule('2027-04')
    const notYours = await call('DELETE', `/v1/accounts/${annaAccount}/autopay`, semyon)
    expect(notYours.json()).toMatchObject({ status: 403, code: 'autopay_not_yours' })
    const canceled = await call('DELETE', `/v1/accounts/${annaAccount}/autopay`, anna)
    expect(canceled.statusCode).toBe(200)
    expect(canceled.json()).toMatchObject({ status: 'canceled', endReason: 'canceled_by_customer', charges: [expect.objectContaining({ status: 'canceled' })] })
    await chargeTime()
    expect(await p().payment.count({ where: { autopayId: canceled.json<AutopayView>().id, status: { not: 'succeeded' } } })).toBe(0)
    expect((await call('DELETE', `/v1/accounts/${annaAccount}/autopay`, anna)).json()).toMatchObject({ status: 404, code: 'autopay_not_found' })

    await active()
    const byOperator = await call('DELETE', `/v1/accounts/${annaAccount}/autopay`, operator)
    expect(byOperator.json()).toMatchObject({ status: 'canceled', endReason: 'canceled_by_operator', yours: false, card: null })
    const audit = await p().auditLog.findMany({ where: { entity: 'autopay' }, orderBy: { at: 'asc' } })
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['set_up', 'cancel']))
  })

  it('a cancel racing the charge ends in one answer: canceled before the charge, or charged once', async () => {
    for (let round = 0; round < 5; round++) {
      const view = await active()
      await receipt(`2028-0${round + 1}`, '100.00')
      await schedule(`2028-0${round + 1}`)
      clock.advance(48 * HOUR)
      await makeJobsDue(ctx)
      const [cancel] = await Promise.all([call('DELETE', `/v1/accounts/${annaAccount}/autopay`, anna), ctx.app.mail.drain()])
      expect(cancel.statusCode).toBe(200)
      await ctx.app.mail.drain()
      const [charge] = await p().autopayCharge.findMany({ where: { autopayId: view.id } })
      expect(['canceled', 'succeeded']).toContain(charge!.status)
      expect(await p().payment.count({ where: { autopayId: view.id, status: 'succeeded' } })).toBe(charge!.status === 'succeeded' ? 2 : 1)
    }
  })

  it('whoever set it up unlinks the account: their card no longer pays it (the charge is canceled, nothing taken)', async () => {
    const view = await active()
    await receipt('2029-01', '150.00')
    await schedule('2029-01')
    expect((await call('DELETE', `/v1/accounts/${annaAccount}`, anna)).statusCode).toBe(204)
    await chargeTime()
    expect(await p().autopay.findUniqueOrThrow({ where: { id: view.id } })).toMatchObject({ status: 'canceled', endReason: 'owner_unlinked' })
    expect(await p().autopayCharge.findFirstOrThrow({ where: { autopayId: view.id } })).toMatchObject({ status: 'canceled', reason: 'autopay_canceled', paymentId: null })
  })
})
