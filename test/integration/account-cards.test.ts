import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'

let ctx: TestContext
let operator: string
let waterOperator: string
let admin: string
let ivan: string
let heat: string
let close: () => Promise<void>
const p = () => ctx.client.prisma
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) })

beforeAll(async () => {
  ;({ ctx, ivan, close } = await twoCustomers())
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, await supplierId(ctx, 'gorvodokanal'))
  await createStaff(ctx, 'admin', 'root@abonent.test', STRONG_PASSWORD)
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  waterOperator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  admin = (await login(ctx, 'root@abonent.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => close())

describe('finding accounts', () => {
  it('finds by the beginning of the number, by surname and by address, within the operator’s supplier', async () => {
    const account = await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })
    const byNumber = (await get(`/v1/admin/accounts?q=${DEMO.ivanovHeat.number.slice(0, 6)}`, operator)).json()
    expect(byNumber.items.map((a: { id: string }) => a.id)).toContain(account.id)
    const bySurname = (await get(`/v1/admin/accounts?q=${encodeURIComponent('иванов')}`, operator)).json()
    expect(bySurname.items.map((a: { id: string }) => a.id)).toContain(account.id)
    expect(bySurname.items.every((a: { supplierId: string }) => a.supplierId === heat)).toBe(true)
    const byAddress = (await get(`/v1/admin/accounts?q=${encodeURIComponent(account.address.slice(3, 12))}`, operator)).json()
    expect(byAddress.items.map((a: { id: string }) => a.id)).toContain(account.id)
    expect(byNumber.items.find((a: { id: string }) => a.id === account.id)).toMatchObject({ linkedLogins: 1, status: 'active' })
    // Several words: each a word of the holder or the address, in any order ("Иванов 5", "Ленина 12").
    const street = account.address.split(/[^\p{L}\p{N}]+/u).filter((w) => /^\p{L}{4,}$/u.test(w)).pop()!
    const house = account.address.split(/[^\p{L}\p{N}]+/u).find((w) => /^\d+$/.test(w))!
    const byWords = (await get(`/v1/admin/accounts?q=${encodeURIComponent(`${house} ${street.slice(0, 5)} иван`)}`, operator)).json()
    expect(byWords.items.map((a: { id: string }) => a.id)).toContain(account.id)
    const wrongHouse = (await get(`/v1/admin/accounts?q=${encodeURIComponent(`${street} 99999`)}`, operator)).json()
    expect(wrongHouse.items.map((a: { id: string }) => a.id)).not.toContain(account.id)
    // Another supplier's operator finds none of them, and may not ask for this supplier.
    const other = (await get(`/v1/admin/accounts?q=${DEMO.ivanovHeat.number}`, waterOperator)).json()
    expect(other.items).toEqual([])
    expect((await get(`/v1/admin/accounts?q=540&supplierId=${heat}`, waterOperator)).json().code).toBe('supplier_not_found')
    expect((await get('/v1/admin/accounts?q=540', ivan)).statusCode).toBe(403)
  })

  it('treats % and _ as letters', async () => {
    const all = (await get('/v1/admin/accounts?q=%25%25%25', operator)).json()
    expect(all.items).toEqual([])
  })

  it('writes every search and card read to the audit log', async () => {
    const before = await p().auditLog.count({ where: { entity: 'account', action: 'read' } })
    await get('/v1/admin/accounts?q=540', operator)
    const account = await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })
    await get(`/v1/admin/accounts/${account.id}`, operator)
    expect(await p().auditLog.count({ where: { entity: 'account', action: 'read' } })).toBe(before + 2)
  })
})

describe('the account card', () => {
  it('shows the logins, readings, invoices, payments and tickets of one account of the operator’s supplier', async () => {
    const account = await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })
    await p().payment.create({ data: { accountId: account.id, amount: '700.00', status: 'succeeded', provider: 'bank:sberbank', externalId: 'card-1', paidAt: new Date('2026-11-10T05:00:00Z') } })
    const card = await get(`/v1/admin/accounts/${account.id}`, operator)
    expect(card.statusCode).toBe(200)
    expect(card.json()).toMatchObject({
      account: { id: account.id, number: DEMO.ivanovHeat.number, linkedLogins: 1 },
      logins: [{ email: 'ivan@example.test', role: 'customer' }],
      payments: [{ amount: '700.00', provider: 'bank:sberbank' }],
    })
    expect((await get(`/v1/admin/accounts/${account.id}`, waterOperator)).json().code).toBe('account_not_found')
  })

  it('lists suppliers for admins only', async () => {
    const list = (await get('/v1/admin/suppliers?limit=100', admin)).json()
    expect(list.items.map((s: { code: string }) => s.code)).toEqual(expect.arrayContaining(['gorvodokanal', 'sibteplo']))
    expect((await get('/v1/admin/suppliers', operator)).statusCode).toBe(403)
  })
})
