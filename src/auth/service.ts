import type { Tx } from '../db/transaction.ts'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ConflictError, ForbiddenError, UnauthorizedError, UnprocessableError } from '../common/errors.ts'
import { isUniqueViolation } from '../common/unique-violation.ts'
import type { User } from '../generated/prisma/client.ts'
import { accountNumberFormatOf, normalizeAccountNumber } from '../suppliers/account-number.ts'
import { createCaptchaVerifier } from './captcha.ts'
import { consumeEmailToken, issueEmailToken } from './email-tokens.ts'
import { accountNotMatched } from '../accounts/registry-match.ts'
import { createHolderCheck } from './holder-check.ts'
import { tellOtherHolders } from '../accounts/holder-notice.ts'
import { classifyLogin, displayName, loginKey, normalizeEmail, normalizePhone, type LoginIdentifier } from './identity.ts'
import { hashPassword, judgePassword, verifyPassword } from './password.ts'
import type { LoginRequest, RegisterRequest } from './schemas.ts'
import { createRateCounter, tooManyRequests } from './rate-counter.ts'
import { createSessions, type TokenPair } from './sessions.ts'

export interface ClientInfo {
  ip: string
  userAgent: string | null
}

const DEFAULT_TIME_ZONE = 'Europe/Moscow'
const PRUNE_TASK = 'auth:prune-counters'

