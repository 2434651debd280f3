import { readFile } from 'node:fs/promises'
import { CONTRACT_FILE } from '../../src/contract.ts'
import { auditContextOf } from '../../src/audit/audit.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { importClient } from '../support/imports.ts'

// Every staff write leaves an audit entry. The app checks it on every answer (a staff write that
// answered 2xx without one is a 500 under NODE_ENV=test, so every test of an admin route checks
// it too); here: the check itself, and the writes the hardening review found unaudited.
let ctx: TestContext
let admin: string
let operator: string
let heat: string

beforeAll(async () => {
  ctx = await buildTestApp({}, { ready: false })
  const staff = { auth: { roles: ['operator', 'admin'] } } as const
  ctx.app.post('/v1/admin/test/unaudited', { config: staff }, async () => ({ done: true }))
  ctx.app.post('/v1/admin/test/audited', { config: staff }, async (request) => {
    await ctx.app.transaction((tx) => ctx.app.audit.record(tx, auditContextOf(request), { supplierId: null, entity: 'test', entityId: 'x', action: 'poke' }))
    return { done: true }
  })
  await ctx.app.ready()
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'admin', 'root@abonent.test', STRONG_PASSWORD)
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  admin = (await login(ctx, 'root@abonent.test', STRONG_PASSWORD)).accessToken
  operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
})
afterAll(() => ctx.close())

const entries = (action: string, entity: string) => ctx.client.prisma.auditLog.findMany({ where: { action, entity }, orderBy: { at: 'asc' } })

describe('the audit check on staff writes', () => {
  it('refuses (in tests) a staff write that answered without an audit entry, and passes one that wrote it', async () => {
    const bare = await ctx.app.inject({ method: 'POST', url: '/v1/admin/test/unaudited', headers: bearer(operator) })
    expect(bare.statusCode).toBe(500)
    expect(bare.json()).toMatchObject({ code: 'unaudited_staff_write', route: 'POST /v1/admin/test/unaudited' })
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/admin/test/audited', headers: bearer(operator) })).statusCode).toBe(200)
  })

  it('covers every staff-reachable write of the contract: each is an admin route, or one the check sees by its caller', async () => {
    const contract = JSON.parse(await readFile(CONTRACT_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> }
    const writes = Object.entries(contract.paths).flatMap(([path, methods]) =>
      Object.keys(methods).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`),
    )
    const admin = writes.filter((w) => w.includes(' /v1/admin/'))
    expect(admin.length).toBeGreaterThanOrEqual(50)
    // The check keys on the caller's role, not the path: staff writes outside /v1/admin are checked as well.
    expect(writes.filter((w) => !w.includes(' /v1/admin/') && /\/v1\/accounts\/\{accountId\}\/readings/.test(w)).length).toBeGreaterThan(0)
  })
})

describe('writes that used to leave no trace', () => {
  it('creating an operator and an organization login', async () => {
    await ctx.app.inject({ method: 'POST', url: `/v1/admin/suppliers/${heat}/operators`, headers: bearer(admin), payload: { email: 'op2@heat.test', surname: 'Сергеева' } })
    await ctx.app.inject({ method: 'POST', url: `/v1/admin/suppliers/${heat}/organizations`, headers: bearer(operator), payload: { name: 'ООО «УК Север»' } })
    const created = await entries('create', 'user')
    expect(created.map((e) => (e.after as { role: string }).role)).toEqual(['operator', 'organization'])
    expect(created.map((e) => e.actorRole)).toEqual(['admin', 'operator'])
    expect(created.every((e) => e.supplierId === heat && e.requestId && e.ip)).toBe(true)
  })

  it('an import', async () => {
    const imports = importClient(ctx, heat, operator)
    const upload = await imports.upload('accounts', 'number;address;holder_surname\n5400077001;г. Новосибирск, ул. Мира, д. 1, кв. 1;Орлов\n', 'text/csv')
    expect(upload.statusCode).toBe(202)
    const [entry] = await entries('create', 'import')
    expect(entry).toMatchObject({ entityId: upload.json().id, actorRole: 'operator', after: { kind: 'accounts', rows: 1 } })
  })
})
