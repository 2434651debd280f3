import { setClock } from '../../src/common/clock.ts'
import { rubles } from '../../src/common/money.ts'
import { issueInvoices } from '../../src/invoices/issue-sql.ts'
import type { Invoice } from '../../src/invoices/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { pdfImages, pdfText } from '../support/pdf.ts'
import { scanQrPixels } from '../support/qr.ts'
import { atOnce } from '../support/races.ts'
import type { SmtpServer } from '../support/smtp.ts'

/** Another account valid at the water supplier's bank (the heat supplier's, same BIK). */
const OTHER_ACCOUNT = '40702810744050000001'
const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let smtp: SmtpServer
let ivan: string
let anna: string
let operator: string
let water: string
let annaAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const call = (method: 'GET' | 'POST', url: string, token: string, headers: Record<string, string> = {}, payload?: object) =>
  ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) })

const field = (payload: string, name: string) => payload.split('|').find((f) => f.startsWith(`${name}=`))?.slice(name.length + 1)

/** Runs the period, closes it, and lets the issuing and delivery jobs finish. */
async function billAndClose(period: string) {
  const started = await call('POST', '/v1/admin/billing-runs', operator, {}, { supplierId: water, period })
  if (started.statusCode !== 202) throw new Error(`${period}: ${started.statusCode} ${started.body}`)
  await ctx.app.jobs.drain()
  const closed = await call('POST', `/v1/admin/billing-runs/${started.json().id}/close`, operator)
  await ctx.app.mail.drain()
  return closed
}

const invoice = async (period: string, token = anna) => (await call('GET', `/v1/accounts/${annaAccount}/invoices/${period}`, token)).json<Invoice>()

beforeAll(async () => {
  ;({ ctx, smtp, ivan, anna, close } = await twoCustomers({ clock }))
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  const account = await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })
  annaAccount = account.id
  await p().account.update({ where: { id: annaAccount }, data: { openingBalance: '1000.00', receiptDelivery: 'electronic' } })
  const tariff = (service: 'cold_water' | 'wastewater', from: string, to: string | null, price: string) =>
    p().tariff.create({ data: { supplierId: water, service, basis: 'metered', price, unit: 'м³', effectiveFrom: new Date(from), effectiveTo: to ? new Date(to) : null } })
  await tariff('cold_water', '2026-01-01', '2026-11-15', '40')
  await tariff('cold_water', '2026-11-16', null, '43')
  await tariff('wastewater', '2026-01-01', null, '30')
  await p().normative.create({ data: { supplierId: water, service: 'cold_water', basis: 'per_resident', quantity: '6.935', unit: 'м³', effectiveFrom: new Date('2026-01-01') } })
  const meter = await p().meter.create({ data: { accountId: annaAccount, service: 'cold_water', serialNumber: 'ХВС-7700001', verificationDueAt: new Date('2030-01-01') } })
  for (const [period, t1, consumption] of [['2026-10', '100.000', null], ['2026-11', '107.200', '7.200']] as const) {
    await p().reading.create({
      data: { meterId: meter.id, accountId: annaAccount, period: new Date(`${period}-01`), t1, t1Consumption: consumption, takenAt: new Date(`${period}-20T05:00:00Z`), source: 'customer', status: 'accepted' },
    })
  }
  await p().payment.createMany({
    data: [
      { accountId: annaAccount, amount: '200.00', status: 'succeeded', provider: 'bank', externalId: 'oct', paidAt: new Date('2026-10-10T05:00:00Z') },
      // 31 October 20:00 UTC is 1 November 03:00 in Novosibirsk: a November payment.
      { accountId: annaAccount, amount: '100.00', status: 'succeeded', provider: 'bank', externalId: 'nov-1', paidAt: new Date('2026-10-31T20:00:00Z') },
      { accountId: annaAccount, amount: '500.00', status: 'succeeded', provider: 'bank', externalId: 'nov-10', paidAt: new Date('2026-11-10T05:00:00Z') },
      { accountId: annaAccount, amount: '50.00', status: 'pending', provider: 'bank', externalId: 'nov-pending', paidAt: new Date('2026-11-20T05:00:00Z') },
    ],
  })
  const closed = await billAndClose('2026-11')
  if (closed.statusCode !== 200) throw new Error(`close: ${closed.statusCode} ${closed.body}`)
})
afterAll(() => close())

