import { setClock } from '../../src/common/clock.ts'
import type { ResolvedAddress } from '../../src/common/resolve.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { seedDemoData } from '../../src/db/seed.ts'

/**
 * Endpoint URLs as an attacker would choose them, with the production rules (no
 * WEBHOOK_ALLOW_PRIVATE). Names resolve through the app's injected resolver, so a name can
 * point at a public address when the endpoint is saved and at loopback when the event goes out.
 */
const clock = setClock('2026-11-20T05:00:00Z')
const PUBLIC = '93.184.216.34'
const names = new Map<string, string[]>([
  ['hooks.example.test', [PUBLIC]],
  ['inside.example.test', ['127.0.0.1']],
  ['mixed.example.test', [PUBLIC, '10.0.0.7']],
  ['v6-loopback.example.test', ['::1']],
  ['rebind.example.test', [PUBLIC]],
])
async function resolve(hostname: string): Promise<ResolvedAddress[]> {
  const found = names.get(hostname)
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

let ctx: TestContext
let operator: string
let heat: string

const create = (url: string) =>
  ctx.app.inject({ method: 'POST', url: '/v1/admin/webhook-endpoints', headers: bearer(operator), payload: { supplierId: heat, url } })

beforeAll(async () => {
  ctx = await buildTestApp({}, { clock, resolve })
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => ctx.close())

describe('endpoint URLs that point inside', () => {
  it.each([
    ['plain http', 'http://hooks.example.test/hook'],
    ['loopback', 'https://127.0.0.1/hook'],
    ['loopback, another form', 'https://127.1.2.3:8443/hook'],
    ['private', 'https://10.1.2.3/hook'],
    ['private 192.168', 'https://192.168.0.10/hook'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['carrier-grade NAT (Alibaba metadata)', 'https://100.100.100.200/'],
    ['unspecified', 'https://0.0.0.0/hook'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv4 hidden in IPv6', 'https://[::ffff:127.0.0.1]/hook'],
    ['IPv6 unique local (AWS metadata)', 'https://[fd00:ec2::254]/'],
    ['IPv6 link-local', 'https://[fe80::1]/hook'],
    ['a name that resolves to 127.0.0.1', 'https://inside.example.test/hook'],
    ['a name with one private address among public ones', 'https://mixed.example.test/hook'],
    ['a name that resolves to ::1', 'https://v6-loopback.example.test/hook'],
    ['credentials in the URL', 'https://user:secret@hooks.example.test/hook'],
  ])('refuses %s', async (_, url) => {
    const answer = await create(url)
    expect(answer.statusCode).toBe(422)
    expect(answer.json()).toMatchObject({ code: 'webhook_url_not_allowed', errors: [{ in: 'body', pointer: '#/url' }] })
  })

  it('refuses a name that does not resolve, with its own code', async () => {
    const answer = await create('https://nowhere.example.test/hook')
    expect(answer.json()).toMatchObject({ status: 422, code: 'webhook_url_unresolvable' })
  })

  it('refuses the same when an endpoint’s URL is changed', async () => {
    const created = await create('https://hooks.example.test/hook')
    expect(created.statusCode).toBe(201)
    const changed = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/admin/webhook-endpoints/${created.json().id}`,
      headers: bearer(operator),
      payload: { url: 'https://inside.example.test/hook' },
    })
    expect(changed.json().code).toBe('webhook_url_not_allowed')
  })

  it('checks the address again at connection time: a name rebound to loopback gets nothing', async () => {
    const created = await create('https://rebind.example.test/hook')
    expect(created.statusCode).toBe(201)
    names.set('rebind.example.test', ['127.0.0.1'])
    const test = await ctx.app.inject({ method: 'POST', url: `/v1/admin/webhook-endpoints/${created.json().id}/test`, headers: bearer(operator) })
    expect(test.statusCode).toBe(202)
    await ctx.app.jobs.drain()
    const attempts = await ctx.app.inject({ method: 'GET', url: `/v1/admin/webhook-endpoints/${created.json().id}/attempts`, headers: bearer(operator) })
    const [attempt] = attempts.json().items
    expect(attempt).toMatchObject({ outcome: 'refused', statusCode: null })
    expect(attempt.error).toContain('127.0.0.1')
    expect(attempt.error).toContain('loopback')
  })
})
