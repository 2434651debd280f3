import type { Static } from 'typebox'
import type { BillingPeriodView as PeriodSchema } from '../../src/billing/run-schemas.ts'
import { setClock } from '../../src/common/clock.ts'
import type { Invoice } from '../../src/invoices/schemas.ts'
import type { TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { makeJobsDue } from '../support/jobs.ts'
import { pdfImages, pdfPages } from '../support/pdf.ts'
import { scanQrPixels } from '../support/qr.ts'
import { startS3Server, type S3Server } from '../support/s3.ts'

type BillingPeriodView = Static<typeof PeriodSchema>
const clock = setClock('2026-11-26T05:00:00Z')
let ctx: TestContext
let s3: S3Server
let operator: string
let heatOperator: string
let water: string
let runId: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

const get = (url: string, token = operator) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) })
const post = (url: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(operator), ...(payload ? { payload } : {}) })
const periodView = async (period: string) => (await get(`/v1/admin/billing-periods/${water}/${period}`)).json<BillingPeriodView>()

async function runAndClose(period: string): Promise<string> {
  const started = await post('/v1/admin/billing-runs', { supplierId: water, period })
  if (started.statusCode !== 202) throw new Error(`${period}: ${started.statusCode} ${started.body}`)
  await ctx.app.jobs.drain()
  const closed = await post(`/v1/admin/billing-runs/${started.json().id}/close`)
  if (closed.statusCode !== 200) throw new Error(`close ${period}: ${closed.statusCode} ${closed.body}`)
  return started.json<{ id: string }>().id
}

/** The paper accounts in the order a postman walks them: numbers compared as numbers. */
const PAPER_IN_ADDRESS_ORDER = ['12-0012400', '12-0012402', '12-0012345', '12-0012401', '11-0007785']

beforeAll(async () => {
  s3 = await startS3Server()
  ;({ ctx, close } = await twoCustomers({ clock, env: s3.env }))
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, await supplierId(ctx, 'sibteplo'))
  heatOperator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  // Anna's account is electronic and she has a confirmed address: mailed, not printed. Ivan's
  // water account asks for electronic receipts, but nobody has linked it: printed.
  await p().account.update({ where: { supplierId_number: { supplierId: water, number: '12-0012346' } }, data: { receiptDelivery: 'electronic' } })
  for (const [number, address] of [
    ['12-0012400', 'г. Новосибирск, ул. Ленина, д. 9, кв. 1'],
    ['12-0012401', 'г. Новосибирск, ул. Ленина, д. 10, кв. 12'],
    ['12-0012402', 'г. Новосибирск, ул. Ленина, д. 10, кв. 2'],
  ] as const) {
    await p().account.create({ data: { supplierId: water, number, holderSurname: 'Жильцова', holderGivenNames: 'Ольга', address, residentsCount: 1, services: ['cold_water', 'wastewater'] } })
  }
  await p().tariff.createMany({
    data: [
      { supplierId: water, service: 'cold_water', basis: 'metered', price: '43', unit: 'м³', effectiveFrom: new Date('2026-01-01') },
      { supplierId: water, service: 'wastewater', basis: 'metered', price: '30', unit: 'м³', effectiveFrom: new Date('2026-01-01') },
    ],
  })
  await p().normative.create({ data: { supplierId: water, service: 'cold_water', basis: 'per_resident', quantity: '6.935', unit: 'м³', effectiveFrom: new Date('2026-01-01') } })
})
afterAll(async () => {
  await close()
  await s3.close()
})

