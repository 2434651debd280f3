import { setClock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { atOnce } from '../support/races.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'

let ctx: TestContext
let water: string
let operator: string
let otherOperator: string
const p = () => ctx.client.prisma
const ids: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' }

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

async function run(period: string, extra: Record<string, unknown> = {}) {
  const started = await call('POST', '/v1/admin/billing-runs', operator, { supplierId: water, period, ...extra })
  if (started.statusCode !== 202) throw new Error(`${period}: ${started.statusCode} ${started.body}`)
  await ctx.app.jobs.drain()
  return (await call('GET', `/v1/admin/billing-runs/${started.json().id}`, operator)).json<{ id: string; status: string; dryRun: boolean; summary: { amount: string } }>()
}

/** An account of the water supplier with 2 residents, cold water and wastewater. */
async function account(number: string) {
  return (
    await p().account.create({
      data: { supplierId: water, number, holderSurname: 'Расчётова', address: 'г. Новосибирск, ул. Тестовая, 1', residentsCount: 2, services: ['cold_water', 'wastewater'] },
    })
  ).id
}

async function meter(accountId: string, serial: string, verificationDueAt = '2030-01-01') {
  return (await p().meter.create({ data: { accountId, service: 'cold_water', serialNumber: serial, digitCapacity: 5, verificationDueAt: new Date(verificationDueAt) } })).id
}

async function reading(meterId: string, accountId: string, period: string, t1: string, consumption: string | null) {
  await p().reading.create({
    data: { meterId, accountId, period: new Date(`${period}-01`), t1, t1Consumption: consumption, takenAt: new Date(`${period}-20T05:00:00Z`), source: 'customer', status: 'accepted' },
  })
}

/** The account's lines other than penalties (which have tests of their own). */
async function lines(accountId: string, period?: string) {
  const rows = await p().charge.findMany({ where: { accountId, kind: { not: 'penalty' }, ...(period ? { period: new Date(`${period}-01`) } : {}) }, orderBy: [{ period: 'asc' }, { service: 'asc' }, { tariff: 'asc' }] })
  return rows.map((c) => ({
    period: c.period.toISOString().slice(0, 7),
    service: c.service,
    kind: c.kind,
    quantity: c.quantity?.toFixed(3),
    tariff: c.tariff?.toFixed(2),
    coefficient: c.coefficient?.toFixed(3),
    amount: c.amount.toFixed(2),
    rule: (c.basis as { rule?: string } | null)?.rule,
  }))
}

beforeAll(async () => {
  ctx = await buildTestApp({}, { clock: setClock('2026-11-26T05:00:00Z') })
  await seedDemoData(p())
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, await supplierId(ctx, 'sibteplo'))
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  otherOperator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  const tariff = (service: string, from: string, to: string | null, price: string) =>
    p().tariff.create({ data: { supplierId: water, service: service as 'cold_water', basis: 'metered', price, unit: 'м³', effectiveFrom: new Date(from), effectiveTo: to ? new Date(to) : null } })
  await tariff('cold_water', '2026-01-01', '2026-11-15', '40')
  await tariff('cold_water', '2026-11-16', null, '43')
  await tariff('wastewater', '2026-01-01', null, '30')
  await p().normative.create({ data: { supplierId: water, service: 'cold_water', basis: 'per_resident', quantity: '6.935', unit: 'м³', effectiveFrom: new Date('2026-01-01') } })

  // A: a meter read in October (its first reading) and November.
  ids.A = await account('12-0090001')
  const mA = await meter(ids.A, 'A-1')
  await reading(mA, ids.A, '2026-10', '100.000', null)
  await reading(mA, ids.A, '2026-11', '107.200', '7.200')
  // B: read June to September (10 m³ a month), then silent until February.
  ids.B = await account('12-0090002')
  const mB = await meter(ids.B, 'B-1')
  await reading(mB, ids.B, '2026-06', '100.000', null)
  for (const [period, value] of [['2026-07', '110.000'], ['2026-08', '120.000'], ['2026-09', '130.000']] as const) await reading(mB, ids.B, period, value, '10.000')
  // C: read April to July (5 m³ a month); its verification expired on 10 August.
  ids.C = await account('12-0090003')
  const mC = await meter(ids.C, 'C-1', '2026-08-10')
  await reading(mC, ids.C, '2026-04', '100.000', null)
  for (const [period, value] of [['2026-05', '105.000'], ['2026-06', '110.000'], ['2026-07', '115.000']] as const) await reading(mC, ids.C, period, value, '5.000')
  // D: no meter at all.
  ids.D = await account('12-0090004')

  for (const period of ['2026-09', '2026-10', '2026-11', '2026-12', '2027-01']) await run(period)
  await reading(mB, ids.B, '2027-02', '180.000', '50.000')
  await run('2027-02')
})
afterAll(() => ctx.close())

