import { localDate } from '../../src/accounts/meters.ts'
import { setClock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let ivan: string
let anna: string
let operator: string
let heat: string
let accountId: string
let meterId: string

const p = () => ctx.client.prisma
const TZ = 'Asia/Novosibirsk'

// The heat supplier takes readings from the 15th to the 25th (Novosibirsk time).
const clock = setClock('2026-11-20T05:00:00Z')
const IN_WINDOW = '2026-11-20T05:00:00Z' // 12:00 on 20 November in Novosibirsk
const OUTSIDE_WINDOW = '2026-11-05T05:00:00Z'

/** Today inside the reading window, or outside it (where the supplier may take readings for the next period). */
async function windowOpen(open: boolean, acceptOutside = false) {
  clock.set(open ? IN_WINDOW : OUTSIDE_WINDOW)
  await p().supplier.update({ where: { id: heat }, data: { acceptReadingsOutsideWindow: acceptOutside } })
}

/** A meter of its own for each test: nothing carries over between tests. */
async function freshMeter(overrides: { zones?: number; digitCapacity?: number; verificationDueAt?: Date | null } = {}) {
  const meter = await p().meter.create({
    data: { accountId, service: 'hot_water', serialNumber: `T-${Math.random().toString(36).slice(2, 10)}`, zones: 1, digitCapacity: 5, verificationDueAt: new Date('2035-01-01'), ...overrides },
  })
  return meter.id
}

/** A reading of an earlier period, as an operator would have entered it. */
async function history(meter: string, period: string, t1: string, consumption: string | null = null) {
  await p().reading.create({
    data: { meterId: meter, accountId, period: new Date(`${period}-01`), t1, t1Consumption: consumption, takenAt: new Date(`${period}-20T05:00:00Z`), source: 'import', flags: [] },
  })
}

const submit = (payload: object, token = ivan, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/readings`, headers: { ...bearer(token), ...headers }, payload })

const currentPeriod = () => localDate(clock.now(), TZ).slice(0, 7)

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url }, { clock })
  await seedDemoData(p())
  heat = await supplierId(ctx, 'sibteplo')
  ivan = (await signUp(ctx, smtp, 'ivan@example.test', DEMO.ivanovHeat)).accessToken
  anna = (await signUp(ctx, smtp, 'anna@example.test', DEMO.semenovaWater)).accessToken
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
  accountId = (await p().account.findFirstOrThrow({ where: { number: '5400012345' } })).id
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

beforeEach(async () => {
  await windowOpen(true)
  meterId = await freshMeter()
})

describe('POST /v1/accounts/{id}/readings', () => {
  it('answers with the period, the consumption since the previous reading, and no flags', async () => {
    await history(meterId, '2026-01', '100.000')
    const res = await submit({ meterId, values: { T1: '112.345' } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      period: currentPeriod(),
      outsideWindow: false,
      reading: { period: currentPeriod(), values: { T1: '112.345' }, consumption: { T1: '12.345' }, flags: [], status: 'accepted', source: 'customer' },
    })
  })

  it('refuses a closed window with the next window’s dates', async () => {
    await windowOpen(false)
    const res = await submit({ meterId, values: { T1: '1' } })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'reading_window_closed', nextWindow: { from: expect.any(String), to: expect.any(String), period: expect.any(String) } })
  })

  it('where the supplier allows, takes it for the next window’s period and says so', async () => {
    await windowOpen(false, true)
    const res = await submit({ meterId, values: { T1: '1' } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ outsideWindow: true, reading: { flags: ['outside_window'] }, detail: expect.stringContaining('counts for') })
  })

  it('cannot be backdated into a window (customers): the window is the day of submission', async () => {
    await windowOpen(false)
    const yesterday = new Date(clock.now().getTime() - 86_400_000).toISOString()
    expect((await submit({ meterId, values: { T1: '1' }, takenAt: yesterday })).json().code).toBe('reading_window_closed')
    const weekAgo = new Date(clock.now().getTime() - 7 * 86_400_000).toISOString()
    await windowOpen(true)
    expect((await submit({ meterId, values: { T1: '1' }, takenAt: weekAgo })).json().code).toBe('reading_too_old')
  })

  it('operators may enter readings outside the window', async () => {
    await windowOpen(false)
    const res = await submit({ meterId, values: { T1: '5' } }, operator)
    expect(res.statusCode).toBe(201)
    expect(res.json().reading.source).toBe('operator')
  })

  it('refuses a reading below the previous one, naming it', async () => {
    await history(meterId, '2026-01', '500.000')
    const res = await submit({ meterId, values: { T1: '499.999' } })
    expect(res.json()).toMatchObject({ code: 'reading_below_previous', previous: { zone: 'T1', value: '500.000', period: '2026-01' } })
  })

  it('wraps a counter that rolled over its digit capacity', async () => {
    await history(meterId, '2026-01', '99998.500')
    const res = await submit({ meterId, values: { T1: '1.25' } })
    expect(res.json().reading).toMatchObject({ consumption: { T1: '2.750' }, flags: ['rolled_over'] })
  })

  it.each([
    ['too many digits', { T1: '100000' }, 'reading_too_many_digits'],
    ['the wrong zones', { T1: '1', T2: '1' }, 'reading_zones_mismatch'],
  ])('refuses %s', async (_what, values, code) => {
    expect((await submit({ meterId, values })).json().code).toBe(code)
  })

  it('refuses values the schema cannot read, and future timestamps', async () => {
    expect((await submit({ meterId, values: { T1: '-5' } })).statusCode).toBe(400)
    expect((await submit({ meterId, values: { T1: 12 } })).statusCode).toBe(400)
    const future = new Date(clock.now().getTime() + 3_600_000).toISOString()
    expect((await submit({ meterId, values: { T1: '1' }, takenAt: future })).json().code).toBe('reading_in_future')
  })

  it('takes T1/T2/T3 from a three-zone meter, each with its consumption', async () => {
    const three = await freshMeter({ zones: 3, digitCapacity: 6 })
    await p().reading.create({ data: { meterId: three, accountId, period: new Date('2026-01-01'), t1: '10', t2: '20', t3: '30', takenAt: new Date('2026-01-20'), source: 'import', flags: [] } })
    const res = await submit({ meterId: three, values: { T1: '11.5', T2: '20', T3: '35.001' } })
    expect(res.json().reading.consumption).toEqual({ T1: '1.500', T2: '0.000', T3: '5.001' })
  })

  it('refuses a meter past its verification date, and a replaced meter', async () => {
    const expired = await freshMeter({ verificationDueAt: new Date('2020-01-01') })
    expect((await submit({ meterId: expired, values: { T1: '1' } })).json()).toMatchObject({ code: 'meter_verification_expired', verificationDueAt: '2020-01-01' })
    await p().meter.update({ where: { id: meterId }, data: { status: 'replaced' } })
    expect((await submit({ meterId, values: { T1: '1' } })).json().code).toBe('meter_not_active')
  })

  it('flags a consumption far above the account’s average for operators', async () => {
    await history(meterId, '2026-01', '100.000', null)
    await history(meterId, '2026-02', '110.000', '10.000')
    await history(meterId, '2026-03', '120.000', '10.000')
    const res = await submit({ meterId, values: { T1: '151.000' } })
    expect(res.json().reading.flags).toEqual(['suspicious'])
    const flagged = (await ctx.app.inject({ method: 'GET', url: '/v1/admin/readings?flag=suspicious', headers: bearer(operator) })).json().items
    expect(flagged.map((r: { id: string }) => r.id)).toContain(res.json().reading.id)
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/admin/readings?flag=suspicious', headers: bearer(ivan) })).statusCode).toBe(403)
  })

  it('refuses premises whose readings go through a management company, naming it', async () => {
    await p().account.update({ where: { id: accountId }, data: { readingsCollectedBy: 'ООО «УК Уютный дом»' } })
    try {
      expect((await submit({ meterId, values: { T1: '1' } })).json()).toMatchObject({ code: 'readings_via_management_company', submitTo: 'ООО «УК Уютный дом»' })
    } finally {
      await p().account.update({ where: { id: accountId }, data: { readingsCollectedBy: null } })
    }
  })

  it("another customer's account is 404; a meter of another account too", async () => {
    expect((await submit({ meterId, values: { T1: '1' } }, anna)).statusCode).toBe(404)
    const annaAccount = (await p().account.findFirstOrThrow({ where: { number: '12-0012346' } })).id
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/accounts/${annaAccount}/readings`, headers: bearer(anna), payload: { meterId, values: { T1: '1' } } })
    expect(res.json().code).toBe('meter_not_found')
  })
})

