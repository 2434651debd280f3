import fc from 'fast-check'
import { setClock } from '../../src/common/clock.ts'
import { formatKopecks, toKopecks } from '../../src/common/money.ts'
import type { InvoiceSummary } from '../../src/invoices/schemas.ts'
import { allocate, debtOrder } from '../../src/payments/allocation.ts'
import { allocatePayments } from '../../src/payments/allocation-sql.ts'
import type { PaymentDetails } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { atOnce } from '../support/races.ts'
import { insertReceipt, receiptRequisites } from '../support/receipts.ts'

const clock = setClock('2026-12-05T05:00:00Z')
let ctx: TestContext
let anna: string
let water: string
let requisites: string
let key: string
let annaAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const issue = (accountId: string, period: string, opening: string, charged: string, penalties = '0.00', payments = '0.00') =>
  insertReceipt(p(), { accountId, period, requisitesId: requisites, opening, charged, penalties, payments })

const report = (externalId: string, amount: string, paidAt = '2026-12-01T05:00:00Z', accountNumber: string = DEMO.semenovaWater.number) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/aggregator/payments',
    headers: { 'x-api-key': key },
    payload: { supplierId: water, accountNumber, amount, externalId, paidAt },
  })

const receipts = async () =>
  (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${annaAccount}/invoices`, headers: bearer(anna) })).json<{ items: InvoiceSummary[] }>().items

const allocations = async (paymentId: string) =>
  (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${annaAccount}/payments/${paymentId}`, headers: bearer(anna) })).json<PaymentDetails>().allocations

/** Net allocations per payment and receipt, as stored. */
async function stored(accountId: string) {
  return p().$queryRaw<{ paymentId: string; invoiceId: string | null; principal: string; penalty: string }[]>`
    SELECT "paymentId", "invoiceId", sum(principal)::text AS principal, sum(penalty)::text AS penalty
    FROM payment_allocation WHERE "accountId" = ${accountId}::uuid
    GROUP BY 1, 2 HAVING sum(principal) <> 0 OR sum(penalty) <> 0`
}

beforeAll(async () => {
  ;({ ctx, anna, close } = await twoCustomers({ clock }))
  water = await supplierId(ctx, 'gorvodokanal')
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  requisites = await receiptRequisites(p(), water)
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  const operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  const issued = await ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: bearer(operator),
    payload: { supplierId: water, name: 'Банк', client: 'sberbank', scopes: ['payments:write'] },
  })
  key = issued.json<{ key: string }>().key
  // September opens with 1000.00 of older debt; October brings its own charges and a penalty.
  await issue(annaAccount, '2026-09', '1000.00', '500.00')
  await issue(annaAccount, '2026-10', '1500.00', '400.00', '20.00')
})
afterAll(() => close())