describe('a billing run, method by method', () => {
  it('metered from the period’s reading, priced pro rata across a mid-month tariff change; wastewater on the same volume', async () => {
    expect(await lines(ids.A, '2026-11')).toEqual([
      { period: '2026-11', service: 'cold_water', kind: 'metered', quantity: '3.600', tariff: '40.00', coefficient: '1.000', amount: '144.00', rule: 'reading' },
      { period: '2026-11', service: 'cold_water', kind: 'metered', quantity: '3.600', tariff: '43.00', coefficient: '1.000', amount: '154.80', rule: 'reading' },
      { period: '2026-11', service: 'wastewater', kind: 'metered', quantity: '7.200', tariff: '30.00', coefficient: '1.000', amount: '216.00', rule: 'wastewater_on_water_volumes' },
    ])
    const used = await p().reading.findFirstOrThrow({ where: { accountId: ids.A, period: new Date('2026-11-01') } })
    expect(used.status).toBe('billed')
  })

  it('no reading: the average for 3 periods, then the normative × residents; the reading that returns brings one recalculation', async () => {
    const cold = (await lines(ids.B)).filter((l) => l.service === 'cold_water' && !(l.period === '2026-11' && l.tariff === '43.00'))
    expect(cold.map((l) => [l.period, l.kind, l.quantity, l.rule])).toEqual([
      ['2026-09', 'metered', '10.000', 'reading'],
      ['2026-10', 'average', '10.000', 'no_reading_average'],
      ['2026-11', 'average', '5.000', 'no_reading_average'], // half of it at each November tariff
      ['2026-12', 'average', '10.000', 'no_reading_average'],
      ['2027-01', 'normative', '13.870', 'no_reading_normative'],
      // (180 − 130) − (10 + 10 + 10 + 13.870) = 6.130
      ['2027-02', 'recalculation', '6.130', 'reading_after_estimates'],
    ])
    const january = await p().charge.findFirstOrThrow({ where: { accountId: ids.B, period: new Date('2027-01-01'), service: 'cold_water' } })
    expect(january.basis).toMatchObject({ residents: 2, normative: '6.935000', periodsWithoutReading: 4 })
    expect(january.coefficient?.toFixed(3)).toBe('1.000') // plain non-submission: no coefficient
  })

  it('expired verification: the average for 3 periods from the due date, then the normative × the increasing coefficient', async () => {
    const cold = (await lines(ids.C)).filter((l) => l.service === 'cold_water')
    expect(cold.map((l) => [l.period, l.kind, l.quantity, l.tariff, l.coefficient, l.amount, l.rule])).toEqual([
      ['2026-09', 'average', '5.000', '40.00', '1.000', '200.00', 'verification_expired_average'],
      ['2026-10', 'average', '5.000', '40.00', '1.000', '200.00', 'verification_expired_average'],
      // 13.870 × 3.0 (cold water, from 2025-12-06), half at 40 and half at 43
      ['2026-11', 'normative', '6.935', '40.00', '3.000', '832.20', 'verification_expired_normative'],
      ['2026-11', 'normative', '6.935', '43.00', '3.000', '894.62', 'verification_expired_normative'],
      ['2026-12', 'normative', '13.870', '43.00', '3.000', '1789.23', 'verification_expired_normative'],
      ['2027-01', 'normative', '13.870', '43.00', '3.000', '1789.23', 'verification_expired_normative'],
      ['2027-02', 'normative', '13.870', '43.00', '3.000', '1789.23', 'verification_expired_normative'],
    ])
  })

  it('no meter: the normative × the coefficient at once; wastewater on the volume, without the coefficient', async () => {
    expect(await lines(ids.D, '2026-09')).toEqual([
      { period: '2026-09', service: 'cold_water', kind: 'normative', quantity: '13.870', tariff: '40.00', coefficient: '3.000', amount: '1664.40', rule: 'no_meter' },
      { period: '2026-09', service: 'wastewater', kind: 'normative', quantity: '13.870', tariff: '30.00', coefficient: '1.000', amount: '416.10', rule: 'wastewater_on_water_volumes' },
    ])
  })

  it('reports counts and totals by method and service, and timings', async () => {
    const [latest] = (await call('GET', `/v1/admin/billing-runs?supplierId=${water}&period=2027-02`, operator)).json().items
    expect(latest).toMatchObject({ status: 'completed', period: '2027-02', dryRun: false, periodClosed: false, error: null })
    expect(latest.summary.byKind).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'recalculation', lines: 1 })]))
    const kopecks = (rows: { amount: string }[]) => rows.reduce((sum, s) => sum + Math.round(Number(s.amount) * 100), 0)
    const penalties = latest.summary.byKind.filter((k: { kind: string }) => k.kind === 'penalty')
    expect(penalties).toHaveLength(1) // the debts of September on are overdue by February
    // Services and penalties (which have no service) add up to the run's total.
    expect(kopecks(latest.summary.byService) + kopecks(penalties)).toBe(Math.round(Number(latest.summary.amount) * 100))
    expect(kopecks(latest.summary.byKind)).toBe(Math.round(Number(latest.summary.amount) * 100))
    expect(Object.keys(latest.summary.timingsMs).sort()).toEqual(['clear', 'penalties', 'price', 'quantities', 'readings'])
  })
})