describe('issuing when a period closes', () => {
  it('issues one invoice per account with lines or a balance, numbered 1..n without gaps, and records it on the period', async () => {
    const rows = await p().invoice.findMany({ where: { supplierId: water, period: new Date('2026-11-01') }, orderBy: { number: 'asc' } })
    const accounts = await p().account.findMany({ where: { supplierId: water }, select: { id: true } })
    const charged = new Set((await p().charge.findMany({ where: { period: new Date('2026-11-01') }, select: { accountId: true } })).map((c) => c.accountId))
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.map((r) => r.number)).toEqual(rows.map((_, i) => i + 1))
    for (const a of accounts) if (charged.has(a.id)) expect(rows.some((r) => r.accountId === a.id)).toBe(true)
    const period = await p().closedPeriod.findUniqueOrThrow({ where: { supplierId_period: { supplierId: water, period: new Date('2026-11-01') } } })
    expect(period.invoicesIssued).toBe(rows.length)
    expect(period.invoicesIssuedAt).toEqual(clock.now())
  })

  it('reckons the totals as the ledger does: opening, payments dated in the period (local time), lines, total due', async () => {
    const body = await invoice('2026-11')
    // 1000.00 carried in − 200.00 paid in October; November: 100.00 (1 Nov local) + 500.00; the pending 50.00 is not settled.
    expect(body.openingBalance).toBe('800.00')
    expect(body.payments).toBe('600.00')
    const lines = await p().charge.findMany({ where: { accountId: annaAccount, period: new Date('2026-11-01') } })
    const sum = (amounts: string[]) => (amounts.reduce((t, a) => t + Math.round(Number(a) * 100), 0) / 100).toFixed(2)
    expect(body.charged).toBe(sum(lines.filter((l) => l.kind !== 'penalty').map((l) => l.amount.toFixed(2))))
    expect(body.penalties).toBe(sum(lines.filter((l) => l.kind === 'penalty').map((l) => l.amount.toFixed(2))))
    expect(sum(body.lines.map((l) => l.amount))).toBe(sum([body.charged, body.penalties]))
    expect(sum([body.openingBalance, `-${body.payments}`, body.charged, body.penalties])).toBe(body.totalDue)
    // Cold water split at the tariff change (16 November), wastewater on the whole volume.
    expect(body.lines.filter((l) => l.kind !== 'penalty')).toEqual([
      { service: 'cold_water', kind: 'metered', zone: 'T1', quantity: '3.600', unit: 'м³', tariff: '40.0000', amount: '144.00' },
      { service: 'cold_water', kind: 'metered', zone: 'T1', quantity: '3.600', unit: 'м³', tariff: '43.0000', amount: '154.80' },
      { service: 'wastewater', kind: 'metered', zone: 'T1', quantity: '7.200', unit: 'м³', tariff: '30.0000', amount: '216.00' },
    ])
    expect(body).toMatchObject({ period: '2026-11', dueDate: '2026-12-15', delivery: 'electronic', issuedAt: clock.now().toISOString() })
    expect(body.account).toEqual({ id: annaAccount, number: '12-0012346', holder: 'Семёнова Анна Сергеевна', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 6' })
  })

  it('carries the total due, the period and the account on the QR, with the requisites as they were at issue', async () => {
    const before = await invoice('2026-11')
    const supplier = await p().supplier.findUniqueOrThrow({ where: { id: water } })
    expect(before.payee).toEqual({
      name: supplier.name,
      inn: supplier.inn,
      kpp: supplier.kpp,
      bankName: supplier.bankName,
      bik: supplier.bik,
      settlementAccount: supplier.settlementAccount,
      correspondentAccount: supplier.correspondentAccount,
    })
    expect(field(before.qrPayload, 'Sum')).toBe(before.totalDue.replace('.', ''))
    expect(field(before.qrPayload, 'PaymPeriod')).toBe('11.2026')
    expect(field(before.qrPayload, 'PersAcc')).toBe('12-0012346')
    expect(field(before.qrPayload, 'LastName')).toBe('Семёнова')
    expect(field(before.qrPayload, 'PersonalAcc')).toBe(supplier.settlementAccount)
    await p().supplier.update({ where: { id: water }, data: { settlementAccount: OTHER_ACCOUNT, bankName: 'ПАО Сбербанк' } })
    try {
      expect(await invoice('2026-11')).toEqual(before)
    } finally {
      await p().supplier.update({ where: { id: water }, data: { settlementAccount: supplier.settlementAccount, bankName: supplier.bankName } })
    }
  })

  it('renders the receipt as one A4 page in Russian whose QR decodes to the payload', async () => {
    const body = await invoice('2026-11')
    const res = await call('GET', `/v1/accounts/${annaAccount}/invoices/2026-11`, anna, { accept: 'application/pdf' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/pdf/)
    const text = await pdfText(res.rawPayload)
    expect(text).toContain(`Квитанция на оплату за ноябрь 2026`)
    expect(text).toContain('12-0012346')
    // The access code that, with the surname, links the account: printed on the receipt only, never in the JSON.
    expect(text).toContain('Код для личного кабинета')
    expect(text).toContain('S8GK3ZPY')
    expect(JSON.stringify(body)).not.toContain('S8GK3ZPY')
    const [image] = await pdfImages(res.rawPayload)
    expect(scanQrPixels(image!.rgba, image!.width, image!.height)?.text).toBe(body.qrPayload)
  })

  it('mails the receipt with its PDF to the confirmed address of an account on electronic delivery', async () => {
    const mails = smtp.to('anna@example.test').filter((m) => m.subject.startsWith('Квитанция'))
    expect(mails).toHaveLength(1)
    const [mail] = mails
    const body = await invoice('2026-11')
    expect(mail!.text).toContain(`№ ${body.number}`)
    expect(mail!.attachments).toHaveLength(1)
    expect(mail!.attachments[0]).toMatchObject({ filename: 'receipt-12-0012346-2026-11.pdf', contentType: 'application/pdf' })
    const [image] = await pdfImages(mail!.attachments[0]!.content)
    expect(scanQrPixels(image!.rgba, image!.width, image!.height)?.text).toBe(body.qrPayload)
    // Ivan's heat account is not the water supplier's: no receipt mail.
    expect(smtp.to('ivan@example.test').filter((m) => m.subject.startsWith('Квитанция'))).toHaveLength(0)
  })

  it('issues once: the issuing job run again changes nothing and mails nothing', async () => {
    const count = await p().invoice.count()
    const mails = await p().mailOutbox.count()
    await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'invoices:issue', payload: { supplierId: water, period: '2026-11' } }))
    await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'invoices:deliver', payload: { supplierId: water, period: '2026-11' } }))
    await ctx.app.mail.drain()
    expect(await p().invoice.count()).toBe(count)
    expect(await p().mailOutbox.count()).toBe(mails)
  })

  it('the next period numbers on, opens with the last total due, and carries the new requisites', async () => {
    const november = await invoice('2026-11')
    const last = (await p().invoiceCounter.findUniqueOrThrow({ where: { supplierId: water } })).last
    const supplier = await p().supplier.findUniqueOrThrow({ where: { id: water } })
    await p().supplier.update({ where: { id: water }, data: { settlementAccount: OTHER_ACCOUNT } })
    clock.set('2026-12-26T05:00:00Z')
    try {
      expect((await billAndClose('2026-12')).statusCode).toBe(200)
    } finally {
      await p().supplier.update({ where: { id: water }, data: { settlementAccount: supplier.settlementAccount } })
    }
    const december = await invoice('2026-12')
    expect(december.number).toBeGreaterThan(last)
    const numbers = (await p().invoice.findMany({ where: { supplierId: water }, select: { number: true }, orderBy: { number: 'asc' } })).map((r) => r.number)
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
    expect(december.openingBalance).toBe(november.totalDue)
    expect(december.payee.settlementAccount).toBe(OTHER_ACCOUNT)
    expect((await invoice('2026-11')).payee.settlementAccount).toBe(supplier.settlementAccount)
  })
})

