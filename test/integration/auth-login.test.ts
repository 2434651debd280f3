import { digestToken } from '../../src/auth/tokens.ts'
import { createServer, type Server } from 'node:http'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { solveCaptcha } from '../support/captcha.ts'
import { DEMO, STRONG_PASSWORD, bearer, craftJwt, login, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
const EMAIL = 'login.test@example.test'

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  await signUp(ctx, smtp, EMAIL, DEMO.semenovaWater)
  // Proven, as a code sent to the number would prove it (no SMS provider yet): only such a number logs in.
  await ctx.client.prisma.user.update({ where: { email: EMAIL }, data: { phone: '+79131234567', phoneVerifiedAt: new Date() } })
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
const attempt = (payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload, headers })

describe('POST /v1/auth/login', () => {
  it('logs in by email, by phone, and by account number with its supplier (short form included)', async () => {
    const water = await supplierId(ctx, 'gorvodokanal')
    for (const [loginName, extra] of [
      ['LOGIN.test@example.test', {}],
      ['8 (913) 123-45-67', {}],
      ['12-0012346', { supplierId: water }],
      ['12 0012346', { supplierId: water }],
    ] as const) {
      const tokens = await login(ctx, loginName, STRONG_PASSWORD, extra)
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, mustChangePassword: false })
      expect((await me(tokens.accessToken)).json().email).toBe(EMAIL)
    }
  })

  it('an unproven phone never logs in, and claiming someone’s number tells nothing and takes nothing', async () => {
    const other = await signUp(ctx, smtp, 'claimer@example.test', DEMO.petrovWater)
    const claim = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(other.accessToken), payload: { phone: '+7 913 123-45-67' } })
    expect(claim.statusCode).toBe(200)
    expect(claim.json()).toMatchObject({ phone: '+79131234567', phoneVerified: false })
    // The number still logs its owner in; the claimer's password does not get in by it.
    expect((await attempt({ login: '+79131234567', password: STRONG_PASSWORD })).statusCode).toBe(200)
    const owner = await login(ctx, '+79131234567', STRONG_PASSWORD)
    expect((await me(owner.accessToken)).json()).toMatchObject({ email: EMAIL, phoneVerified: true })
    // An unproven number of one's own does not log in either.
    await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(other.accessToken), payload: { phone: '+7 913 000-00-01' } })
    expect((await attempt({ login: '+79130000001', password: STRONG_PASSWORD })).json().code).toBe('invalid_credentials')
    // The database holds one proven owner per number.
    await expect(ctx.client.prisma.user.update({ where: { email: 'claimer@example.test' }, data: { phone: '+79131234567', phoneVerifiedAt: new Date() } })).rejects.toMatchObject({ code: 'P2002' })
  })

  it('answers a wrong password and an unknown login identically', async () => {
    const wrong = await attempt({ login: EMAIL, password: 'not the password at all' })
    const unknown = await attempt({ login: 'nobody@example.test', password: 'not the password at all' })
    const junk = await attempt({ login: '???', password: 'not the password at all' })
    for (const res of [wrong, unknown, junk]) {
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ code: 'invalid_credentials', detail: 'Неверный логин или пароль.' })
    }
  })

  it('tells a new device apart and mails a notice; a known device gets none', async () => {
    await ctx.app.mail.drain()
    const before = smtp.to(EMAIL).length
    await login(ctx, EMAIL, STRONG_PASSWORD, {}, { 'user-agent': 'Unknown Phone/1.0' })
    await login(ctx, EMAIL, STRONG_PASSWORD, {}, { 'user-agent': 'Unknown Phone/1.0' })
    await ctx.app.mail.drain()
    const notices = smtp.to(EMAIL).slice(before)
    expect(notices.map((m) => m.subject)).toEqual(['Вход с нового устройства'])
    expect(notices[0]!.text).toContain('Unknown Phone/1.0')
    expect(notices[0]!.text).toContain('(Asia/Novosibirsk)')
  })
})

