import { randomUUID } from 'node:crypto'
import iconv from 'iconv-lite'
import type { TestContext } from '../helper.ts'
import { DEMO, bearer } from '../support/auth.ts'
import { importWorld, type ImportClient, type ImportWorld } from '../support/imports.ts'

let world: ImportWorld
let ctx: TestContext
let waterOperator: string
let customer: string
let heat: string
let imports: ImportClient
let ivanovId: string

beforeAll(async () => {
  world = await importWorld()
  ;({ ctx, waterOperator, customer, heat, imports } = world)
  ivanovId = (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })).id
})
afterAll(() => world.close())

/** Each rejection as [line, code]. */
async function codes(id: string) {
  return (await imports.rejections(id)).map(({ line, code }) => [line, code])
}

/** The imported lines of a period, as the table holds them, by line id. */
async function linesOf(period: string) {
  const accounts = await ctx.client.prisma.account.findMany({ where: { supplierId: heat }, select: { id: true, number: true } })
  const numbers = new Map(accounts.map((a) => [a.id, a.number]))
  const rows = await ctx.client.prisma.charge.findMany({
    where: { period: new Date(`${period}-01`), accountId: { in: [...numbers.keys()] } },
    orderBy: { importLineId: 'asc' },
  })
  return rows.map((c) => ({
    lineId: c.importLineId,
    account: numbers.get(c.accountId),
    service: c.service,
    kind: c.kind,
    quantity: c.quantity?.toFixed(3) ?? null,
    tariff: c.tariff?.toFixed(4) ?? null,
    coefficient: c.coefficient?.toFixed(3) ?? null,
    amount: c.amount.toFixed(2),
    unit: c.unit,
  }))
}

const CHARGES_CSV = [
  'Лицевой счёт;Период;Услуга;Вид;Количество;Ед. изм.;Тариф;Сумма;ID строки',
  '5400012345;2026-09;Отопление;по нормативу;1,234;Гкал;2754,12;3 398,58;L-0901',
  '5400012345;2026-09;ГВС;по счётчику;3,100;м3;245,33;760,52;L-0902',
  '5400012345;2026-09;;пени;;;;12,34;L-0903',
  '5400012346;09.2026;heat;normative;0,932;Гкал;2754,12;2566,84;L-0904',
  '5400012345;2026-10;ГВС;перерасчёт;-1,000;м3;245,33;-245,33;L-1001',
  '5400012345;2026-10;heat;;1;Гкал;2754,12;2754,12;L-1002',
].join('\r\n')

