import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { issueEmailToken } from '../auth/email-tokens.ts'
import { holderName } from '../accounts/holder-name.ts'
import { displayName, normalizeEmail, normalizePhone } from '../auth/identity.ts'
import { NotFoundError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { User } from '../generated/prisma/client.ts'
import { utcIso } from '../db/utc-iso.ts'
import type { Me, MeUpdate, PersonalDataExport, SessionInfo } from './schemas.ts'

function profileOf(user: User, pendingEmail: string | null): Me {
  return {
    id: user.id,
    role: user.role,
    email: user.email,
    emailConfirmed: user.emailConfirmedAt !== null,
    pendingEmail,
    phone: user.phone,
    phoneVerified: user.phoneVerifiedAt !== null,
    surname: user.surname,
    givenNames: user.givenNames,
    orgCode: user.orgCode,
    supplierId: user.supplierId,
    notifications: { email: user.notifyByEmail, readingWindow: user.notifyReadingWindow, newLogin: user.notifyNewLogin, readingAccepted: user.notifyReadingAccepted },
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt.toISOString(),
  }
}

function createMeService(app: FastifyInstance) {
  async function pendingEmailOf(userId: string): Promise<string | null> {
    const token = await app.prisma.emailToken.findFirst({
      where: { userId, purpose: 'change_email', usedAt: null, expiresAt: { gt: app.config.clock.now() } },
      orderBy: { createdAt: 'desc' },
    })
    return token?.email ?? null
  }

  async function profile(userId: string): Promise<Me> {
    const user = await app.prisma.user.findUniqueOrThrow({ where: { id: userId } })
    return profileOf(user, await pendingEmailOf(userId))
  }

  return {
    profile,

    async update(userId: string, patch: MeUpdate): Promise<Me> {
      const user = await app.prisma.user.findUniqueOrThrow({ where: { id: userId } })
      let phone: string | null | undefined
      if (patch.phone !== undefined) {
        phone = patch.phone === null ? null : normalizePhone(patch.phone)
        if (patch.phone !== null && phone === null) throw new UnprocessableError('phone_invalid', 'The phone number is not valid; use +7XXXXXXXXXX.')
      }
      // Any number may be claimed, whoever else claims it: nothing here tells whose it is. A new
      // number is unproven until a code sent to it comes back (once an SMS provider exists).
      const phoneChanged = phone !== undefined && phone !== user.phone
      const newEmail = patch.email === undefined ? undefined : normalizeEmail(patch.email)
      const { confirmTtlH } = { confirmTtlH: app.config.auth.emailConfirmTtlH }
      await app.transaction(async (tx) => {
        await tx.user.update({
          where: { id: userId },
          data: {
            surname: patch.surname?.trim(),
            givenNames: patch.givenNames === undefined ? undefined : patch.givenNames?.trim() || null,
            phone,
            ...(phoneChanged ? { phoneVerifiedAt: null } : {}),
            notifyByEmail: patch.notifications?.email,
            notifyReadingWindow: patch.notifications?.readingWindow,
            notifyNewLogin: patch.notifications?.newLogin,
            notifyReadingAccepted: patch.notifications?.readingAccepted,
          },
        })
        // A new address counts only once confirmed; whether it is taken is checked then, not told now.
        if (newEmail !== undefined && newEmail !== user.email) {
          const token = await issueEmailToken(tx, { userId, purpose: 'change_email', email: newEmail, ttlMs: confirmTtlH * 3_600_000, now: app.config.clock.now() })
          await app.mail.enqueue(tx, {
            template: 'change_email',
            to: newEmail,
            name: displayName(user),
            link: `${app.config.publicWebUrl}/confirm-email?token=${encodeURIComponent(token)}`,
            code: token,
            ttlHours: confirmTtlH,
          })
        }
      })
      return profile(userId)
    },

    async sessions(userId: string, currentSessionId: string, { limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery) {
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: app.config.clock.now() }, ...(after ? { id: { lt: after[0] } } : {}) },
        orderBy: { id: 'desc' },
        take: limit + 1,
      })
      return pageOf(
        rows,
        limit,
        (s) => [s.id],
        (s): SessionInfo => ({
          id: s.id,
          current: s.id === currentSessionId,
          userAgent: s.userAgent,
          ip: s.ip,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
        }),
      )
    },

    async endSession(userId: string, sessionId: string): Promise<void> {
      const ended = await app.prisma.session.updateMany({
        where: { id: sessionId, userId, revokedAt: null },
        data: { revokedAt: app.config.clock.now(), revokeReason: 'ended_by_user' },
      })
      if (ended.count === 0) throw new NotFoundError('session_not_found', 'No such active session of yours.')
    },

    async exportData(userId: string): Promise<PersonalDataExport> {
      // The person's tickets with the thread they saw: never the staff's internal notes.
      const ticketsOf = (id: string) =>
        app.db.sql<PersonalDataExport['tickets'][number]>`
          SELECT s."shortName" AS supplier, t.number, t.subject, t.status::text AS status,
            ${utcIso('t."createdAt"')} AS "createdAt",
            COALESCE((SELECT json_agg(json_build_object('author', m."authorRole", 'text', m.text,
                'createdAt', ${utcIso('m."createdAt"')}) ORDER BY m."createdAt", m.id)
              FROM ticket_message m WHERE m."ticketId" = t.id AND NOT m.internal), '[]') AS messages
          FROM ticket t JOIN supplier s ON s.id = t."supplierId" WHERE t."authorId" = ${id}::uuid ORDER BY t."createdAt"`
      const user = await app.prisma.user.findUniqueOrThrow({
        where: { id: userId },
        include: {
          consents: { orderBy: { givenAt: 'asc' } },
          sessions: { orderBy: { createdAt: 'asc' } },
          accounts: { include: { account: { include: { supplier: true } } }, orderBy: { linkedAt: 'asc' } },
        },
      })
      return {
        generatedAt: app.config.clock.now().toISOString(),
        profile: profileOf(user, await pendingEmailOf(userId)),
        consents: user.consents.map((c) => ({
          kind: c.kind,
          textVersion: c.textVersion,
          givenAt: c.givenAt.toISOString(),
          ip: c.ip,
          userAgent: c.userAgent,
          withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
        })),
        accounts: user.accounts.map(({ account, linkedAt }) => ({
          supplier: account.supplier.shortName,
          number: account.number,
          address: account.address,
          holder: holderName(account),
          linkedAt: linkedAt.toISOString(),
        })),
        tickets: await ticketsOf(userId),
        sessions: user.sessions.map((s) => ({
          userAgent: s.userAgent,
          ip: s.ip,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          endedAt: s.revokedAt?.toISOString() ?? null,
        })),
      }
    },

    /**
     * Erases the person (152-FZ): contacts, name and password go, sessions end, accounts are
     * unlinked, consents are marked withdrawn. The row stays, anonymous, for what accounting
     * must keep (payments refer to accounts, not to the person).
     */
    async erase(userId: string, sessionId: string, password: string): Promise<void> {
      await app.auth.verifyOwnPassword(userId, sessionId, password)
      const now = app.config.clock.now()
      await app.transaction(async (tx) => {
        await tx.user.update({
          where: { id: userId },
          data: {
            email: null,
            phone: null,
            phoneVerifiedAt: null,
            orgCode: null,
            surname: 'удалён',
            givenNames: null,
            emailConfirmedAt: null,
            // An unusable hash: nothing verifies against a random bcrypt-shaped string.
            passwordHash: `!deleted!${randomBytes(16).toString('hex')}`,
            notifyByEmail: false,
            notifyReadingWindow: false,
            notifyNewLogin: false,
            notifyReadingAccepted: false,
            deletedAt: now,
            linkedAccounts: 0,
          },
        })
        await tx.userAccount.deleteMany({ where: { userId } })
        await tx.consent.updateMany({ where: { userId, withdrawnAt: null }, data: { withdrawnAt: now } })
        await tx.emailToken.deleteMany({ where: { userId } })
        await tx.session.updateMany({ where: { userId }, data: { ip: '0.0.0.0', userAgent: null } })
        await app.auth.sessions.revokeAll(userId, 'user_deleted', tx)
      })
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    me: ReturnType<typeof createMeService>
  }
}

export default fp(
  async function meService(app: FastifyInstance) {
    app.decorate('me', createMeService(app))
  },
  { name: 'me-service', dependencies: ['prisma', 'mail', 'auth-service'] },
)
