import type { Tx } from '../db/transaction.ts'
import type { FastifyInstance } from 'fastify'
import { UnauthorizedError } from '../common/errors.ts'
import type { Role } from '../generated/prisma/client.ts'
import type { AccessClaims } from '../access/guard.ts'
import { createHmac } from 'node:crypto'
import { digestToken, newSecretToken } from './tokens.ts'

export interface TokenPair {
  accessToken: string
  refreshToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshExpiresAt: string
  mustChangePassword: boolean
}

interface SessionUser {
  id: string
  role: Role
  supplierId: string | null
  mustChangePassword: boolean
}

/**
 * Sessions and their token families. A login opens a session; each refresh rotates its refresh
 * token; presenting a refresh token that was already rotated means it was copied, so the whole
 * session (every token born from that login) is revoked.
 */
export function createSessions(app: FastifyInstance) {
  const { accessTokenTtlS, refreshTokenTtlDays, refreshReuseGraceS: reuseGraceS } = app.config.auth

  function accessToken(user: SessionUser, sessionId: string): string {
    const claims: AccessClaims = { sub: user.id, sid: sessionId, role: user.role, sup: user.supplierId }
    return app.jwt.sign(claims)
  }

  /**
   * The token that replaces a presented one is derived from it (keyed by the server's secret),
   * so that a second refresh with the same token a moment later — two tabs of one browser —
   * can be answered with the very pair the first got, without storing any token in the clear.
   */
  const successorOf = (presented: string) => createHmac('sha256', app.config.auth.jwtSecret).update(`refresh-successor:${presented}`).digest('base64url')

  async function newRefreshToken(tx: Tx, sessionId: string, token: string = newSecretToken()): Promise<string> {
    await tx.refreshToken.create({ data: { sessionId, tokenHash: digestToken(token) } })
    return token
  }

  function pair(user: SessionUser, sessionId: string, refreshToken: string, expiresAt: Date): TokenPair {
    return {
      accessToken: accessToken(user, sessionId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: accessTokenTtlS,
      refreshExpiresAt: expiresAt.toISOString(),
      mustChangePassword: user.mustChangePassword,
    }
  }

  return {
    async open(tx: Tx, user: SessionUser, client: { ip: string; userAgent: string | null }): Promise<TokenPair> {
      const expiresAt = new Date(app.config.clock.now().getTime() + refreshTokenTtlDays * 86_400_000)
      const session = await tx.session.create({ data: { userId: user.id, ip: client.ip, userAgent: client.userAgent, expiresAt } })
      return pair(user, session.id, await newRefreshToken(tx, session.id), expiresAt)
    },

    async rotate(presented: string, client: { ip: string }): Promise<TokenPair> {
      const invalid = new UnauthorizedError('invalid_refresh_token', 'The refresh token is not valid; log in again.')
      const found = await app.prisma.refreshToken.findUnique({
        where: { tokenHash: digestToken(presented) },
        include: { session: { include: { user: true } } },
      })
      if (!found) throw invalid
      const { session } = found
      if (session.revokedAt || session.expiresAt <= app.config.clock.now() || session.user.deletedAt) throw invalid

      const rotated = await app.transaction(async (tx) => {
        // Conditional on usedAt IS NULL: of two concurrent refreshes with one token, one wins. The
        // decision is on the very row the UPDATE locks, and PostgreSQL re-checks the condition on
        // its latest version after waiting, so no stale read can let both through. The partial
        // unique index on unused tokens per session is the backstop. A session revoked after the
        // check above still gets a pair, but a useless one: the guard and the next refresh both
        // look at the session again.
        const claimed = await tx.refreshToken.updateMany({ where: { id: found.id, usedAt: null }, data: { usedAt: app.config.clock.now() } })
        if (claimed.count !== 1) return null
        await tx.session.update({ where: { id: session.id }, data: { lastUsedAt: app.config.clock.now(), ip: client.ip } })
        return newRefreshToken(tx, session.id, successorOf(presented))
      })
      if (rotated === null && (await this.withinReuseGrace(found.id, presented))) {
        return pair(session.user, session.id, successorOf(presented), session.expiresAt)
      }
      if (rotated === null) {
        await this.revoke(session.id, 'refresh_token_reused')
        app.log.warn({ sessionId: session.id, userId: session.userId }, 'refresh token reused: session revoked')
        throw new UnauthorizedError('refresh_token_reused', 'This refresh token was already used; the session is ended for safety. Log in again.')
      }
      return pair(session.user, session.id, rotated, session.expiresAt)
    },

    /**
     * A token used again within REFRESH_REUSE_GRACE_S of its rotation, while the token that
     * replaced it is still unused, is the same client racing itself: it gets the same successor.
     * Later, or once the successor has been used, it is a copy, and the session ends.
     */
    async withinReuseGrace(tokenId: string, presented: string): Promise<boolean> {
      const [row] = await app.db.sql<{ ok: boolean }>`
        SELECT (used."usedAt" > ${app.config.clock.now()}::timestamptz - ${reuseGraceS} * interval '1 second'
                AND next."usedAt" IS NULL AND s."revokedAt" IS NULL) AS ok
        FROM refresh_token used
        JOIN session s ON s.id = used."sessionId"
        JOIN refresh_token next ON next."tokenHash" = ${digestToken(successorOf(presented))} AND next."sessionId" = used."sessionId"
        WHERE used.id = ${tokenId}::uuid`
      return row?.ok === true
    },

    async revoke(sessionId: string, reason: string, tx: Tx = app.db): Promise<void> {
      await tx.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: app.config.clock.now(), revokeReason: reason } })
    },

    async revokeAll(userId: string, reason: string, tx: Tx, exceptSessionId?: string): Promise<number> {
      const revoked = await tx.session.updateMany({
        where: { userId, revokedAt: null, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
        data: { revokedAt: app.config.clock.now(), revokeReason: reason },
      })
      return revoked.count
    },
  }
}

export type Sessions = ReturnType<typeof createSessions>
