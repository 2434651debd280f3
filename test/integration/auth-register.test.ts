import { seedDemoData } from '../../src/db/seed.ts'
import { makeJobsDue } from '../support/jobs.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, registration, supplierId } from '../support/auth.ts'
import { codeIn, startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const register = async (payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: payload as object, headers })

describe('POST /v1/auth/register', () => {
  it('registers by account number and surname, records consent, mails a confirmation link', async () => {
    const res = await register(registration(await supplierId(ctx, 'sibteplo'), DEMO.ivanovHeat, 'Ivan.Ivanov@Example.test'), {
      'user-agent': 'Mozilla/5.0 test',
    })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ status: 'accepted', detail: expect.any(String) })

    const user = await ctx.client.prisma.user.findUniqueOrThrow({ where: { email: 'ivan.ivanov@example.test' }, include: { consents: true, accounts: { include: { account: true } } } })
    expect(user).toMatchObject({ role: 'customer', emailConfirmedAt: null, surname: 'Иванов' })
    expect(user.accounts.map((a) => a.account.number)).toEqual(['5400012345'])
    expect(user.consents).toEqual([
      expect.objectContaining({ kind: 'personal_data', textVersion: '2026-01', ip: '127.0.0.1', userAgent: 'Mozilla/5.0 test' }),
    ])
    expect(user.passwordHash).not.toContain(STRONG_PASSWORD)

    await ctx.app.mail.drain()
    const [mail] = smtp.to('ivan.ivanov@example.test')
    expect(mail!.subject).toBe('Подтвердите адрес электронной почты')
    expect(mail!.text).toContain('Здравствуйте, Иванов!')
    expect(mail!.text).toContain(`https://lk.example.test/confirm-email?token=${codeIn(mail)}`)
    expect(mail!.html).toContain('<a href="https://lk.example.test/confirm-email?token=')
  })

  it('refuses login until the email is confirmed; the link works exactly once', async () => {
    const loginBefore = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'ivan.ivanov@example.test', password: STRONG_PASSWORD } })
    expect(loginBefore.statusCode).toBe(403)
    expect(loginBefore.json().code).toBe('email_not_confirmed')

    const token = codeIn(smtp.to('ivan.ivanov@example.test')[0])
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token } })).statusCode).toBe(204)
    const again = await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token } })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('token_invalid')

    const loginAfter = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'ivan.ivanov@example.test', password: STRONG_PASSWORD } })
    expect(loginAfter.statusCode).toBe(200)
  })

  it('answers an already registered email exactly as a new one, and tells the owner instead', async () => {
    const fresh = await register(registration(await supplierId(ctx, 'energosbyt'), DEMO.kuznetsovaPower, 'maria@example.test'))
    const again = await register(registration(await supplierId(ctx, 'energosbyt'), DEMO.kuznetsovaPower, 'Maria@example.test'))
    expect([again.statusCode, again.json()]).toEqual([fresh.statusCode, fresh.json()])
    expect(await ctx.client.prisma.user.count({ where: { email: 'maria@example.test' } })).toBe(1)
    await ctx.app.mail.drain()
    expect(smtp.to('maria@example.test').map((m) => m.subject)).toEqual([
      'Подтвердите адрес электронной почты',
      'Попытка регистрации с вашим адресом',
    ])
  })

  it("accepts the supplier's short account form (7785 is 11-0007785) and ё/е in the surname", async () => {
    const water = await supplierId(ctx, 'gorvodokanal')
    const short = await register(registration(water, { number: '7785', surname: 'ПЕТРОВ', proof: 'p9rd-4mxt' }, 'petrov@example.test'))
    expect(short.statusCode).toBe(202)
    const yo = await register(registration(water, { number: '12-0012346', surname: 'Семенова', proof: DEMO.semenovaWater.proof }, 'semenova@example.test'))
    expect(yo.statusCode).toBe(202)
    const links = await ctx.client.prisma.userAccount.findMany({ where: { user: { email: { in: ['petrov@example.test', 'semenova@example.test'] } } }, include: { account: true } })
    expect(links.map((l) => l.account.number).sort()).toEqual(['11-0007785', '12-0012346'])
  })

  it('gives one answer for an unknown account and for a wrong surname', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    const unknown = await register(registration(heat, { number: '5400099999', surname: 'Иванов', proof: DEMO.ivanovHeat.proof }, 'x1@example.test'))
    const wrongName = await register(registration(heat, { number: '5400012345', surname: 'Сидоров', proof: DEMO.ivanovHeat.proof }, 'x2@example.test'))
    for (const res of [unknown, wrongName]) {
      expect(res.statusCode).toBe(422)
      expect(res.json().code).toBe('account_not_matched')
    }
    expect(unknown.json().detail).toBe(wrongName.json().detail)
  })

  it('names a malformed account number with the expected format', async () => {
    const res = await register(registration(await supplierId(ctx, 'gorvodokanal'), { number: '11-77', surname: 'Петров', proof: DEMO.petrovWater.proof }, 'x3@example.test'))
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'account_number_invalid', example: '11-0007785' })
  })

  it('is impossible without consent to personal-data processing', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    const base = registration(heat, DEMO.ivanovHeat, 'noconsent@example.test')
    const declined = await register({ ...base, consent: { personalData: false, textVersion: '2026-01' } })
    expect(declined.statusCode).toBe(400)
    expect(declined.json().errors).toEqual([expect.objectContaining({ pointer: '#/consent/personalData' })])
    const { consent: _omitted, ...withoutConsent } = base
    const missing = await register(withoutConsent)
    expect(missing.json().errors).toEqual([expect.objectContaining({ pointer: '#/consent' })])
    const outdated = await register({ ...base, consent: { personalData: true, textVersion: '2019-01' } })
    expect(outdated.statusCode).toBe(422)
    expect(outdated.json()).toMatchObject({ code: 'consent_outdated', currentTextVersion: '2026-01' })
    expect(await ctx.client.prisma.user.count({ where: { email: 'noconsent@example.test' } })).toBe(0)
  })

  it.each([
    ['a common password', 'password1'],
    ['one made of the email and name', 'noconsentivanov'],
  ])('refuses %s with password_too_weak', async (_what, password) => {
    const res = await register({ ...registration(await supplierId(ctx, 'sibteplo'), DEMO.ivanovHeat, 'noconsent@example.test'), password })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'password_too_weak', feedback: expect.any(Object) })
  })

  it('refuses roles or other members it does not know (no mass assignment)', async () => {
    const res = await register({ ...registration(await supplierId(ctx, 'sibteplo'), DEMO.ivanovHeat, 'admin-wannabe@example.test'), role: 'admin' })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '#/role' })])
  })

  it('resends a confirmation link, replacing the old one; unknown addresses get the same 202', async () => {
    await ctx.app.mail.drain()
    const first = codeIn(smtp.to('petrov@example.test')[0])
    const resend = await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email/resend', payload: { email: 'petrov@example.test' } })
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email/resend', payload: { email: 'nobody@example.test' } })
    expect([resend.statusCode, resend.json()]).toEqual([unknown.statusCode, unknown.json()])
    await ctx.app.mail.drain()
    const second = codeIn(smtp.to('petrov@example.test').at(-1))
    expect(second).not.toBe(first)
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token: first } })).statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token: second } })).statusCode).toBe(204)
  })
})

