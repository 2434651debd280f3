import { setClock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { atOnce } from '../support/races.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'

let ctx: TestContext
let water: string
let operator: string
let otherOperator: string
let admin: string
const p = () => ctx.client.prisma

beforeAll(async () => {
  ctx = await buildTestApp({}, { clock: setClock('2026-11-22T05:00:00Z') })
  await seedDemoData(p())
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, await supplierId(ctx, 'sibteplo'))
  await createStaff(ctx, 'admin', 'admin@abonent.test', STRONG_PASSWORD)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  otherOperator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  admin = (await login(ctx, 'admin@abonent.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => ctx.close())

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
const normative = (from: string, to: string | null, quantity = '6.935') => ({ supplierId: water, service: 'cold_water', basis: 'per_resident', quantity, unit: 'м³', effectiveFrom: from, effectiveTo: to })

describe('normatives', () => {
  it('a supplier’s operator adds versions; overlapping ones are refused, naming the version in the way', async () => {
    const current = await call('POST', '/v1/admin/normatives', operator, normative('2026-01-01', '2026-12-31'))
    expect(current.statusCode).toBe(201)
    expect(current.json()).toMatchObject({ quantity: '6.935000', inForce: true, effectiveTo: '2026-12-31' })
    const clash = await call('POST', '/v1/admin/normatives', operator, normative('2026-12-01', null))
    expect(clash.json()).toMatchObject({ status: 409, code: 'normative_overlap', overlaps: [{ id: current.json().id }] })
    const next = await call('POST', '/v1/admin/normatives', operator, normative('2027-01-01', null, '7.1'))
    expect(next.json()).toMatchObject({ inForce: false })
    // Per m² is another thing: it may overlap the per-resident versions.
    expect((await call('POST', '/v1/admin/normatives', operator, { ...normative('2026-01-01', null), basis: 'per_area' })).statusCode).toBe(201)
    expect(await p().auditLog.count({ where: { entity: 'normative', action: 'create' } })).toBe(3)
  })

  it('two overlapping versions at once: one stored, the other 409 (50 rounds)', async () => {
    for (let round = 0; round < 50; round++) {
      const year = 2200 + round
      const answers = await atOnce(2, (i) => call('POST', '/v1/admin/normatives', i ? operator : admin, { ...normative(`${year}-01-0${i + 1}`, `${year}-03-31`), service: 'wastewater' }))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409])
    }
  })

  it('a version in force keeps its figures and ends today at the earliest; one not in force yet may change or go', async () => {
    const list = await call('GET', `/v1/admin/normatives?supplierId=${water}&service=cold_water&at=2026-11-22`, operator)
    const current = list.json().items.find((n: { basis: string }) => n.basis === 'per_resident')
    expect(current).toMatchObject({ inForce: true })
    const url = `/v1/admin/normatives/${current.id}`
    expect((await call('PATCH', url, operator, { quantity: '7' })).json()).toMatchObject({ status: 409, code: 'version_in_force' })
    expect((await call('PATCH', url, operator, { effectiveTo: '2026-11-01' })).json()).toMatchObject({ status: 409, code: 'version_in_force' })
    expect((await call('PATCH', url, operator, { effectiveTo: '2026-11-30' })).json()).toMatchObject({ effectiveTo: '2026-11-30' })
    expect((await call('DELETE', url, operator)).json()).toMatchObject({ status: 409, code: 'version_in_force' })
    const later = (await call('GET', `/v1/admin/normatives?supplierId=${water}&service=cold_water&at=2027-06-01`, operator)).json().items.find((n: { basis: string }) => n.basis === 'per_resident')
    expect((await call('PATCH', `/v1/admin/normatives/${later.id}`, operator, { quantity: '7.25' })).json()).toMatchObject({ quantity: '7.250000' })
    // Ending the current one on the 30th left December open: the later one may start earlier now.
    expect((await call('PATCH', `/v1/admin/normatives/${later.id}`, operator, { effectiveTo: '2026-11-15' })).json()).toMatchObject({ status: 422, code: 'effective_dates_invalid' })
    expect((await call('DELETE', `/v1/admin/normatives/${later.id}`, operator)).statusCode).toBe(204)
    const trail = await p().auditLog.findMany({ where: { entity: 'normative', entityId: later.id }, orderBy: { at: 'asc' } })
    expect(trail.map((t) => t.action)).toEqual(['create', 'update', 'delete'])
  })

  it('another supplier’s operator sees and changes nothing; bad input gets its code', async () => {
    const own = (await call('GET', `/v1/admin/normatives?supplierId=${water}`, operator)).json().items[0]
    expect((await call('GET', `/v1/admin/normatives?supplierId=${water}`, otherOperator)).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
    expect((await call('PATCH', `/v1/admin/normatives/${own.id}`, otherOperator, { unit: 'л' })).json()).toMatchObject({ status: 404, code: 'normative_not_found' })
    expect((await call('DELETE', `/v1/admin/normatives/${own.id}`, otherOperator)).statusCode).toBe(404)
    expect((await call('POST', '/v1/admin/normatives', otherOperator, normative('2030-01-01', null))).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
    expect((await call('POST', '/v1/admin/normatives', operator, { ...normative('2030-01-01', null), service: 'gas' })).json()).toMatchObject({ status: 422, code: 'service_not_supplied' })
    expect((await call('POST', '/v1/admin/normatives', operator, normative('2030-02-01', '2030-01-01'))).json()).toMatchObject({ status: 422, code: 'effective_dates_invalid' })
    expect((await call('POST', '/v1/admin/normatives', operator, { ...normative('2030-01-01', null), quantity: '-1' })).statusCode).toBe(400)
    expect((await call('GET', '/v1/admin/normatives', operator)).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
  })
})

describe('increasing coefficients and key rates (the installation’s, by law)', () => {
  it('come seeded: 1.5, cold water 3.0 from 2025-12-06; key rate 9.5 %', async () => {
    const cold = (await call('GET', '/v1/admin/increasing-coefficients?service=cold_water&at=2026-11-22', operator)).json().items
    expect(cold).toEqual([expect.objectContaining({ value: '3.000', effectiveFrom: '2025-12-06', inForce: true })])
    const before = (await call('GET', '/v1/admin/increasing-coefficients?service=cold_water&at=2025-12-05', operator)).json().items
    expect(before).toEqual([expect.objectContaining({ value: '1.500', effectiveTo: '2025-12-05' })])
    expect((await call('GET', '/v1/admin/key-rates', operator)).json().items).toEqual([expect.objectContaining({ effectiveFrom: '2025-01-01', percent: '9.50', inForce: true })])
  })

  it('only admins change them; overlaps and duplicate days are refused; what was in force stays', async () => {
    expect((await call('POST', '/v1/admin/increasing-coefficients', operator, { service: 'gas', value: '1.5', effectiveFrom: '2027-01-01' })).statusCode).toBe(403)
    const gas = await call('POST', '/v1/admin/increasing-coefficients', admin, { service: 'gas', value: '1.5', effectiveFrom: '2027-01-01' })
    expect(gas.json()).toMatchObject({ service: 'gas', value: '1.500', inForce: false })
    expect((await call('POST', '/v1/admin/increasing-coefficients', admin, { service: 'cold_water', value: '2', effectiveFrom: '2027-01-01' })).json()).toMatchObject({
      status: 409,
      code: 'coefficient_overlap',
    })
    expect((await call('POST', '/v1/admin/increasing-coefficients', admin, { service: 'gas', value: '0.5', effectiveFrom: '2028-01-01' })).json()).toMatchObject({ status: 422, code: 'coefficient_below_one' })
    expect((await call('DELETE', `/v1/admin/increasing-coefficients/${gas.json().id}`, admin)).statusCode).toBe(204)

    expect((await call('POST', '/v1/admin/key-rates', operator, { effectiveFrom: '2026-12-22', percent: '16.5' })).statusCode).toBe(403)
    const rate = await call('POST', '/v1/admin/key-rates', admin, { effectiveFrom: '2026-12-22', percent: '16.5' })
    expect(rate.json()).toMatchObject({ percent: '16.50', inForce: false })
    expect((await call('POST', '/v1/admin/key-rates', admin, { effectiveFrom: '2026-12-22', percent: '16' })).json()).toMatchObject({ status: 409, code: 'key_rate_exists' })
    const seeded = (await call('GET', '/v1/admin/key-rates', admin)).json().items.find((r: { effectiveFrom: string }) => r.effectiveFrom === '2025-01-01')
    expect((await call('DELETE', `/v1/admin/key-rates/${seeded.id}`, admin)).json()).toMatchObject({ status: 409, code: 'version_in_force' })
    expect((await call('DELETE', `/v1/admin/key-rates/${rate.json().id}`, admin)).statusCode).toBe(204)
    expect((await call('DELETE', `/v1/admin/key-rates/${rate.json().id}`, admin)).json()).toMatchObject({ status: 404, code: 'key_rate_not_found' })
    expect(await p().auditLog.count({ where: { entity: { in: ['key_rate', 'increasing_coefficient'] } } })).toBe(4)
  })
})
