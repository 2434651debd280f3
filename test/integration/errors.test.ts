import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { DomainError } from '../../src/common/errors.ts'
import { problems } from '../../src/common/schemas.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'

// Routes added here exist only in this test: they drive real requests through the real error
// handler, for the error classes that no public route of the foundation can produce on demand.
let ctx: TestContext

beforeAll(async () => {
  ctx = await buildTestApp({ BODY_LIMIT_BYTES: '2048' }, { ready: false })
  const { app } = ctx
  app.post(
    '/test/echo',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), amount: Type.Optional(Type.String({ pattern: '^\\d+\\.\\d{2}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ name: Type.String() }), ...problems(400, 413, 415) },
      },
    },
    async (request) => ({ name: (request.body as { name: string }).name }),
  )
  app.get('/test/boom', async () => {
    throw new Error('connection to 10.0.0.5 refused; password=hunter2')
  })
  app.get('/test/domain', async () => {
    throw new DomainError(422, 'reading_window_closed', 'Reading window closed', 'Readings are taken from the 15th to the 25th.', {
      nextWindow: { from: '2026-12-15', to: '2026-12-25' },
    })
  })
  app.get('/test/duplicate', async () => {
    const existing = await app.prisma.supplier.findFirstOrThrow()
    const { id: _id, createdAt: _c, updatedAt: _u, ...copy } = existing
    return app.prisma.supplier.create({ data: copy })
  })
  app.get('/test/missing', async () => app.prisma.supplier.update({ where: { id: randomUUID() }, data: { name: 'x' } }))
  await app.ready()
  await seedDemoData(ctx.client.prisma)
})
afterAll(() => ctx.close())

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  const body = res.json() as Record<string, unknown>
  expect(body).toMatchObject({ type: `urn:abonent:problem:${code}`, status, code, title: expect.any(String), detail: expect.any(String) })
  expect(body.requestId).toBe(res.headers['x-request-id'])
  return body
}

describe('problem responses (RFC 9457)', () => {
  it('validation: every bad member is named with a pointer into the body', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: { name: '', amount: '12.5', admin: true }, headers: { 'accept-language': 'en' } })
    const body = expectProblem(res, 400, 'validation_failed')
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', pointer: '#/name', detail: expect.stringContaining('fewer than 1') },
        { in: 'body', pointer: '#/amount', detail: expect.stringContaining('pattern') },
        { in: 'body', pointer: '#/admin', detail: 'unknown or read-only member "admin"' },
      ]),
    )
  })

  it('validation: a missing member is pointed at by name', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: {}, headers: { 'accept-language': 'en' } })
    expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([{ in: 'body', pointer: '#/name', detail: '"name" is required' }])
  })

  it('validation: field texts are Russian by default (ajv-i18n), the pointers the same', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: { name: '', amount: '12.5', admin: true } })
    const body = expectProblem(res, 400, 'validation_failed')
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', pointer: '#/name', detail: expect.stringMatching(/[а-я]/) },
        { in: 'body', pointer: '#/amount', detail: expect.stringContaining('образцу') },
        { in: 'body', pointer: '#/admin', detail: 'неизвестное или только для чтения поле "admin"' },
      ]),
    )
    const missing = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: {} })
    expect(missing.json().errors).toEqual([{ in: 'body', pointer: '#/name', detail: 'поле "name" обязательно' }])
  })

  it('JSON bodies are not coerced: a number where a string is required is an error', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: { name: 42 }, headers: { 'accept-language': 'en' } })
    expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([{ in: 'body', pointer: '#/name', detail: 'must be string' }])
  })

  it('malformed JSON is malformed_body', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "Ив',
    })
    expectProblem(res, 400, 'malformed_body')
  })

  it('an empty JSON body is malformed_body', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '' })
    expectProblem(res, 400, 'malformed_body')
  })

  it('an unsupported media type is 415 unsupported_media_type', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<name>x</name>',
    })
    expectProblem(res, 415, 'unsupported_media_type')
  })

  it('a body over BODY_LIMIT_BYTES is 413 payload_too_large', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(4096) } })
    expectProblem(res, 413, 'payload_too_large')
  })

  it('an unknown route is 404 route_not_found', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' })
    const body = expectProblem(res, 404, 'route_not_found')
    expect(body.instance).toBe('/v1/nothing-here')
  })

  it('an unexpected error is a 500 that shows nothing of the internals', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/test/boom' })
    const body = expectProblem(res, 500, 'internal_error')
    expect(res.body).not.toMatch(/hunter2|10\.0\.0\.5|refused|at .*\.ts|stack/i)
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'])
  })

  it('a domain error keeps its status, code and extension members', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/test/domain' })
    const body = expectProblem(res, 422, 'reading_window_closed')
    expect(body.nextWindow).toEqual({ from: '2026-12-15', to: '2026-12-25' })
  })

  it('a unique violation from the database is 409 already_exists', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/test/duplicate', headers: { 'accept-language': 'en' } })
    const body = expectProblem(res, 409, 'already_exists')
    expect(body.detail).toBe('A Supplier with the same unique key (code) already exists.')
  })

  it('speaks Russian by default and English on request; the code stays the same', async () => {
    const ru = await ctx.app.inject({ method: 'GET', url: '/test/duplicate' })
    expect(ru.json()).toMatchObject({ code: 'already_exists', title: 'Конфликт', detail: 'Такая запись уже есть.' })
    expect(ru.headers['content-language']).toBe('ru')
    expect(ru.headers.vary).toContain('Accept-Language')
    const en = await ctx.app.inject({ method: 'GET', url: '/test/duplicate', headers: { 'accept-language': 'en-US,en;q=0.9,ru;q=0.5' } })
    expect(en.json()).toMatchObject({ code: 'already_exists', title: 'Conflict' })
    expect(en.headers['content-language']).toBe('en')
  })

  it('a missing record from the database is 404 not_found', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/test/missing' }), 404, 'not_found')
  })
})

describe('X-Request-Id', () => {
  it('keeps a caller-supplied id, so a request can be followed across systems', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bank-7f3a9c01' } })
    expect(res.headers['x-request-id']).toBe('bank-7f3a9c01')
  })

  it.each(['short', 'x'.repeat(129), 'abc def ghi jkl', 'id\u0000with-nul-byte'])('replaces an unacceptable id (%j)', async (id) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } })
    expect(res.headers['x-request-id']).not.toBe(id)
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('rate limiting', () => {
  let limited: TestContext
  beforeAll(async () => {
    limited = await buildTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
  })
  afterAll(() => limited.close())

  it('answers 429 rate_limited with Retry-After past the limit', async () => {
    for (let i = 0; i < 3; i++) expect((await limited.app.inject({ method: 'GET', url: '/v1/suppliers' })).statusCode).toBe(200)
    const res = await limited.app.inject({ method: 'GET', url: '/v1/suppliers' })
    const body = expectProblem(res, 429, 'rate_limited')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    // The rule, not the time left: the window is named (Retry-After has the rest).
    expect(body.detail).toMatch(/не больше 3 запросов за \d+ (минуту|минуты|минут|секунд|секунды|секунду)/)
  })

  it('counts unknown routes too, so probing for URLs is limited', async () => {
    const res = await limited.app.inject({ method: 'GET', url: '/v1/secret-admin' })
    expectProblem(res, 429, 'rate_limited')
  })

  it('never limits the probes', async () => {
    for (const url of ['/health', '/ready', '/metrics']) {
      expect((await limited.app.inject({ method: 'GET', url })).statusCode).toBe(200)
    }
  })
})
