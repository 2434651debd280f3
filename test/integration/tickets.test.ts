import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setClock } from '../../src/common/clock.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { compoundFile, docxFile, exeFile, hollowDocxFile, jpegFile, multipart, pdfFile, pngFile, zipFile, type Part } from '../support/files.ts'
import type { SmtpServer } from '../support/smtp.ts'

// Monday 23 November 2026, 10:00 in Novosibirsk (UTC+7), where the heat supplier works.
const clock = setClock('2026-11-23T03:00:00Z')
const MAX_BYTES = 200_000
let ctx: TestContext
let smtp: SmtpServer
let ivan: string
let anna: string
let operator: string
let waterOperator: string
let heat: string
let water: string
let accountId: string
let billing: string
let emergency: string
let spoolDir: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT'
const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

const file = (fileName: string, data: Buffer, contentType = 'application/octet-stream'): Part => ({ name: 'file', fileName, contentType, data })

async function upload(token: string, parts: Part[]) {
  const body = multipart(parts)
  return ctx.app.inject({ method: 'POST', url: '/v1/ticket-attachments', headers: { ...bearer(token), ...body.headers }, payload: body.payload })
}

async function uploaded(token: string, parts: Part[]): Promise<{ id: string; fileName: string; contentType: string; bytes: number }[]> {
  const answer = await upload(token, parts)
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<{ items: { id: string; fileName: string; contentType: string; bytes: number }[] }>().items
}

async function open(token = ivan, extra: Record<string, unknown> = {}) {
  const answer = await call('POST', '/v1/tickets', token, { supplierId: heat, categoryId: billing, subject: 'Неверный расчёт за ноябрь', text: 'Начислено больше, чем по счётчику.', ...extra })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<{ id: string; number: number; status: string; firstResponseDueAt: string; resolutionDueAt: string; messages: { attachments: { id: string }[] }[] }>()
}

beforeAll(async () => {
  spoolDir = await mkdtemp(path.join(tmpdir(), 'abonent-spool-'))
  ;({ ctx, smtp, ivan, anna, close } = await twoCustomers({ clock, env: { TICKET_ATTACHMENT_MAX_BYTES: String(MAX_BYTES), UPLOAD_TMP_DIR: spoolDir } }))
  heat = await supplierId(ctx, 'sibteplo')
  water = await supplierId(ctx, 'gorvodokanal')
  await p().supplier.update({ where: { id: heat }, data: { timeZone: 'Asia/Novosibirsk' } })
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  waterOperator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  accountId = (await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })).id
  const category = async (body: object) => {
    const answer = await call('POST', '/v1/admin/ticket-categories', operator, { supplierId: heat, ...body })
    if (answer.statusCode !== 201) throw new Error(answer.body)
    return answer.json<{ id: string }>().id
  }
  billing = await category({ code: 'billing', name: 'Вопрос по начислениям', firstResponseMinutes: 120, resolutionMinutes: 1080 })
  emergency = await category({ code: 'emergency', name: 'Авария', firstResponseMinutes: 5, resolutionMinutes: 240, emergency: true })
  // Monday to Friday 09–18; 30 November a holiday.
  const calendar = await call('PUT', `/v1/admin/suppliers/${heat}/working-calendar`, operator, {
    week: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '09:00', closesAt: '18:00' })),
    days: [{ date: '2026-11-30', name: 'Перенесённый выходной' }],
  })
  expect(calendar.statusCode).toBe(200)
})
afterAll(async () => {
  await close()
  await rm(spoolDir, { recursive: true, force: true })
})
beforeEach(() => clock.set('2026-11-23T03:00:00Z'))