describe('GET /v1/accounts/{id}/invoices', () => {
  it('lists the receipts newest first, page by page', async () => {
    const first = await call('GET', `/v1/accounts/${annaAccount}/invoices?limit=1`, anna)
    expect(first.statusCode).toBe(200)
    const page = first.json<{ items: { period: string; number: number; totalDue: string }[]; nextCursor: string }>()
    expect(page.items.map((i) => i.period)).toEqual(['2026-12'])
    const second = (await call('GET', `/v1/accounts/${annaAccount}/invoices?limit=1&cursor=${page.nextCursor}`, anna)).json<typeof page>()
    expect(second.items.map((i) => i.period)).toEqual(['2026-11'])
    expect(second.nextCursor).toBeNull()
  })

  it("shows an operator of the supplier the account's receipts", async () => {
    expect((await call('GET', `/v1/accounts/${annaAccount}/invoices/2026-11`, operator)).statusCode).toBe(200)
  })

  it('answers 404 for a period without a receipt, another person’s account, and 400 for a bad period or cursor', async () => {
    expect((await call('GET', `/v1/accounts/${annaAccount}/invoices/2026-10`, anna)).json()).toMatchObject({ status: 404, code: 'invoice_not_found' })
    expect((await call('GET', `/v1/accounts/${annaAccount}/invoices/2026-11`, ivan)).json()).toMatchObject({ status: 404, code: 'account_not_found' })
    expect((await call('GET', `/v1/accounts/${annaAccount}/invoices`, ivan)).json()).toMatchObject({ status: 404, code: 'account_not_found' })
    const bad = (await call('GET', `/v1/accounts/${annaAccount}/invoices/2026-13`, anna)).json<{ status: number; code: string; errors: { pointer: string }[] }>()
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(bad.errors[0]!.pointer).toBe('#/period')
    expect((await call('GET', `/v1/accounts/${annaAccount}/invoices?cursor=nonsense`, anna)).json()).toMatchObject({ status: 400, code: 'invalid_cursor' })
  })
})

