import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await buildTestApp()
  await seedDemoData(ctx.client.prisma)
})
afterAll(() => ctx.close())

describe('GET /v1/suppliers', () => {
  it('lists suppliers with their account-number format and reading window', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/suppliers' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.nextCursor).toBeNull()
    expect(body.items.map((s: { code: string }) => s.code).sort()).toEqual(['energosbyt', 'gorvodokanal', 'sibteplo'])
    const water = body.items.find((s: { code: string }) => s.code === 'gorvodokanal')
    expect(water).toEqual({
      id: expect.any(String),
      code: 'gorvodokanal',
      name: 'Муниципальное унитарное предприятие «Горводоканал»',
      shortName: 'МУП «Горводоканал»',
      services: ['cold_water', 'wastewater'],
      accountNumberFormat: {
        pattern: '^\\d{2}-\\d{7}$',
        example: '11-0007785',
        shortForm: { pattern: '^\\d{1,7}$', prefix: '11-', padLength: 7 },
      },
      readingWindow: { startDay: 15, endDay: 25 },
      timeZone: 'Asia/Novosibirsk',
      linkProof: { kind: 'access_code', label: 'Код доступа', hint: expect.stringContaining('квитанции') },
    })
  })

  it('never exposes bank requisites or internal columns', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/suppliers' })
    for (const supplier of res.json().items) {
      expect(Object.keys(supplier)).not.toEqual(expect.arrayContaining(['inn']))
      expect(supplier).not.toHaveProperty('settlementAccount')
      expect(supplier).not.toHaveProperty('createdAt')
    }
  })

  it('pages with a cursor in a stable order, every supplier exactly once', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const url: string = `/v1/suppliers?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const res = await ctx.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.items).toHaveLength(1)
      seen.push(body.items[0].name)
      cursor = body.nextCursor
      pages++
    } while (cursor && pages < 10)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(3)
    const all = (await ctx.app.inject({ method: 'GET', url: '/v1/suppliers' })).json().items.map((s: { name: string }) => s.name)
    expect(seen).toEqual(all)
  })

  it.each([
    ['limit=0', '#/limit'],
    ['limit=101', '#/limit'],
    ['limit=ten', '#/limit'],
    ['cursor=', '#/cursor'],
  ])('rejects %s with validation_failed pointing at the parameter', async (query, pointer) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/suppliers?${query}` })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ code: 'validation_failed', status: 400, errors: [{ in: 'query', pointer }] })
  })

  it('rejects an unknown query parameter instead of ignoring it', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/suppliers?sort=name' })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ in: 'query', pointer: '#/sort', detail: 'неизвестное или только для чтения поле "sort"' }])
  })

  it.each(['not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])(
    'answers a forged cursor (%s) with invalid_cursor, not a 500',
    async (cursor) => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/suppliers?cursor=${encodeURIComponent(cursor)}` })
      expect(res.statusCode).toBe(400)
      expect(res.json().code).toBe('invalid_cursor')
    },
  )
})
