import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, login, signUp } from '../support/auth.ts'
import { codeIn, startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let token: string
const EMAIL = 'profile@example.test'

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  token = (await signUp(ctx, smtp, EMAIL, DEMO.ivanovHeat)).accessToken
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const get = (url: string, t = token) => ctx.app.inject({ method: 'GET', url, headers: bearer(t) })
const patch = (payload: object) => ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(token), payload })

describe('GET /v1/me', () => {
  it('shows the profile and never a password or hash', async () => {
    const res = await get('/v1/me')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      role: 'customer',
      email: EMAIL,
      emailConfirmed: true,
      pendingEmail: null,
      surname: 'Иванов',
      notifications: { email: true, readingWindow: true, newLogin: true },
      mustChangePassword: false,
    })
    expect(res.body).not.toMatch(/passwordHash|\$2b\$/)
  })
})

describe('PATCH /v1/me', () => {
  it('changes names, phone and notification preferences', async () => {
    const res = await patch({ givenNames: 'Иван Петрович', phone: '8 913 765-43-21', notifications: { readingWindow: false } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ givenNames: 'Иван Петрович', phone: '+79137654321', phoneVerified: false, notifications: { email: true, readingWindow: false, newLogin: true } })
  })

  it.each([
    ['role', { role: 'admin' }, '#/role'],
    ['id', { id: '00000000-0000-7000-8000-000000000000' }, '#/id'],
    ['emailConfirmed', { emailConfirmed: false }, '#/emailConfirmed'],
    ['supplierId', { supplierId: '00000000-0000-7000-8000-000000000000' }, '#/supplierId'],
    ['a nested unknown member', { notifications: { sms: true } }, '#/notifications/sms'],
  ])('refuses %s (mass assignment) and changes nothing', async (_what, body, pointer) => {
    const before = await ctx.client.prisma.user.findUniqueOrThrow({ where: { email: EMAIL } })
    const res = await patch({ surname: 'Хакер', ...body })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer })])
    expect(await ctx.client.prisma.user.findUniqueOrThrow({ where: { email: EMAIL } })).toEqual(before)
  })

  it('refuses an empty change and an invalid phone', async () => {
    expect((await patch({})).statusCode).toBe(400)
    expect((await patch({ phone: '12345' })).json().code).toBe('phone_invalid')
  })

  it('changes the email only once the new address is confirmed', async () => {
    const res = await patch({ email: 'New.Address@example.test' })
    expect(res.json()).toMatchObject({ email: EMAIL, pendingEmail: 'new.address@example.test' })
    await ctx.app.mail.drain()
    const mail = smtp.to('new.address@example.test').at(-1)
    expect(mail!.subject).toBe('Подтвердите новый адрес электронной почты')
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token: codeIn(mail) } })).statusCode).toBe(204)
    expect((await get('/v1/me')).json()).toMatchObject({ email: 'new.address@example.test', pendingEmail: null, emailConfirmed: true })
    await login(ctx, 'new.address@example.test', STRONG_PASSWORD)
  })
})

describe('GET /v1/me/export', () => {
  it('holds everything about the caller: profile, consents, linked accounts, sessions', async () => {
    const res = await get('/v1/me/export')
    expect(res.statusCode).toBe(200)
    const data = res.json()
    expect(data.profile.email).toBe('new.address@example.test')
    expect(data.consents).toEqual([expect.objectContaining({ kind: 'personal_data', textVersion: '2026-01', ip: '127.0.0.1', withdrawnAt: null })])
    expect(data.accounts).toEqual([
      expect.objectContaining({ supplier: 'АО «СибТеплоСбыт»', number: '5400012345', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 5' }),
    ])
    expect(data.sessions.length).toBeGreaterThan(0)
    expect(res.body).not.toMatch(/tokenHash|passwordHash|\$2b\$/)
  })
})

describe('DELETE /v1/me', () => {
  it('needs the password', async () => {
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/me', headers: bearer(token), payload: { password: 'wrong' } })
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('current_password_incorrect')
  })

  it('erases personal data, unlinks accounts, ends every session; the accounts themselves stay', async () => {
    const user = await ctx.client.prisma.user.findUniqueOrThrow({ where: { email: 'new.address@example.test' } })
    const other = await login(ctx, 'new.address@example.test', STRONG_PASSWORD)
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/me', headers: bearer(token), payload: { password: STRONG_PASSWORD } })
    expect(res.statusCode).toBe(204)

    const erased = await ctx.client.prisma.user.findUniqueOrThrow({ where: { id: user.id }, include: { accounts: true, consents: true, sessions: true } })
    expect(erased).toMatchObject({ email: null, phone: null, givenNames: null, surname: 'удалён', deletedAt: expect.any(Date), accounts: [] })
    expect(erased.consents.every((c) => c.withdrawnAt !== null)).toBe(true)
    expect(erased.sessions.every((s) => s.revokedAt !== null && s.userAgent === null)).toBe(true)
    expect(await ctx.client.prisma.account.count({ where: { number: '5400012345' } })).toBe(1)

    expect((await get('/v1/me')).statusCode).toBe(401)
    expect((await get('/v1/me', other.accessToken)).statusCode).toBe(401)
    await expect(login(ctx, 'new.address@example.test', STRONG_PASSWORD)).rejects.toThrow(/401/)
  })

  it('frees the address: the person can register again', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: {
        supplierId: (await ctx.client.prisma.supplier.findUniqueOrThrow({ where: { code: 'sibteplo' } })).id,
        accountNumber: '5400012345',
        surname: 'Иванов',
        proof: 'K7M2QX9P',
        email: 'new.address@example.test',
        password: STRONG_PASSWORD,
        consent: { personalData: true, textVersion: '2026-01' },
      },
    })
    expect(res.statusCode).toBe(202)
    expect(await ctx.client.prisma.user.count({ where: { email: 'new.address@example.test', deletedAt: null } })).toBe(1)
  })
})
