import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, accessCodeOf, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let admin: string
let heatOp: string
let waterOp: string
let customer: string
let heat: string

const NEW_SUPPLIER = {
  code: 'gazprom-demo',
  name: 'Общество с ограниченной ответственностью «Газ-Демо»',
  shortName: 'ООО «Газ-Демо»',
  inn: '7707083893',
  kpp: '770701001',
  bankName: 'ПАО Сбербанк',
  bik: '044525225',
  settlementAccount: '40702810538000000003',
  correspondentAccount: '30101810400000000225',
  services: ['gas'],
  accountNumberFormat: { pattern: '^\\d{8}$', example: '10000001', shortForm: null },
  readingWindow: { startDay: 15, endDay: 25 },
  paymentDueDay: 15,
  timeZone: 'Europe/Moscow',
}

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'admin', 'root@example.test', 'administrator passphrase 2026')
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  await createStaff(ctx, 'operator', 'op@water.test', 'operator passphrase water 1', await supplierId(ctx, 'gorvodokanal'))
  admin = (await login(ctx, 'root@example.test', 'administrator passphrase 2026')).accessToken
  heatOp = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
  waterOp = (await login(ctx, 'op@water.test', 'operator passphrase water 1')).accessToken
  customer = (await signUp(ctx, smtp, 'c@example.test', DEMO.ivanovHeat)).accessToken
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

describe('suppliers (admin)', () => {
  it('creates a supplier whose requisites pass their check digits; it appears in the public list', async () => {
    const res = await call('POST', '/v1/admin/suppliers', admin, NEW_SUPPLIER)
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ code: 'gazprom-demo', inn: '7707083893', accountNumberFormat: { example: '10000001' } })
    const list = (await ctx.app.inject({ method: 'GET', url: '/v1/suppliers?limit=100' })).json().items
    expect(list.map((s: { code: string }) => s.code)).toContain('gazprom-demo')
  })

  it('names every invalid requisite at once and stores nothing', async () => {
    const res = await call('POST', '/v1/admin/suppliers', admin, {
      ...NEW_SUPPLIER,
      code: 'broken',
      inn: '7707083894',
      settlementAccount: '40702810538000000004',
      timeZone: 'Mars/Olympus',
      readingWindow: { startDay: 26, endDay: 25 },
      accountNumberFormat: { pattern: '^\\d{8}$', example: '1000', shortForm: null },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('supplier_settings_invalid')
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      ['#/accountNumberFormat/pattern', '#/inn', '#/readingWindow', '#/settlementAccount', '#/timeZone'].sort(),
    )
    expect(await ctx.client.prisma.supplier.count({ where: { code: 'broken' } })).toBe(0)
  })

  it('refuses a taken code with 409', async () => {
    expect((await call('POST', '/v1/admin/suppliers', admin, NEW_SUPPLIER)).statusCode).toBe(409)
  })

  it('updates settings, checking the result as a whole, and audits the change', async () => {
    const gas = await supplierId(ctx, 'gazprom-demo')
    const bad = await call('PATCH', `/v1/admin/suppliers/${gas}`, admin, { bik: '045004641' })
    expect(bad.statusCode).toBe(422) // the old accounts do not belong to the new bank
    const ok = await call('PATCH', `/v1/admin/suppliers/${gas}`, admin, { readingWindow: { startDay: 20, endDay: 25 } })
    expect(ok.json().readingWindow).toEqual({ startDay: 20, endDay: 25 })
    const log = (await call('GET', `/v1/admin/audit-log?entity=supplier&entityId=${gas}`, admin)).json().items
    expect(log.map((e: { action: string }) => e.action)).toEqual(['update', 'create'])
    expect(log[0].before.readingWindow).toEqual({ startDay: 15, endDay: 25 })
    expect(log[0].after.readingWindow).toEqual({ startDay: 20, endDay: 25 })
  })

  it('operators read their own supplier’s settings only; only admins change them', async () => {
    expect((await call('GET', `/v1/admin/suppliers/${heat}`, heatOp)).statusCode).toBe(200)
    expect((await call('GET', `/v1/admin/suppliers/${heat}`, waterOp)).statusCode).toBe(404)
    expect((await call('PATCH', `/v1/admin/suppliers/${heat}`, heatOp, { paymentDueDay: 10 })).statusCode).toBe(403)
    expect((await call('POST', '/v1/admin/suppliers', customer, NEW_SUPPLIER)).statusCode).toBe(403)
  })
})