describe('charges import', () => {
  it('imports a Windows-1251, ;-separated CSV with Russian headers: every line lands with its line id', async () => {
    const job = await imports.finished(await imports.upload('charges', iconv.encode(CHARGES_CSV, 'win1251'), 'text/csv'))
    expect(job).toMatchObject({ status: 'completed', kind: 'charges', totalRows: 6, insertedRows: 6, updatedRows: 0, deletedRows: 0, rejectedRows: 0 })
    expect(await linesOf('2026-09')).toEqual([
      { lineId: 'L-0901', account: '5400012345', service: 'heat', kind: 'normative', quantity: '1.234', tariff: '2754.1200', coefficient: null, amount: '3398.58', unit: 'Гкал' },
      { lineId: 'L-0902', account: '5400012345', service: 'hot_water', kind: 'metered', quantity: '3.100', tariff: '245.3300', coefficient: null, amount: '760.52', unit: 'м3' },
      { lineId: 'L-0903', account: '5400012345', service: null, kind: 'penalty', quantity: null, tariff: null, coefficient: null, amount: '12.34', unit: null },
      { lineId: 'L-0904', account: '5400012346', service: 'heat', kind: 'normative', quantity: '0.932', tariff: '2754.1200', coefficient: null, amount: '2566.84', unit: 'Гкал' },
    ])
    expect((await linesOf('2026-10')).map((l) => [l.lineId, l.kind, l.amount])).toEqual([
      ['L-1001', 'recalculation', '-245.33'],
      ['L-1002', 'metered', '2754.12'],
    ])
    const line = await ctx.client.prisma.charge.findFirstOrThrow({ where: { importLineId: 'L-0901' } })
    expect(line).toMatchObject({ runId: null, importSupplierId: heat, importJobId: job.id })
  })

  it('changes nothing when the same file comes again: all unchanged, the same rows', async () => {
    const before = await ctx.client.prisma.charge.findMany({ orderBy: { id: 'asc' } })
    const job = await imports.finished(await imports.upload('charges', iconv.encode(CHARGES_CSV, 'win1251'), 'text/csv; charset=windows-1251'))
    expect(job).toMatchObject({ totalRows: 6, insertedRows: 0, updatedRows: 0, unchangedRows: 6, deletedRows: 0, rejectedRows: 0 })
    expect(await ctx.client.prisma.charge.findMany({ orderBy: { id: 'asc' } })).toEqual(before)
  })

  it('a re-import of a period replaces its imported lines (NDJSON): changed lines are updated, lines left out are deleted, other periods stay', async () => {
    const september = await linesOf('2026-09')
    const ndjson = [
      { account: '5400012345', period: '2026-10', service: 'heat', kind: 'metered', quantity: '1.5', unit: 'Гкал', tariff: '2754.12', amount: '4131.18', lineId: 'L-1002' },
      { account: '5400012346', period: '2026-10', service: 'hot_water', quantity: 2, unit: 'м3', tariff: 245.33, amount: 490.66, lineId: 'L-1003' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n')
    const job = await imports.finished(await imports.upload('charges', ndjson, 'application/x-ndjson'))
    expect(job).toMatchObject({ format: 'ndjson', totalRows: 2, insertedRows: 1, updatedRows: 1, unchangedRows: 0, deletedRows: 1, rejectedRows: 0 })
    expect((await linesOf('2026-10')).map((l) => [l.lineId, l.account, l.quantity, l.amount])).toEqual([
      ['L-1002', '5400012345', '1.500', '4131.18'],
      ['L-1003', '5400012346', '2.000', '490.66'],
    ])
    expect(await linesOf('2026-09')).toEqual(september)
  })

  it('takes a JSON array; a coefficient is part of the sum', async () => {
    const json = [
      { account_number: '5400012346', period: '2026-08', service: 'heat', kind: 'normative', quantity: '0.500', tariff: '2754.12', coefficient: '1.5', amount: '2065.59', line_id: 'L-0801' },
      { account_number: '5400020001', period: '2026-08', service: 'heat', kind: 'per_area', quantity: '312.75', tariff: '38.40', amount: '12009.60', line_id: 'L-0802' },
    ]
    const job = await imports.finished(await imports.upload('charges', JSON.stringify(json), 'application/json'))
    expect(job).toMatchObject({ format: 'json', insertedRows: 2, rejectedRows: 0 })
    expect((await linesOf('2026-08')).map((l) => [l.lineId, l.kind, l.coefficient, l.amount])).toEqual([
      ['L-0801', 'normative', '1.500', '2065.59'],
      ['L-0802', 'per_area', null, '12009.60'],
    ])
  })

  it('reports each bad line by its number and code, and a period with a bad line keeps its earlier lines (nothing half-written)', async () => {
    const october = await linesOf('2026-10')
    const csv = [
      'account_number;period;service;kind;quantity;unit;tariff;amount;line_id',
      '5400012345;2026-10;heat;metered;2;Гкал;2754,12;5508,24;L-1002',
      '5400099999;2026-10;heat;metered;1;Гкал;2754,12;2754,12;X-1',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;2754,13;X-2',
      '5400012345;2026-10;heat;по воде;1;Гкал;2754,12;2754,12;X-3',
      '5400012345;2026-10;heat;penalty;;;;5;X-4',
      '5400012345;2026-10;cold_water;metered;1;м3;50;50;X-5',
      '5400012345;2026-10;heat;metered;1,2345;Гкал;2754,12;2754,12;X-6',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;много;X-7',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;2754,12;',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;2754,12;X-8',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;2754,12;X-8',
      '5400012345;2026-10;heat;metered;-1;Гкал;2754,12;0;X-9',
      '5400012345;2026-10;heat;metered;1;Гкал;-1;0;X-10',
      '5400012345;2026-10;heat;metered;1;Гкал;2754,12;-2754,12;X-11',
      '54000123;2026-10;heat;metered;1;Гкал;2754,12;2754,12;X-12',
    ].join('\n')
    const job = await imports.finished(await imports.upload('charges', csv, 'text/csv'))
    expect(job).toMatchObject({ totalRows: 15, insertedRows: 0, updatedRows: 0, unchangedRows: 0, deletedRows: 0, rejectedRows: 15 })
    expect(await codes(job.id)).toEqual([
      [2, 'period_incomplete'],
      [3, 'account_not_found'],
      [4, 'amount_mismatch'],
      [5, 'kind_unknown'],
      [6, 'penalty_invalid'],
      [7, 'service_not_supplied'],
      [8, 'quantity_invalid'],
      [9, 'amount_invalid'],
      [10, 'missing_field'],
      [11, 'period_incomplete'],
      [12, 'duplicate_in_file'],
      [13, 'quantity_invalid'],
      [14, 'tariff_invalid'],
      [15, 'amount_invalid'],
      [16, 'account_number_invalid'],
    ])
    const [incomplete, , mismatch] = await imports.rejections(job.id)
    expect(incomplete).toEqual({ line: 2, code: 'period_incomplete', detail: 'period 2026-10 is not replaced: line 3 was rejected' })
    expect(mismatch).toEqual({ line: 4, code: 'amount_mismatch', detail: 'amount 2754.13 is not quantity × tariff = 2754.12 (rounded half-up)' })
    expect(await linesOf('2026-10')).toEqual(october)
  })

  it('a line without a readable period keeps every period of the file as it was', async () => {
    const ndjson = [
      JSON.stringify({ account: '5400012345', period: '2026-06', service: 'heat', quantity: '1', tariff: '2754.12', amount: '2754.12', lineId: 'L-0601' }),
      JSON.stringify({ account: '5400012345', period: '2026-13', service: 'heat', quantity: '1', tariff: '2754.12', amount: '2754.12', lineId: 'L-0602' }),
    ].join('\n')
    const job = await imports.finished(await imports.upload('charges', ndjson, 'application/x-ndjson'))
    expect(job).toMatchObject({ insertedRows: 0, rejectedRows: 2 })
    expect(await codes(job.id)).toEqual([
      [1, 'period_incomplete'],
      [2, 'period_invalid'],
    ])
    expect(await linesOf('2026-06')).toEqual([])
  })

  it('refuses every line of a closed period, by its number, and leaves the period as it was; a line id stays in its period; other periods of the file land', async () => {
    const september = await linesOf('2026-09')
    await ctx.client.prisma.closedPeriod.createMany({
      data: [
        { supplierId: heat, period: new Date('2026-09-01'), runId: randomUUID() },
        { supplierId: heat, period: new Date('2026-07-01'), runId: randomUUID() },
      ],
    })
    const csv = [
      'лс;период;услуга;количество;тариф;сумма;id строки',
      '5400012345;2026-09;heat;2;2754,12;5508,24;L-0901',
      '5400012345;2026-07;heat;1;2754,12;2754,12;L-0701',
      '5400012345;2026-12;heat;1;2754,12;2754,12;L-1201',
      '5400012346;2026-11;heat;1;2754,12;2754,12;L-0904',
    ].join('\n')
    const job = await imports.finished(await imports.upload('charges', csv, 'text/csv'))
    expect(job).toMatchObject({ totalRows: 4, insertedRows: 1, deletedRows: 0, rejectedRows: 3 })
    expect(await codes(job.id)).toEqual([
      [2, 'period_closed'],
      [3, 'period_closed'],
      [5, 'line_id_conflict'],
    ])
    expect(await linesOf('2026-09')).toEqual(september)
    expect(await linesOf('2026-07')).toEqual([])
    expect(await linesOf('2026-11')).toEqual([])
    expect((await linesOf('2026-12')).map((l) => [l.lineId, l.kind, l.amount])).toEqual([['L-1201', 'metered', '2754.12']])
  })

  it('refuses a period that billing runs compute; a dry run computes nothing', async () => {
    await ctx.client.prisma.billingRun.createMany({
      data: [
        { supplierId: heat, period: new Date('2026-05-01'), status: 'completed' },
        { supplierId: heat, period: new Date('2026-04-01'), status: 'completed', dryRun: true },
      ],
    })
    const csv = [
      'account;period;service;quantity;tariff;amount;line_id',
      '5400012345;2026-05;heat;1;2754,12;2754,12;L-0501',
      '5400012345;2026-04;heat;1;2754,12;2754,12;L-0401',
    ].join('\n')
    const job = await imports.finished(await imports.upload('charges', csv, 'text/csv'))
    expect(job).toMatchObject({ insertedRows: 1, rejectedRows: 1 })
    expect(await codes(job.id)).toEqual([[2, 'period_computed']])
    expect((await linesOf('2026-04')).map((l) => l.lineId)).toEqual(['L-0401'])
  })

  it('a billing run of a period with imported charges is refused: it would add lines beside them', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/admin/billing-runs', headers: bearer(world.operator), payload: { supplierId: heat, period: '2026-09' } })
    expect(res.json()).toMatchObject({ status: 409, code: 'period_imported' })
    expect(await ctx.client.prisma.billingRun.count({ where: { supplierId: heat, period: new Date('2026-09-01') } })).toBe(0)
  })

  it('refuses a file without the required columns (422)', async () => {
    const res = await imports.upload('charges', 'account;period;amount\n5400012345;2026-09;1\n', 'text/csv')
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'import_header_invalid', missing: expect.arrayContaining(['lineId']) })
  })
})