describe('deadlines in the supplier’s working calendar', () => {
  it('counts working hours across a weekend and a holiday', async () => {
    // Friday 27 November 17:00 local: one working hour left that day; Saturday, Sunday off; Monday a holiday.
    clock.set('2026-11-27T10:00:00Z')
    const ticket = await open()
    expect(ticket.firstResponseDueAt).toBe('2026-12-01T03:00:00.000Z') // Tuesday 10:00 local
    // 1080 min = 2 working days: Friday's 60 min, Tuesday's 540, then 480 of Wednesday: 17:00 local.
    expect(ticket.resolutionDueAt).toBe('2026-12-02T10:00:00.000Z')
    expect(ticket.status).toBe('new')
    expect(ticket.number).toBeGreaterThan(0)
  })

  it('counts an emergency in clock minutes, at night and on a Sunday', async () => {
    clock.set('2026-11-28T20:00:00Z') // Sunday 03:00 local
    const ticket = await open(ivan, { categoryId: emergency, subject: 'Нет отопления в подъезде' })
    expect(ticket.firstResponseDueAt).toBe('2026-11-28T20:05:00.000Z')
    expect(ticket.resolutionDueAt).toBe('2026-11-29T00:00:00.000Z')
    await ctx.app.mail.drain()
    // The supplier's operators hear of an emergency at once.
    expect(smtp.to('op@heat.test').some((m) => m.subject.includes(`№ ${ticket.number}`))).toBe(true)
  })

  it('refuses a calendar with a weekday twice or hours that end before they start', async () => {
    const twice = await call('PUT', `/v1/admin/suppliers/${heat}/working-calendar`, waterOperator, { week: [], days: [] })
    expect(twice.json().code).toBe('supplier_not_found')
    const bad = await call('PUT', `/v1/admin/suppliers/${heat}/working-calendar`, operator, {
      week: [
        { weekday: 1, opensAt: '09:00', closesAt: '18:00' },
        { weekday: 1, opensAt: '10:00', closesAt: '11:00' },
      ],
      days: [],
    })
    expect(bad.json()).toMatchObject({ code: 'working_calendar_invalid', errors: [{ pointer: '#/week/1/weekday' }] })
  })
})

