import type { Prisma, PrismaClient } from '../generated/prisma/client.ts'

/**
 * The one unit of work. Every service function that writes takes a `Tx`: a Prisma interactive
 * transaction, through which hot and set-based paths run plain SQL (`$queryRaw`,
 * `$executeRaw`), the audit log and the job queue write their rows, so a change, its audit entry
 * and its queued jobs commit or roll back together. Reads that need no transaction may pass the
 * PrismaClient itself, which has the same shape.
 */
export type Tx = Prisma.TransactionClient

// Deadlock and serialization failures: the whole unit of work is safe to run again.
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 3

function sqlState(error: unknown): string | undefined {
  const seen = new Set<unknown>()
  for (let current = error as { code?: unknown; cause?: unknown; meta?: { code?: unknown } } | undefined; current && !seen.has(current); ) {
    seen.add(current)
    if (typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code)) return current.code
    if (typeof current.meta?.code === 'string') return current.meta.code
    current = current.cause as typeof current
  }
  const match = /\b(40001|40P01)\b/.exec(String((error as Error)?.message ?? ''))
  return match?.[1]
}

export interface TransactionOptions {
  /** How long to wait for a connection from the pool (ms). */
  maxWait?: number
  /** How long the unit of work may run (ms). */
  timeout?: number
}

/** Runs `work` in one transaction (READ COMMITTED), again on a deadlock or serialization failure. */
export async function inTransaction<T>(prisma: PrismaClient, work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work, { maxWait: options.maxWait ?? 10_000, timeout: options.timeout ?? 30_000 })
    } catch (error) {
      const code = sqlState(error)
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw error
    }
  }
}
