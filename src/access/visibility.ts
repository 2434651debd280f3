import type { Caller } from './guard.ts'
import { Prisma } from '../generated/prisma/client.ts'

/**
 * Which accounts a caller may see, the one rule: admins every account; operators their
 * supplier's; customers the accounts linked to them in user_account, whatever supplier they
 * belong to; organization users the same, but only within the supplier that issued their login. Given twice, as a Prisma filter and as SQL,
 * because hot paths run raw SQL; test/integration/visibility.test.ts holds the two to each other.
 */

/** The rule as a Prisma filter on Account. */
export function visibleAccounts(caller: Caller): Prisma.AccountWhereInput {
  switch (caller.role) {
    case 'admin':
      return {}
    case 'operator':
      // An operator without a supplier is a broken row; it must see nothing rather than everything.
      return caller.supplierId === null ? { id: { in: [] } } : { supplierId: caller.supplierId }
    case 'organization':
      return caller.supplierId === null ? { id: { in: [] } } : { supplierId: caller.supplierId, users: { some: { userId: caller.userId } } }
    default:
      return { users: { some: { userId: caller.userId } } }
  }
}

const ALIAS = /^[a-z_][a-z0-9_]*$/

/**
 * The rule as a SQL condition on the account row named `accountAlias` in the surrounding query,
 * e.g. Prisma.sql`SELECT … FROM account a WHERE a.id = ${id}::uuid AND ${visibleAccountSql(caller, 'a')}`.
 * Run it with $queryRaw, or on the pg pool as `pool.query(query.text, query.values)`.
 */
export function visibleAccountSql(caller: Caller, accountAlias: string): Prisma.Sql {
  // The alias is spliced into the text; only a plain identifier written in code may get there.
  if (!ALIAS.test(accountAlias) || accountAlias === 'visible_ua') throw new Error(`visibleAccountSql: not a plain alias: ${accountAlias}`)
  const account = Prisma.raw(accountAlias)
  switch (caller.role) {
    case 'admin':
      return Prisma.sql`TRUE`
    case 'operator':
      return caller.supplierId === null ? Prisma.sql`FALSE` : Prisma.sql`${account}."supplierId" = ${caller.supplierId}::uuid`
    case 'organization':
      if (caller.supplierId === null) return Prisma.sql`FALSE`
      return Prisma.sql`${account}."supplierId" = ${caller.supplierId}::uuid AND EXISTS (SELECT 1 FROM user_account visible_ua
                                WHERE visible_ua."accountId" = ${account}.id AND visible_ua."userId" = ${caller.userId}::uuid)`
    default:
      return Prisma.sql`EXISTS (SELECT 1 FROM user_account visible_ua
                                WHERE visible_ua."accountId" = ${account}.id AND visible_ua."userId" = ${caller.userId}::uuid)`
  }
}
