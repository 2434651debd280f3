import { setClock } from '../../src/common/clock.ts'
import type { ApiKeyIssued } from '../../src/aggregator/schemas.ts'
import type { Payment } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { atOnce } from '../support/races.ts'

const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let anna: string
let operator: string
let water: string
let heat: string
let annaAccount: string
let key: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const staff = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })
const bank = (method: 'GET' | 'POST', url: string, apiKey: string | null, payload?: object) =>
  ctx.app.inject({ method, url, headers: apiKey ? { 'x-api-key': apiKey } : {}, ...(payload ? { payload } : {}) })

async function issue(scopes: string[], supplier = water): Promise<ApiKeyIssued> {
  const answer = await staff('POST', '/v1/admin/api-keys', operator, { supplierId: supplier, name: 'СберБанк Онлайн', client: 'sberbank', scopes })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<ApiKeyIssued>()
}

const lookup = (apiKey: string | null, accountNumber: string = DEMO.semenovaWater.number, supplier = water) =>
  bank('GET', `/v1/aggregator/accounts/lookup?supplierId=${supplier}&accountNumber=${encodeURIComponent(accountNumber)}`, apiKey)

const report = (apiKey: string, overrides: Record<string, unknown> = {}) =>
  bank('POST', '/v1/aggregator/payments', apiKey, {
    supplierId: water,
    accountNumber: DEMO.semenovaWater.number,
    amount: '1000.00',
    externalId: 'SBOL-1',
    paidAt: '2026-11-26T09:41:12+07:00',
    method: 'СберБанк Онлайн',
    ...overrides,
  })

const balance = async () => (await staff('GET', `/v1/accounts/${annaAccount}`, anna)).json<{ balance: { balance: string } }>().balance.balance

beforeAll(async () => {
  ;({ ctx, anna, close } = await twoCustomers({ clock }))
  water = await supplierId(ctx, 'gorvodokanal')
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
  await p().account.update({ where: { id: annaAccount }, data: { openingBalance: '2345.67' } })
  key = (await issue(['accounts:lookup', 'payments:write'])).key
})
afterAll(() => close())

describe('API keys', () => {
  it('are shown once, kept hashed, listed without the key, and audited', async () => {
    const issued = await issue(['accounts:lookup'])
    expect(issued.key).toMatch(/^abk_[A-Za-z0-9_-]{43}$/)
    expect(issued.prefix).toBe(issued.key.slice(0, 12))
    const list = await staff('GET', '/v1/admin/api-keys', operator)
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(issued.key)
    expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(issued.id)
    const [row] = await p().$queryRaw<{ keyHash: string }[]>`SELECT "keyHash" FROM api_key WHERE id = ${issued.id}::uuid`
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/)
    expect(await p().auditLog.count({ where: { entity: 'api_key', entityId: issued.id, action: 'create' } })).toBe(1)
  })

  it('an operator cannot issue one for another supplier; a customer cannot issue any', async () => {
    const other = await staff('POST', '/v1/admin/api-keys', operator, { supplierId: heat, name: 'x', client: 'sberbank', scopes: ['accounts:lookup'] })
    expect(other.statusCode).toBe(403)
    expect((await staff('POST', '/v1/admin/api-keys', anna, { supplierId: water, name: 'x', client: 'sberbank', scopes: ['accounts:lookup'] })).statusCode).toBe(403)
  })

  it('refuses a missing, malformed, unknown or revoked key, a missing scope and another supplier', async () => {
    expect((await lookup(null)).json()).toMatchObject({ code: 'api_key_missing' })
    expect((await lookup('not-a-key')).json()).toMatchObject({ code: 'api_key_invalid' })
    expect((await lookup(`abk_${'A'.repeat(43)}`)).json()).toMatchObject({ code: 'api_key_invalid' })
    const lookupOnly = await issue(['accounts:lookup'])
    const noScope = await report(lookupOnly.key)
    expect(noScope.statusCode).toBe(403)
    expect(noScope.json()).toMatchObject({ code: 'api_key_scope_missing' })
    const elsewhere = await lookup(key, DEMO.ivanovHeat.number, heat)
    expect(elsewhere.statusCode).toBe(403)
    expect(elsewhere.json()).toMatchObject({ code: 'api_key_supplier_mismatch' })
    expect((await lookup(lookupOnly.key)).statusCode).toBe(200)
    expect((await staff('DELETE', `/v1/admin/api-keys/${lookupOnly.id}`, operator)).statusCode).toBe(204)
    expect((await staff('DELETE', `/v1/admin/api-keys/${lookupOnly.id}`, operator)).statusCode).toBe(204)
    const revoked = await lookup(lookupOnly.key)
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json()).toMatchObject({ code: 'api_key_invalid' })
  })
})

