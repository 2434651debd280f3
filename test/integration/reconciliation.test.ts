import iconv from 'iconv-lite'
import { setClock } from '../../src/common/clock.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'

const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let operator: string
let heatOperator: string
let water: string
let key: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const report = (externalId: string, amount: string, accountNumber: string = DEMO.semenovaWater.number, paidAt = '2026-11-25T10:00:00+07:00') =>
  ctx.app.inject({ method: 'POST', url: '/v1/aggregator/payments', headers: { 'x-api-key': key }, payload: { supplierId: water, accountNumber, amount, externalId, paidAt } })

const reconcile = (csv: Buffer | string, token = operator, contentType = 'text/csv; charset=utf-8', date = '2026-11-25') =>
  ctx.app.inject({
    method: 'POST',
    url: `/v1/admin/payment-reconciliations?supplierId=${water}&client=sberbank&date=${date}`,
    headers: { ...bearer(token), 'content-type': contentType },
    payload: csv,
  })

type Line = { kind: string; externalId: string | null; code: string | null; line: number | null; paymentId: string | null }
const lines = async (id: string, kind?: string) =>
  (await ctx.app.inject({ method: 'GET', url: `/v1/admin/payment-reconciliations/${id}/lines?limit=100${kind ? `&kind=${kind}` : ''}`, headers: bearer(operator) })).json<{
    items: Line[]
  }>().items

beforeAll(async () => {
  ;({ ctx, close } = await twoCustomers({ clock }))
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, await supplierId(ctx, 'sibteplo'))
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  heatOperator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  const issued = await ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: bearer(operator),
    payload: { supplierId: water, name: 'Сбер', client: 'sberbank', scopes: ['payments:write'] },
  })
  key = issued.json<{ key: string }>().key
  // What the bank reported over the API during the day.
  await report('SB-1', '100.00')
  await report('SB-2', '200.00')
  await report('SB-9', '900.00', DEMO.petrovWater.number)
})
afterAll(() => close())

// The bank's registry of 25 November, in Windows-1251 with Russian column names, as banks send it.
const REGISTRY = [
  'Лицевой счет;Номер платежа;Сумма;Дата платежа',
  '12-0012346;SB-1;100,00;25.11.2026 10:00',
  '12-0012346;SB-2;250,00;25.11.2026 11:00',
  '12-0012346;SB-3;300,00;25.11.2026 12:00',
  '11-0007785;SB-4;400,00;25.11.2026 13:00',
  '99-9999999;SB-5;10,00;25.11.2026 14:00',
  '12-0012346;SB-6;-5;25.11.2026 15:00',
  '12-0012346;SB-1;100,00;25.11.2026 10:00',
].join('\r\n')

describe('reconciling a bank’s daily registry', () => {
  let reconciliationId: string

  it('reports every kind of discrepancy, from a Windows-1251 file with Russian columns', async () => {
    const answer = await reconcile(iconv.encode(REGISTRY, 'windows-1251'), operator, 'text/csv')
    expect(answer.statusCode).toBe(201)
    const body = answer.json<{ id: string; counts: Record<string, number> }>()
    reconciliationId = body.id
    expect(body.counts).toEqual({ matched: 1, mismatched: 1, missing: 2, extra: 1, rejected: 3 })
    expect((await lines(body.id, 'mismatched')).map((l) => [l.externalId, l.code])).toEqual([['SB-2', 'payment_conflict']])
    expect((await lines(body.id, 'missing')).map((l) => l.externalId).sort()).toEqual(['SB-3', 'SB-4'])
    expect((await lines(body.id, 'extra')).map((l) => [l.externalId, l.line])).toEqual([['SB-9', null]])
    expect((await lines(body.id, 'rejected')).map((l) => [l.line, l.code]).sort()).toEqual([
      [6, 'account_not_found'],
      [7, 'amount_invalid'],
      [8, 'duplicate_in_file'],
    ])
  })

  it('records the missing ones in one action, once, settled by the operator and placed (as credit where no receipt waits)', async () => {
    const petrov = await p().account.findFirstOrThrow({ where: { number: DEMO.petrovWater.number } })
    const create = () => ctx.app.inject({ method: 'POST', url: `/v1/admin/payment-reconciliations/${reconciliationId}/create-missing`, headers: bearer(operator) })
    const first = await create()
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ created: 2 })
    expect((await create()).json()).toMatchObject({ created: 0 })
    const created = await p().payment.findMany({ where: { provider: 'bank:sberbank', externalId: { in: [`${water}:SB-3`, `${water}:SB-4`] } } })
    expect(created).toHaveLength(2)
    expect(created.find((c) => c.externalId === `${water}:SB-4`)).toMatchObject({ accountId: petrov.id, status: 'succeeded', paidAt: new Date('2026-11-25T06:00:00Z') })
    expect((await lines(reconciliationId, 'missing')).every((l) => l.paymentId !== null)).toBe(true)
    const events = await p().paymentEvent.findMany({ where: { paymentId: { in: created.map((c) => c.id) } } })
    expect(events.map((e) => e.actor)).toEqual(['operator', 'operator'])
    const allocated = await p().paymentAllocation.count({ where: { paymentId: { in: created.map((c) => c.id) } } })
    expect(allocated).toBe(2)
    // Reconciled again, the registry now matches where it can.
    const again = (await reconcile(REGISTRY)).json<{ counts: Record<string, number> }>()
    expect(again.counts).toMatchObject({ matched: 3, mismatched: 1, missing: 0, extra: 1 })
  })

  it('is the operator’s own supplier’s only, and refuses a file without the needed columns', async () => {
    expect((await reconcile(REGISTRY, heatOperator)).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/payment-reconciliations/${reconciliationId}`, headers: bearer(heatOperator) })).json()).toMatchObject({
      code: 'reconciliation_not_found',
    })
    const bad = await reconcile('account;amount\n12-0012346;100\n')
    expect(bad.statusCode).toBe(422)
    expect(bad.json()).toMatchObject({ code: 'import_columns_missing' })
  })
})
