import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, bearer, createStaff, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let admin: string
let customer: string
let heat: string
let water: string
const ADMIN_PASSWORD = 'administrator passphrase 2026'

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  water = await supplierId(ctx, 'gorvodokanal')
  await createStaff(ctx, 'admin', 'root@example.test', ADMIN_PASSWORD)
  admin = (await login(ctx, 'root@example.test', ADMIN_PASSWORD)).accessToken
  customer = (await signUp(ctx, smtp, 'customer@example.test', DEMO.ivanovHeat)).accessToken
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const post = (url: string, token: string | null, payload: object) =>
  ctx.app.inject({ method: 'POST', url, payload, headers: token ? bearer(token) : {} })

/** Logs in with a temporary password and changes it, as the first login requires. */
async function activate(loginName: string, temporaryPassword: string, newPassword: string): Promise<string> {
  const first = await login(ctx, loginName, temporaryPassword)
  expect(first.mustChangePassword).toBe(true)
  const blocked = await ctx.app.inject({ method: 'GET', url: `/v1/me/sessions`, headers: bearer(first.accessToken) })
  expect(blocked.statusCode).toBe(403)
  expect(blocked.json().code).toBe('password_change_required')
  expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(first.accessToken) })).statusCode).toBe(200)
  const changed = await ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/password/change',
    headers: bearer(first.accessToken),
    payload: { currentPassword: temporaryPassword, newPassword },
  })
  expect(changed.statusCode).toBe(204)
  return first.accessToken
}

describe('operators', () => {
  let operator: string

  it('are created by an admin for one supplier, with a temporary password to change at first login', async () => {
    const res = await post(`/v1/admin/suppliers/${heat}/operators`, admin, { email: 'op@sibteplo.test', surname: 'Оператор' })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({ login: 'op@sibteplo.test', user: { role: 'operator', supplierId: heat, mustChangePassword: true } })
    operator = await activate('op@sibteplo.test', body.temporaryPassword, 'operator passphrase for heat 1')
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(operator) })
    expect(me.json()).toMatchObject({ role: 'operator', supplierId: heat, mustChangePassword: false })
  })

  it('carry their supplier in the access token', async () => {
    const claims = JSON.parse(Buffer.from(operator.split('.')[1]!, 'base64url').toString())
    expect(claims).toMatchObject({ role: 'operator', sup: heat })
  })

  it('issue organization logins for their own supplier', async () => {
    const res = await post(`/v1/admin/suppliers/${heat}/organizations`, operator, { name: 'ООО «УК Уютный дом»', email: 'uk@example.test' })
    expect(res.statusCode).toBe(201)
    const { login: code, temporaryPassword, user } = res.json()
    expect(code).toMatch(/^ORG-[A-HJKMNP-Z2-9]{8}$/)
    expect(user).toMatchObject({ role: 'organization', supplierId: heat, orgCode: code, surname: 'ООО «УК Уютный дом»' })

    const org = await activate(code.toLowerCase(), temporaryPassword, 'organization passphrase 77')
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org) })).json()).toMatchObject({ role: 'organization', orgCode: code })

    const list = await ctx.app.inject({ method: 'GET', url: `/v1/admin/suppliers/${heat}/organizations`, headers: bearer(operator) })
    expect(list.json().items.map((u: { orgCode: string }) => u.orgCode)).toEqual([code])

    // It acts only within the supplier that issued it: another supplier's account does not match.
    const link = (account: { code: string; number: string; surname: string; proof: string }) =>
      ctx.app.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(org), payload: { supplierId: account.code === 'sibteplo' ? heat : water, accountNumber: account.number, surname: account.surname, proof: account.proof } })
    expect((await link(DEMO.semenovaWater)).json()).toMatchObject({ status: 422, code: 'account_not_matched' })
    expect((await link(DEMO.ivanovHeat)).statusCode).toBe(201)
  })

  it("see another supplier's data as not found (404), on every route", async () => {
    const create = await post(`/v1/admin/suppliers/${water}/organizations`, operator, { name: 'Чужая УК' })
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/admin/suppliers/${water}/organizations`, headers: bearer(operator) })
    for (const res of [create, list]) {
      expect(res.statusCode).toBe(404)
      expect(res.json().code).toBe('supplier_not_found')
    }
    expect(await ctx.client.prisma.user.count({ where: { surname: 'Чужая УК' } })).toBe(0)
  })

  it('may not create operators (admins only): 403', async () => {
    const res = await post(`/v1/admin/suppliers/${heat}/operators`, operator, { email: 'op2@sibteplo.test', surname: 'Второй' })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('forbidden')
  })
})

describe('function-level access', () => {
  it.each([
    ['POST', () => `/v1/admin/suppliers/${heat}/operators`, { email: 'x@y.test', surname: 'X' }],
    ['POST', () => `/v1/admin/suppliers/${heat}/organizations`, { name: 'X' }],
    ['GET', () => `/v1/admin/suppliers/${heat}/organizations`, undefined],
  ] as const)('a customer on %s %s is 403', async (method, url, payload) => {
    const res = await ctx.app.inject({ method, url: url(), headers: bearer(customer), ...(payload ? { payload } : {}) })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('forbidden')
  })

  it('anonymous is 401 before the body is even looked at', async () => {
    const res = await post(`/v1/admin/suppliers/${heat}/operators`, null, { nonsense: true })
    expect(res.statusCode).toBe(401)
  })

  it('an admin reaches any supplier; an unknown supplier is 404', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/suppliers/${water}/organizations`, headers: bearer(admin) })).statusCode).toBe(200)
    const unknown = await ctx.app.inject({ method: 'GET', url: '/v1/admin/suppliers/01900000-0000-7000-8000-000000000000/organizations', headers: bearer(admin) })
    expect(unknown.statusCode).toBe(404)
  })

  it('a taken email is 409 email_taken', async () => {
    const res = await post(`/v1/admin/suppliers/${heat}/operators`, admin, { email: 'customer@example.test', surname: 'Дубль' })
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('email_taken')
  })
})
