import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type pg from 'pg'
import { createDatabaseClient } from '../../db/client.ts'
import type { TransactionOptions, Tx } from '../../db/transaction.ts'
import type { PrismaClient } from '../../generated/prisma/client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient
    /** The database outside any transaction, in the shape of a unit of work (ORM and plain SQL), for reads. */
    db: Tx
    /** The pool under Prisma, for set-based SQL (COPY, unnest) and pool metrics. */
    pgPool: pg.Pool
    /** The one unit of work: `work` runs in a transaction; its writes, audit and jobs commit together. */
    transaction<T>(work: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>
  }
}

/** One pool and one Prisma client per app instance, closed with the app. */
export default fp(
  async function prismaPlugin(app: FastifyInstance) {
    const { databaseUrl, dbPoolMax } = app.config
    if (!databaseUrl) throw new Error('prisma plugin: config.databaseUrl is not set')
    const db = createDatabaseClient(databaseUrl, {
      max: dbPoolMax,
      onIdleError: (error) => app.log.warn({ err: error }, 'idle database connection failed'),
    })
    app.decorate('pgPool', db.pool)
    app.decorate('prisma', db.prisma)
    app.decorate('db', db.db)
    app.decorate('transaction', db.transaction)
    app.addHook('onClose', () => db.close(app.config.shutdownGraceMs))
  },
  { name: 'prisma', dependencies: ['config'] },
)
