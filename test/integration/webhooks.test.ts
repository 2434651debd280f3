import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import { readFileSync } from 'node:fs'
import { Webhook } from 'standardwebhooks'
import { setClock } from '../../src/common/clock.ts'
import { issueInvoices } from '../../src/invoices/issue-sql.ts'
import { emitEvents } from '../../src/webhooks/events.ts'
import { accountLinkEvent } from '../../src/webhooks/payloads.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { makeJobsDue } from '../support/jobs.ts'
import type { SmtpServer } from '../support/smtp.ts'
import { signedBy, signaturesOf, startReceiver, type Received, type Receiver } from '../support/webhook-receiver.ts'

const clock = setClock('2026-11-20T05:00:00Z')
let ctx: TestContext
let smtp: SmtpServer
let ivan: string
let operator: string
let waterOperator: string
let heat: string
let water: string
let accountId: string
let receiver: Receiver
let close: () => Promise<void>
const p = () => ctx.client.prisma

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })

interface Created {
  id: string
  secret: string
}

async function endpoint(body: Record<string, unknown> = {}, token = operator, supplier = heat): Promise<Created> {
  const answer = await call('POST', '/v1/admin/webhook-endpoints', token, { supplierId: supplier, url: receiver.url, ...body })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<Created>()
}

/** Runs the queue until nothing is due (deliveries waiting for a retry stay waiting). */
async function deliver() {
  await ctx.app.jobs.drain()
}

/** Time passes: the clock moves and jobs that waited for it become due. */
async function pass(ms: number) {
  clock.advance(ms)
  await makeJobsDue(ctx)
  await deliver()
}

/** A reading for the heat account, as its customer sends it (an event: reading.accepted). */
let meterId: string
let reading = 100
async function submitReading(): Promise<string> {
  reading += 1
  const answer = await call('POST', `/v1/accounts/${accountId}/readings`, ivan, { meterId, values: { T1: `${reading}.000` } })
  if (answer.statusCode !== 201) throw new Error(`${answer.statusCode} ${answer.body}`)
  return answer.json<{ reading: { id: string } }>().reading.id
}

/** Removes every endpoint and event, so each test starts from a quiet supplier. */
async function quiet() {
  await p().$executeRawUnsafe('DELETE FROM webhook_endpoint')
  await p().$executeRawUnsafe('DELETE FROM webhook_event')
  await deliver()
  receiver.received = []
  receiver.answer = () => ({ status: 200, body: 'ok' })
}

const contract = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, object> }
  webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>
}
const ajv = new Ajv.default({ strict: false, allErrors: true })
addFormats.default(ajv)
/** Every body an endpoint got matches its event type's schema in the contract's `webhooks` section. */
function expectContractPayload(body: Received['json']) {
  const ref = contract.webhooks[body.type]?.post.requestBody.content['application/json'].schema.$ref
  expect(ref).toBeDefined()
  const schema = contract.components.schemas[ref!.split('/').pop()!]!
  const validate = ajv.compile(schema)
  const type = body.type
  const data: unknown = body
  if (!validate(data)) throw new Error(`${type}: ${JSON.stringify(validate.errors)}`)
}

beforeAll(async () => {
  receiver = await startReceiver()
  ;({ ctx, smtp, ivan, close } = await twoCustomers({ clock, env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '400' } }))
  heat = await supplierId(ctx, 'sibteplo')
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
  waterOperator = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
  accountId = (await p().account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })).id
  // Readings are the events these tests make; the clock moves through months, so the window never closes.
  await p().supplier.update({ where: { id: heat }, data: { acceptReadingsOutsideWindow: true } })
  meterId = (await p().meter.create({ data: { accountId, service: 'hot_water', serialNumber: 'ГВС-5500001', verificationDueAt: new Date('2035-01-01') } })).id
})
afterAll(async () => {
  await close()
  await receiver.close()
})
beforeEach(() => quiet())