describe('attachments', () => {
  it('takes PDF, PNG, JPEG, .docx and .doc by their bytes, and gives each back as a download', async () => {
    const files = [file('квитанция.pdf', pdfFile()), file('фото.png', await pngFile()), file('счётчик.jpeg', jpegFile()), file('заявление.docx', docxFile()), file('старое.doc', compoundFile('WordDocument'))]
    const items = await uploaded(ivan, files)
    expect(items.map((i) => [i.fileName, i.contentType])).toEqual([
      ['квитанция.pdf', 'application/pdf'],
      ['фото.png', 'image/png'],
      ['счётчик.jpg', 'image/jpeg'],
      ['заявление.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['старое.doc', 'application/msword'],
    ])
    const ticket = await open(ivan, { attachmentIds: items.map((i) => i.id), accountId })
    expect(ticket.messages[0]!.attachments).toHaveLength(5)
    const download = await call('GET', `/v1/tickets/${ticket.id}/attachments/${items[0]!.id}`, ivan)
    expect(download.statusCode).toBe(200)
    expect(download.rawPayload.equals(files[0]!.data)).toBe(true)
    expect(download.headers['content-type']).toBe('application/pdf')
    expect(download.headers['x-content-type-options']).toBe('nosniff')
    expect(download.headers['content-disposition']).toBe(`attachment; filename="_________.pdf"; filename*=UTF-8''${encodeURIComponent('квитанция.pdf')}`)
    // The supplier's operator may read it; another customer or another supplier's operator may not.
    expect((await call('GET', `/v1/tickets/${ticket.id}/attachments/${items[0]!.id}`, operator)).statusCode).toBe(200)
    expect((await call('GET', `/v1/tickets/${ticket.id}/attachments/${items[0]!.id}`, anna)).json().code).toBe('ticket_not_found')
    expect((await call('GET', `/v1/tickets/${ticket.id}/attachments/${items[0]!.id}`, waterOperator)).json().code).toBe('ticket_not_found')
  })

  it.each([
    ['a program named .pdf', file('invoice.pdf', exeFile(), 'application/pdf')],
    ['a spreadsheet named .doc', file('report.doc', compoundFile('Workbook'), 'application/msword')],
    ['a plain ZIP named .docx', file('letter.docx', zipFile({ 'a.txt': 'hi' }))],
    ['a ZIP that claims Word but has no document', file('letter.docx', hollowDocxFile())],
    ['an empty file', file('empty.pdf', Buffer.alloc(0), 'application/pdf')],
  ])('refuses %s and keeps nothing', async (_, part) => {
    const before = await p().ticketAttachment.count()
    const answer = await upload(ivan, [file('ok.pdf', pdfFile()), part])
    expect(answer.statusCode).toBe(415)
    expect(answer.json().code).toBe('attachment_type_not_allowed')
    expect(await p().ticketAttachment.count()).toBe(before)
    expect(await readdir(spoolDir)).toEqual([])
  })

  it('cuts off a file over the limit without keeping any of it', async () => {
    const big = Buffer.concat([pdfFile(), Buffer.alloc(MAX_BYTES * 3, 0x20)])
    const answer = await upload(ivan, [file('big.pdf', big, 'application/pdf')])
    expect(answer.statusCode).toBe(422)
    expect(answer.json().code).toBe('attachment_too_large')
    expect(await readdir(spoolDir)).toEqual([])
  })

  it('refuses more than five files at once, and more than five on a message', async () => {
    const six = Array.from({ length: 6 }, (_, i) => file(`f${i}.pdf`, pdfFile(String(i)), 'application/pdf'))
    const before = await p().ticketAttachment.count()
    const answer = await upload(ivan, six)
    expect(answer.statusCode).toBe(422)
    expect(answer.json().code).toBe('too_many_attachments')
    expect(await p().ticketAttachment.count()).toBe(before)
    const five = await uploaded(ivan, six.slice(0, 5))
    const one = await uploaded(ivan, six.slice(5))
    const refused = await call('POST', '/v1/tickets', ivan, { supplierId: heat, categoryId: billing, subject: 'x', text: 'x', attachmentIds: [...five, ...one].map((f) => f.id) })
    expect(refused.json().code).toBe('too_many_attachments')
  })

  it('keeps no directory or control characters of a file name', async () => {
    const [item] = await uploaded(ivan, [file('../../etc/\u202Epasswd\u0007 копия.pdf', pdfFile(), 'application/pdf')])
    expect(item!.fileName).toBe('passwd копия.pdf')
    const [windows] = await uploaded(ivan, [file('C:\\Users\\ivan\\Desktop\\..\\скан.png', await pngFile(), 'image/png')])
    expect(windows!.fileName).toBe('скан.png')
    const [hidden] = await uploaded(ivan, [file('.htaccess', pdfFile(), 'application/pdf')])
    expect(hidden!.fileName).toBe('htaccess.pdf')
  })

  it('attaches only the uploader’s own files, each once', async () => {
    const [annas] = await uploaded(anna, [file('a.pdf', pdfFile(), 'application/pdf')])
    const refused = await call('POST', '/v1/tickets', ivan, { supplierId: heat, categoryId: billing, subject: 'x', text: 'x', attachmentIds: [annas!.id] })
    expect(refused.json()).toMatchObject({ code: 'attachment_not_found', errors: [{ pointer: '#/attachmentIds' }] })
    const [mine] = await uploaded(ivan, [file('b.pdf', pdfFile(), 'application/pdf')])
    await open(ivan, { attachmentIds: [mine!.id] })
    const again = await call('POST', '/v1/tickets', ivan, { supplierId: heat, categoryId: billing, subject: 'x', text: 'x', attachmentIds: [mine!.id] })
    expect(again.json().code).toBe('attachment_not_found')
  })
})

describe('the thread and its statuses', () => {
  it('hides internal notes and their files from the customer everywhere', async () => {
    const ticket = await open()
    const [noteFile] = await uploaded(operator, [file('служебное.pdf', pdfFile('internal'), 'application/pdf')])
    const note = await call('POST', `/v1/admin/tickets/${ticket.id}/messages`, operator, { text: 'СЕКРЕТНО: проверить в 1С', internal: true, attachmentIds: [noteFile!.id] })
    expect(note.statusCode).toBe(201)
    const answer = await call('POST', `/v1/admin/tickets/${ticket.id}/messages`, operator, { text: 'Проверяем показания, ответим завтра.' })
    expect(answer.json()).toMatchObject({ status: 'in_progress', firstRespondedAt: expect.any(String) })
    await ctx.app.mail.drain()
    const seen = await call('GET', `/v1/tickets/${ticket.id}`, ivan)
    expect(seen.body).not.toContain('СЕКРЕТНО')
    expect(seen.body).not.toContain(noteFile!.id)
    expect(seen.json().messages.map((m: { text: string }) => m.text)).toEqual(['Начислено больше, чем по счётчику.', 'Проверяем показания, ответим завтра.'])
    expect((await call('GET', `/v1/tickets/${ticket.id}/attachments/${noteFile!.id}`, ivan)).json().code).toBe('attachment_not_found')
    const list = await call('GET', '/v1/tickets', ivan)
    expect(list.body).not.toContain('СЕКРЕТНО')
    const exported = await call('GET', '/v1/me/export', ivan)
    expect(exported.statusCode).toBe(200)
    expect(exported.body).toContain('Проверяем показания')
    expect(exported.body).not.toContain('СЕКРЕТНО')
    const mails = smtp.to('ivan@example.test')
    expect(mails.some((m) => m.text.includes('Проверяем показания'))).toBe(true)
    expect(mails.some((m) => m.text.includes('СЕКРЕТНО') || m.html.includes('СЕКРЕТНО'))).toBe(false)
    // Staff see it.
    expect((await call('GET', `/v1/tickets/${ticket.id}`, operator)).body).toContain('СЕКРЕТНО')
  })

  it('follows the transition table: refused moves get a code; the customer closes, reopens within the window, and rates', async () => {
    const ticket = await open()
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, ivan, { rating: 5 })).json().code).toBe('ticket_not_resolved')
    expect((await call('PATCH', `/v1/admin/tickets/${ticket.id}`, operator, { status: 'waiting_customer' })).json().status).toBe('waiting_customer')
    // The customer's reply brings it back to staff.
    expect((await call('POST', `/v1/tickets/${ticket.id}/messages`, ivan, { text: 'Фото счётчика прилагаю.' })).json().status).toBe('in_progress')
    expect((await call('PATCH', `/v1/admin/tickets/${ticket.id}`, operator, { status: 'resolved' })).json()).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) })
    expect((await call('PATCH', `/v1/admin/tickets/${ticket.id}`, operator, { status: 'waiting_customer' })).json().code).toBe('ticket_transition_not_allowed')
    expect((await call('POST', `/v1/tickets/${ticket.id}/messages`, ivan, { text: 'ещё' })).json().code).toBe('ticket_closed')
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, ivan, { rating: 4, ratingComment: 'Хорошо' })).json()).toMatchObject({ rating: 4, ratingComment: 'Хорошо' })
    clock.advance(3 * 86_400_000)
    const reopened = (await call('PATCH', `/v1/tickets/${ticket.id}`, ivan, { status: 'in_progress' })).json()
    expect(reopened).toMatchObject({ status: 'in_progress', reopenCount: 1, resolvedAt: null, resolutionDueAt: ticket.resolutionDueAt, firstResponseDueAt: ticket.firstResponseDueAt })
    await ctx.app.mail.drain()
    expect(smtp.to('op@heat.test').some((m) => m.subject === `Обращение № ${ticket.number}: клиент вновь открыл обращение`)).toBe(true)
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, ivan, { status: 'closed' })).json().status).toBe('closed')
    clock.advance(15 * 86_400_000)
    expect((await call('PATCH', `/v1/tickets/${ticket.id}`, ivan, { status: 'in_progress' })).json().code).toBe('ticket_reopen_expired')
    // Staff may reopen any time.
    expect((await call('PATCH', `/v1/admin/tickets/${ticket.id}`, operator, { status: 'in_progress' })).json()).toMatchObject({ status: 'in_progress', reopenCount: 2 })
  })

  it('lets nobody else see or touch a customer’s ticket', async () => {
    const ticket = await open()
    expect((await call('GET', `/v1/tickets/${ticket.id}`, anna)).json().code).toBe('ticket_not_found')
    expect((await call('POST', `/v1/tickets/${ticket.id}/messages`, anna, { text: 'x' })).json().code).toBe('ticket_not_found')
    expect((await call('GET', `/v1/tickets/${ticket.id}`, waterOperator)).json().code).toBe('ticket_not_found')
    expect((await call('POST', `/v1/admin/tickets/${ticket.id}/messages`, waterOperator, { text: 'x' })).json().code).toBe('ticket_not_found')
    expect((await call('POST', '/v1/tickets', ivan, { supplierId: heat, categoryId: billing, subject: 'x', text: 'x', accountId: (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id })).json().code).toBe('account_not_found')
    expect((await call('PATCH', `/v1/admin/tickets/${ticket.id}`, operator, { assigneeId: (await p().user.findFirstOrThrow({ where: { email: 'op@water.test' } })).id })).json().code).toBe('assignee_not_operator')
  })
})