describe('access tokens', () => {
  let valid: { accessToken: string; refreshToken: string }
  let claims: Record<string, unknown>
  beforeAll(async () => {
    valid = await login(ctx, EMAIL, STRONG_PASSWORD)
    claims = JSON.parse(Buffer.from(valid.accessToken.split('.')[1]!, 'base64url').toString())
  })

  it('carry user, session and role, and expire in 15 minutes', () => {
    expect(claims).toMatchObject({ sub: expect.any(String), sid: expect.any(String), role: 'customer', sup: null, iss: 'abonent', aud: 'abonent-api' })
    expect((claims.exp as number) - (claims.iat as number)).toBe(900)
  })

  it('work on a guarded route', async () => {
    expect((await me(valid.accessToken)).statusCode).toBe(200)
  })

  it('none is 401 unauthorized with WWW-Authenticate', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/me' })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('unauthorized')
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
  })

  it.each([
    ['forged: claims changed, signature kept', () => {
      const [header, , signature] = valid.accessToken.split('.')
      const payload = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')
      return `${header}.${payload}.${signature}`
    }],
    ['signed with another key', () => craftJwt(claims, 'another-secret-another-secret-0123456789')],
    ['alg: none', () => craftJwt({ ...claims, role: 'admin' }, null, { alg: 'none', typ: 'JWT' })],
    ['alg: HS512 with the right key', () => craftJwt(claims, ctx.app.config.auth.jwtSecret, { alg: 'HS512', typ: 'JWT' })],
    ['from another issuer', () => craftJwt({ ...claims, iss: 'someone-else' }, ctx.app.config.auth.jwtSecret)],
    ['garbage', () => 'not.a.jwt'],
  ])('%s is 401 invalid_token', async (_what, make) => {
    const res = await me(make())
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('invalid_token')
  })

  it('expired is 401 token_expired', async () => {
    const now = Math.floor(Date.now() / 1000)
    const expired = craftJwt({ ...claims, iat: now - 1000, exp: now - 100 }, ctx.app.config.auth.jwtSecret)
    const res = await me(expired)
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('token_expired')
  })
})

describe('refresh tokens', () => {
  it('rotate: each works once and yields a new pair', async () => {
    const first = await login(ctx, EMAIL, STRONG_PASSWORD)
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: first.refreshToken } })
    expect(res.statusCode).toBe(200)
    const second = res.json()
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect((await me(second.accessToken)).statusCode).toBe(200)
    const rows = await ctx.client.prisma.refreshToken.findMany({ where: { tokenHash: { in: [first.refreshToken, second.refreshToken] } } })
    expect(rows).toEqual([]) // only digests are stored
  })

  it('a reused one ends the whole family: every token born from that login stops working', async () => {
    const first = await login(ctx, EMAIL, STRONG_PASSWORD)
    const second = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: first.refreshToken } })).json()
    const third = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: second.refreshToken } })).json()

    const replay = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: first.refreshToken } })
    expect(replay.statusCode).toBe(401)
    expect(replay.json().code).toBe('refresh_token_reused')

    const latest = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: third.refreshToken } })
    expect(latest.statusCode).toBe(401)
    expect((await me(third.accessToken)).json().code).toBe('session_ended')
    // Other logins of the same person are other families: untouched.
    const other = await login(ctx, EMAIL, STRONG_PASSWORD)
    expect((await me(other.accessToken)).statusCode).toBe(200)
  })

  it('two refreshes racing with one token (two tabs): both get the same new pair, and the session lives', async () => {
    const tokens = await login(ctx, EMAIL, STRONG_PASSWORD)
    const results = await Promise.all(
      [1, 2].map(() => ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })),
    )
    expect(results.map((r) => r.statusCode)).toEqual([200, 200])
    expect(results[0]!.json().refreshToken).toBe(results[1]!.json().refreshToken)
    expect((await me(results[1]!.json().accessToken)).statusCode).toBe(200)
  })

  it('the grace is short: the same token again after REFRESH_REUSE_GRACE_S is a copy, and the session ends', async () => {
    const tokens = await login(ctx, EMAIL, STRONG_PASSWORD)
    const refresh = (refreshToken: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } })
    const next = (await refresh(tokens.refreshToken)).json()
    await ctx.client.prisma.refreshToken.updateMany({ where: { tokenHash: digestToken(tokens.refreshToken) }, data: { usedAt: new Date(Date.now() - 31_000) } })
    const replay = await refresh(tokens.refreshToken)
    expect(replay.json().code).toBe('refresh_token_reused')
    expect((await refresh(next.refreshToken)).statusCode).toBe(401)
  })

  it('an unknown one is 401 invalid_refresh_token', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: 'x'.repeat(43) } })
    expect(res.json().code).toBe('invalid_refresh_token')
  })
})