describe('endpoints', () => {
  it('shows the secret once, never again, and only to the supplier’s own staff', async () => {
    const created = await endpoint({ description: 'Биллинг', eventTypes: ['reading.accepted'] })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const read = await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)
    expect(read.statusCode).toBe(200)
    expect(read.body).not.toContain(created.secret.slice(6))
    expect(read.json()).toMatchObject({ eventTypes: ['reading.accepted'], enabled: true, pendingDeliveries: 0 })
    // Stored sealed: the secret is nowhere in the row.
    const [row] = await p().$queryRaw<{ secretSealed: string }[]>`SELECT "secretSealed" FROM webhook_endpoint WHERE id = ${created.id}::uuid`
    expect(row!.secretSealed).not.toContain(created.secret.slice(6, 20))
    expect((await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, waterOperator)).statusCode).toBe(404)
    expect((await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, ivan)).statusCode).toBe(403)
    expect((await call('POST', '/v1/admin/webhook-endpoints', waterOperator, { supplierId: heat, url: receiver.url })).json().code).toBe('supplier_not_found')
    const list = await call('GET', `/v1/admin/webhook-endpoints?supplierId=${heat}`, operator)
    expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([created.id])
    expect((await call('DELETE', `/v1/admin/webhook-endpoints/${created.id}`, operator)).statusCode).toBe(204)
    expect((await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json().code).toBe('webhook_endpoint_not_found')
  })

  it('refuses unknown event types and members with a pointer', async () => {
    const answer = await call('POST', '/v1/admin/webhook-endpoints', operator, { supplierId: heat, url: receiver.url, eventTypes: ['reading.eaten'] })
    expect(answer.statusCode).toBe(400)
    expect(answer.json().code).toBe('validation_failed')
    expect((await call('PATCH', `/v1/admin/webhook-endpoints/${(await endpoint()).id}`, operator, {})).statusCode).toBe(400)
  })
})

