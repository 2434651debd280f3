import { digestToken } from '../../src/auth/tokens.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import type { EmailTokenPurpose } from '../../src/generated/prisma/client.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, login, registration, supplierId } from '../support/auth.ts'
import { codeIn } from '../support/smtp.ts'

// Requests that race for one row, fired together and repeated: a race lost once in a while must
// show up as a failed round, not as a rare flake.
const ROUNDS = 50
const AT_ONCE = 3

let ctx: TestContext

// No SMTP server: hundreds of mails would cost more than the races. Mails are read from the
// outbox, which holds what would be sent.
beforeAll(async () => {
  ctx = await buildTestApp()
  await seedDemoData(ctx.client.prisma)
})
afterAll(() => ctx.close())

const post = (url: string, payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url, payload, headers })
const times = <T>(count: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => make(i)))
const userId = async (email: string) => (await ctx.client.prisma.user.findUniqueOrThrow({ where: { email } })).id
const mailsTo = (to: string, template: string) => ctx.client.prisma.mailOutbox.findMany({ where: { to, template }, orderBy: { createdAt: 'asc' } })

/** Registers with a demo account, confirms with the mailed code, and logs in. */
async function signUp(email: string, account: { code: string; number: string; surname: string; proof: string }) {
  const res = await post('/v1/auth/register', registration(await supplierId(ctx, account.code), account, email))
  expect(res.statusCode).toBe(202)
  const [mail] = await mailsTo(email, 'confirm_email')
  expect((await post('/v1/auth/confirm-email', { token: codeIn(mail) })).statusCode).toBe(204)
  return login(ctx, email, STRONG_PASSWORD)
}

const liveTokens = (user: string, purpose: EmailTokenPurpose) => ctx.client.prisma.emailToken.findMany({ where: { userId: user, purpose, usedAt: null } })

