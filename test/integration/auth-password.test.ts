import { digestToken } from '../../src/auth/tokens.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, login, signUp } from '../support/auth.ts'
import { codeIn, startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
const EMAIL = 'forgetful@example.test'
const NEW_PASSWORD = 'зелёная лампа светит ночью 7'

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  await signUp(ctx, smtp, EMAIL, DEMO.petrovWater)
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
const forgot = (email: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email } })
const reset = (token: string, newPassword: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/password/reset', payload: { token, newPassword } })

describe('forgot and reset', () => {
  it('answers the same for a registered and an unknown address', async () => {
    const known = await forgot(EMAIL)
    const unknown = await forgot('stranger@example.test')
    expect(known.statusCode).toBe(202)
    expect([unknown.statusCode, unknown.json()]).toEqual([known.statusCode, known.json()])
    await ctx.app.mail.drain()
    expect(smtp.to('stranger@example.test')).toEqual([])
  })

  it('resets with the mailed code once, ends every session, and mails a notice', async () => {
    const session = await login(ctx, EMAIL, STRONG_PASSWORD)
    await forgot(EMAIL)
    await ctx.app.mail.drain()
    const mail = smtp.to(EMAIL).filter((m) => m.subject === 'Восстановление пароля').at(-1)
    expect(mail!.text).toContain('https://lk.example.test/reset-password?token=')
    const token = codeIn(mail)

    const weak = await reset(token, 'password1')
    expect(weak.statusCode).toBe(422)
    expect(weak.json().code).toBe('password_too_weak')

    expect((await reset(token, NEW_PASSWORD)).statusCode).toBe(204)
    const again = await reset(token, 'another fine passphrase 9')
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('token_invalid')

    expect((await me(session.accessToken)).statusCode).toBe(401)
    await expect(login(ctx, EMAIL, STRONG_PASSWORD)).rejects.toThrow(/401/)
    await login(ctx, EMAIL, NEW_PASSWORD)
    await ctx.app.mail.drain()
    expect(smtp.to(EMAIL).at(-1)!.subject).toBe('Пароль изменён')
  })

  it('only the link issued last works, whatever order its mails arrive in', async () => {
    const earlier = smtp.to(EMAIL).length
    await Promise.all([forgot(EMAIL), forgot(EMAIL)])
    await ctx.app.mail.drain()
    const mails = smtp.to(EMAIL).slice(earlier).filter((m) => m.subject === 'Восстановление пароля')
    expect(mails).toHaveLength(2)
    for (const mail of mails) expect(mail.text).toContain('работает только ссылка из последнего запроса')
    // The outbox may deliver them in either order; the database knows which was issued last:
    // issuing voids the older tokens, so it is the one still live.
    const live = await ctx.client.prisma.emailToken.findMany({ where: { purpose: 'reset_password', usedAt: null, user: { email: EMAIL } } })
    expect(live).toHaveLength(1)
    const codes = mails.map(codeIn)
    const newest = codes.find((code) => digestToken(code) === live[0]!.tokenHash)
    expect(newest).toBeDefined()
    // Every received link is tried, in the order received: exactly one works, the newest.
    const statuses = new Map<string, number>()
    for (const code of codes) statuses.set(code, (await reset(code, 'yet another good passphrase 1')).statusCode)
    expect([...statuses].filter(([, status]) => status === 204).map(([code]) => code)).toEqual([newest])
    expect([...statuses.values()].sort()).toEqual([204, 400])
  })

  it('an expired code does not work', async () => {
    await forgot(EMAIL)
    await ctx.app.mail.drain()
    const token = codeIn(smtp.to(EMAIL).filter((m) => m.subject === 'Восстановление пароля').at(-1))
    await ctx.client.prisma.emailToken.updateMany({ where: { purpose: 'reset_password', usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect((await reset(token, 'expired passphrase attempt 5')).json().code).toBe('token_invalid')
  })
})

describe('POST /v1/auth/password/change', () => {
  const PASSWORD = 'yet another good passphrase 1'

  it('checks the current password, refuses weak or unchanged ones', async () => {
    const session = await login(ctx, EMAIL, PASSWORD)
    const change = (body: object) => ctx.app.inject({ method: 'POST', url: '/v1/auth/password/change', headers: bearer(session.accessToken), payload: body })
    expect((await change({ currentPassword: 'wrong', newPassword: NEW_PASSWORD })).json().code).toBe('current_password_incorrect')
    expect((await change({ currentPassword: PASSWORD, newPassword: 'qwerty123' })).json().code).toBe('password_too_weak')
    expect((await change({ currentPassword: PASSWORD, newPassword: PASSWORD })).json().code).toBe('password_unchanged')
  })

  it('ends the other sessions by default and keeps the current one', async () => {
    const other = await login(ctx, EMAIL, PASSWORD)
    const current = await login(ctx, EMAIL, PASSWORD)
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/password/change',
      headers: bearer(current.accessToken),
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(res.statusCode).toBe(204)
    expect((await me(other.accessToken)).statusCode).toBe(401)
    expect((await me(current.accessToken)).statusCode).toBe(200)
  })

  it('keeps the other sessions when asked to', async () => {
    const other = await login(ctx, EMAIL, NEW_PASSWORD)
    const current = await login(ctx, EMAIL, NEW_PASSWORD)
    await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/password/change',
      headers: bearer(current.accessToken),
      payload: { currentPassword: NEW_PASSWORD, newPassword: PASSWORD, endOtherSessions: false },
    })
    expect((await me(other.accessToken)).statusCode).toBe(200)
  })

})

describe('wrong current passwords', () => {
  const PASSWORD = 'yet another good passphrase 1'
  let guarded: TestContext
  beforeAll(async () => {
    guarded = await buildTestApp({ SMTP_URL: smtp.url, LOGIN_ATTEMPTS_PER_LOGIN: '10' })
    await seedDemoData(guarded.client.prisma)
    await signUp(guarded, smtp, EMAIL, DEMO.petrovWater)
    const first = await login(guarded, EMAIL, STRONG_PASSWORD)
    await guarded.app.inject({ method: 'POST', url: '/v1/auth/password/change', headers: bearer(first.accessToken), payload: { currentPassword: STRONG_PASSWORD, newPassword: PASSWORD } })
  })
  afterAll(() => guarded.close())

  it('are counted like failed logins: a stolen access token gets 10 guesses, then its session ends', async () => {
    const me = (token: string) => guarded.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
    const victim = await login(guarded, EMAIL, PASSWORD)
    const other = await login(guarded, EMAIL, PASSWORD)
    const change = (currentPassword: string) =>
      guarded.app.inject({ method: 'POST', url: '/v1/auth/password/change', headers: bearer(victim.accessToken), payload: { currentPassword, newPassword: NEW_PASSWORD } })
    const answers = []
    for (let i = 0; i < 10; i++) answers.push(await change(`guess number ${i}`))
    expect(answers.slice(0, 9).map((a) => a.json<{ code: string }>().code)).toEqual(Array(9).fill('current_password_incorrect'))
    expect(answers[8]!.json().attemptsLeft).toBe(1)
    expect(answers[9]!.statusCode).toBe(401)
    expect(answers[9]!.json().code).toBe('session_ended')
    // The right password no longer helps the holder of that token, nor its refresh token.
    expect((await change(PASSWORD)).statusCode).toBe(401)
    expect((await guarded.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: victim.refreshToken } })).statusCode).toBe(401)
    // The owner's other sessions are untouched.
    expect((await me(other.accessToken)).statusCode).toBe(200)
  })
})
