/**
 * Whether `error` is Prisma's unique-key violation (P2002) of the named index or constraint.
 * Services that lose a race against a unique key turn this into their own problem code; any
 * other P2002 goes on to the problem handler's generic `already_exists`.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const known = error as { code?: string; meta?: { driverAdapterError?: { cause?: { constraint?: { index?: string } } } } }
  return known?.code === 'P2002' && known.meta?.driverAdapterError?.cause?.constraint?.index === constraint
}