describe('the account lookup', () => {
  it('shows the masked holder and address, the amount due and the QR that pays it; records the key’s last use', async () => {
    const answer = await lookup(key)
    expect(answer.statusCode).toBe(200)
    const body = answer.json<{ holder: string; address: string; amountDue: string; qrPayload: string; accountNumber: string }>()
    expect(body).toMatchObject({ accountNumber: '12-0012346', holder: 'С******а А. С.', address: 'г. Новосибирск, ул. Ленина, д. *, кв. *', period: null })
    expect(body.amountDue).toBe(await balance())
    expect(body.qrPayload).toContain(`|PersAcc=12-0012346|`)
    expect(body.qrPayload).toContain(`|Sum=${body.amountDue.replace('.', '')}|`)
    expect(answer.body).not.toContain('Семёнова')
    expect(answer.body).not.toContain('кв. 6')
    const [row] = await p().$queryRaw<{ lastUsedAt: Date | null }[]>`SELECT "lastUsedAt" FROM api_key WHERE prefix = ${key.slice(0, 12)}`
    expect(row!.lastUsedAt).not.toBeNull()
  })

  it('answers 404 for an unknown account and 422 for a number the supplier cannot have', async () => {
    const unknown = await lookup(key, '12-9999999')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'account_not_found' })
    expect((await lookup(key, 'abc')).json()).toMatchObject({ code: 'account_number_invalid' })
  })
})

describe('payments reported by a bank', () => {
  it('are recorded settled at once and lower the balance; the same report again is the same payment', async () => {
    const before = Number(await balance())
    const first = await report(key)
    expect(first.statusCode).toBe(201)
    const payment = first.json<Payment>()
    expect(payment).toMatchObject({ status: 'succeeded', amount: '1000.00', provider: 'bank:sberbank', method: 'СберБанк Онлайн', paidAt: '2026-11-26T02:41:12.000Z' })
    expect(Number(await balance())).toBeCloseTo(before - 1000, 2)
    const again = await report(key)
    expect(again.statusCode).toBe(200)
    expect(again.json<Payment>().id).toBe(payment.id)
    expect(Number(await balance())).toBeCloseTo(before - 1000, 2)
    const events = await p().paymentEvent.findMany({ where: { paymentId: payment.id } })
    expect(events).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'succeeded', actor: 'bank' })])
  })

  it('the same external id with another amount or account is refused: 409 payment_conflict', async () => {
    const other = await report(key, { amount: '1000.01' })
    expect(other.statusCode).toBe(409)
    expect(other.json()).toMatchObject({ code: 'payment_conflict' })
    expect((await report(key, { accountNumber: DEMO.petrovWater.number })).json()).toMatchObject({ code: 'payment_conflict' })
  })

  it('ten identical reports at once, ten times over: exactly one payment each', async () => {
    for (let round = 0; round < 10; round++) {
      const externalId = `SBOL-race-${round}`
      const answers = await atOnce(10, () => report(key, { externalId, amount: '1.00' }))
      expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1)
      expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(9)
      expect(new Set(answers.map((a) => a.json<Payment>().id)).size).toBe(1)
      expect(await p().payment.count({ where: { provider: 'bank:sberbank', externalId: `${water}:${externalId}` } })).toBe(1)
    }
  })

  it('refuses a payment dated in the future and malformed amounts', async () => {
    expect((await report(key, { externalId: 'SBOL-future', paidAt: '2026-11-26T06:00:00Z' })).json()).toMatchObject({ code: 'paid_at_in_future' })
    for (const amount of ['0', '-1', '1.001', '10000000']) {
      expect((await report(key, { externalId: `SBOL-${amount}`, amount })).statusCode).toBe(400)
    }
  })
})
