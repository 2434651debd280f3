/**
 * Whether `error` is the violation of the named unique index, or exclusion or check constraint:
 * Prisma's unique-key error (P2002) from ORM calls, or PostgreSQL's own error (23505 unique,
 * 23P01 exclusion, 23514 check) from plain SQL on the unit of work's connection. Services that
 * lose a race against a constraint turn this into their own problem code; anything else goes on
 * to the problem handler.
 */
export function isConstraintViolation(error: unknown, constraint: string): boolean {
  const known = error as { code?: string; constraint?: string; meta?: { driverAdapterError?: { cause?: { constraint?: { index?: string } } } } }
  if (known?.code === 'P2002') return known.meta?.driverAdapterError?.cause?.constraint?.index === constraint
  return (known?.code === '23505' || known?.code === '23P01' || known?.code === '23514') && known.constraint === constraint
}

/** The unique-key case of `isConstraintViolation`, by its usual name. */
export const isUniqueViolation = isConstraintViolation