describe('sessions', () => {
  it('logout ends the session: its access and refresh tokens stop working', async () => {
    const tokens = await login(ctx, EMAIL, STRONG_PASSWORD)
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(tokens.accessToken) })).statusCode).toBe(204)
    expect((await me(tokens.accessToken)).statusCode).toBe(401)
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })).statusCode).toBe(401)
  })

  it('are listed with device and IP, and one can be ended from another', async () => {
    const laptop = await login(ctx, EMAIL, STRONG_PASSWORD, {}, { 'user-agent': 'Laptop/1' })
    const phone = await login(ctx, EMAIL, STRONG_PASSWORD, {}, { 'user-agent': 'Phone/2' })
    const list = (await ctx.app.inject({ method: 'GET', url: '/v1/me/sessions?limit=100', headers: bearer(laptop.accessToken) })).json()
    const phoneSession = list.items.find((s: { userAgent: string }) => s.userAgent === 'Phone/2')
    expect(phoneSession).toMatchObject({ current: false, ip: '127.0.0.1' })
    expect(list.items.filter((s: { current: boolean }) => s.current)).toEqual([expect.objectContaining({ userAgent: 'Laptop/1' })])

    const end = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${phoneSession.id}`, headers: bearer(laptop.accessToken) })
    expect(end.statusCode).toBe(204)
    expect((await me(phone.accessToken)).statusCode).toBe(401)
    expect((await me(laptop.accessToken)).statusCode).toBe(200)
  })

  it("someone else's session id is 404, and stays alive", async () => {
    const mine = await login(ctx, EMAIL, STRONG_PASSWORD)
    const otherEmail = 'other.person@example.test'
    const theirs = await signUp(ctx, smtp, otherEmail, DEMO.petrovWater)
    const theirSid = JSON.parse(Buffer.from(theirs.accessToken.split('.')[1]!, 'base64url').toString()).sid
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${theirSid}`, headers: bearer(mine.accessToken) })
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('session_not_found')
    expect((await me(theirs.accessToken)).statusCode).toBe(200)
  })
})

describe('abuse controls', () => {
  let captchaServer: Server
  let captchaUrl: string
  const captchaCalls: URLSearchParams[] = []
  let guarded: TestContext

  beforeAll(async () => {
    // A stand-in for Yandex SmartCaptcha's /validate: "good" passes, anything else fails.
    captchaServer = createServer((req, res) => {
      const params = new URL(req.url!, 'http://x').searchParams
      captchaCalls.push(params)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ status: params.get('token') === 'good' && params.get('secret') === 'server-key' ? 'ok' : 'failed' }))
    })
    await new Promise<void>((resolve) => captchaServer.listen(0, '127.0.0.1', resolve))
    captchaUrl = `http://127.0.0.1:${(captchaServer.address() as { port: number }).port}/validate`
    guarded = await buildTestApp({
      SMTP_URL: smtp.url,
      CAPTCHA_PROVIDER: 'yandex',
      CAPTCHA_SECRET: 'server-key',
      CAPTCHA_VERIFY_URL: captchaUrl,
      CAPTCHA_AFTER_FAILURES: '2',
      LOGIN_ATTEMPTS_PER_LOGIN: '6',
    })
    await seedDemoData(guarded.client.prisma)
    await signUp(guarded, smtp, 'captcha@example.test', DEMO.ivanovHeat)
  })
  afterAll(async () => {
    await guarded.close()
    await new Promise((resolve) => captchaServer.close(resolve))
  })

  const tryLogin = (password: string, captchaToken?: string) =>
    guarded.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'captcha@example.test', password, ...(captchaToken ? { captchaToken } : {}) } })

  it('asks for a captcha after repeated failures — not a lockout — and accepts the right password with it', async () => {
    expect((await tryLogin('wrong password one')).statusCode).toBe(401)
    expect((await tryLogin('wrong password two')).statusCode).toBe(401)
    const blocked = await tryLogin(STRONG_PASSWORD)
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().code).toBe('captcha_required')
    const badCaptcha = await tryLogin(STRONG_PASSWORD, 'bad')
    expect(badCaptcha.json().code).toBe('captcha_invalid')
    const solved = await tryLogin(STRONG_PASSWORD, 'good')
    expect(solved.statusCode).toBe(200)
    expect(captchaCalls.at(-1)!.get('ip')).toBe('127.0.0.1')
    // Success clears the count: the next login needs no captcha.
    expect((await tryLogin(STRONG_PASSWORD)).statusCode).toBe(200)
  })

  it('treats unknown logins the same, so the captcha reveals nothing', async () => {
    const ghost = (captchaToken?: string) =>
      guarded.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'ghost@example.test', password: 'whatever pass', ...(captchaToken ? { captchaToken } : {}) } })
    await ghost()
    await ghost()
    expect((await ghost()).json().code).toBe('captcha_required')
  })

  it('never locks the real user out: with a solved captcha, the right password always gets in', async () => {
    for (let i = 0; i < 8; i++) expect((await tryLogin('wrong again', 'good')).statusCode).toBe(401)
    expect((await tryLogin(STRONG_PASSWORD, 'good')).statusCode).toBe(200)
  })
})

