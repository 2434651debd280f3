import type { Tx } from '../db/transaction.ts'
import { BadRequestError } from '../common/errors.ts'
import type { EmailTokenPurpose } from '../generated/prisma/client.ts'
import { digestToken, newSecretToken } from './tokens.ts'

/**
 * Single-use tokens sent by mail (confirm an address, reset a password). A new token of a purpose
 * replaces the user's older ones; a token is consumed atomically, so it works exactly once.
 */
export async function issueEmailToken(
  tx: Tx,
  input: { userId: string; purpose: EmailTokenPurpose; email: string | null; ttlMs: number; now: Date },
): Promise<string> {
  // Serialized per user: two requests at once must not leave two live tokens. The lock is a
  // statement of its own: in READ COMMITTED a statement that waited for a lock still reads other
  // rows as of its start, so the older tokens are looked for by the next statement, which sees
  // every token committed before the lock was granted. The partial unique index on live tokens
  // (userId, purpose) is the backstop should a path ever issue one without this lock.
  await tx.$queryRaw`SELECT id FROM "user" WHERE id = ${input.userId}::uuid FOR UPDATE`
  await tx.emailToken.updateMany({
    where: { userId: input.userId, purpose: input.purpose, usedAt: null },
    data: { usedAt: input.now },
  })
  const token = newSecretToken()
  await tx.emailToken.create({
    data: {
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: digestToken(token),
      email: input.email,
      expiresAt: new Date(input.now.getTime() + input.ttlMs),
    },
  })
  return token
}

/** Marks the token used and returns it; unknown, used, expired or other-purpose tokens all fail alike. */
export async function consumeEmailToken(tx: Tx, token: string, purposes: EmailTokenPurpose[], now: Date) {
  const found = await tx.emailToken.findUnique({ where: { tokenHash: digestToken(token) } })
  const claimed =
    found && purposes.includes(found.purpose) && !found.usedAt && found.expiresAt > now
      ? await tx.emailToken.updateMany({ where: { id: found.id, usedAt: null }, data: { usedAt: now } })
      : { count: 0 }
  if (!found || claimed.count !== 1) {
    throw new BadRequestError('token_invalid', 'This link or code is invalid, expired or already used. Request a new one.')
  }
  return found
}