describe('re-runs, dry runs, closing, and refusals', () => {
  it('a re-run of an open period replaces its computed lines; a dry run changes nothing and reports the same totals', async () => {
    const before = await p().charge.findMany({ where: { period: new Date('2027-02-01') }, select: { id: true, amount: true } })
    const again = await run('2027-02')
    const after = await p().charge.findMany({ where: { period: new Date('2027-02-01') }, select: { id: true, amount: true } })
    expect(after).toHaveLength(before.length)
    expect(after.map((c) => c.id)).not.toEqual(expect.arrayContaining([before[0]!.id]))
    const dry = await run('2027-02', { dryRun: true })
    expect(dry).toMatchObject({ status: 'completed', dryRun: true })
    expect(dry.summary.amount).toBe(again.summary.amount)
    const unchanged = await p().charge.findMany({ where: { period: new Date('2027-02-01') }, select: { id: true } })
    expect(unchanged.map((c) => c.id).sort()).toEqual(after.map((c) => c.id).sort())
  })

  it('closing: only the newest completed run; then the period refuses runs and a second close', async () => {
    const runs = (await call('GET', `/v1/admin/billing-runs?supplierId=${water}&period=2027-02`, operator)).json().items
    const dry = runs.find((r: { dryRun: boolean }) => r.dryRun)
    const older = runs.filter((r: { dryRun: boolean }) => !r.dryRun)[1]
    expect((await call('POST', `/v1/admin/billing-runs/${dry.id}/close`, operator)).json()).toMatchObject({ status: 409, code: 'billing_run_not_closable' })
    expect((await call('POST', `/v1/admin/billing-runs/${older.id}/close`, operator)).json()).toMatchObject({ status: 409, code: 'billing_run_not_closable' })
    const newest = runs.filter((r: { dryRun: boolean }) => !r.dryRun)[0]
    expect((await call('POST', `/v1/admin/billing-runs/${newest.id}/close`, operator)).json()).toMatchObject({ periodClosed: true })
    expect((await call('POST', `/v1/admin/billing-runs/${newest.id}/close`, operator)).json()).toMatchObject({ status: 409, code: 'period_closed' })
    expect((await call('POST', '/v1/admin/billing-runs', operator, { supplierId: water, period: '2027-02' })).json()).toMatchObject({ status: 409, code: 'period_closed' })
  })

  it('a period without tariffs is refused with the services it lacks', async () => {
    const res = await call('POST', '/v1/admin/billing-runs', operator, { supplierId: water, period: '2025-12' })
    expect(res.json()).toMatchObject({ status: 422, code: 'tariff_missing', uncovered: expect.arrayContaining([{ service: 'cold_water', zone: 'T1', basis: null, days: 0 }]) })
  })

  it('two runs of one period at once: one is queued, the other 409 (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      const answers = await atOnce(2, () => call('POST', '/v1/admin/billing-runs', operator, { supplierId: water, period: '2027-03', dryRun: true }))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409])
      expect(answers.find((a) => a.statusCode === 409)!.json().code).toBe('billing_run_in_progress')
      await ctx.app.jobs.drain()
    }
  })

  it('charge lines refer to accounts and tariffs that exist (checked per statement); those in use are never deleted', async () => {
    const [used] = await p().$queryRawUnsafe<{ accountId: string; tariffId: string }[]>(`SELECT "accountId", "tariffId" FROM charge WHERE "tariffId" IS NOT NULL LIMIT 1`)
    const insert = (accountId: string, tariffId: string | null) =>
      p().$executeRawUnsafe(
        `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, "tariffId") VALUES (gen_random_uuid(), $1::uuid, '2027-03-01', 'cold_water', 'metered', 1, 1, 1, $2::uuid)`,
        accountId,
        tariffId,
      )
    const missing = '01936f0e-0000-7000-8000-000000000000'
    await expect(insert(missing, null)).rejects.toThrow(/charge_accountId_fkey/)
    await expect(insert(used!.accountId, missing)).rejects.toThrow(/charge_tariffId_fkey/)
    await expect(p().$executeRawUnsafe(`DELETE FROM tariff WHERE id = $1::uuid`, used!.tariffId)).rejects.toThrow(/charge_tariffId_fkey/)
    await expect(p().$executeRawUnsafe(`DELETE FROM account WHERE id = $1::uuid`, used!.accountId)).rejects.toThrow(/charge_accountId_fkey/)
    expect(await p().charge.count({ where: { period: new Date('2027-03-01') } })).toBe(0)
  })

  it('another supplier’s operator sees no runs and starts none', async () => {
    expect((await call('POST', '/v1/admin/billing-runs', otherOperator, { supplierId: water, period: '2027-03' })).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
    const [one] = (await call('GET', `/v1/admin/billing-runs?supplierId=${water}`, operator)).json().items
    expect((await call('GET', `/v1/admin/billing-runs/${one.id}`, otherOperator)).json()).toMatchObject({ status: 404, code: 'billing_run_not_found' })
  })
})

