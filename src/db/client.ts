import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../generated/prisma/client.ts'
import { exposeTransactionConnections, inTransaction, standalone, type TransactionOptions, type Tx } from './transaction.ts'

export interface DatabaseClient {
  prisma: PrismaClient
  /** The database outside any transaction, in the shape of a unit of work (ORM and plain SQL). */
  db: Tx
  /** The one unit of work: `work` runs in a transaction; its writes, audit and jobs commit together. */
  transaction: <T>(work: (tx: Tx) => Promise<T>, options?: TransactionOptions) => Promise<T>
  /** The pool under Prisma, for set-based SQL (COPY, unnest) and pool metrics. */
  pool: pg.Pool
  /** Closes the pool, first letting queries in flight finish (up to `graceMs`). */
  close(graceMs?: number): Promise<void>
}

/** One pg pool with a Prisma client over it; the app and the scripts both get theirs here. */
export function createDatabaseClient(
  connectionString: string,
  options: { max?: number; onIdleError?: (error: Error) => void } = {},
): DatabaseClient {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'abonent' })
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  // Once the pool has ended, its connections may still be told the server is stopping: no news.
  pool.on('error', (error) => {
    if (!pool.ended) options.onIdleError?.(error)
  })
  // The adapter lends each interactive transaction's connection to the unit of work (plain SQL on it).
  const factory = new PrismaPg(pool)
  const connect = factory.connect.bind(factory)
  factory.connect = async () => exposeTransactionConnections(await connect())
  const prisma = new PrismaClient({ adapter: factory })
  return {
    prisma,
    pool,
    db: standalone(prisma, pool),
    transaction: (work, options) => inTransaction(prisma, work, options),
    async close(graceMs = 0) {
      // Requests still running at shutdown (their client may be gone) finish their queries first.
      const until = Date.now() + graceMs
      while (pool.totalCount > pool.idleCount && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25))
      await prisma.$disconnect()
      if (!pool.ended) await pool.end()
    },
  }
}