describe('statements and debt certificates', () => {
  it('name the receipt of each issued period, in JSON and in the PDF', async () => {
    const november = await invoice('2026-11')
    const res = await call('GET', `/v1/accounts/${annaAccount}/statement?from=2026-10&to=2026-12`, anna)
    const periods = res.json<{ periods: { period: string; invoice: unknown }[] }>().periods
    expect(periods.find((x) => x.period === '2026-10')!.invoice).toBeNull()
    expect(periods.find((x) => x.period === '2026-11')!.invoice).toEqual({ number: november.number, totalDue: november.totalDue, dueDate: '2026-12-15' })
    const pdf = await call('GET', `/v1/accounts/${annaAccount}/statement?from=2026-10&to=2026-12`, anna, { accept: 'application/pdf' })
    expect(await pdfText(pdf.rawPayload)).toContain(`Квитанция № ${november.number}`)
  })

  it('state the last receipt and the penalties in the debt certificate', async () => {
    const december = await invoice('2026-12')
    // A penalty line of the open period beside whatever the runs charged.
    await p().charge.create({ data: { accountId: annaAccount, period: new Date('2027-01-01'), kind: 'penalty', amount: '12.34' } })
    const pdf = await call('GET', `/v1/accounts/${annaAccount}/debt-certificate`, anna)
    expect(pdf.statusCode).toBe(200)
    const text = await pdfText(pdf.rawPayload)
    expect(text).toContain(`Последняя квитанция: № ${december.number} за декабрь 2026`)
    const penalties = await p().charge.aggregate({ where: { accountId: annaAccount, kind: 'penalty' }, _sum: { amount: true } })
    expect(text).toContain(`начисленные за всё время и учтённые в расчёте: ${rubles(penalties._sum.amount!.toFixed(2))}`)
  })
})