describe('the other tariff bases', () => {
  it('per m² for heating, per resident where no meter is, and a monthly fee from mid-month pro rata by days', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    await createStaff(ctx, 'operator', 'op2@heat.test', STRONG_PASSWORD, heat)
    const heatOperator = (await login(ctx, 'op2@heat.test', STRONG_PASSWORD)).accessToken
    const tariff = async (service: string, basis: string, price: string, unit: string, effectiveFrom: string) => {
      const res = await call('POST', '/v1/admin/tariffs', heatOperator, { supplierId: heat, service, basis, price, unit, effectiveFrom })
      expect(res.statusCode).toBe(201)
    }
    await tariff('heat', 'per_area', '45.1200', 'м²', '2026-01-01')
    await tariff('hot_water', 'metered', '230.0000', 'м³', '2026-01-01')
    // Beside the price per m³: a price per resident for the flats without a meter.
    await tariff('hot_water', 'per_resident', '700.0000', 'чел.', '2026-01-01')
    // Beside the price per m²: a monthly fee from the 16th.
    await tariff('heat', 'fixed', '120.0000', 'мес.', '2026-11-16')
    await p().normative.create({ data: { supplierId: heat, service: 'hot_water', basis: 'per_resident', quantity: '3.6', unit: 'м³', effectiveFrom: new Date('2026-01-01') } })

    const started = await call('POST', '/v1/admin/billing-runs', heatOperator, { supplierId: heat, period: '2026-11' })
    expect(started.statusCode).toBe(202)
    await ctx.app.jobs.drain()
    expect((await call('GET', `/v1/admin/billing-runs/${started.json().id}`, heatOperator)).json()).toMatchObject({ status: 'completed', error: null })
    const byNumber = async (number: string) => {
      const { id } = await p().account.findUniqueOrThrow({ where: { supplierId_number: { supplierId: heat, number } } })
      return (await lines(id, '2026-11')).map((l) => [l.service, l.kind, l.quantity, l.tariff, l.amount, l.rule])
    }
    expect(await byNumber('5400020001')).toEqual([
      ['heat', 'per_area', '312.750', '45.12', '14111.28', 'per_area'],
      ['heat', 'fixed', '0.500', '120.00', '60.00', 'fixed_fee'], // 15 of 30 days
    ])
    expect(await byNumber('5400012346')).toEqual([
      ['heat', 'per_area', '41.000', '45.12', '1849.92', 'per_area'],
      ['heat', 'fixed', '0.500', '120.00', '60.00', 'fixed_fee'],
      ['hot_water', 'per_resident', '2.000', '700.00', '1400.00', 'per_resident'],
    ])
    // A flat with a meter is billed per m³ (here by the normative: no reading yet), not per resident.
    expect(await byNumber('5400012345')).toEqual([
      ['heat', 'per_area', '54.300', '45.12', '2450.02', 'per_area'],
      ['heat', 'fixed', '0.500', '120.00', '60.00', 'fixed_fee'],
      ['hot_water', 'normative', '10.800', '230.00', '2484.00', 'no_reading_normative'],
    ])
  })

  it('versions of one basis cannot overlap; of different bases they may', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    const token = (await login(ctx, 'op2@heat.test', STRONG_PASSWORD)).accessToken
    const res = await call('POST', '/v1/admin/tariffs', token, { supplierId: heat, service: 'heat', basis: 'fixed', price: '130.0000', unit: 'мес.', effectiveFrom: '2026-12-01' })
    expect(res.json()).toMatchObject({ status: 409, code: 'tariff_overlap' })
  })
})