describe('the default captcha: self-hosted ALTCHA proof of work', () => {
  let fresh: TestContext
  beforeAll(async () => {
    // No CAPTCHA_PROVIDER: the default configuration, as `npm start` runs it.
    fresh = await buildTestApp({ SMTP_URL: smtp.url, LOGIN_ATTEMPTS_PER_LOGIN: '3', CAPTCHA_AFTER_FAILURES: '2', CAPTCHA_WORK: '300' })
    await seedDemoData(fresh.client.prisma)
    await signUp(fresh, smtp, 'owner@example.test', DEMO.kuznetsovaPower)
  })
  afterAll(() => fresh.close())

  const tryLogin = (password: string, captchaToken?: string) =>
    fresh.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'owner@example.test', password, ...(captchaToken ? { captchaToken } : {}) } })

  it('never locks the owner out: after ten wrong passwords from anyone, the right one with a solved captcha gets in', async () => {
    expect((await fresh.app.inject({ method: 'GET', url: '/v1/auth/captcha' })).json()).toMatchObject({ provider: 'altcha', challenge: { signature: expect.any(String) } })
    for (let i = 0; i < 10; i++) {
      const answer = await tryLogin(`wrong password ${i}`, i >= 2 ? await solveCaptcha(fresh) : undefined)
      expect([i, answer.statusCode]).toEqual([i, 401])
    }
    expect((await tryLogin(STRONG_PASSWORD)).json().code).toBe('captcha_required')
    expect((await tryLogin(STRONG_PASSWORD, await solveCaptcha(fresh))).statusCode).toBe(200)
  })

  it('takes each solved challenge once, and refuses forged or tampered ones', async () => {
    for (let i = 0; i < 2; i++) await tryLogin('wrong password again')
    const token = await solveCaptcha(fresh)
    expect((await tryLogin('wrong password again', token)).statusCode).toBe(401)
    expect((await tryLogin(STRONG_PASSWORD, token)).json().code).toBe('captcha_invalid')
    // The derived key is the proof of the work; one changed digit and it is not.
    const payload = JSON.parse(Buffer.from(await solveCaptcha(fresh), 'base64').toString()) as { solution: { derivedKey: string } }
    const key = payload.solution.derivedKey
    payload.solution.derivedKey = `${key[0] === '0' ? '1' : '0'}${key.slice(1)}`
    expect((await tryLogin(STRONG_PASSWORD, Buffer.from(JSON.stringify(payload)).toString('base64'))).json().code).toBe('captcha_invalid')
    expect((await tryLogin(STRONG_PASSWORD, 'bm90IGEgcGF5bG9hZA==')).json().code).toBe('captcha_invalid')
    expect((await tryLogin(STRONG_PASSWORD, await solveCaptcha(fresh))).statusCode).toBe(200)
  })
})

describe('failed logins with CAPTCHA_PROVIDER=none', () => {
  let plain: TestContext
  beforeAll(async () => {
    plain = await buildTestApp({ SMTP_URL: smtp.url, LOGIN_ATTEMPTS_PER_LOGIN: '3', CAPTCHA_PROVIDER: 'none' })
    await seedDemoData(plain.client.prisma)
    await signUp(plain, smtp, 'paused@example.test', DEMO.kuznetsovaPower)
  })
  afterAll(() => plain.close())

  const tryLogin = (loginName: string, password: string) => plain.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: loginName, password } })

  it('pause that login after N failures with 429 and Retry-After; other logins are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await tryLogin('paused@example.test', 'wrong password')).statusCode).toBe(401)
    const paused = await tryLogin('paused@example.test', STRONG_PASSWORD)
    expect(paused.statusCode).toBe(429)
    expect(paused.json().code).toBe('rate_limited')
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(800)
    expect((await tryLogin('someone.else@example.test', 'x')).statusCode).toBe(401)
  })

  it('count unknown logins the same way', async () => {
    for (let i = 0; i < 3; i++) await tryLogin('ghost@example.test', 'wrong password')
    expect((await tryLogin('ghost@example.test', 'wrong password')).statusCode).toBe(429)
  })

  it('limit mails requested for one address (no mail bombing), whoever asks', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      statuses.push((await plain.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'victim@example.test' } })).statusCode)
    }
    expect(statuses).toEqual([202, 202, 202, 429])
  })
})