describe('concurrency and retries', () => {
  it('serializes submissions per meter: of two at once, one is current and the other its earlier version (50 rounds)', async () => {
    for (let round = 0; round < 50; round++) {
      const meter = await freshMeter()
      await history(meter, '2026-01', '100.000')
      const results = await Promise.all([submit({ meterId: meter, values: { T1: '110' } }), submit({ meterId: meter, values: { T1: '120' } })])
      expect(results.map((r) => r.statusCode)).toEqual([201, 201])
      // Transactions may start in one order and take the lock in the other: the chain, not the clock, tells which came last.
      const current = await p().reading.findMany({ where: { meterId: meter, period: new Date(`${currentPeriod()}-01`) }, orderBy: { status: 'asc' } })
      expect(current.map((r) => r.status).sort()).toEqual(['accepted', 'superseded'])
      const accepted = current.find((r) => r.status === 'accepted')!
      const superseded = current.find((r) => r.status === 'superseded')!
      expect(accepted.supersedesId).toBe(superseded.id)
      // Both measured against the January reading, never against each other.
      expect(current.map((r) => r.t1Consumption!.toFixed(3))).toEqual(current.map((r) => (Number(r.t1) - 100).toFixed(3)))
    }
  })

  it('the database itself refuses a second current reading of one meter and period', async () => {
    await history(meterId, '2026-01', '100.000')
    const row = { meterId, accountId, period: new Date('2026-11-01'), t1: '110', takenAt: new Date(IN_WINDOW), source: 'customer' as const, flags: [] }
    await p().reading.create({ data: row })
    await expect(p().reading.create({ data: row })).rejects.toThrow(/reading_one_current_per_period|Unique constraint/)
  })

  it('Idempotency-Key: a retry gets the first answer; another body with the key is 422', async () => {
    const key = `retry-${meterId}`
    const first = await submit({ meterId, values: { T1: '7' } }, ivan, { 'idempotency-key': key })
    const retry = await submit({ meterId, values: { T1: '7' } }, ivan, { 'idempotency-key': key })
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotency-replayed']).toBe('true')
    expect(retry.json().reading.id).toBe(first.json().reading.id)
    expect(await p().reading.count({ where: { meterId } })).toBe(1)
    const other = await submit({ meterId, values: { T1: '8' } }, ivan, { 'idempotency-key': key })
    expect(other.statusCode).toBe(422)
    expect(other.json().code).toBe('idempotency_key_reused')
    // Keys are per caller: the same key from someone else is a new request.
    const byOperator = await submit({ meterId, values: { T1: '9' } }, operator, { 'idempotency-key': key })
    expect(byOperator.statusCode).toBe(201)
  })

  it('Idempotency-Key: a refusal is replayed too, and a malformed key is 400', async () => {
    const refused = await submit({ meterId, values: { T1: '100000' } }, ivan, { 'idempotency-key': `refused-${meterId}` })
    const again = await submit({ meterId, values: { T1: '100000' } }, ivan, { 'idempotency-key': `refused-${meterId}` })
    expect([again.statusCode, again.json().code]).toEqual([refused.statusCode, 'reading_too_many_digits'])
    expect((await submit({ meterId, values: { T1: '1' } }, ivan, { 'idempotency-key': 'bad key with spaces' })).json().code).toBe('idempotency_key_invalid')
  })
})