describe('the mail outbox', () => {
  it('keeps a mail the SMTP server refused and delivers it on a later attempt', async () => {
    smtp.failNext(1)
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'maria@example.test' } })
    await ctx.app.mail.drain()
    const queued = await ctx.client.prisma.mailOutbox.findFirstOrThrow({ where: { to: 'maria@example.test', template: 'password_reset' } })
    expect(queued).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('451') })
    // Its job waits for a later attempt (exponential backoff).
    expect(await ctx.app.jobs.stats()).toMatchObject({ scheduled: 1, failed: 0 })

    // Time passes: the retry is due.
    await makeJobsDue(ctx)
    await ctx.app.mail.drain()
    expect(await ctx.client.prisma.mailOutbox.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'sent', attempts: 2 })
    expect(smtp.to('maria@example.test').at(-1)!.subject).toBe('Восстановление пароля')
  })

  it('keeps a phone unconfirmed and says so, even one someone else gave too: never dropped, never a login', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    const first = await register(registration(heat, { number: '5400012346', surname: 'Семёнова', proof: 'H3TZ8WRA' }, 'phone1@example.test', { phone: '+7 913 555-00-11' }))
    const second = await register(registration(heat, { number: '5400012346', surname: 'Семёнова', proof: 'H3TZ8WRA' }, 'phone2@example.test', { phone: '89135550011' }))
    for (const answer of [first, second]) {
      expect(answer.statusCode).toBe(202)
      expect(answer.json().detail).toContain('unconfirmed')
    }
    const users = await ctx.client.prisma.user.findMany({ where: { email: { in: ['phone1@example.test', 'phone2@example.test'] } } })
    expect(users.map((u) => [u.phone, u.phoneVerifiedAt])).toEqual([
      ['+79135550011', null],
      ['+79135550011', null],
    ])
  })

  it('writes nothing when the change fails: no user, no mail', async () => {
    const before = await ctx.client.prisma.mailOutbox.count()
    await register(registration(await supplierId(ctx, 'sibteplo'), { number: '5400099999', surname: 'Иванов', proof: DEMO.ivanovHeat.proof }, 'ghost@example.test'))
    expect(await ctx.client.prisma.mailOutbox.count()).toBe(before)
  })
})
