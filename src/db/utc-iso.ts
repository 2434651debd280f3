import { Prisma } from '../generated/prisma/client.ts'

/**
 * A timestamp as the contract writes it (RFC 3339 UTC, milliseconds: 2026-12-01T09:15:02.120Z),
 * made by PostgreSQL where rows become JSON in SQL. A string is a column written in code (spliced
 * as text); a fragment may carry parameters.
 */
export function utcIso(expression: string | Prisma.Sql): Prisma.Sql {
  const value = typeof expression === 'string' ? Prisma.raw(expression) : expression
  return Prisma.sql`to_char((${value}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}