describe('corrections, cancellation and history', () => {
  it('corrects within the window, keeping every version with who and when', async () => {
    await history(meterId, '2026-01', '100.000')
    const first = (await submit({ meterId, values: { T1: '150' } })).json().reading
    const res = await ctx.app.inject({ method: 'PATCH', url: `/v1/accounts/${accountId}/readings/${first.id}`, headers: bearer(ivan), payload: { values: { T1: '115' } } })
    expect(res.statusCode).toBe(200)
    const corrected = res.json().reading
    expect(corrected).toMatchObject({ consumption: { T1: '15.000' }, supersedes: first.id })
    const view = (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/readings/${first.id}`, headers: bearer(ivan) })).json()
    expect(view.versions.map((v: { status: string }) => v.status)).toEqual(['superseded', 'accepted'])
    const old = await p().reading.findUniqueOrThrow({ where: { id: first.id } })
    expect(old.changedById).not.toBeNull()
    expect(old.changedAt).toBeInstanceOf(Date)
  })

  it('cancels within the window; the cancelled reading stays in the history', async () => {
    const reading = (await submit({ meterId, values: { T1: '3' } })).json().reading
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${accountId}/readings/${reading.id}`, headers: bearer(ivan) })).statusCode).toBe(204)
    const list = (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/readings?meterId=${meterId}`, headers: bearer(ivan) })).json().items
    expect(list.map((r: { status: string }) => r.status)).toEqual(['cancelled'])
  })

  it('locks a reading once its window closes, or once billed', async () => {
    const reading = (await submit({ meterId, values: { T1: '3' } })).json().reading
    await windowOpen(false)
    const late = await ctx.app.inject({ method: 'PATCH', url: `/v1/accounts/${accountId}/readings/${reading.id}`, headers: bearer(ivan), payload: { values: { T1: '4' } } })
    expect([late.statusCode, late.json().code]).toEqual([409, 'reading_locked'])
    await windowOpen(true)
    await p().reading.update({ where: { id: reading.id }, data: { status: 'billed' } })
    const billed = await ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${accountId}/readings/${reading.id}`, headers: bearer(operator) })
    expect([billed.statusCode, billed.json().code]).toEqual([409, 'reading_locked'])
  })

  it('pages the history with filters', async () => {
    for (const value of ['1', '2', '3']) await submit({ meterId, values: { T1: value } })
    const page1 = (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/readings?meterId=${meterId}&limit=2`, headers: bearer(ivan) })).json()
    expect(page1.items).toHaveLength(2)
    const page2 = (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/readings?meterId=${meterId}&limit=2&cursor=${page1.nextCursor}`, headers: bearer(ivan) })).json()
    expect(page2.items).toHaveLength(1)
    expect(page2.nextCursor).toBeNull()
    const accepted = (await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/readings?meterId=${meterId}&status=accepted`, headers: bearer(ivan) })).json().items
    expect(accepted.map((r: { values: { T1: string } }) => r.values.T1)).toEqual(['3.000'])
  })
})

describe('preview and bulk', () => {
  it('previews the period and consumption without saving', async () => {
    await history(meterId, '2026-01', '100.000')
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/readings/preview`, headers: bearer(ivan), payload: { meterId, values: { T1: '104.5' } } })
    expect(res.json()).toEqual({ period: currentPeriod(), outsideWindow: false, consumption: { T1: '4.500' }, flags: [], cost: null })
    expect(await p().reading.count({ where: { meterId, source: 'customer' } })).toBe(0)
  })

  it('takes many meters’ readings from an organization, row by row, with a report', async () => {
    const org = await createStaff(ctx, 'organization', 'uk@example.test', 'organization passphrase 77', heat)
    const orgAccount = await p().account.findFirstOrThrow({ where: { number: '5400020001' } })
    await p().userAccount.create({ data: { userId: org.id, accountId: orgAccount.id } })
    const m1 = await p().meter.create({ data: { accountId: orgAccount.id, service: 'heat', serialNumber: 'ODPU-1', verificationDueAt: new Date('2035-01-01') } })
    const token = (await login(ctx, 'uk@example.test', 'organization passphrase 77')).accessToken
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/accounts/readings/bulk',
      headers: bearer(token),
      payload: { readings: [{ meterId: m1.id, values: { T1: '10' } }, { meterId: m1.id, values: { T1: '1', T2: '2' } }, { meterId, values: { T1: '1' } }] },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      accepted: 1,
      rejected: 2,
      results: [
        { line: 1, status: 'accepted', period: currentPeriod() },
        { line: 2, status: 'rejected', code: 'reading_zones_mismatch' },
        { line: 3, status: 'rejected', code: 'meter_not_found' },
      ],
    })
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/accounts/readings/bulk', headers: bearer(ivan), payload: { readings: [{ meterId, values: { T1: '1' } }] } })).statusCode).toBe(403)
  })
})

