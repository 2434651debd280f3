import { setClock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { atOnce } from '../support/races.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let water: string
let heat: string
let operator: string
let otherOperator: string
let admin: string
let customer: string
const p = () => ctx.client.prisma

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url }, { clock: setClock('2026-11-22T05:00:00Z') })
  await seedDemoData(p())
  water = await supplierId(ctx, 'gorvodokanal')
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  otherOperator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  admin = (await login(ctx, 'admin@abonent.test', STRONG_PASSWORD)).accessToken
  customer = (await signUp(ctx, smtp, 'semenova@example.test', DEMO.semenovaWater)).accessToken
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const create = (token: string, body: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/v1/admin/tariffs', headers: bearer(token), payload: body })
const coldWater = (from: string, to: string | null, price = '52.4500') => ({ supplierId: water, service: 'cold_water', basis: 'metered', price, unit: 'м³', effectiveFrom: from, effectiveTo: to })

describe('tariff versions', () => {
  let current: string

  it('an operator adds versions of their supplier; versions of one service and zone cannot overlap', async () => {
    const first = await create(operator, coldWater('2026-07-01', '2026-12-31'))
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ service: 'cold_water', zone: 'T1', price: '52.4500', effectiveTo: '2026-12-31', inUse: false })
    current = first.json().id
    const next = await create(operator, coldWater('2027-01-01', null, '54.1'))
    expect(next.statusCode).toBe(201)
    const clash = await create(operator, coldWater('2026-12-15', '2027-02-01', '60'))
    expect(clash.statusCode).toBe(409)
    expect(clash.json()).toMatchObject({ code: 'tariff_overlap', errors: [{ pointer: '#/effectiveFrom' }] })
    expect(clash.json().overlaps.map((o: { id: string }) => o.id)).toEqual([current, next.json().id])
    const audited = await p().auditLog.count({ where: { entity: 'tariff', action: 'create' } })
    expect(audited).toBe(2)
  })

  it('two overlapping versions added at once: exactly one is stored, the other gets tariff_overlap (50 rounds)', async () => {
    for (let round = 0; round < 50; round++) {
      const year = 2100 + round
      const answers = await atOnce(2, (i) => create(i ? operator : admin, { ...coldWater(`${year}-01-0${i + 1}`, `${year}-06-30`), service: 'wastewater' }))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409])
      expect(await p().tariff.count({ where: { supplierId: water, service: 'wastewater', effectiveFrom: { gte: new Date(`${year}-01-01`), lte: new Date(`${year}-12-31`) } } })).toBe(1)
    }
  })

  it('refuses what does not fit the supplier: a service it does not supply, zones off electricity, a version ending before it starts', async () => {
    expect((await create(operator, { ...coldWater('2030-01-01', null), service: 'gas' })).json()).toMatchObject({ status: 422, code: 'service_not_supplied' })
    expect((await create(operator, { ...coldWater('2030-01-01', null), zone: 'T2' })).json()).toMatchObject({ status: 422, code: 'zone_not_applicable' })
    expect((await create(operator, coldWater('2030-02-01', '2030-01-31'))).json()).toMatchObject({ status: 422, code: 'effective_dates_invalid' })
    expect((await create(operator, { ...coldWater('2030-01-01', null), price: '-1' })).statusCode).toBe(400)
    expect((await create(operator, { ...coldWater('2030-01-01', null), price: 52.45 })).statusCode).toBe(400)
  })

  it('another supplier’s operator sees and changes nothing of it; customers are not staff', async () => {
    expect((await create(otherOperator, coldWater('2031-01-01', null))).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/admin/tariffs?supplierId=${water}`, headers: bearer(otherOperator) })
    expect(list.statusCode).toBe(404)
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/admin/tariffs/${current}`, headers: bearer(otherOperator), payload: { price: '1' } })
    expect(patch.json()).toMatchObject({ status: 404, code: 'tariff_not_found' })
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/admin/tariffs/${current}`, headers: bearer(otherOperator) })).statusCode).toBe(404)
    expect((await create(customer, coldWater('2031-01-01', null))).statusCode).toBe(403)
  })

  it('lists a supplier’s versions in pages, and those in force on a day', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: `/v1/admin/tariffs?supplierId=${water}&limit=1`, headers: bearer(operator) })
    expect(page.json().items).toHaveLength(1)
    expect(page.json().nextCursor).toEqual(expect.any(String))
    const second = await ctx.app.inject({ method: 'GET', url: `/v1/admin/tariffs?supplierId=${water}&limit=1&cursor=${page.json().nextCursor}`, headers: bearer(operator) })
    expect(second.json().items[0].id).not.toBe(page.json().items[0].id)
    const inForce = await ctx.app.inject({ method: 'GET', url: `/v1/admin/tariffs?supplierId=${water}&at=2026-11-22`, headers: bearer(operator) })
    expect(inForce.json().items.map((t: { id: string }) => t.id)).toEqual([current])
    const bad = await ctx.app.inject({ method: 'GET', url: `/v1/admin/tariffs?supplierId=${water}&cursor=nonsense`, headers: bearer(operator) })
    expect(bad.json()).toMatchObject({ status: 400, code: 'invalid_cursor' })
  })

  it('a version that priced charges keeps its price and cannot end before the last day it priced; an unused one may be deleted', async () => {
    const account = await p().account.findFirstOrThrow({ where: { supplierId: water, number: DEMO.semenovaWater.number } })
    await p().charge.create({
      data: { accountId: account.id, period: new Date('2026-10-01'), service: 'cold_water', kind: 'metered', quantity: '5.000', tariff: '52.4500', amount: '262.25', tariffId: current },
    })
    const url = `/v1/admin/tariffs/${current}`
    const repriced = await ctx.app.inject({ method: 'PATCH', url, headers: bearer(operator), payload: { price: '53' } })
    expect(repriced.json()).toMatchObject({ status: 409, code: 'tariff_in_use' })
    const samePrice = await ctx.app.inject({ method: 'PATCH', url, headers: bearer(operator), payload: { price: '52.45' } })
    expect(samePrice.statusCode).toBe(200)
    const tooEarly = await ctx.app.inject({ method: 'PATCH', url, headers: bearer(operator), payload: { effectiveTo: '2026-10-30' } })
    expect(tooEarly.json()).toMatchObject({ status: 409, code: 'tariff_in_use' })
    const ended = await ctx.app.inject({ method: 'PATCH', url, headers: bearer(operator), payload: { effectiveTo: '2026-12-20' } })
    expect(ended.json()).toMatchObject({ effectiveTo: '2026-12-20', inUse: true })
    const deleteUsed = await ctx.app.inject({ method: 'DELETE', url, headers: bearer(operator) })
    expect(deleteUsed.json()).toMatchObject({ status: 409, code: 'tariff_in_use' })
    const spare = (await create(operator, { ...coldWater('2040-01-01', '2040-12-31'), service: 'wastewater' })).json().id as string
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/admin/tariffs/${spare}`, headers: bearer(operator) })).statusCode).toBe(204)
    const trail = await p().auditLog.findMany({ where: { entity: 'tariff', entityId: current, action: 'update' }, orderBy: { at: 'asc' } })
    expect(trail.at(-1)).toMatchObject({ before: expect.objectContaining({ effectiveTo: '2026-12-31' }), after: expect.objectContaining({ effectiveTo: '2026-12-20' }) })
  })

  it('a customer sees the tariffs of the account’s services in force today and upcoming; not another account’s', async () => {
    const account = await p().account.findFirstOrThrow({ where: { supplierId: water, number: DEMO.semenovaWater.number } })
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${account.id}/tariffs`, headers: bearer(customer) })
    expect(res.statusCode).toBe(200)
    expect(res.json().today).toBe('2026-11-22')
    const cold = res.json().items.filter((t: { service: string }) => t.service === 'cold_water')
    // In force today (ended on 2026-12-20 above), then the 2027 version.
    expect(cold.slice(0, 2).map((t: { price: string; status: string; effectiveTo: string | null }) => [t.price, t.status, t.effectiveTo])).toEqual([
      ['52.4500', 'in_force', '2026-12-20'],
      ['54.1000', 'upcoming', null],
    ])
    const other = await p().account.findFirstOrThrow({ where: { number: DEMO.petrovWater.number } })
    const refused = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${other.id}/tariffs`, headers: bearer(customer) })
    expect(refused.json()).toMatchObject({ status: 404, code: 'account_not_found' })
  })

  it('the reading preview prices the consumption: the meter’s service and wastewater on its volume, pro rata where a tariff changes', async () => {
    const account = await p().account.findFirstOrThrow({ where: { supplierId: water, number: DEMO.semenovaWater.number } })
    const meter = await p().meter.create({ data: { accountId: account.id, service: 'cold_water', serialNumber: 'ХВС-7700001', digitCapacity: 5, verificationDueAt: new Date('2030-01-01') } })
    await p().reading.create({
      data: { meterId: meter.id, accountId: account.id, period: new Date('2026-10-01'), t1: '100.000', takenAt: new Date('2026-10-20T05:00:00Z'), source: 'customer', status: 'accepted' },
    })
    await create(operator, { ...coldWater('2026-01-01', '2026-11-15', '40'), service: 'wastewater' })
    await create(operator, { ...coldWater('2026-11-16', '2026-12-31', '43'), service: 'wastewater' })
    const preview = await ctx.app.inject({
      method: 'POST',
      url: `/v1/accounts/${account.id}/readings/preview`,
      headers: bearer(customer),
      payload: { meterId: meter.id, values: { T1: '107.200' } },
    })
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toMatchObject({ period: '2026-11', consumption: { T1: '7.200' } })
    // Cold water at 52.45 all month (the version ends 2026-12-20); wastewater 15 days at 40, 15 at 43.
    expect(preview.json().cost).toEqual({
      amount: '676.44',
      lines: [
        { service: 'cold_water', zone: 'T1', from: '2026-11-01', to: '2026-11-30', quantity: '7.200', price: '52.4500', amount: '377.64' },
        { service: 'wastewater', zone: 'T1', from: '2026-11-01', to: '2026-11-15', quantity: '3.600', price: '40.0000', amount: '144.00' },
        { service: 'wastewater', zone: 'T1', from: '2026-11-16', to: '2026-11-30', quantity: '3.600', price: '43.0000', amount: '154.80' },
      ],
    })
    // Nothing is saved by a preview.
    expect(await p().reading.count({ where: { meterId: meter.id } })).toBe(1)
  })

  it('the preview has no cost when no tariff covers the whole period', async () => {
    const account = await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })
    const meter = await p().meter.findFirstOrThrow({ where: { accountId: account.id } })
    const ivan = (await signUp(ctx, smtp, 'ivan.t@example.test', DEMO.ivanovHeat)).accessToken
    await p().reading.create({
      data: { meterId: meter.id, accountId: account.id, period: new Date('2026-10-01'), t1: '10.000', takenAt: new Date('2026-10-20T05:00:00Z'), source: 'customer', status: 'accepted' },
    })
    const preview = await ctx.app.inject({ method: 'POST', url: `/v1/accounts/${account.id}/readings/preview`, headers: bearer(ivan), payload: { meterId: meter.id, values: { T1: '12.000' } } })
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toMatchObject({ consumption: { T1: '2.000' }, cost: null })
  })
})