describe('allocation of payments to receipts', () => {
  it('pays the oldest receipt first (with the debt it opened with), principal before penalties, then credit', async () => {
    const first = (await report('A-1', '1600.00')).json<{ id: string }>()
    expect(await allocations(first.id)).toEqual([
      { invoiceId: expect.any(String), period: '2026-09', principal: '1500.00', penalty: '0.00' },
      { invoiceId: expect.any(String), period: '2026-10', principal: '100.00', penalty: '0.00' },
    ])
    const [octBefore, sep] = await receipts()
    expect(sep).toMatchObject({ period: '2026-09', owed: '1500.00', paid: '1500.00', paymentStatus: 'paid' })
    expect(octBefore).toMatchObject({ period: '2026-10', owed: '420.00', paid: '100.00', paymentStatus: 'partly_paid' })
    const second = (await report('A-2', '1000.00')).json<{ id: string }>()
    expect(await allocations(second.id)).toEqual([
      { invoiceId: expect.any(String), period: '2026-10', principal: '300.00', penalty: '20.00' },
      { invoiceId: null, period: null, principal: '680.00', penalty: '0.00' },
    ])
    const [oct] = await receipts()
    expect(oct).toMatchObject({ paid: '420.00', paymentStatus: 'paid' })
  })

  it('credit goes onto the next receipt when it is issued (new entries: out of credit, onto the receipt)', async () => {
    await issue(annaAccount, '2026-11', '-680.00', '300.00')
    await p().$executeRaw`SELECT graphile_worker.add_job('payments:allocate', json_build_object('supplierId', ${water}::text))`
    await ctx.app.jobs.drain()
    const [nov] = await receipts()
    expect(nov).toMatchObject({ period: '2026-11', owed: '300.00', paid: '300.00', paymentStatus: 'paid' })
    const second = await p().payment.findFirstOrThrow({ where: { externalId: `${water}:A-2` } })
    expect((await allocations(second.id)).map((a) => [a.period, a.principal])).toEqual([
      ['2026-10', '300.00'],
      ['2026-11', '300.00'],
      [null, '380.00'],
    ])
    const moves = await p().paymentAllocation.findMany({ where: { paymentId: second.id, invoiceId: null }, orderBy: { at: 'asc' } })
    expect(moves.map((m) => m.principal.toFixed(2))).toEqual(['680.00', '-300.00'])
  })

  it('a refund takes its money back out by negative entries, latest first: credit before receipts', async () => {
    const second = await p().payment.findFirstOrThrow({ where: { externalId: `${water}:A-2` } })
    // Refunded as a bank would, through the same transition as a provider's notification.
    await p().$executeRaw`UPDATE payment SET status = 'refunded', "refundedAmount" = 500 WHERE id = ${second.id}::uuid`
    await p().$executeRaw`INSERT INTO payment_refund (id, "paymentId", amount, "externalId", "refundedAt") VALUES (gen_random_uuid(), ${second.id}::uuid, 500, 'r-1', now())`
    await ctx.app.transaction((tx) => allocatePayments(tx, [annaAccount], { penaltiesFirst: false, at: clock.now() }))
    expect((await allocations(second.id)).map((a) => [a.period, a.principal, a.penalty])).toEqual([
      ['2026-10', '300.00', '20.00'],
      ['2026-11', '180.00', '0.00'],
    ])
    const [nov] = await receipts()
    expect(nov).toMatchObject({ paid: '180.00', paymentStatus: 'partly_paid' })
  })

  it('every payment’s entries add up to what it settled, less refunds; running again posts nothing', async () => {
    const before = await p().paymentAllocation.count()
    await ctx.app.transaction((tx) => allocatePayments(tx, [annaAccount], { penaltiesFirst: false, at: clock.now() }))
    expect(await p().paymentAllocation.count()).toBe(before)
    const rows = await p().$queryRaw<{ id: string; net: string; placed: string }[]>`
      SELECT p.id, (p.amount - p."refundedAmount")::text AS net, COALESCE(sum(a.principal + a.penalty), 0)::text AS placed
      FROM payment p LEFT JOIN payment_allocation a ON a."paymentId" = p.id
      WHERE p.status IN ('succeeded', 'refunded') GROUP BY p.id`
    for (const row of rows) expect(row.placed).toBe(row.net)
  })

  it('two banks’ payments to one account at once, ten times over: each placed once, none twice', async () => {
    const petrov = (await p().account.findFirstOrThrow({ where: { number: DEMO.petrovWater.number } })).id
    await issue(petrov, '2026-10', '0.00', '100.00')
    for (let round = 0; round < 10; round++) {
      const answers = await atOnce(2, (i) => report(`R-${round}-${i}`, '30.00', '2026-12-02T05:00:00Z', DEMO.petrovWater.number))
      expect(answers.map((a) => a.statusCode)).toEqual([201, 201])
    }
    const rows = await stored(petrov)
    const toReceipt = rows.filter((r) => r.invoiceId !== null).reduce((s, r) => s + toKopecks(r.principal), 0n)
    const credit = rows.filter((r) => r.invoiceId === null).reduce((s, r) => s + toKopecks(r.principal), 0n)
    expect(formatKopecks(toReceipt)).toBe('100.00')
    expect(formatKopecks(credit)).toBe('500.00')
  })

  it('the SQL places money exactly as the pure rule does, for random receipts and payments', async () => {
    const accounts = await p().account.findMany({ where: { supplierId: water }, select: { id: true } })
    let round = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ charged: fc.integer({ min: 0, max: 50_000 }), penalty: fc.integer({ min: 0, max: 3_000 }) }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: -20_000, max: 20_000 }),
        fc.boolean(),
        async (rows, amounts, opening, penaltiesFirst) => {
          // A fresh account each time, with receipts from 2025 on and payments after the first.
          const [account] = await p().$queryRaw<{ id: string }[]>`
            INSERT INTO account (id, "supplierId", number, "holderSurname", address, services, "openingBalance", "updatedAt")
            VALUES (gen_random_uuid(), ${water}::uuid, ${`13-${String(9_000_000 + ++round).padStart(7, '0')}`}, 'Случайная', 'ул. Тестовая', '{cold_water}', 0, now())
            RETURNING id`
          const accountId = account!.id
          const ids: string[] = []
          for (const [i, row] of rows.entries()) {
            const period = `2025-${String(i + 1).padStart(2, '0')}`
            const open = i === 0 ? formatKopecks(BigInt(opening)) : '0.00'
            ids.push(await issue(accountId, period, open, formatKopecks(BigInt(row.charged)), formatKopecks(BigInt(row.penalty))))
          }
          for (const [i, amount] of amounts.entries()) {
            await p().payment.create({
              data: { accountId, amount: formatKopecks(BigInt(amount)), status: 'succeeded', provider: 'test', externalId: `${accountId}:${i}`, paidAt: new Date(Date.UTC(2025, 6, 1 + i)) },
            })
          }
          await ctx.app.transaction((tx) => allocatePayments(tx, [accountId], { penaltiesFirst, at: clock.now() }))
          const payments = await p().payment.findMany({ where: { accountId }, orderBy: [{ paidAt: 'asc' }, { id: 'asc' }] })
          const debts = debtOrder(
            rows.map((row, i) => ({
              invoiceId: ids[i]!,
              principal: (() => {
                const principal = BigInt(row.charged) + (i === 0 ? BigInt(opening) : 0n)
                return principal > 0n ? principal : 0n
              })(),
              penalty: BigInt(row.penalty),
            })),
            penaltiesFirst,
          )
          const expected = allocate(debts, payments.map((pay) => ({ paymentId: pay.id, amount: toKopecks(pay.amount.toFixed(2)) })))
            .filter((a) => a.principal !== 0n || a.penalty !== 0n)
            .map((a) => ({ ...a, principal: formatKopecks(a.principal), penalty: formatKopecks(a.penalty) }))
          const key = (a: { paymentId: string; invoiceId: string | null }) => `${a.paymentId} ${a.invoiceId}`
          expect((await stored(accountId)).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))))
        },
      ),
      { numRuns: 25 },
    )
    expect(accounts.length).toBeGreaterThan(0)
  })
})