describe('what the database holds to', () => {
  it('refuses to edit or delete an issued invoice or its requisites', async () => {
    await expect(p().$executeRawUnsafe(`UPDATE invoice SET "totalDue" = 0, "openingBalance" = 0, payments = 0, charged = 0, penalties = 0, lines = '[]'`)).rejects.toThrow(/never updated nor deleted/)
    await expect(p().$executeRawUnsafe(`DELETE FROM invoice`)).rejects.toThrow(/never updated nor deleted/)
    await expect(p().$executeRawUnsafe(`UPDATE invoice_requisites SET "settlementAccount" = '0'`)).rejects.toThrow(/never updated nor deleted/)
  })

  it('refuses an invoice whose lines or total do not add up', async () => {
    const [one] = await p().$queryRawUnsafe<{ id: string }[]>(`SELECT id::text FROM invoice LIMIT 1`)
    const copy = (change: string) =>
      p().$executeRawUnsafe(
        `INSERT INTO invoice (id, "supplierId", "accountId", period, number, "requisitesId", "accountNumber", "holderSurname", address, lines,
           "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt")
         SELECT gen_random_uuid(), "supplierId", "accountId", '2030-01-01', 999999, "requisitesId", "accountNumber", "holderSurname", address, ${change}
         FROM invoice WHERE id = $1::uuid`,
        one!.id,
      )
    await expect(copy(`lines, "openingBalance", payments, charged, penalties, "totalDue" + 0.01, "dueDate", delivery, "issuedAt"`)).rejects.toThrow(/invoice_total_adds_up/)
    await expect(copy(`'[{"amount": "1.00"}]', "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt"`)).rejects.toThrow(/invoice_lines_add_up/)
  })

  it('refuses an invoice of an account or requisites that do not exist, and the deletion of an account with receipts', async () => {
    const [one] = await p().$queryRawUnsafe<{ id: string; accountId: string }[]>(`SELECT id::text, "accountId"::text FROM invoice LIMIT 1`)
    const copy = (account: string, requisites: string) =>
      p().$executeRawUnsafe(
        `INSERT INTO invoice (id, "supplierId", "accountId", period, number, "requisitesId", "accountNumber", "holderSurname", address, lines,
           "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt")
         SELECT gen_random_uuid(), "supplierId", ${account}, '2030-02-01', 999998, ${requisites}, "accountNumber", "holderSurname", address, lines,
           "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt"
         FROM invoice WHERE id = $1::uuid`,
        one!.id,
      )
    await expect(copy('gen_random_uuid()', '"requisitesId"')).rejects.toThrow(/invoice_accountId_fkey/)
    await expect(copy('"accountId"', 'gen_random_uuid()')).rejects.toThrow(/invoice_requisitesId_fkey/)
    // An account with receipts but no lines (a carried-in balance only): held by the invoices' own key.
    const bare = await p().account.create({ data: { supplierId: water, number: '12-0099999', holderSurname: 'Долгова', address: 'г. Новосибирск, ул. Ленина, д. 1', openingBalance: '5.00' } })
    await ctx.app.transaction((tx) => issueInvoices(tx, { supplierId: water, period: '2031-01', runId: null, timeZone: 'Asia/Novosibirsk', dueDate: '2031-02-15', issuedAt: clock.now() }))
    await expect(p().$executeRawUnsafe(`DELETE FROM account WHERE id = $1::uuid`, bare.id)).rejects.toThrow(/invoice_accountId_fkey/)
  })

  it('numbers two issues of one supplier at once one after the other, never twice (repeated)', async () => {
    const supplier = await p().supplier.findUniqueOrThrow({ where: { code: 'energosbyt' } })
    await p().account.updateMany({ where: { supplierId: supplier.id }, data: { openingBalance: '10.00' } })
    const issue = (period: string) =>
      ctx.app.transaction((tx) => issueInvoices(tx, { supplierId: supplier.id, period, runId: null, timeZone: supplier.timeZone, dueDate: `${period}-15`, issuedAt: clock.now() }))
    for (let round = 0; round < 10; round++) {
      const year = 2030 + round
      await atOnce(2, (i) => issue(`${year}-0${i + 1}`))
    }
    const numbers = (await p().invoice.findMany({ where: { supplierId: supplier.id }, select: { number: true }, orderBy: { number: 'asc' } })).map((r) => r.number)
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
    expect(numbers.length).toBe(2 * 10 * (await p().account.count({ where: { supplierId: supplier.id } })))
    expect((await p().invoiceCounter.findUniqueOrThrow({ where: { supplierId: supplier.id } })).last).toBe(numbers.length)
  })
})

describe('closing a period of a supplier whose requisites cannot go on a receipt', () => {
  // The bank's name may be left blank in the register; a name this long overflows the QR's 300-byte mandatory block.
  it.each([
    [{ bankName: '' }, 'supplier_requisites_incomplete', ['bankName']],
    [{ name: 'Муниципальное унитарное предприятие города Новосибирска «Горводоканал» по водоснабжению и водоотведению', bankName: 'Сибирский банк ПАО Сбербанк' }, 'qr_mandatory_block_too_long', ['name', 'bankName']],
  ])('refuses %o with %s naming the fields, and closes nothing', async (change, code, fields) => {
    clock.set('2027-01-26T05:00:00Z')
    const supplier = await p().supplier.findUniqueOrThrow({ where: { id: water } })
    await p().supplier.update({ where: { id: water }, data: change })
    try {
      const res = await billAndClose('2027-01')
      expect(res.statusCode).toBe(422)
      expect(res.json()).toMatchObject({ code, fields })
      expect(await p().closedPeriod.count({ where: { supplierId: water, period: new Date('2027-01-01') } })).toBe(0)
      expect(await p().invoice.count({ where: { supplierId: water, period: new Date('2027-01-01') } })).toBe(0)
    } finally {
      await p().supplier.update({ where: { id: water }, data: { name: supplier.name, bankName: supplier.bankName } })
    }
  })
})
