import type { TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'

let ctx: TestContext
let operator: string
let waterOperator: string
let heat: string
let close: () => Promise<void>

beforeAll(async () => {
  ;({ ctx, close } = await twoCustomers())
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, await supplierId(ctx, 'gorvodokanal'))
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  waterOperator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => close())

const put = (url: string, token: string, payload: object) => ctx.app.inject({ method: 'PUT', url, headers: bearer(token), payload })
const office = (name: string, latitude: number, longitude: number) => ({ name, address: `г. Новосибирск, ${name}`, hours: 'пн–пт 08:00–17:00', phones: ['+7 (383) 210-00-00'], latitude, longitude })

describe('offices', () => {
  it('lists them in the supplier’s order, or nearest first from a point, without a login', async () => {
    const set = await put(`/v1/admin/suppliers/${heat}/offices`, operator, {
      items: [office('Левый берег', 54.98, 82.89), office('Центр', 55.0302, 82.9204), office('Академгородок', 54.8553, 83.1057)],
    })
    expect(set.statusCode).toBe(200)
    const plain = await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/offices` })
    expect(plain.json().items.map((o: { name: string }) => o.name)).toEqual(['Левый берег', 'Центр', 'Академгородок'])
    expect(plain.headers['cache-control']).toBe('public, max-age=300')
    // From the opera house (55.0302, 82.9245): the centre, then the left bank, then Akademgorodok (~22 km).
    const near = (await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/offices?near=55.0302,82.9245` })).json().items
    expect(near.map((o: { name: string }) => o.name)).toEqual(['Центр', 'Левый берег', 'Академгородок'])
    expect(near[0].distanceKm).toBeCloseTo(0.3, 1)
    expect(near[2].distanceKm).toBeGreaterThan(20)
    expect(near[2].distanceKm).toBeLessThan(25)
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/offices?near=95.1,10` })).json()).toMatchObject({ status: 400, errors: [{ pointer: '#/near' }] })
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/offices?near=moscow` })).statusCode).toBe(400)
  })

  it('is kept by the supplier’s own operators only', async () => {
    expect((await put(`/v1/admin/suppliers/${heat}/offices`, waterOperator, { items: [] })).json().code).toBe('supplier_not_found')
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/suppliers/019af3c2-7d10-7c4e-9a51-3f0e2b6d8a14/offices' })).json().code).toBe('supplier_not_found')
  })
})

describe('contacts and questions', () => {
  it('keeps contacts per audience; one without a phone or mail is refused with a pointer', async () => {
    const bad = await put(`/v1/admin/suppliers/${heat}/contacts`, operator, { items: [{ audience: 'individuals', label: 'Абонентский отдел', phone: null, email: null }] })
    expect(bad.json()).toMatchObject({ code: 'contact_incomplete', errors: [{ pointer: '#/items/0' }] })
    const good = await put(`/v1/admin/suppliers/${heat}/contacts`, operator, {
      items: [
        { audience: 'emergency', label: 'Аварийная служба, круглосуточно', phone: '+7 (383) 230-00-03', email: null },
        { audience: 'organizations', label: 'Договорной отдел', phone: null, email: 'dogovor@sibteplo.example' },
      ],
    })
    expect(good.statusCode).toBe(200)
    const read = (await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/contacts` })).json().items
    expect(read.map((c: { audience: string }) => c.audience)).toEqual(['emergency', 'organizations'])
  })

  it('orders questions as given and filters by topic', async () => {
    await put(`/v1/admin/suppliers/${heat}/faq`, operator, {
      items: [
        { topic: 'Показания', question: 'До какого числа передавать показания?', answer: 'С 15 по 25 число.' },
        { topic: 'Оплата', question: 'Как оплатить без комиссии?', answer: 'В личном кабинете.' },
        { topic: 'Показания', question: 'Что если забыл передать?', answer: 'Начислим по среднему.' },
      ],
    })
    const all = (await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/faq` })).json().items
    expect(all.map((f: { question: string }) => f.question)).toEqual(['До какого числа передавать показания?', 'Как оплатить без комиссии?', 'Что если забыл передать?'])
    const readings = (await ctx.app.inject({ method: 'GET', url: `/v1/suppliers/${heat}/faq?topic=${encodeURIComponent('Показания')}` })).json().items
    expect(readings).toHaveLength(2)
    // Audited as a replacement by whom.
    expect(await ctx.client.prisma.auditLog.count({ where: { entity: 'faq', action: 'replace' } })).toBe(1)
  })
})