const PAYMENTS_CSV = [
  'Лицевой счёт;Номер платежа;Сумма;Дата платежа;Способ оплаты',
  '5400012345;PAY-1;1 000,00;05.11.2026;Сбербанк',
  '5400012345;PAY-2;500,5;2026-11-06T10:30:00+03:00;',
  '5400012345;PAY-3;250;2026-11-07 12:00;касса',
  '5400099999;PAY-4;100;2026-11-07;',
  '5400012345;PAY-5;0;2026-11-07;',
  '5400012345;PAY-6;10;30.02.2026;',
  '5400012345;;10;2026-11-07;',
  '5400012345;PAY-1;1000;05.11.2026;Сбербанк',
].join('\r\n')

async function imported(id: string) {
  return ctx.client.prisma.payment.findMany({ where: { provider: 'import', externalId: `${heat}:${id}` } })
}

describe('payments import', () => {
  it('records settled payments; a date alone is that day on the supplier’s clock; bad lines are reported by number', async () => {
    const job = await imports.finished(await imports.upload('payments', iconv.encode(PAYMENTS_CSV, 'win1251'), 'text/csv'))
    expect(job).toMatchObject({ status: 'completed', kind: 'payments', totalRows: 8, insertedRows: 3, rejectedRows: 5 })
    expect(await codes(job.id)).toEqual([
      [5, 'account_not_found'],
      [6, 'amount_invalid'],
      [7, 'date_invalid'],
      [8, 'missing_field'],
      [9, 'duplicate_in_file'],
    ])
    const [pay1] = await imported('PAY-1')
    expect(pay1).toMatchObject({ accountId: ivanovId, status: 'succeeded', method: 'Сбербанк' })
    expect(pay1!.amount.toFixed(2)).toBe('1000.00')
    // Novosibirsk is UTC+7: midnight of 5 November there is 17:00 UTC on the 4th.
    expect(pay1!.paidAt.toISOString()).toBe('2026-11-04T17:00:00.000Z')
    expect((await imported('PAY-2'))[0]!.paidAt.toISOString()).toBe('2026-11-06T07:30:00.000Z')
    expect((await imported('PAY-3'))[0]!.paidAt.toISOString()).toBe('2026-11-07T05:00:00.000Z')
  })

  it('a repeated import records each payment once', async () => {
    const job = await imports.finished(await imports.upload('payments', iconv.encode(PAYMENTS_CSV, 'win1251'), 'text/csv'))
    expect(job).toMatchObject({ insertedRows: 0, updatedRows: 0, unchangedRows: 3, rejectedRows: 5 })
    expect(await imported('PAY-1')).toHaveLength(1)
    expect(await ctx.client.prisma.payment.count({ where: { provider: 'import' } })).toBe(3)
  })

  it('never changes the money of a payment id it has (payment_conflict); a payment in a closed period is taken', async () => {
    const ndjson = [
      { account: '5400012345', paymentId: 'PAY-1', amount: '999.00', paidAt: '05.11.2026' },
      { account: '5400012346', paymentId: 'PAY-3', amount: '250', paidAt: '2026-11-07 12:00' },
      { account: '5400012345', paymentId: 'PAY-2', amount: '500.50', paidAt: '2026-11-06T07:30:00Z', method: 'ВТБ' },
      { account: '5400012345', paymentId: 'PAY-7', amount: '300', paidAt: '2026-09-15' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n')
    const job = await imports.finished(await imports.upload('payments', ndjson, 'application/x-ndjson'))
    expect(job).toMatchObject({ totalRows: 4, insertedRows: 1, updatedRows: 1, unchangedRows: 0, rejectedRows: 2 })
    expect(await codes(job.id)).toEqual([
      [1, 'payment_conflict'],
      [2, 'payment_conflict'],
    ])
    expect((await imported('PAY-1'))[0]!.amount.toFixed(2)).toBe('1000.00')
    expect((await imported('PAY-3'))[0]!.accountId).toBe(ivanovId)
    expect((await imported('PAY-2'))[0]!.method).toBe('ВТБ')
    expect(await imported('PAY-7')).toHaveLength(1)
  })
})

describe('the ledger', () => {
  it('the linked customer’s balance counts the imported charges and payments', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${ivanovId}`, headers: bearer(customer) })
    expect(res.statusCode).toBe(200)
    // Carried in 1520.40; charges 3398.58 + 760.52 + 12.34 (September) + 4131.18 (October) + 2754.12 (December)
    // + 2754.12 (April); payments 1000.00 + 500.50 + 250.00 + 300.00.
    expect(res.json().balance).toMatchObject({ balance: '13280.76', pendingPayments: '0.00', toPay: '13280.76' })
  })
})

describe('access', () => {
  it('an operator of another supplier gets 404 and writes nothing; a customer 403; the job is invisible to others', async () => {
    const csv = 'account;period;service;quantity;tariff;amount;line_id\n5400012345;2026-03;heat;1;2754,12;2754,12;L-0301\n'
    expect((await imports.upload('charges', csv, 'text/csv', waterOperator)).statusCode).toBe(404)
    expect((await imports.upload('payments', 'account;payment_id;amount;paid_at\n5400012345;P-9;1;2026-11-01\n', 'text/csv', waterOperator)).statusCode).toBe(404)
    expect((await imports.upload('charges', csv, 'text/csv', customer)).statusCode).toBe(403)
    expect(await ctx.client.prisma.charge.count({ where: { importLineId: 'L-0301' } })).toBe(0)
    expect(await imported('P-9')).toHaveLength(0)
    const job = await ctx.client.prisma.importJob.findFirstOrThrow({ where: { supplierId: heat, kind: 'charges' } })
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${job.id}`, headers: bearer(waterOperator) })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${job.id}/rejections`, headers: bearer(waterOperator) })).statusCode).toBe(404)
  })
})

describe('publishing a period of imported charges', () => {
  const publish = (period: string, token = world.operator, supplier = heat) =>
    ctx.app.inject({ method: 'POST', url: `/v1/admin/billing-periods/${supplier}/${period}/publish`, headers: bearer(token) })

  it('closes the period and issues its receipts from the imported lines', async () => {
    const res = await publish('2026-10')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ supplierId: heat, period: '2026-10', closed: true, runId: null, invoicesIssued: null })
    await ctx.app.jobs.drain()
    const view = await ctx.app.inject({ method: 'GET', url: `/v1/admin/billing-periods/${heat}/2026-10`, headers: bearer(world.operator) })
    expect(view.json()).toMatchObject({ closed: true, invoicesIssued: expect.any(Number), invoicesIssuedAt: expect.any(String) })
    const invoice = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${ivanovId}/invoices/2026-10`, headers: bearer(customer) })
    expect(invoice.statusCode).toBe(200)
    const lines = (await linesOf('2026-10')).filter((l) => l.account === DEMO.ivanovHeat.number)
    const body = invoice.json<{ charged: string; lines: { service: string | null; kind: string; amount: string }[] }>()
    const kopecks = (amounts: string[]) => amounts.reduce((t, a) => t + Math.round(Number(a) * 100), 0)
    expect(kopecks([body.charged])).toBe(kopecks(lines.filter((l) => l.kind !== 'penalty').map((l) => l.amount)))
    expect(body.lines.map((l) => `${l.service} ${l.kind}`).sort()).toEqual([...new Set(lines.map((l) => `${l.service} ${l.kind}`))].sort())
  })

  it('refuses a second publish, a later import of the period, a period without imported lines, and another supplier’s operator', async () => {
    expect((await publish('2026-10')).json()).toMatchObject({ status: 409, code: 'period_closed' })
    const csv = 'account;period;service;quantity;tariff;amount;line_id\n5400012345;2026-10;heat;1;2754,12;2754,12;L-0999\n'
    const job = await imports.finished(await imports.upload('charges', csv, 'text/csv'))
    expect(await codes(job.id)).toEqual([[2, 'period_closed']])
    expect((await publish('2027-05')).json()).toMatchObject({ status: 409, code: 'period_not_imported' })
    expect((await publish('2026-12', waterOperator)).json()).toMatchObject({ status: 404, code: 'supplier_not_found' })
    expect(await ctx.client.prisma.closedPeriod.count({ where: { supplierId: heat, period: new Date('2026-12-01') } })).toBe(0)
  })
})
