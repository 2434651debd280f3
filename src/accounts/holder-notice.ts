import type { FastifyInstance } from 'fastify'
import type { Tx } from '../db/transaction.ts'
import type { Account } from '../generated/prisma/client.ts'
import { shortName } from './holder-name.ts'

/**
 * Everyone already linked to the account hears of a new person linking it (or registering with
 * it), with a way to see who: a stranger who got hold of the receipt's facts does not stay unnoticed.
 */
export async function tellOtherHolders(app: FastifyInstance, tx: Tx, newcomerId: string, account: Pick<Account, 'id' | 'supplierId' | 'number' | 'address'>): Promise<void> {
  const rows = await tx.sql<{ email: string; name: string; newSurname: string; newGivenNames: string | null; timeZone: string }>`
    SELECT u.email, concat_ws(' ', u."givenNames", u.surname) AS name, me.surname AS "newSurname", me."givenNames" AS "newGivenNames", s."timeZone"
    FROM user_account ua
    JOIN "user" u ON u.id = ua."userId"
    JOIN "user" me ON me.id = ${newcomerId}::uuid
    JOIN supplier s ON s.id = ${account.supplierId}::uuid
    WHERE ua."accountId" = ${account.id}::uuid AND ua."userId" <> ${newcomerId}::uuid
      AND u.email IS NOT NULL AND u."emailConfirmedAt" IS NOT NULL AND u."deletedAt" IS NULL`
  for (const row of rows) {
    await app.mail.enqueue(tx, {
      template: 'account_linked_by_other',
      to: row.email,
      name: row.name,
      account: account.number,
      address: account.address,
      newHolder: shortName({ surname: row.newSurname, givenNames: row.newGivenNames }),
      at: app.config.clock.now(),
      timeZone: row.timeZone,
      link: `${app.config.publicWebUrl}/accounts/${account.id}`,
    })
  }
}