describe('events and their delivery', () => {
  it('delivers a reading, signed by Standard Webhooks, in the contract’s shape', async () => {
    const created = await endpoint()
    const readingId = await submitReading()
    await deliver()
    expect(receiver.received).toHaveLength(1)
    const [got] = receiver.received
    expect(got!.json).toMatchObject({ type: 'reading.accepted', version: 1, supplierId: heat, data: { readingId, accountId, accountNumber: DEMO.ivanovHeat.number, meterSerialNumber: 'ГВС-5500001', status: 'accepted' } })
    expect(got!.headers['webhook-id']).toBe(got!.json.id)
    expect(got!.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)))
    expect(got!.headers['content-type']).toBe('application/json')
    expect(signedBy(created.secret, got!)).toBe(true)
    expect(signedBy('whsec_' + Buffer.alloc(32, 1).toString('base64'), got!)).toBe(false)
    expectContractPayload(got!.json)
    const log = await call('GET', `/v1/admin/webhook-endpoints/${created.id}/attempts`, operator)
    expect(log.json().items).toMatchObject([{ number: 1, outcome: 'succeeded', statusCode: 200, responseBody: 'ok', eventType: 'reading.accepted' }])
  })

  it('passes the standardwebhooks package’s own verify when the clock is the real one', async () => {
    const real = setClock(new Date())
    const saved = clock.now()
    clock.set(real.now())
    try {
      const created = await endpoint()
      const test = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/test`, operator)
      expect(test.statusCode).toBe(202)
      await deliver()
      const [got] = receiver.received
      const verified = new Webhook(created.secret).verify(got!.body, got!.headers as Record<string, string>) as Received['json']
      expect(verified).toMatchObject({ type: 'webhook.test', data: { endpointId: created.id } })
      expect(got!.headers['webhook-id']).toBe(test.json().webhookId)
      expectContractPayload(got!.json)
    } finally {
      clock.set(saved)
    }
  })

  it('sends each endpoint only the types it asked for; nothing at all when no endpoint wants them', async () => {
    await endpoint({ eventTypes: ['account.unlinked'] })
    await submitReading()
    await deliver()
    expect(receiver.received).toHaveLength(0)
    // Not even an event row: nobody wanted it.
    expect(await p().webhookEvent.count()).toBe(0)
  })

  it('emits nothing from a transaction that rolls back', async () => {
    await endpoint()
    await expect(
      ctx.app.transaction(async (tx) => {
        expect(await emitEvents(tx, 'account.linked', clock.now(), accountLinkEvent(accountId, '019ad0b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f'))).toBe(1)
        throw new Error('the change fails after its event was written')
      }),
    ).rejects.toThrow('the change fails')
    await deliver()
    expect(await p().webhookEvent.count()).toBe(0)
    expect(await p().webhookDelivery.count()).toBe(0)
    expect(receiver.received).toHaveLength(0)
  })

  it('emits account.linked, reading.cancelled, account.unlinked, payment.succeeded and invoice.issued where they happen', async () => {
    await endpoint()
    await endpoint({}, waterOperator, water)
    // Linking a water account: the water supplier's endpoint hears it, the heat one does not.
    const linked = await call('POST', '/v1/accounts', ivan, { supplierId: water, accountNumber: '120012345', surname: 'иванов', proof: 'W2HF7BQN' })
    expect(linked.statusCode).toBe(201)
    const waterAccount = linked.json<{ id: string }>().id
    const readingId = await submitReading()
    expect((await call('DELETE', `/v1/accounts/${accountId}/readings/${readingId}`, ivan)).statusCode).toBe(204)
    expect((await call('DELETE', `/v1/accounts/${waterAccount}`, ivan)).statusCode).toBe(204)
    // A bank reports a payment.
    const key = await call('POST', '/v1/admin/api-keys', operator, { supplierId: heat, name: 'СберБанк Онлайн', client: 'sberbank', scopes: ['payments:write'] })
    const paid = await ctx.app.inject({
      method: 'POST',
      url: '/v1/aggregator/payments',
      headers: { 'x-api-key': key.json<{ key: string }>().key },
      payload: { supplierId: heat, accountNumber: DEMO.ivanovHeat.number, amount: '1500.50', externalId: 'SBOL-77', paidAt: '2026-11-20T04:00:00Z' },
    })
    expect(paid.statusCode).toBe(201)
    // The period's receipts are issued (here: the heat account owes its opening balance).
    await p().account.update({ where: { id: accountId }, data: { openingBalance: '2000.00' } })
    const issuedAt = clock.now()
    await ctx.app.transaction((tx) => issueInvoices(tx, { supplierId: heat, period: '2026-11', runId: null, timeZone: 'Asia/Novosibirsk', dueDate: '2026-12-15', issuedAt }))
    await deliver()
    // Each endpoint in the order its events happened (the two endpoints are delivered independently).
    const typesOf = (supplier: string) => receiver.received.filter((r) => r.json.supplierId === supplier).map((r) => r.json.type)
    expect(typesOf(water)).toEqual(['account.linked', 'account.unlinked'])
    expect(typesOf(heat)).toEqual(['reading.accepted', 'reading.cancelled', 'payment.succeeded', 'invoice.issued'])
    for (const r of receiver.received) expectContractPayload(r.json)
    const byType = Object.fromEntries(receiver.received.map((r) => [r.json.type, r.json.data]))
    expect(byType['account.linked']).toMatchObject({ accountId: waterAccount, linkedLogins: 1 })
    expect(byType['account.unlinked']).toMatchObject({ accountId: waterAccount, linkedLogins: 0 })
    expect(byType['payment.succeeded']).toMatchObject({ amount: '1500.50', provider: 'bank', accountNumber: DEMO.ivanovHeat.number, currency: 'RUB' })
    expect(byType['invoice.issued']).toMatchObject({ accountId, period: '2026-11', totalDue: expect.stringMatching(/^\d+\.\d{2}$/), dueDate: '2026-12-15' })
  })
})

describe('tickets', () => {
  it('announces a ticket opened and answered, never with the text of an internal note', async () => {
    await endpoint({ eventTypes: ['ticket.created', 'ticket.updated'] })
    const category = await call('POST', '/v1/admin/ticket-categories', operator, { supplierId: heat, code: `c${Date.now()}`, name: 'Другое', firstResponseMinutes: 60, resolutionMinutes: 600 })
    const ticket = await call('POST', '/v1/tickets', ivan, { supplierId: heat, categoryId: category.json().id, subject: 'Счёт', text: 'Вопрос' })
    expect(ticket.statusCode).toBe(201)
    await call('POST', `/v1/admin/tickets/${ticket.json().id}/messages`, operator, { text: 'ВНУТРЕННЕЕ', internal: true })
    await call('POST', `/v1/admin/tickets/${ticket.json().id}/messages`, operator, { text: 'Ответ' })
    await deliver()
    expect(receiver.received.map((r) => [r.json.type, r.json.data.changes])).toEqual([
      ['ticket.created', []],
      ['ticket.updated', ['answer', 'status']],
    ])
    for (const r of receiver.received) {
      expectContractPayload(r.json)
      expect(r.body).not.toContain('ВНУТРЕННЕЕ')
    }
  })
})

describe('payments paid online and refunded', () => {
  it('announces the payment once it succeeds and each refund with its amount', async () => {
    await endpoint({ eventTypes: ['payment.succeeded', 'payment.refunded'] })
    const started = await call('POST', `/v1/accounts/${accountId}/payments`, ivan, { amount: '1500.00', returnUrl: 'https://lk.example.test/payments/done' })
    expect(started.statusCode).toBe(201)
    const paymentId = started.json<{ id: string }>().id
    await deliver()
    // Pending is no event.
    expect(receiver.received).toHaveLength(0)
    const paid = await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${paymentId}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    expect(paid.statusCode).toBe(303)
    await deliver()
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/sandbox/payments/${paymentId}/refund`, payload: { amount: '500.00' } })).statusCode).toBe(202)
    await deliver()
    await deliver()
    expect(receiver.received.map((r) => r.json.type)).toEqual(['payment.succeeded', 'payment.refunded'])
    expect(receiver.received[0]!.json.data).toMatchObject({ paymentId, amount: '1500.00', provider: 'sandbox', status: 'succeeded', refundedAmount: '0.00' })
    expect(receiver.received[1]!.json.data).toMatchObject({ paymentId, status: 'refunded', refundedAmount: '500.00', refund: { amount: '500.00' } })
    for (const r of receiver.received) expectContractPayload(r.json)
  })
})