describe('the print batch of a closed period', () => {
  it('is not ready before the period closes, nor before its job has run', async () => {
    const started = await post('/v1/admin/billing-runs', { supplierId: water, period: '2026-11' })
    runId = started.json<{ id: string }>().id
    await ctx.app.jobs.drain()
    const open = await get(`/v1/admin/billing-runs/${runId}/print-batch`)
    expect(open.statusCode).toBe(409)
    expect(open.json()).toMatchObject({ code: 'print_batch_not_ready' })
    expect((await periodView('2026-11')).printBatch).toBeNull()
    expect((await post(`/v1/admin/billing-runs/${runId}/close`)).statusCode).toBe(200)
    const queued = await get(`/v1/admin/billing-periods/${water}/2026-11/print-batch`)
    expect(queued.statusCode).toBe(409)
    expect(queued.json()).toMatchObject({ code: 'print_batch_not_ready' })
    await ctx.app.jobs.drain()
  })

  it('holds the paper receipts, electronic ones that nobody could be mailed among them, sorted by address', async () => {
    const invoices = await p().invoice.findMany({ where: { supplierId: water, period: new Date('2026-11-01') }, orderBy: { accountNumber: 'asc' } })
    expect(Object.fromEntries(invoices.map((i) => [i.accountNumber, i.delivery]))).toEqual({
      '11-0007785': 'paper',
      '12-0012345': 'paper',
      '12-0012346': 'electronic',
      '12-0012400': 'paper',
      '12-0012401': 'paper',
      '12-0012402': 'paper',
    })
    const view = await periodView('2026-11')
    expect(view.printBatch).toMatchObject({ status: 'ready', invoices: 5, pages: 5, readyAt: clock.now().toISOString() })

    const answer = await get(`/v1/admin/billing-runs/${runId}/print-batch`)
    expect(answer.statusCode).toBe(200)
    expect(answer.headers['content-type']).toBe('application/pdf')
    expect(answer.headers['content-disposition']).toBe('attachment; filename="receipts-gorvodokanal-2026-11.pdf"')
    expect(answer.rawPayload.length).toBe(view.printBatch!.bytes)
    expect(Number(answer.headers['content-length'])).toBe(view.printBatch!.bytes)
    const pages = await pdfPages(answer.rawPayload)
    expect(pages).toHaveLength(5)
    expect(pages.map((page) => PAPER_IN_ADDRESS_ORDER.find((number) => page.includes(`Лицевой счёт: ${number}`)))).toEqual(PAPER_IN_ADDRESS_ORDER)
    for (const page of pages) expect(page).toMatch(/Квитанция на оплату за ноябрь 2026/)

    // Each page's QR is that account's receipt QR, as a bank app would read it off the paper.
    const images = await pdfImages(answer.rawPayload)
    expect(images.map((image) => image.page)).toEqual([1, 2, 3, 4, 5])
    for (const [i, number] of PAPER_IN_ADDRESS_ORDER.entries()) {
      const account = await p().account.findFirstOrThrow({ where: { supplierId: water, number } })
      const invoice = (await get(`/v1/accounts/${account.id}/invoices/2026-11`)).json<Invoice>()
      const { width, height, rgba } = images[i]!
      expect(scanQrPixels(rgba, width, height)?.text).toBe(invoice.qrPayload)
    }

    // The same file by the period, and in the bucket where the job left it.
    const byPeriod = await get(`/v1/admin/billing-periods/${water}/2026-11/print-batch`)
    expect(byPeriod.rawPayload.equals(answer.rawPayload)).toBe(true)
    const store = s3.store()
    expect((await store.get(`print-batches/${water}/2026-11.pdf`))?.bytes).toBe(answer.rawPayload.length)
  })

  it('is made once: the job run again changes nothing', async () => {
    const before = await p().printBatch.findUniqueOrThrow({ where: { supplierId_period: { supplierId: water, period: new Date('2026-11-01') } } })
    await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'invoices:print', payload: { supplierId: water, period: '2026-11' } }))
    clock.set(new Date('2026-11-26T06:00:00Z'))
    await ctx.app.jobs.drain()
    expect(await p().printBatch.findUniqueOrThrow({ where: { supplierId_period: { supplierId: water, period: new Date('2026-11-01') } } })).toEqual(before)
  })

  it('is made by one of two jobs that start at once, and its size is the stored file’s (repeated)', async () => {
    const where = { supplierId_period: { supplierId: water, period: new Date('2026-11-01') } }
    for (let round = 0; round < 4; round++) {
      await p().printBatch.update({ where, data: { status: 'pending', pages: null, bytes: null, storageKey: null, readyAt: null } })
      await s3.store().delete(`print-batches/${water}/2026-11.pdf`)
      for (let i = 0; i < 2; i++) await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'invoices:print', payload: { supplierId: water, period: '2026-11' } }))
      await Promise.all([ctx.app.jobs.drain(), ctx.app.jobs.drain()])
      const batch = await p().printBatch.findUniqueOrThrow({ where })
      expect(batch).toMatchObject({ status: 'ready', pages: 5 })
      expect((await s3.store().get(`print-batches/${water}/2026-11.pdf`))?.bytes).toBe(Number(batch.bytes))
    }
  })

  it('stays pending while storage is down, leaves no object, and is made when the retried job finds it back', async () => {
    await s3.stop()
    try {
      await runAndClose('2026-12')
      await ctx.app.jobs.drain()
    } finally {
      await s3.start()
    }
    const pending = await periodView('2026-12')
    expect(pending).toMatchObject({ invoicesIssued: 6, printBatch: { status: 'pending', invoices: 5, pages: null, bytes: null, readyAt: null } })
    expect((await get(`/v1/admin/billing-periods/${water}/2026-12/print-batch`)).json()).toMatchObject({ code: 'print_batch_not_ready' })
    const store = s3.store()
    expect(await store.get(`print-batches/${water}/2026-12.pdf`)).toBeNull()

    expect(await makeJobsDue(ctx)).toBe(1)
    await ctx.app.jobs.drain()
    expect((await periodView('2026-12')).printBatch).toMatchObject({ status: 'ready', invoices: 5, pages: 5 })
    const answer = await get(`/v1/admin/billing-periods/${water}/2026-12/print-batch`)
    expect(answer.statusCode).toBe(200)
    expect(await pdfPages(answer.rawPayload)).toHaveLength(5)
  })

  it('answers 404 print_batch_empty for a period with nothing on paper', async () => {
    await p().printBatch.create({ data: { supplierId: water, period: new Date('2026-10-01'), status: 'empty', invoices: 0, createdAt: clock.now() } })
    const answer = await get(`/v1/admin/billing-periods/${water}/2026-10/print-batch`)
    expect(answer.statusCode).toBe(404)
    expect(answer.json()).toMatchObject({ code: 'print_batch_empty' })
  })

  it("hides another supplier's batches and refuses customers and bad input", async () => {
    expect((await get(`/v1/admin/billing-runs/${runId}/print-batch`, heatOperator)).json()).toMatchObject({ code: 'billing_run_not_found' })
    expect((await get(`/v1/admin/billing-periods/${water}/2026-11/print-batch`, heatOperator)).json()).toMatchObject({ code: 'supplier_not_found' })
    const anna = (await login(ctx, 'anna@example.test', STRONG_PASSWORD)).accessToken
    expect((await get(`/v1/admin/billing-runs/${runId}/print-batch`, anna)).statusCode).toBe(403)
    expect((await get(`/v1/admin/billing-periods/${water}/2026-13/print-batch`)).json()).toMatchObject({ code: 'validation_failed' })
    expect((await get('/v1/admin/billing-runs/not-a-uuid/print-batch')).statusCode).toBe(400)
  })

  it('refuses a batch whose state does not add up (a CHECK)', async () => {
    await expect(p().printBatch.create({ data: { supplierId: water, period: new Date('2026-09-01'), status: 'ready', invoices: 3, createdAt: clock.now() } })).rejects.toThrow(/print_batch_state/)
    await expect(p().printBatch.create({ data: { supplierId: water, period: new Date('2026-09-01'), status: 'empty', invoices: 3, createdAt: clock.now() } })).rejects.toThrow(/print_batch_state/)
  })
})
