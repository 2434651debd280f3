import type { TestContext } from '../helper.ts'
import { bearer } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { pdfText } from '../support/pdf.ts'

let ctx: TestContext
let ivan: string
let anna: string
let accountId: string
let close: () => Promise<void>

beforeAll(async () => {
  ;({ ctx, ivan, anna, accountId, close } = await twoCustomers())
  const p = ctx.client.prisma
  await p.account.update({ where: { id: accountId }, data: { openingBalance: '1000.00' } })
  const charge = (period: string, service: 'heat' | 'hot_water', amount: string) => ({
    accountId, period: new Date(`${period}-01`), service, kind: 'metered' as const, quantity: '1.000', tariff: amount, amount,
  })
  await p.charge.createMany({
    data: [
      charge('2026-07', 'heat', '500.00'),
      charge('2026-08', 'heat', '2754.12'), charge('2026-08', 'hot_water', '760.52'),
      charge('2026-09', 'heat', '2754.12'), charge('2026-09', 'hot_water', '0.01'),
      charge('2026-10', 'heat', '2754.12'),
    ],
  })
  const payment = (externalId: string, amount: string, paidAt: string, status: 'succeeded' | 'pending' = 'succeeded') => ({
    accountId, amount, status, provider: 'bank', externalId, paidAt: new Date(paidAt),
  })
  await p.payment.createMany({
    data: [
      payment('a', '1500.00', '2026-07-20T05:00:00Z'),
      payment('b', '3514.64', '2026-08-31T18:30:00Z'), // 1 September 01:30 in Novosibirsk (UTC+7): a September payment
      payment('c', '100.00', '2026-09-15T05:00:00Z', 'pending'),
      payment('d', '0.07', '2026-10-01T03:00:00Z'),
    ],
  })
})
afterAll(() => close())

const statement = (query: string, token = ivan, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/statement${query}`, headers: { ...bearer(token), ...headers } })

describe('GET /v1/accounts/{id}/statement', () => {
  it('reconciles every period to the kopeck: opening + charges − payments = closing = next opening', async () => {
    const res = await statement('?from=2026-07&to=2026-10')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.periods.map((p: { period: string }) => p.period)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10'])
    const cents = (amount: string) => Math.round(Number(amount) * 100)
    let opening = cents(body.openingBalance)
    for (const p of body.periods) {
      expect(cents(p.openingBalance)).toBe(opening)
      expect(cents(p.openingBalance) + cents(p.chargesTotal) - cents(p.payments)).toBe(cents(p.closingBalance))
      expect(p.charges.reduce((sum: number, c: { amount: string }) => sum + cents(c.amount), 0)).toBe(cents(p.chargesTotal))
      opening = cents(p.closingBalance)
    }
    expect(cents(body.openingBalance) + cents(body.chargesTotal) - cents(body.paymentsTotal)).toBe(cents(body.closingBalance))
  })

  it('counts payments by the supplier’s local date and ignores pending ones', async () => {
    const body = (await statement('?from=2026-07&to=2026-10')).json()
    expect(body.periods.map((p: { payments: string }) => p.payments)).toEqual(['1500.00', '0.00', '3514.64', '0.07'])
    expect(body).toMatchObject({ openingBalance: '1000.00', chargesTotal: '9522.89', paymentsTotal: '5014.71', closingBalance: '5508.18' })
    expect(body.periods[1]).toMatchObject({
      openingBalance: '0.00',
      charges: [{ service: 'heat', amount: '2754.12' }, { service: 'hot_water', amount: '760.52' }],
      chargesTotal: '3514.64',
      closingBalance: '3514.64',
    })
  })

  it('carries everything before `from` into the opening balance', async () => {
    const body = (await statement('?from=2026-09&to=2026-10')).json()
    expect(body.openingBalance).toBe('3514.64')
    expect(body.closingBalance).toBe('5508.18')
  })

  it.each([
    ['?from=2026-10&to=2026-07', 422, 'period_range_invalid'],
    ['?from=2020-01&to=2026-10', 422, 'period_range_invalid'],
    ['?from=2026-13', 400, 'validation_failed'],
    ['?from=26-01', 400, 'validation_failed'],
  ])('refuses %s', async (query, status, code) => {
    const res = await statement(query)
    expect(res.statusCode).toBe(status)
    expect(res.json().code).toBe(code)
  })

  it("another customer's account is 404", async () => {
    expect((await statement('', anna)).statusCode).toBe(404)
  })

  it('comes as a PDF with the Russian words and the amounts', async () => {
    const res = await statement('?from=2026-07&to=2026-10', ivan, { accept: 'application/pdf' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    const text = await pdfText(res.rawPayload)
    for (const expected of ['Выписка по лицевому счёту', '5400012345', 'Иванов Иван Петрович', 'Акционерное общество «СибТеплоСбыт»', 'июль 2026', 'октябрь 2026', 'горячая вода', '5 508,18 ₽', '9 522,89 ₽', 'Сальдо на конец']) {
      expect([expected, text.includes(expected)]).toEqual([expected, true])
    }
  })
})

describe('GET /v1/accounts/{id}/debt-certificate', () => {
  it('certifies the current debt with the supplier’s requisites', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/debt-certificate`, headers: bearer(ivan) })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    const text = await pdfText(res.rawPayload)
    for (const expected of ['Справка о задолженности', 'ИНН 5406000018', 'КПП 540601001', 'БИК 045004641', '40702810744050000001', '5400012345', 'Иванов Иван Петрович', '5 508,18 ₽', 'Платежи в обработке банком: 100,00 ₽']) {
      expect([expected, text.includes(expected)]).toEqual([expected, true])
    }
  })

  it('certifies no debt when there is none', async () => {
    const water = await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '12-0012346' } })
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${water.id}/debt-certificate`, headers: bearer(anna) })
    const text = await pdfText(res.rawPayload)
    expect(text).toContain('Справка об отсутствии задолженности')
    expect(text).toContain('задолженность по лицевому счёту 12-0012346 отсутствует')
  })

  it("another customer's account is 404", async () => {
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/debt-certificate`, headers: bearer(anna) })).statusCode).toBe(404)
  })
})