describe('accounts and meters (operators)', () => {
  let accountId: string
  let meterId: string

  it('creates an account with the import rules and audits it', async () => {
    const res = await call('POST', `/v1/admin/suppliers/${heat}/accounts`, heatOp, {
      number: '5400090001',
      address: 'г. Новосибирск, ул. Новая, д. 1',
      holderSurname: 'Новикова',
      services: ['heat'],
      areaM2: '45,5',
      openingBalance: '-120.00',
    })
    expect(res.statusCode).toBe(201)
    accountId = res.json().id
    expect(res.json()).toMatchObject({ number: '5400090001', areaM2: '45.50', balance: { balance: '-120.00', toPay: '0.00' } })
    expect((await call('POST', `/v1/admin/suppliers/${heat}/accounts`, heatOp, { number: '5400090001', address: 'x', holderSurname: 'y', services: [] })).statusCode).toBe(409)
    const wrong = await call('POST', `/v1/admin/suppliers/${heat}/accounts`, heatOp, { number: '54', address: 'x', holderSurname: 'y', services: ['gas'] })
    expect(wrong.json().code).toBe('account_number_invalid')
  })

  it("cannot touch another supplier's register (404)", async () => {
    expect((await call('POST', `/v1/admin/suppliers/${heat}/accounts`, waterOp, { number: '5400090002', address: 'x', holderSurname: 'y', services: [] })).statusCode).toBe(404)
    expect((await call('PATCH', `/v1/admin/accounts/${accountId}`, waterOp, { residentsCount: 9 })).statusCode).toBe(404)
    expect((await call('PATCH', `/v1/admin/accounts/${accountId}`, customer, { residentsCount: 9 })).statusCode).toBe(403)
  })

  it('corrects an account, keeping before and after in the audit log', async () => {
    const res = await call('PATCH', `/v1/admin/accounts/${accountId}`, heatOp, { residentsCount: 3, services: ['heat', 'hot_water'] })
    expect(res.json()).toMatchObject({ residentsCount: 3, services: ['heat', 'hot_water'] })
    const [entry] = (await call('GET', `/v1/admin/audit-log?entity=account&entityId=${accountId}&limit=1`, heatOp)).json().items
    expect(entry).toMatchObject({ action: 'update', actorRole: 'operator', before: { residentsCount: 1 }, after: { residentsCount: 3 }, requestId: expect.any(String) })
  })

  it('adds a meter and replaces it: the old one stays as replaced', async () => {
    const added = await call('POST', `/v1/admin/accounts/${accountId}/meters`, heatOp, { service: 'hot_water', serialNumber: 'HW-1', verificationDueAt: '2030-01-01' })
    expect(added.statusCode).toBe(201)
    meterId = added.json().meters[0].id
    const replaced = await call('POST', `/v1/admin/meters/${meterId}/replace`, heatOp, { serialNumber: 'HW-2', installedAt: '2026-11-20', verificationDueAt: '2032-11-20' })
    expect(replaced.statusCode).toBe(201)
    const meters = replaced.json().meters
    expect(meters.map((m: { serialNumber: string; status: string }) => [m.serialNumber, m.status])).toEqual([['HW-2', 'active'], ['HW-1', 'replaced']])
    const old = await ctx.client.prisma.meter.findUniqueOrThrow({ where: { id: meterId } })
    expect(old.replacedById).toBe(meters[0].id)
    expect((await call('POST', `/v1/admin/meters/${meterId}/replace`, heatOp, { serialNumber: 'HW-3', installedAt: '2026-11-21' })).statusCode).toBe(409)
  })

  it('corrects a meter’s verification date, refusing impossible dates', async () => {
    const active = (await ctx.client.prisma.meter.findFirstOrThrow({ where: { serialNumber: 'HW-2' } })).id
    expect((await call('PATCH', `/v1/admin/meters/${active}`, heatOp, { verificationDueAt: '2033-01-31' })).statusCode).toBe(200)
    expect((await call('PATCH', `/v1/admin/meters/${active}`, heatOp, { verificationDueAt: '2033-02-30' })).statusCode).toBe(400)
    expect((await call('PATCH', `/v1/admin/meters/${active}`, waterOp, { zones: 2 })).statusCode).toBe(404)
  })

  it('closes an account once; a closed account cannot be changed or linked', async () => {
    const res = await call('POST', `/v1/admin/accounts/${accountId}/close`, heatOp, { reason: 'Снос дома' })
    expect(res.json().status).toBe('closed')
    expect((await call('POST', `/v1/admin/accounts/${accountId}/close`, heatOp, { reason: 'again' })).statusCode).toBe(409)
    expect((await call('PATCH', `/v1/admin/accounts/${accountId}`, heatOp, { residentsCount: 2 })).json().code).toBe('account_closed')
    const link = await call('POST', '/v1/accounts', customer, { supplierId: heat, accountNumber: '5400090001', surname: 'Новикова', proof: await accessCodeOf(ctx, '5400090001') })
    expect(link.json().code).toBe('account_not_matched')
  })

  it('shows operators only their supplier’s audit entries', async () => {
    const mine = (await call('GET', '/v1/admin/audit-log?limit=100', waterOp)).json().items
    expect(mine).toEqual([])
    const theirs = await call('GET', `/v1/admin/audit-log?supplierId=${heat}`, waterOp)
    expect(theirs.statusCode).toBe(404)
  })
})