describe('the operators’ queue and the SLA watch', () => {
  it('puts overdue tickets first, flags a breach once and mails the assignee', async () => {
    await p().$executeRawUnsafe(`DELETE FROM ticket`)
    const late = await open(ivan, { subject: 'Старое' })
    clock.advance(60 * 60_000)
    const fresh = await open(ivan, { subject: 'Новое' })
    const me = (await p().user.findFirstOrThrow({ where: { email: 'op@heat.test' } })).id
    await call('PATCH', `/v1/admin/tickets/${late.id}`, operator, { assigneeId: me })
    await call('POST', `/v1/admin/tickets/${fresh.id}/messages`, operator, { text: 'Приняли в работу.' })
    // 10:00 + 2 working hours: the first answer to the old one was due at 12:00 local.
    clock.set('2026-11-23T05:30:00Z')
    const queue = (await call('GET', '/v1/admin/tickets?open=true', operator)).json()
    expect(queue.items.map((t: { subject: string; overdue: boolean }) => [t.subject, t.overdue])).toEqual([
      ['Старое', true],
      ['Новое', false],
    ])
    expect((await call('GET', '/v1/admin/tickets?overdue=true', operator)).json().items).toHaveLength(1)
    expect((await call('GET', '/v1/admin/tickets?assigneeId=none', operator)).json().items.map((t: { id: string }) => t.id)).toEqual([fresh.id])
    expect((await call('GET', '/v1/admin/tickets', waterOperator)).json().items).toEqual([])
    expect(await ctx.app.tickets.service.flagBreaches()).toBe(1)
    expect(await ctx.app.tickets.service.flagBreaches()).toBe(0)
    await ctx.app.mail.drain()
    expect(smtp.to('op@heat.test').filter((m) => m.subject === `Просрочено обращение № ${late.number}`)).toHaveLength(1)
    // A status change clears no deadline.
    const waiting = (await call('PATCH', `/v1/admin/tickets/${late.id}`, operator, { status: 'waiting_customer' })).json()
    expect(waiting.firstResponseDueAt).toBe(late.firstResponseDueAt)
    expect(waiting.overdue).toBe(true)
  })

  it('pages the queue without repeats', async () => {
    const all = []
    let cursor: string | null = null
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await call('GET', `/v1/admin/tickets?limit=1${cursor ? `&cursor=${cursor}` : ''}`, operator)).json()
      all.push(...page.items.map((t) => t.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(new Set(all).size).toBe(all.length)
    expect(all.length).toBe(await p().ticket.count({ where: { supplierId: heat } }))
  })
})

describe('a customer without a login for this supplier’s account', () => {
  it('can still write to any supplier’s support', async () => {
    const { accessToken } = await signUp(ctx, smtp, 'petrov@example.test', DEMO.petrovWater)
    const ticket = await open(accessToken)
    expect(ticket.status).toBe('new')
  })
})