describe('bulk as CSV', () => {
  it('takes account number + serial columns, reporting by line', async () => {
    const org = await createStaff(ctx, 'organization', 'uk2@example.test', 'organization passphrase 78', heat)
    const orgAccount = await p().account.findFirstOrThrow({ where: { number: '5400020001' } })
    await p().userAccount.upsert({ where: { userId_accountId: { userId: org.id, accountId: orgAccount.id } }, create: { userId: org.id, accountId: orgAccount.id }, update: {} })
    await p().meter.create({ data: { accountId: orgAccount.id, service: 'heat', serialNumber: 'ODPU-CSV', verificationDueAt: new Date('2035-01-01') } })
    const token = (await login(ctx, 'uk2@example.test', 'organization passphrase 78')).accessToken
    const csv = 'account_number;serial_number;t1\n5400020001;ODPU-CSV;42,5\n5400020001;NO-SUCH;1\n5400012345;ODPU-CSV;1\n'
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/accounts/readings/bulk', headers: { ...bearer(token), 'content-type': 'text/csv' }, payload: csv })
    expect(res.statusCode).toBe(200)
    expect(res.json().results.map((r: { line: number; status: string; code: string | null }) => [r.line, r.status, r.code])).toEqual([
      [2, 'accepted', null],
      [3, 'rejected', 'meter_not_found'],
      [4, 'rejected', 'meter_not_found'],
    ])
    const byId = await ctx.app.inject({
      method: 'POST',
      url: '/v1/accounts/readings/bulk',
      headers: { ...bearer(token), 'content-type': 'text/csv' },
      payload: 'meter_id;t1\nnot-a-uuid;1\n00000000-0000-0000-0000-000000000000;1\n',
    })
    expect(byId.json()).toMatchObject({ rejected: 2 })
    expect(byId.json().results.map((r: { code: string | null }) => r.code)).toEqual(['meter_not_found', 'meter_not_found'])
    const bad = await ctx.app.inject({ method: 'POST', url: '/v1/accounts/readings/bulk', headers: { ...bearer(token), 'content-type': 'text/csv' }, payload: 'serial;t1\nX;1\n' })
    expect(bad.json().code).toBe('import_header_invalid')
  })
})