describe('mailed tokens issued at once: one stays live', () => {
  it(`password reset, ${AT_ONCE} requests at once, ${ROUNDS} rounds: exactly one link works, the one issued last`, async () => {
    const email = 'race-reset@example.test'
    await signUp(email, DEMO.petrovWater)
    const user = await userId(email)
    for (let round = 0; round < ROUNDS; round++) {
      const earlier = (await mailsTo(email, 'password_reset')).length
      await times(AT_ONCE, () => post('/v1/auth/password/forgot', { email }))
      await ctx.app.mail.drain()
      const live = await liveTokens(user, 'reset_password')
      expect(live).toHaveLength(1)
      const codes = (await mailsTo(email, 'password_reset')).slice(earlier).map(codeIn)
      expect(codes).toHaveLength(AT_ONCE)
      const newest = codes.find((code) => digestToken(code) === live[0]!.tokenHash)
      expect(newest).toBeDefined()
      const worked: string[] = []
      for (const code of codes) {
        const res = await post('/v1/auth/password/reset', { token: code, newPassword: `зелёная лампа светит ночью ${round}` })
        if (res.statusCode === 204) worked.push(code)
        else expect(res.json().code).toBe('token_invalid')
      }
      expect(worked).toEqual([newest])
    }
  })

  it(`confirmation resent ${AT_ONCE} times at once, ${ROUNDS} rounds: one live confirmation token`, async () => {
    const email = 'race-confirm@example.test'
    const res = await post('/v1/auth/register', registration(await supplierId(ctx, DEMO.ivanovHeat.code), DEMO.ivanovHeat, email))
    expect(res.statusCode).toBe(202)
    const user = await userId(email)
    for (let round = 0; round < ROUNDS; round++) {
      await times(AT_ONCE, () => post('/v1/auth/confirm-email/resend', { email }))
      await ctx.app.mail.drain()
      expect(await liveTokens(user, 'confirm_email')).toHaveLength(1)
    }
  })

  it(`email change asked ${AT_ONCE} times at once, ${ROUNDS} rounds: one live change token`, async () => {
    const email = 'race-change@example.test'
    const session = await signUp(email, DEMO.semenovaWater)
    const user = await userId(email)
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await times(AT_ONCE, (i) =>
        ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(session.accessToken), payload: { email: `race-new-${round}-${i}@example.test` } }),
      )
      expect(answers.map((a) => a.statusCode)).toEqual(Array(AT_ONCE).fill(200))
      expect(await liveTokens(user, 'change_email')).toHaveLength(1)
    }
  })

  it(`two people confirm the same new address at once, ${ROUNDS} rounds: one gets it, the other email_taken`, async () => {
    const sessions = [await signUp('race-twin-a@example.test', DEMO.ivanovHeat), await signUp('race-twin-b@example.test', DEMO.ivanovHeat)]
    for (let round = 0; round < ROUNDS; round++) {
      const wanted = `race-wanted-${round}@example.test`
      for (const session of sessions) {
        const res = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(session.accessToken), payload: { email: wanted } })
        expect(res.statusCode).toBe(200)
      }
      const codes = (await mailsTo(wanted, 'change_email')).map(codeIn)
      expect(codes).toHaveLength(2)
      const answers = await Promise.all(codes.map((token) => post('/v1/auth/confirm-email', { token })))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([204, 409])
      expect(answers.find((a) => a.statusCode === 409)!.json().code).toBe('email_taken')
      expect(await ctx.client.prisma.user.count({ where: { email: wanted } })).toBe(1)
    }
  })

  it('the database refuses a second live token of one purpose (the backstop behind the lock)', async () => {
    const user = await userId('race-reset@example.test')
    const token = (hash: string) => ({ userId: user, purpose: 'reset_password' as const, tokenHash: hash, expiresAt: new Date(Date.now() + 60_000) })
    await ctx.client.prisma.emailToken.updateMany({ where: { userId: user, usedAt: null }, data: { usedAt: new Date() } })
    await ctx.client.prisma.emailToken.create({ data: token('backstop-1') })
    await expect(ctx.client.prisma.emailToken.create({ data: token('backstop-2') })).rejects.toMatchObject({ code: 'P2002' })
    // A used one does not count.
    await ctx.client.prisma.emailToken.create({ data: { ...token('backstop-3'), usedAt: new Date() } })
  })
})

describe('refresh tokens presented at once', () => {
  it(`one token, ${AT_ONCE} refreshes at once (tabs of one browser), ${ROUNDS} rounds: one rotation, every tab gets the same pair, the session lives`, async () => {
    const email = 'race-refresh@example.test'
    await signUp(email, DEMO.kuznetsovaPower)
    for (let round = 0; round < ROUNDS; round++) {
      const { refreshToken } = await login(ctx, email, STRONG_PASSWORD)
      const { sessionId } = await ctx.client.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: digestToken(refreshToken) } })
      const answers = await times(AT_ONCE, () => post('/v1/auth/refresh', { refreshToken }))
      expect(answers.map((a) => a.statusCode)).toEqual(Array(AT_ONCE).fill(200))
      expect(new Set(answers.map((a) => a.json().refreshToken as string)).size).toBe(1)
      expect(await ctx.client.prisma.refreshToken.count({ where: { sessionId, usedAt: null } })).toBe(1)
      expect((await ctx.client.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt).toBeNull()
      // The next rotation goes on from the shared successor.
      expect((await post('/v1/auth/refresh', { refreshToken: answers[0]!.json().refreshToken })).statusCode).toBe(200)
    }
  })

  it('the database refuses a second unused token in one session', async () => {
    const session = await ctx.client.prisma.session.findFirstOrThrow({ where: { user: { email: 'race-refresh@example.test' } } })
    expect(await ctx.client.prisma.refreshToken.count({ where: { sessionId: session.id, usedAt: null } })).toBe(1)
    await expect(ctx.client.prisma.refreshToken.create({ data: { sessionId: session.id, tokenHash: 'backstop' } })).rejects.toMatchObject({ code: 'P2002' })
  })
})
