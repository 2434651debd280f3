import type { Tx } from '../db/transaction.ts'

/**
 * Where mail for a supplier's staff goes: one person's address when `userId` is given (a ticket's
 * assignee), else every operator of the supplier. Only confirmed addresses of live logins.
 */
export async function staffAddresses(db: Tx, to: { userId?: string | null; supplierId: string }): Promise<string[]> {
  const rows = await db.sql<{ email: string }>`
    SELECT email FROM "user"
    WHERE email IS NOT NULL AND "emailConfirmedAt" IS NOT NULL AND "deletedAt" IS NULL AND
      CASE WHEN ${to.userId ?? null}::uuid IS NOT NULL THEN id = ${to.userId ?? null}::uuid
           ELSE role = 'operator' AND "supplierId" = ${to.supplierId}::uuid END
    ORDER BY email`
  return rows.map((r) => r.email)
}
