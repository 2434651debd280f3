import { setClock } from '../../src/common/clock.ts'
import type { TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { docxFile, multipart } from '../support/files.ts'
import { startS3Server, type S3Server } from '../support/s3.ts'

/** Ticket files in an S3-compatible bucket (a real s3rver), streamed in and out. */
const clock = setClock('2026-11-23T03:00:00Z')
let ctx: TestContext
let s3: S3Server
let ivan: string
let close: () => Promise<void>

beforeAll(async () => {
  s3 = await startS3Server()
  ;({ ctx, ivan, close } = await twoCustomers({ clock, env: s3.env }))
})
afterAll(async () => {
  await close()
  await s3.close()
})

it('stores an upload in the bucket, serves it to the ticket’s people, and removes an unattached one after a day', async () => {
  const heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  const operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  const category = await ctx.app.inject({
    method: 'POST',
    url: '/v1/admin/ticket-categories',
    headers: bearer(operator),
    payload: { supplierId: heat, code: 'other', name: 'Другое', firstResponseMinutes: 60, resolutionMinutes: 600 },
  })
  const data = docxFile()
  const body = multipart([{ name: 'file', fileName: 'заявление.docx', contentType: 'application/octet-stream', data }])
  const items = (await ctx.app.inject({ method: 'POST', url: '/v1/ticket-attachments', headers: { ...bearer(ivan), ...body.headers }, payload: body.payload })).json().items
  const stray = (await ctx.app.inject({ method: 'POST', url: '/v1/ticket-attachments', headers: { ...bearer(ivan), ...body.headers }, payload: body.payload })).json().items
  const ticket = await ctx.app.inject({
    method: 'POST',
    url: '/v1/tickets',
    headers: bearer(ivan),
    payload: { supplierId: heat, categoryId: category.json().id, subject: 'Заявление', text: 'Прошу рассмотреть.', attachmentIds: [items[0].id] },
  })
  expect(ticket.statusCode).toBe(201)
  const row = await ctx.client.prisma.ticketAttachment.findUniqueOrThrow({ where: { id: items[0].id } })
  const stored = await s3.store().get(row.storageKey)
  expect(stored?.bytes).toBe(data.length)
  stored?.body.destroy()
  const download = await ctx.app.inject({ method: 'GET', url: `/v1/tickets/${ticket.json().id}/attachments/${items[0].id}`, headers: bearer(operator) })
  expect(download.statusCode).toBe(200)
  expect(download.rawPayload.equals(data)).toBe(true)
  // The upload nobody attached leaves the bucket after a day.
  clock.advance(25 * 3_600_000)
  expect(await ctx.app.tickets.service.pruneUploads()).toBe(1)
  const strayRow = await ctx.client.prisma.ticketAttachment.findUnique({ where: { id: stray[0].id } })
  expect(strayRow).toBeNull()
  expect(await ctx.client.prisma.ticketAttachment.count()).toBe(1)
})
