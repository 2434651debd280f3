import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts'

/**
 * Plain SQL straight on pg: the hot and set-based paths run here without Prisma's query
 * pipeline. Results come as pg gives them (numeric and bigint as text, timestamptz as Date,
 * json parsed); `date` columns are better selected as text.
 */
export interface SqlRunner {
  /** `tx.sql<Row>\`SELECT … WHERE id = ${id}::uuid\``: values become parameters; Prisma.sql fragments nest. */
  sql: <T = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>
  /** A statement built elsewhere (Prisma.sql, or text with $1…$n and its values). */
  query: <T = Record<string, unknown>>(statement: Prisma.Sql | string, values?: unknown[]) => Promise<T[]>
}

/**
 * The one unit of work. Every service function that writes takes a `Tx`: a Prisma interactive
 * transaction (ORM calls, `$queryRaw`) that also runs plain SQL on the same pg connection
 * (`sql`, `query`), so a change, its audit entry and its queued jobs commit or roll back
 * together, and the hot paths pay for neither Prisma's query pipeline nor extra round trips.
 * `app.db` has the same shape outside any transaction (each statement on its own).
 */
export type Tx = Prisma.TransactionClient & SqlRunner

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>

function runnerOn(connection: () => Queryable): SqlRunner {
  const query = async <T,>(statement: Prisma.Sql | string, values?: unknown[]): Promise<T[]> => {
    const [text, params] = typeof statement === 'string' ? [statement, values ?? []] : [statement.text, statement.values]
    const result = await connection().query(text, params)
    return result.rows as T[]
  }
  return {
    query,
    sql: <T,>(strings: TemplateStringsArray, ...values: unknown[]) => query<T>(Prisma.sql(strings, ...(values as Prisma.Sql[]))),
  }
}

function withRunner(prisma: Prisma.TransactionClient, runner: SqlRunner): Tx {
  return new Proxy(prisma, {
    get: (target, property): unknown => {
      if (property === 'sql') return runner.sql
      if (property === 'query') return runner.query
      return Reflect.get(target, property)
    },
  }) as Tx
}

/** The database outside any transaction, in the shape of a unit of work. */
export function standalone(prisma: PrismaClient, pool: pg.Pool): Tx {
  return withRunner(prisma, runnerOn(() => pool))
}

/**
 * Carries the pg connection of an interactive transaction from the adapter that opens it to the
 * `inTransaction` call that asked for it (same async context; nothing else is stored here).
 */
interface Opening {
  connection: Queryable | null
  /** Set as the transaction's COMMIT or ROLLBACK is sent: from then on the connection is not ours. */
  ended: boolean
}
const opening = new AsyncLocalStorage<Opening>()

/** Records the connection of each interactive transaction the adapter opens; see `opening`. */
export function exposeTransactionConnections<A extends { startTransaction(isolationLevel?: never): Promise<unknown> }>(adapter: A): A {
  const start = adapter.startTransaction.bind(adapter)
  adapter.startTransaction = (async (isolationLevel?: never) => {
    const transaction = (await start(isolationLevel)) as { client: Queryable; executeRaw(query: { sql: string }): Promise<number> }
    const slot = opening.getStore()
    if (slot && !slot.connection) {
      slot.connection = transaction.client
      const execute = transaction.executeRaw.bind(transaction)
      transaction.executeRaw = (query) => {
        if (query.sql === 'COMMIT' || query.sql === 'ROLLBACK') slot.ended = true
        return execute(query)
      }
    }
    return transaction
  })
  return adapter
}

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
    const slot: Opening = { connection: null, ended: false }
    try {
      return await opening.run(slot, () =>
        prisma.$transaction(
          (tx) => {
            const connection = slot.connection
            if (!connection) throw new Error('inTransaction: the adapter did not expose the connection (exposeTransactionConnections)')
            // A promise left running past a timeout must not reach a connection that went back to the pool.
            const ours = () => {
              if (slot.ended) throw new Error('Transaction already closed: a statement ran after its unit of work ended.')
              return connection
            }
            return work(withRunner(tx, runnerOn(ours)))
          },
          { maxWait: options.maxWait ?? 10_000, timeout: options.timeout ?? 30_000 },
        ),
      )
    } catch (error) {
      const code = sqlState(error)
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw error
    }
  }
}