describe('charges as customers see them', () => {
  it('lines by period with the method and what each rests on; the balance reads the same lines', async () => {
    const customer = await p().user.create({
      data: { role: 'customer', email: 'rasch@example.test', emailConfirmedAt: new Date(), surname: 'Расчётова', passwordHash: (await p().user.findFirstOrThrow({ where: { email: 'op@water.test' } })).passwordHash, linkedAccounts: 1 },
    })
    await p().userAccount.create({ data: { userId: customer.id, accountId: ids.C } })
    const token = (await login(ctx, 'rasch@example.test', STRONG_PASSWORD)).accessToken
    const res = await call('GET', `/v1/accounts/${ids.C}/charges?from=2026-10&to=2026-11`, token)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.periods.map((p: { period: string; amount: string; lines: unknown[] }) => [p.period, p.amount, p.lines.length])).toEqual([
      ['2026-10', '350.00', 2], // 5 m³ by average at 40, wastewater 5 m³ at 30
      // 832.20 + 894.62 + wastewater 13.870 × 30 = 416.10, and the penalty on September's 350.00
      // (due 15 October, unpaid on 30 November: 46 days, 16 of them past the grace days): 350 × 9.5 % × 16 / 300 = 1.77
      ['2026-11', '2144.69', 4],
    ])
    expect(body.periods[1].lines[3]).toEqual({
      service: null,
      kind: 'penalty',
      meterId: null,
      zone: null,
      quantity: null,
      unit: null,
      tariff: null,
      coefficient: null,
      amount: '1.77',
      source: 'computed',
      basis: {
        rule: 'housing_code_155_14',
        asOf: '2026-11-30',
        owed: '1.77',
        chargedBefore: '0.00',
        parts: [{ period: '2026-09', dueDate: '2026-10-15', amount: '350.00', paidOn: null, days: 46, percent: '9.5', penalty: '1.77' }],
      },
    })
    const november = body.periods[1].lines[0]
    expect(november).toMatchObject({
      service: 'cold_water',
      kind: 'normative',
      coefficient: '3.000',
      source: 'computed',
      unit: 'м³',
      basis: { rule: 'verification_expired_normative', verificationDueAt: '2026-08-10', residents: 2 },
    })
    // The statement reads the same lines: the penalty is part of the period's charges, outside the services.
    const statement = (await call('GET', `/v1/accounts/${ids.C}/statement?from=2026-11&to=2026-11`, token)).json()
    expect(statement.periods[0]).toMatchObject({ penalties: '1.77', chargesTotal: '2144.69' })
    expect(statement.periods[0].charges.map((c: { service: string }) => c.service).sort()).toEqual(['cold_water', 'wastewater'])
    const total = (await p().charge.aggregate({ where: { accountId: ids.C }, _sum: { amount: true } }))._sum.amount!.toFixed(2)
    const account = (await call('GET', `/v1/accounts/${ids.C}`, token)).json()
    expect(account.balance).toMatchObject({ balance: total, toPay: total })
  })

  it('refuses a reversed or too long range, and another person’s account', async () => {
    expect((await call('GET', `/v1/accounts/${ids.C}/charges?from=2026-11&to=2026-10`, operator)).json()).toMatchObject({ status: 422, code: 'period_range_invalid' })
    expect((await call('GET', `/v1/accounts/${ids.C}/charges?from=2020-01&to=2026-10`, operator)).json()).toMatchObject({ status: 422, code: 'period_range_invalid' })
    expect((await call('GET', `/v1/accounts/${ids.C}/charges?from=2026-13`, operator)).statusCode).toBe(400)
    expect((await call('GET', `/v1/accounts/${ids.C}/charges`, otherOperator)).json()).toMatchObject({ status: 404, code: 'account_not_found' })
  })
})

