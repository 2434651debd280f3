import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let ivan: string
let anna: string
let heatOperator: string
let waterOperator: string
let heat: string
let water: string
let ivanHeatId: string
let annaWaterId: string

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url, MAX_LINKED_ACCOUNTS: '2' })
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  water = await supplierId(ctx, 'gorvodokanal')
  ivan = (await signUp(ctx, smtp, 'ivan@example.test', DEMO.ivanovHeat)).accessToken
  anna = (await signUp(ctx, smtp, 'anna@example.test', DEMO.semenovaWater)).accessToken
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  await createStaff(ctx, 'operator', 'op@water.test', 'operator passphrase water 1', water)
  heatOperator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
  waterOperator = (await login(ctx, 'op@water.test', 'operator passphrase water 1')).accessToken
  const p = ctx.client.prisma
  ivanHeatId = (await p.account.findFirstOrThrow({ where: { number: '5400012345' } })).id
  annaWaterId = (await p.account.findFirstOrThrow({ where: { number: '12-0012346' } })).id
  // A ledger for Ivan's heat account: 100.00 carried in, 2 charges, one settled and one pending payment.
  await p.account.update({ where: { id: ivanHeatId }, data: { openingBalance: '100.00' } })
  await p.charge.createMany({
    data: [
      { accountId: ivanHeatId, period: new Date('2026-09-01'), service: 'heat', kind: 'normative', quantity: '1.234', tariff: '2754.1200', amount: '3398.58' },
      { accountId: ivanHeatId, period: new Date('2026-10-01'), service: 'hot_water', kind: 'metered', quantity: '3.100', tariff: '245.3300', amount: '760.52' },
    ],
  })
  await p.payment.createMany({
    data: [
      { accountId: ivanHeatId, amount: '3000.10', status: 'succeeded', provider: 'sbp', externalId: 'p-1', paidAt: new Date('2026-10-10T10:00:00Z') },
      { accountId: ivanHeatId, amount: '500.00', status: 'pending', provider: 'bank-app', externalId: 'p-2', paidAt: new Date('2026-11-20T08:00:00Z') },
      { accountId: ivanHeatId, amount: '999.99', status: 'failed', provider: 'sbp', externalId: 'p-3', paidAt: new Date('2026-11-19T08:00:00Z') },
    ],
  })
  await p.meter.createMany({
    data: [
      { accountId: ivanHeatId, service: 'hot_water', serialNumber: 'HW-001', zones: 1, digitCapacity: 5, verificationDueAt: new Date('2030-01-31') },
      { accountId: ivanHeatId, service: 'heat', serialNumber: 'HT-002', zones: 1, digitCapacity: 6, verificationDueAt: new Date('2020-01-31') },
    ],
  })
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) })

describe('GET /v1/accounts', () => {
  it('lists the caller’s accounts with exact balance, pending payments and what is left to pay', async () => {
    const res = await get('/v1/accounts', ivan)
    expect(res.statusCode).toBe(200)
    const [account] = res.json().items
    // 100.00 + 3398.58 + 760.52 − 3000.10 = 1259.00; the pending 500.00 leaves 759.00; the failed payment counts for nothing.
    expect(account).toMatchObject({
      number: '5400012345',
      supplier: { shortName: 'АО «СибТеплоСбыт»', timeZone: 'Asia/Novosibirsk' },
      holder: 'Иванов Иван Петрович',
      balance: { balance: '1259.00', pendingPayments: '500.00', toPay: '759.00', pending: [{ amount: '500.00', provider: 'bank-app' }] },
    })
    expect(res.json().items).toHaveLength(1)
  })

  it('never shows what is left to pay below zero', async () => {
    await ctx.client.prisma.payment.create({
      data: { accountId: ivanHeatId, amount: '2000.00', status: 'pending', provider: 'bank-app', externalId: 'p-4', paidAt: new Date() },
    })
    const [account] = (await get('/v1/accounts', ivan)).json().items
    expect(account.balance).toMatchObject({ balance: '1259.00', pendingPayments: '2500.00', toPay: '0.00' })
    await ctx.client.prisma.payment.deleteMany({ where: { externalId: 'p-4' } })
  })

  it('an operator sees the supplier’s accounts only', async () => {
    const numbers = (await get('/v1/accounts?limit=100', heatOperator)).json().items.map((a: { number: string }) => a.number)
    expect(numbers.sort()).toEqual(['5400012345', '5400012346', '5400020001'])
  })
})