describe('retries, order and failure', () => {
  it('holds later events while an earlier one retries, then delivers all of them in order when the endpoint is back', async () => {
    const created = await endpoint()
    receiver.answer = () => ({ status: 503, body: 'maintenance' })
    const ids = []
    for (let i = 0; i < 5; i++) {
      ids.push(await submitReading())
      clock.advance(SECOND)
    }
    await deliver()
    // Only the first was tried; the rest wait behind it.
    expect(receiver.received.map((r) => r.json.data.readingId)).toEqual([ids[0]])
    await pass(6 * SECOND) // the 5 s retry
    await pass(6 * MINUTE) // the 5 min retry
    expect(receiver.received.map((r) => r.json.data.readingId)).toEqual([ids[0], ids[0], ids[0]])
    const waiting = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json()
    expect(waiting).toMatchObject({ pendingDeliveries: 5, failingSince: expect.any(String) })
    receiver.answer = () => ({ status: 204 })
    await pass(20 * MINUTE) // not yet: the next attempt is 30 min (±10 %) after the third
    expect(receiver.received).toHaveLength(3)
    await pass(15 * MINUTE)
    expect(receiver.received.map((r) => r.json.data.readingId)).toEqual([ids[0], ids[0], ids[0], ...ids])
    // The same message id on every attempt of one event.
    expect(new Set(receiver.received.slice(0, 4).map((r) => r.headers['webhook-id'])).size).toBe(1)
    const healthy = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json()
    expect(healthy).toMatchObject({ pendingDeliveries: 0, failingSince: null })
    const failed = await call('GET', `/v1/admin/webhook-endpoints/${created.id}/attempts?outcome=failed`, operator)
    expect(failed.json().items).toHaveLength(3)
    expect(failed.json().items[0]).toMatchObject({ statusCode: 503, responseBody: 'maintenance', number: 3 })
  })

  it('never follows a redirect: it is a failed attempt', async () => {
    const created = await endpoint()
    receiver.answer = (r) => (r.body.includes('"moved"') ? { status: 200 } : { status: 307, headers: { location: `${receiver.url}?moved` } })
    await submitReading()
    await deliver()
    expect(receiver.received).toHaveLength(1)
    const [attempt] = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/attempts`, operator)).json().items
    expect(attempt).toMatchObject({ outcome: 'failed', statusCode: 307 })
  })

  it('honours Retry-After', async () => {
    const created = await endpoint()
    receiver.answer = () => ({ status: 429, headers: { 'retry-after': '3600' } })
    await submitReading()
    await deliver()
    const [delivery] = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/deliveries`, operator)).json().items
    const wait = new Date(delivery.nextAttemptAt).getTime() - clock.now().getTime()
    expect(wait).toBeGreaterThanOrEqual(3600 * SECOND - 1000)
    expect(wait).toBeLessThanOrEqual(3600 * SECOND + 1000)
    await pass(10 * MINUTE)
    expect(receiver.received).toHaveLength(1)
  })

  it('gives up a slow answer at the timeout and tries again later', async () => {
    const created = await endpoint()
    receiver.answer = () => ({ status: 200, delayMs: 10_000 })
    await submitReading()
    await deliver()
    const [attempt] = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/attempts`, operator)).json().items
    expect(attempt).toMatchObject({ outcome: 'timeout', statusCode: null })
    expect(attempt.durationMs).toBeGreaterThanOrEqual(350)
    expect(attempt.durationMs).toBeLessThan(9_000)
    const [delivery] = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/deliveries`, operator)).json().items
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'timeout' })
  })

  it('disables an endpoint that answers 410 and mails its contact; it gets nothing more', async () => {
    const created = await endpoint({ contactEmail: 'it@sibteplo.test' })
    receiver.answer = () => ({ status: 410, body: 'unsubscribed' })
    await submitReading()
    await deliver()
    await ctx.app.mail.drain()
    const view = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json()
    expect(view).toMatchObject({ enabled: false, disabledReason: 'gone' })
    expect(smtp.to('it@sibteplo.test').at(-1)?.subject).toContain(receiver.url)
    await submitReading()
    await pass(DAY)
    expect(receiver.received).toHaveLength(1)
    expect(await p().webhookDelivery.count({ where: { endpointId: created.id } })).toBe(1)
  })

  it('disables an endpoint failing for 5 days, keeps its events, and delivers them in order once enabled', async () => {
    const created = await endpoint()
    receiver.answer = () => ({ status: 500 })
    const first = await submitReading()
    await deliver()
    // Events keep coming: once the first one's schedule runs out (about 3 days), the next are tried.
    for (let hours = 2; hours <= 5 * 24 + 16; hours += 2) {
      if (hours % 12 === 0) await submitReading()
      await pass(2 * HOUR)
    }
    await ctx.app.mail.drain()
    const view = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json()
    expect(view).toMatchObject({ enabled: false, disabledReason: 'failing' })
    // The supplier's operator hears of it (no contact was set).
    expect(smtp.to('op@heat.test').at(-1)?.subject).toContain('Вебхук отключён')
    const tries = receiver.received.length
    expect(tries).toBeGreaterThanOrEqual(9)
    // Events keep queueing while it is disabled for failing.
    const later = await submitReading()
    await pass(HOUR)
    expect(receiver.received).toHaveLength(tries)
    receiver.answer = () => ({ status: 200 })
    expect((await call('PATCH', `/v1/admin/webhook-endpoints/${created.id}`, operator, { enabled: true })).json()).toMatchObject({ enabled: true, failingSince: null })
    await deliver()
    const delivered = receiver.received.slice(tries).map((r) => r.json.data.readingId)
    // The first event gave up after its 10 attempts only if the schedule ran out; either way the later one comes after it.
    expect(delivered.at(-1)).toBe(later)
    expect(receiver.received.filter((r) => r.json.data.readingId === first).length).toBeGreaterThanOrEqual(1)
  })

  it('redelivers one event, and every failed one since a moment', async () => {
    const created = await endpoint()
    receiver.answer = () => ({ status: 200 })
    await submitReading()
    await deliver()
    const [delivery] = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/deliveries`, operator)).json().items
    const again = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/deliveries/${delivery.id}/redeliver`, operator)
    expect(again.statusCode).toBe(202)
    expect(again.json()).toMatchObject({ status: 'pending' })
    await deliver()
    expect(receiver.received).toHaveLength(2)
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id'])
    const attempts = (await call('GET', `/v1/admin/webhook-endpoints/${created.id}/attempts?deliveryId=${delivery.id}`, operator)).json().items
    expect(attempts.map((a: { number: number }) => a.number)).toEqual([2, 1])
    // Failed ones: a delivery whose schedule ran out.
    await p().$executeRaw`UPDATE webhook_delivery SET status = 'failed', "succeededAt" = NULL WHERE id = ${delivery.id}::uuid`
    const bulk = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/redeliver`, operator, { since: '2026-01-01T00:00:00Z' })
    expect(bulk.json()).toEqual({ redelivered: 1 })
    await deliver()
    expect(receiver.received).toHaveLength(3)
    const missing = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/deliveries/019af3c9-0b2e-7f41-8d6a-5c4b3a291807/redeliver`, operator)
    expect(missing.json().code).toBe('webhook_delivery_not_found')
  })

  it('refuses a test send to a disabled endpoint', async () => {
    const created = await endpoint({ enabled: false })
    const answer = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/test`, operator)
    expect(answer.statusCode).toBe(409)
    expect(answer.json().code).toBe('webhook_endpoint_disabled')
  })
})

describe('secret rotation', () => {
  it('signs with both secrets during the rotation, then with the new one only', async () => {
    const created = await endpoint()
    const rotated = await call('POST', `/v1/admin/webhook-endpoints/${created.id}/rotate-secret`, operator)
    expect(rotated.statusCode).toBe(200)
    const { secret, rotationEndsAt } = rotated.json<{ secret: string; rotationEndsAt: string }>()
    expect(secret).not.toBe(created.secret)
    expect(new Date(rotationEndsAt).getTime() - clock.now().getTime()).toBe(24 * HOUR)
    await submitReading()
    await deliver()
    const during = receiver.received[0]!
    expect(signaturesOf(during)).toHaveLength(2)
    expect(signedBy(secret, during)).toBe(true)
    expect(signedBy(created.secret, during)).toBe(true)
    clock.advance(25 * HOUR)
    await submitReading()
    await deliver()
    const after = receiver.received[1]!
    expect(signaturesOf(after)).toHaveLength(1)
    expect(signedBy(secret, after)).toBe(true)
    expect(signedBy(created.secret, after)).toBe(false)
    expect((await call('GET', `/v1/admin/webhook-endpoints/${created.id}`, operator)).json().rotationEndsAt).toBeNull()
  })
})

describe('two workers', () => {
  it('never send one delivery twice, even with two delivery jobs of one endpoint running at once', async () => {
    // A second worker process on the same database.
    const config = testConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' })
    const second = await buildApp({ ...config, clock, databaseUrl: ctx.db.url }, { logger: false })
    await second.ready()
    try {
      const created = await endpoint()
      for (let round = 0; round < 8; round++) {
        receiver.received = []
        const expected: string[] = []
        for (let i = 0; i < 6; i++) expected.push(await submitReading())
        // Beside the endpoint's own queued job, two more outside its queue: they race for the same deliveries.
        await p().$executeRaw`SELECT graphile_worker.add_job('webhooks:deliver', json_build_object('endpointId', ${created.id}::text))`
        await p().$executeRaw`SELECT graphile_worker.add_job('webhooks:deliver', json_build_object('endpointId', ${created.id}::text))`
        await Promise.all([ctx.app.jobs.drain(), second.jobs.drain()])
        // A delivery whose claim another job held is picked up once that claim is old.
        for (let i = 0; i < 3 && receiver.received.length < expected.length; i++) await pass(2 * MINUTE)
        const got = receiver.received.map((r) => r.json.data.readingId)
        expect(got).toEqual(expected)
      }
      const [dupes] = await p().$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM (SELECT "deliveryId" FROM webhook_attempt WHERE "endpointId" = ${created.id}::uuid GROUP BY "deliveryId" HAVING count(*) > 1) x`
      expect(dupes!.n).toBe(0)
    } finally {
      await second.close()
    }
  })
})