function createAuthService(app: FastifyInstance, dummyHash: string) {
  const cfg = app.config.auth
  const sessions = createSessions(app)
  const counter = createRateCounter(app)
  const captcha = createCaptchaVerifier(
    cfg.captcha,
    (id, until) => counter.claimOnce(`captcha-used:${id}`, until),
    (error) => app.log.warn({ err: error }, 'captcha provider unreachable'),
  )
  const proveHolder = createHolderCheck(app, counter, captcha)
  const link = (path: string, token: string) => `${app.config.publicWebUrl}${path}?token=${encodeURIComponent(token)}`

  function assertStrongPassword(password: string, personal: (string | null | undefined)[]): void {
    const verdict = judgePassword(password, personal, cfg.passwordMinScore)
    if (!verdict.ok) {
      throw new UnprocessableError(
        'password_too_weak',
        verdict.warning === 'length'
          ? 'The password must be 8 to 128 characters long.'
          : 'This password is too easy to guess: it is common or made of your own name, email or account number. Try a longer phrase.',
        { feedback: { warning: verdict.warning, suggestions: verdict.suggestions } },
      )
    }
  }

  /** Times in mails are the supplier's local time (an operator's, or that of the first linked account). */
  async function timeZoneOf(user: Pick<User, 'id' | 'supplierId'>, db: Tx = app.db): Promise<string> {
    const supplier = user.supplierId
      ? await db.supplier.findUnique({ where: { id: user.supplierId }, select: { timeZone: true } })
      : await db.supplier.findFirst({ where: { accounts: { some: { users: { some: { userId: user.id } } } } }, select: { timeZone: true } })
    return supplier?.timeZone ?? DEFAULT_TIME_ZONE
  }

  /** Users a login identifier may name (an account may be linked to several people). */
  async function candidates(identifier: LoginIdentifier): Promise<User[]> {
    const alive = { deletedAt: null }
    switch (identifier.kind) {
      case 'email':
        return app.prisma.user.findMany({ where: { ...alive, email: identifier.value } })
      case 'phone':
        // Only a proven number logs in: anyone may claim any number.
        return app.prisma.user.findMany({ where: { ...alive, phone: identifier.value, phoneVerifiedAt: { not: null } } })
      case 'orgCode':
        return app.prisma.user.findMany({ where: { ...alive, orgCode: identifier.value } })
      case 'account': {
        const supplier = await app.prisma.supplier.findUnique({ where: { id: identifier.supplierId } })
        const normalized = supplier ? normalizeAccountNumber(identifier.value, accountNumberFormatOf(supplier)) : null
        if (!supplier || !normalized?.ok) return []
        return app.prisma.user.findMany({
          where: { ...alive, accounts: { some: { account: { supplierId: supplier.id, number: normalized.number } } } },
          take: 5,
        })
      }
    }
  }

  /** Mails one address may be sent on request per window: nobody's mailbox is to be flooded through us. */
  async function countMailRequest(email: string): Promise<void> {
    const window = await counter.hit(`mail-requests:${email}`, cfg.loginAttempts.windowMs)
    if (window.count > cfg.loginAttempts.max) throw tooManyRequests(window, cfg.loginAttempts, 'mails requested for one address', 'писем, запрошенных на один адрес,')
  }

  async function enqueueConfirmation(tx: Tx, user: Pick<User, 'id' | 'surname' | 'givenNames'>, email: string): Promise<void> {
    const token = await issueEmailToken(tx, { userId: user.id, purpose: 'confirm_email', email, ttlMs: cfg.emailConfirmTtlH * 3_600_000, now: app.config.clock.now() })
    await app.mail.enqueue(tx, {
      template: 'confirm_email',
      to: email,
      name: displayName(user),
      link: link('/confirm-email', token),
      code: token,
      ttlHours: cfg.emailConfirmTtlH,
    })
  }

  async function mailConfirmation(email: string): Promise<void> {
    const user = await app.prisma.user.findUnique({ where: { email } })
    if (!user || user.emailConfirmedAt || user.deletedAt) return
    await app.transaction((tx) => enqueueConfirmation(tx, user, email))
  }

  async function mailPasswordReset(email: string): Promise<void> {
    const user = await app.prisma.user.findUnique({ where: { email } })
    if (!user || user.deletedAt) return
    await app.transaction(async (tx) => {
      const token = await issueEmailToken(tx, { userId: user.id, purpose: 'reset_password', email, ttlMs: cfg.passwordResetTtlMin * 60_000, now: app.config.clock.now() })
      await app.mail.enqueue(tx, {
        template: 'password_reset',
        to: email,
        name: displayName(user),
        link: link('/reset-password', token),
        code: token,
        ttlMinutes: cfg.passwordResetTtlMin,
      })
    })
  }

  return {
    sessions,
    captcha,
    counter,
    proveHolder,

    async register(input: RegisterRequest, client: ClientInfo): Promise<void> {
      const account = await proveHolder(input, { person: `email:${normalizeEmail(input.email)}`, ip: client.ip })
      if (input.consent.textVersion !== cfg.consentTextVersion) {
        throw new UnprocessableError('consent_outdated', 'The consent text has changed; show the current one and ask again.', {
          currentTextVersion: cfg.consentTextVersion,
        })
      }
      const phone = input.phone === undefined ? null : normalizePhone(input.phone)
      if (input.phone !== undefined && phone === null) throw new UnprocessableError('phone_invalid', 'The phone number is not valid; use +7XXXXXXXXXX.')
      const email = normalizeEmail(input.email)
      assertStrongPassword(input.password, [email, input.surname, input.givenNames, account.number, phone])
      // Hashed on both paths below, so that an existing email does not answer faster.
      const passwordHash = await hashPassword(input.password, cfg.passwordPepper, cfg.bcryptCost)

      await countMailRequest(email)
      const existing = await app.prisma.user.findUnique({ where: { email } })
      if (existing) {
        await app.transaction((tx) =>
          app.mail.enqueue(tx, { template: 'registration_attempt', to: email, resetLink: `${app.config.publicWebUrl}/forgot-password` }),
        )
        return
      }
      try {
        await app.transaction(async (tx) => {
          // The register was read before the transaction; a close committed since then must win.
          // Share-locked in a statement of its own, then read again in the next: a close waits
          // for this registration, or this registration sees the close.
          await tx.sql`SELECT id FROM account WHERE id = ${account.id}::uuid FOR SHARE`
          const [current] = await tx.sql<{ status: string }>`SELECT status::text FROM account WHERE id = ${account.id}::uuid`
          if (current?.status !== 'active') throw accountNotMatched()
          const user = await tx.user.create({
            data: {
              role: 'customer',
              email,
              // Unproven: kept for contact, never a login until a code sent to it comes back.
              phone,
              // As the register spells it (the match ignores case and ё/е): "иванов" typed is shown as "Иванов".
              surname: account.holderSurname,
              givenNames: input.givenNames?.trim() || null,
              passwordHash,
              linkedAccounts: 1,
            },
          })
          await tx.userAccount.create({ data: { userId: user.id, accountId: account.id } })
          await tellOtherHolders(app, tx, user.id, account)
          await tx.consent.create({
            data: { userId: user.id, kind: 'personal_data', textVersion: input.consent.textVersion, ip: client.ip, userAgent: client.userAgent },
          })
          await enqueueConfirmation(tx, user, email)
        })
      } catch (error) {
        // Two registrations of one email at once: the loser is answered like any existing email.
        if ((error as { code?: string }).code !== 'P2002') throw error
      }
    },

    async confirmEmail(token: string): Promise<void> {
      await app.transaction(async (tx) => {
        const used = await consumeEmailToken(tx, token, ['confirm_email', 'change_email'], app.config.clock.now())
        if (used.purpose === 'change_email' && used.email) {
          const takenError = new ConflictError('email_taken', 'This address now belongs to another user.')
          if (await tx.user.findFirst({ where: { email: used.email, id: { not: used.userId } } })) throw takenError
          // Taken between the check and the change (a registration, another confirmation): the
          // unique key answers, and it is told the same way.
          await tx.user.update({ where: { id: used.userId }, data: { email: used.email, emailConfirmedAt: app.config.clock.now() } }).catch((error: unknown) => {
            throw isUniqueViolation(error, 'user_email_key') ? takenError : error
          })
        } else {
          await tx.user.update({ where: { id: used.userId }, data: { emailConfirmedAt: app.config.clock.now() } })
        }
      })
    },

    async resendConfirmation(emailInput: string): Promise<void> {
      const email = normalizeEmail(emailInput)
      await countMailRequest(email)
      app.mail.later(() => mailConfirmation(email))
    },

    async forgotPassword(emailInput: string): Promise<void> {
      const email = normalizeEmail(emailInput)
      await countMailRequest(email)
      app.mail.later(() => mailPasswordReset(email))
    },

    async login(input: LoginRequest, client: ClientInfo): Promise<TokenPair> {
      const identifier = classifyLogin(input.login, input.supplierId)
      // Unknown logins are counted like known ones, so limits and captcha reveal nothing.
      const key = `login-failures:${identifier ? loginKey(identifier) : `unknown:${input.login.trim().toLowerCase()}`}`
      const failures = await counter.peek(key, cfg.loginAttempts.windowMs)
      // With a captcha provider, repeated failures cost a solved captcha per attempt, never a
      // lockout an attacker could impose on the real user; without one, the login is paused.
      if (captcha.enabled && failures.count >= cfg.captcha.afterFailures) {
        if (!input.captchaToken) {
          throw new ForbiddenError('captcha_required', 'Too many failed attempts for this login: solve the captcha and send captchaToken.')
        }
        if (!(await captcha.verify(input.captchaToken, client.ip))) {
          throw new ForbiddenError('captcha_invalid', 'The captcha was not solved; try again.')
        }
      } else if (failures.count >= cfg.loginAttempts.max) {
        throw tooManyRequests(failures, cfg.loginAttempts, 'failed logins for one login', 'неудачных входов по одному логину')
      }
      const users = identifier ? await candidates(identifier) : []
      let user: User | undefined
      for (const candidate of users) {
        if (await verifyPassword(input.password, candidate.passwordHash, cfg.passwordPepper)) {
          user = candidate
          break
        }
      }
      // An unknown login costs one bcrypt comparison too, so response time does not tell.
      if (users.length === 0) await verifyPassword(input.password, dummyHash, cfg.passwordPepper)
      if (!user) {
        await counter.hit(key, cfg.loginAttempts.windowMs)
        throw new UnauthorizedError('invalid_credentials', 'The login or the password is incorrect.')
      }
      await counter.clear(key)
      if (user.email && !user.emailConfirmedAt && user.role === 'customer') {
        throw new ForbiddenError(
          'email_not_confirmed',
          'Confirm your email first: follow the link we sent, or ask for a new one (POST /v1/auth/confirm-email/resend).',
        )
      }
      const knownDevice = await app.prisma.session.count({ where: { userId: user.id, userAgent: client.userAgent } })
      const hadSessions = knownDevice > 0 || (await app.prisma.session.count({ where: { userId: user.id } })) > 0
      const timeZone = await timeZoneOf(user)
      const signedIn = user
      const tokens = await app.transaction(async (tx) => {
        const opened = await sessions.open(tx, signedIn, client)
        if (hadSessions && knownDevice === 0 && signedIn.notifyNewLogin && signedIn.email && signedIn.emailConfirmedAt) {
          await app.mail.enqueue(tx, {
            template: 'new_login',
            to: signedIn.email,
            name: displayName(signedIn),
            at: app.config.clock.now(),
            ip: client.ip,
            device: client.userAgent ?? 'неизвестное устройство',
            timeZone,
          })
        }
        return opened
      })
      return tokens
    },

    async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<void> {
      await app.transaction(async (tx) => {
        const used = await consumeEmailToken(tx, token, ['reset_password'], app.config.clock.now())
        const user = await tx.user.findUniqueOrThrow({ where: { id: used.userId } })
        assertStrongPassword(newPassword, [user.email, user.surname, user.givenNames, user.phone])
        await setPassword(tx, user, newPassword, client, await timeZoneOf(user, tx))
        // Whoever knew the old password is out, everywhere.
        await sessions.revokeAll(user.id, 'password_reset', tx)
        // Following the mailed link proves the address.
        if (!user.emailConfirmedAt) await tx.user.update({ where: { id: user.id }, data: { emailConfirmedAt: app.config.clock.now() } })
      })
    },

    async changePassword(
      userId: string,
      sessionId: string,
      input: { currentPassword: string; newPassword: string; endOtherSessions?: boolean },
      client: ClientInfo,
    ): Promise<void> {
      const user = await confirmOwnPassword(userId, sessionId, input.currentPassword, 'The current password is incorrect.')
      if (input.newPassword === input.currentPassword) {
        throw new UnprocessableError('password_unchanged', 'The new password must differ from the current one.')
      }
      assertStrongPassword(input.newPassword, [user.email, user.surname, user.givenNames, user.phone, user.orgCode])
      const timeZone = await timeZoneOf(user)
      await app.transaction(async (tx) => {
        await setPassword(tx, user, input.newPassword, client, timeZone)
        if (input.endOtherSessions ?? true) await sessions.revokeAll(user.id, 'password_changed', tx, sessionId)
      })
    },

    async verifyOwnPassword(userId: string, sessionId: string, password: string): Promise<void> {
      await confirmOwnPassword(userId, sessionId, password, 'The password is incorrect.')
    },

    hashPassword: (password: string) => hashPassword(password, cfg.passwordPepper, cfg.bcryptCost),
    assertStrongPassword,
  }

  /**
   * The signed-in person's own password, asked again before a change that matters. Wrong answers
   * are counted per person like failed logins: whoever holds a stolen access token gets
   * LOGIN_ATTEMPTS_PER_LOGIN guesses, then the session ends (refresh token included).
   */
  async function confirmOwnPassword(userId: string, sessionId: string, password: string, wrong: string): Promise<User> {
    const key = `password-confirm-failures:${userId}`
    const user = await app.prisma.user.findUniqueOrThrow({ where: { id: userId } })
    if (await verifyPassword(password, user.passwordHash, cfg.passwordPepper)) {
      await counter.clear(key)
      return user
    }
    const failures = await counter.hit(key, cfg.loginAttempts.windowMs)
    if (failures.count >= cfg.loginAttempts.max) {
      await sessions.revoke(sessionId, 'password_guessing')
      app.log.warn({ userId, sessionId }, 'too many wrong current passwords: session ended')
      throw new UnauthorizedError('session_ended', 'Too many wrong passwords: this session has ended. Log in again.')
    }
    throw new UnprocessableError('current_password_incorrect', wrong, { attemptsLeft: cfg.loginAttempts.max - failures.count })
  }

  async function setPassword(tx: Tx, user: User, password: string, client: ClientInfo, timeZone: string): Promise<void> {
    const passwordHash = await hashPassword(password, cfg.passwordPepper, cfg.bcryptCost)
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: app.config.clock.now(), mustChangePassword: false } })
    if (user.email) {
      await app.mail.enqueue(tx, { template: 'password_changed', to: user.email, name: displayName(user), at: app.config.clock.now(), ip: client.ip, timeZone })
    }
  }
}

export type AuthService = ReturnType<typeof createAuthService>

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService
  }
}

export default fp(
  async function authService(app: FastifyInstance) {
    const { passwordPepper, bcryptCost } = app.config.auth
    // Compared against when a login names nobody, at the same cost as a real hash.
    const dummyHash = await hashPassword(randomBytes(24).toString('base64'), passwordPepper, bcryptCost)
    const auth = createAuthService(app, dummyHash)
    app.decorate('auth', auth)
    // Every window is a day or shorter; a counter or a used captcha two days old is dead weight.
    app.jobs.define(PRUNE_TASK, async () => void (await auth.counter.prune(2 * 86_400_000)))
    app.jobs.schedule(PRUNE_TASK, '17 * * * *', { maxAttempts: 1 })
  },
  { name: 'auth-service', dependencies: ['prisma', 'jwt', 'mail', 'jobs'] },
)

