import { buildApp } from '../../src/app.ts'
import { renderContract } from '../../src/contract.ts'
import { loadMigrations } from '../../src/db/migrator.ts'
import { buildTestApp, createTestDatabase, testConfig, type TestContext } from '../helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await buildTestApp()
})
afterAll(() => ctx.close())

describe('GET /health', () => {
  it('answers ok', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })
})

describe('GET /ready', () => {
  it('is ready on a migrated database', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/ready' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok' },
      queue: { waiting: 0, oldestWaitingSeconds: 0, running: 0, scheduled: 0, failed: 0 },
    })
  })

  it('is 503 not_ready, naming the migrations, on a database that lacks them', async () => {
    const empty = await createTestDatabase({ empty: true })
    const app = await buildApp({ ...testConfig(), databaseUrl: empty.url }, { logger: false })
    try {
      const shipped = (await loadMigrations()).migrationDirectories.map((dir) => dir.path)
      expect(shipped[0]).toMatch(/_init$/)
      const res = await app.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(503)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({
        code: 'not_ready',
        checks: { database: 'ok', migrations: 'pending', pendingMigrations: shipped },
      })
    } finally {
      await app.close()
      await empty.drop()
    }
  })

  it('is 503 not_ready when the database is down', async () => {
    const app = await buildApp({ ...testConfig(), databaseUrl: 'postgresql://nobody:x@127.0.0.1:1/none' }, { logger: false })
    try {
      const res = await app.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ code: 'not_ready', checks: { database: 'unreachable' } })
      // Liveness does not depend on the database: restarting the process would not help.
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})

describe('GET /metrics', () => {
  it('exposes request counts and latency by route template, and pool stats', async () => {
    await ctx.app.inject({ method: 'GET', url: '/v1/suppliers?limit=5' })
    await ctx.app.inject({ method: 'GET', url: '/v1/no-such-thing' })
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/v1\/suppliers",status_code="200"\} 1/)
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/suppliers",status_code="200"\}/)
    // Unknown URLs share one label, so scanners cannot blow up the series count.
    expect(res.body).toMatch(/route="unmatched",status_code="404"/)
    expect(res.body).not.toMatch(/no-such-thing/)
    expect(res.body).toMatch(/db_pool_connections\{state="total"\} \d+/)
  })
})

describe('the contract', () => {
  it('is served at /openapi.json exactly as generated', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(JSON.parse(await renderContract()))
  })

  it('is rendered at /docs', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toMatch(/swagger-ui/i)
  })
})

describe('GET /metrics with METRICS_TOKEN', () => {
  let guarded: TestContext
  beforeAll(async () => {
    guarded = await buildTestApp({ METRICS_TOKEN: 'metrics-secret-0123456789' })
  })
  afterAll(() => guarded.close())

  it('needs the bearer token', async () => {
    expect((await guarded.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
    expect((await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401)
    const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-0123456789' } })
    expect(ok.statusCode).toBe(200)
    expect(ok.body).toMatch(/http_requests_total/)
  })
})
