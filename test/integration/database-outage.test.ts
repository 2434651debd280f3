import { buildApp, type App } from '../../src/app.ts'
import { createTestDatabase, testConfig, type TestDatabase } from '../helper.ts'
import { startTcpProxy } from '../support/tcp-proxy.ts'

let db: TestDatabase
let app: App
let proxy: Awaited<ReturnType<typeof startTcpProxy>>

beforeAll(async () => {
  db = await createTestDatabase()
  const url = new URL(db.url)
  proxy = await startTcpProxy(url.hostname, Number(url.port))
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  app = await buildApp({ ...testConfig(), databaseUrl: url.toString() }, { logger: false })
  await app.ready()
})
afterAll(async () => {
  proxy.restore()
  await app.close()
  await proxy.close()
  await db.drop()
})

describe('while PostgreSQL is unreachable', () => {
  it('answers 503 database_unavailable with Retry-After, /ready says not_ready every time, and recovers when it is back', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/suppliers' })).statusCode).toBe(200)
    proxy.cut()
    for (let i = 0; i < 5; i++) {
      const answer = await app.inject({ method: 'GET', url: '/v1/suppliers' })
      expect([i, answer.statusCode, answer.json().code]).toEqual([i, 503, 'database_unavailable'])
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
      const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'x@example.test', password: 'whatever it is' } })
      expect([i, login.statusCode, login.json().code]).toEqual([i, 503, 'database_unavailable'])
      const ready = await app.inject({ method: 'GET', url: '/ready' })
      expect([i, ready.statusCode, ready.json().code]).toEqual([i, 503, 'not_ready'])
    }
    proxy.restore()
    let back = 0
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await app.inject({ method: 'GET', url: '/v1/suppliers' })).statusCode
      if (back !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(back).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200)
  })
})

describe('shutdown after PostgreSQL restarted', () => {
  it.each([['api'], ['api,worker']])('closes promptly with roles %s, although every connection it had was cut', async (roles) => {
    const local = await startTcpProxy(new URL(db.url).hostname, Number(new URL(db.url).port))
    const url = new URL(db.url)
    url.hostname = '127.0.0.1'
    url.port = String(local.port)
    const started = await buildApp({ ...testConfig({ PROCESS_ROLES: roles }), databaseUrl: url.toString() }, { logger: false })
    await started.ready()
    expect((await started.inject({ method: 'GET', url: '/v1/suppliers' })).statusCode).toBe(200)
    // The restart: every connection dropped, a moment of refusals, then the server is back.
    local.cut()
    await started.inject({ method: 'GET', url: '/v1/suppliers' })
    local.restore()
    const outcome = await Promise.race([started.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))])
    await local.close()
    expect(outcome).toBe('closed')
  }, 60_000)
})