describe('GET /v1/accounts/{id} and meters', () => {
  it('shows details with meters and their verification state', async () => {
    const res = await get(`/v1/accounts/${ivanHeatId}`, ivan)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ residentsCount: 3, areaM2: '54.30', receiptDelivery: 'electronic' })
    const meters = (await get(`/v1/accounts/${ivanHeatId}/meters`, ivan)).json().items
    // Ordered by status, service, serial: heat before hot water; the demo seed's own meter included.
    expect(meters.map((m: { serialNumber: string }) => m.serialNumber)).toEqual(['HT-002', 'HW-001', 'ГВС-0451277'])
    expect(meters[0]).toMatchObject({ zones: ['T1'], digitCapacity: 6, verificationDueAt: '2020-01-31', verificationExpired: true })
    expect(meters[1]).toMatchObject({ verificationExpired: false })
  })

  it.each([
    ['details', (id: string) => `/v1/accounts/${id}`],
    ['meters', (id: string) => `/v1/accounts/${id}/meters`],
  ])("another customer's account is 404 on %s, never its data", async (_what, url) => {
    const res = await get(url(annaWaterId), ivan)
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('account_not_found')
    expect(res.body).not.toContain('Семёнова')
  })

  it("another supplier's operator gets 404; the supplier's own operator sees it", async () => {
    expect((await get(`/v1/accounts/${ivanHeatId}`, waterOperator)).statusCode).toBe(404)
    expect((await get(`/v1/accounts/${ivanHeatId}`, heatOperator)).statusCode).toBe(200)
  })
})

describe('PATCH /v1/accounts/{id}', () => {
  it('switches receipt delivery and writes an audit entry', async () => {
    const res = await ctx.app.inject({ method: 'PATCH', url: `/v1/accounts/${ivanHeatId}`, headers: bearer(ivan), payload: { receiptDelivery: 'paper' } })
    expect(res.statusCode).toBe(200)
    expect(res.json().receiptDelivery).toBe('paper')
    const entry = await ctx.client.prisma.auditLog.findFirstOrThrow({ where: { entityId: ivanHeatId }, orderBy: { at: 'desc' } })
    expect(entry).toMatchObject({ entity: 'account', action: 'update', actorRole: 'customer', before: { receiptDelivery: 'electronic' }, after: { receiptDelivery: 'paper' } })
  })

  it('refuses other members and other people’s accounts', async () => {
    const extra = await ctx.app.inject({ method: 'PATCH', url: `/v1/accounts/${ivanHeatId}`, headers: bearer(ivan), payload: { receiptDelivery: 'paper', openingBalance: '0' } })
    expect(extra.statusCode).toBe(400)
    const foreign = await ctx.app.inject({ method: 'PATCH', url: `/v1/accounts/${annaWaterId}`, headers: bearer(ivan), payload: { receiptDelivery: 'paper' } })
    expect(foreign.statusCode).toBe(404)
    expect((await ctx.client.prisma.account.findUniqueOrThrow({ where: { id: annaWaterId } })).receiptDelivery).toBe('paper')
  })
})

describe('linking', () => {
  const link = (token: string, payload: object) => ctx.app.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(token), payload })

  it('links another account with the same proof as registration', async () => {
    const res = await link(ivan, { supplierId: water, accountNumber: '120012345', surname: 'иванов', proof: 'w2hf7bqn' })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ number: '12-0012345' })
    expect((await get('/v1/accounts', ivan)).json().items).toHaveLength(2)
  })

  it('refuses a wrong surname, a second link of the same account, and more than the maximum', async () => {
    expect((await link(ivan, { supplierId: water, accountNumber: '11-0007785', surname: 'Иванов', proof: DEMO.petrovWater.proof })).json().code).toBe('account_not_matched')
    expect((await link(ivan, { supplierId: water, accountNumber: '12-0012345', surname: 'Иванов', proof: 'W2HF7BQN' })).json().code).toBe('account_already_linked')
    const third = await link(ivan, { supplierId: water, accountNumber: '11-0007785', surname: 'Петров', proof: DEMO.petrovWater.proof })
    expect(third.statusCode).toBe(422)
    expect(third.json().code).toBe('too_many_accounts')
  })

  it('staff cannot link accounts to themselves', async () => {
    expect((await link(heatOperator, { supplierId: heat, accountNumber: '5400012345', surname: 'Иванов', proof: DEMO.ivanovHeat.proof })).statusCode).toBe(403)
  })

  it('unlinks; the account stays and another customer’s id is 404', async () => {
    const water12345 = (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '12-0012345' } })).id
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${annaWaterId}`, headers: bearer(ivan) })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${water12345}`, headers: bearer(ivan) })).statusCode).toBe(204)
    expect((await get(`/v1/accounts/${water12345}`, ivan)).statusCode).toBe(404)
    expect(await ctx.client.prisma.account.count({ where: { id: water12345 } })).toBe(1)
    expect((await get(`/v1/accounts/${annaWaterId}`, anna)).statusCode).toBe(200)
  })
})
