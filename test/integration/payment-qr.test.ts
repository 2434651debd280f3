import type { TestContext } from '../helper.ts'
import { DEMO, bearer } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { scanQrPng } from '../support/qr.ts'

let ctx: TestContext
let ivan: string
let anna: string
let accountId: string
let close: () => Promise<void>

beforeAll(async () => {
  ;({ ctx, ivan, anna, accountId, close } = await twoCustomers())
  const p = ctx.client.prisma
  await p.account.update({ where: { id: accountId }, data: { openingBalance: '1000.00' } })
  await p.charge.create({ data: { accountId, period: new Date('2026-10-01'), service: 'heat', kind: 'metered', quantity: '1.000', tariff: '2754.12', amount: '2754.12' } })
  await p.payment.createMany({
    data: [
      { accountId, amount: '1500.00', status: 'succeeded', provider: 'bank', externalId: 'a', paidAt: new Date('2026-10-20T05:00:00Z') },
      { accountId, amount: '100.00', status: 'pending', provider: 'bank', externalId: 'b', paidAt: new Date('2026-11-02T05:00:00Z') },
    ],
  })
})
afterAll(() => close())

const qr = (query: string, token = ivan, accept = 'application/json', id = accountId) =>
  ctx.app.inject({ method: 'GET', url: `/v1/accounts/${id}/payment-qr${query}`, headers: { ...bearer(token), accept } })

const field = (payload: string, name: string) => payload.split('|').find((f) => f.startsWith(`${name}=`))?.slice(name.length + 1)

describe('GET /v1/accounts/{id}/payment-qr', () => {
  it('asks for what the account owes now, pending payments deducted, with the supplier’s requisites', async () => {
    const res = await qr('')
    expect(res.statusCode).toBe(200)
    const body = res.json<{ payload: string; amount: string; accountNumber: string }>()
    // 1000.00 opening + 2754.12 charged − 1500.00 paid − 100.00 pending
    expect(body.amount).toBe('2154.12')
    expect(body.accountNumber).toBe('5400012345')
    expect(body.payload.startsWith('ST00012|Name=')).toBe(true)
    expect(field(body.payload, 'Sum')).toBe('215412')
    expect(field(body.payload, 'PersAcc')).toBe('5400012345')
    expect(field(body.payload, 'PayeeINN')).toBe('5406000018')
    expect(field(body.payload, 'BIC')).toBe('045004641')
    expect(field(body.payload, 'LastName')).toBe('Иванов')
    expect(field(body.payload, 'TechCode')).toBe('02')
  })

  it('asks for the amount the customer chose', async () => {
    const body = (await qr('?amount=500.5')).json<{ payload: string; amount: string }>()
    expect(body.amount).toBe('500.50')
    expect(field(body.payload, 'Sum')).toBe('50050')
  })

  it('leaves the sum out when nothing is owed', async () => {
    const water = await ctx.client.prisma.account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })
    const body = (await qr('', anna, 'application/json', water.id)).json<{ payload: string; amount: string | null }>()
    expect(body.amount).toBeNull()
    expect(field(body.payload, 'Sum')).toBeUndefined()
  })

  it('gives the code as a PNG that scans back to the payload, and as SVG', async () => {
    const { payload } = (await qr('?amount=1234.56')).json<{ payload: string }>()
    const png = await qr('?amount=1234.56', ivan, 'image/png')
    expect(png.statusCode).toBe(200)
    expect(png.headers['content-type']).toBe('image/png')
    expect(scanQrPng(png.rawPayload)?.text).toBe(payload)
    const svg = await qr('?amount=1234.56', ivan, 'image/svg+xml')
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/)
    expect(svg.body.startsWith('<svg')).toBe(true)
  })

  it.each(['0', '0.00', '-5', '1.234', 'abc', '1e3'])('refuses amount=%s with a pointer', async (amount) => {
    const res = await qr(`?amount=${amount}`)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ in: 'query', pointer: '#/amount' }] })
  })

  it('refuses when the supplier’s requisites cannot go on a QR, naming the fields', async () => {
    const account = await ctx.client.prisma.account.findUniqueOrThrow({ where: { id: accountId } })
    await ctx.client.prisma.supplier.update({ where: { id: account.supplierId }, data: { bankName: 'Б'.repeat(46) } })
    try {
      const res = await qr('')
      expect(res.statusCode).toBe(422)
      expect(res.json()).toMatchObject({ code: 'supplier_requisites_incomplete', fields: ['bankName'] })
    } finally {
      await ctx.client.prisma.supplier.update({ where: { id: account.supplierId }, data: { bankName: 'Сибирский банк ПАО Сбербанк' } })
    }
  })

  it("another customer's account is 404, and no token is 401", async () => {
    expect((await qr('', anna)).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/payment-qr` })).statusCode).toBe(401)
  })
})
