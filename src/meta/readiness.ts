import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { loadMigrations } from '../db/migrator.ts'

export interface Readiness {
  database: 'ok' | 'unreachable'
  migrations: 'ok' | 'pending' | 'unknown'
  pendingMigrations: string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: { check(): Promise<Readiness> }
  }
}

/** Ready = the database answers and has applied every migration this build ships. */
export default fp(
  async function readinessPlugin(app: FastifyInstance) {
    // The migrations of a running build never change: read them once.
    const shipped = (await loadMigrations()).migrationDirectories.map((dir) => dir.path)

    async function check(): Promise<Readiness> {
      let applied: Set<string>
      try {
        const rows = await app.prisma.$queryRaw<{ name: string }[]>`
          SELECT migration_name AS name FROM _prisma_migrations
          WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`
        applied = new Set(rows.map((row) => row.name))
      } catch (error) {
        const undefinedTable = /42P01|does not exist/.test(String((error as Error).message))
        if (!undefinedTable) {
          app.log.warn({ err: error }, 'readiness: database unreachable')
          return { database: 'unreachable', migrations: 'unknown', pendingMigrations: [] }
        }
        applied = new Set()
      }
      const pendingMigrations = shipped.filter((name) => !applied.has(name))
      return { database: 'ok', migrations: pendingMigrations.length ? 'pending' : 'ok', pendingMigrations }
    }

    app.decorate('readiness', { check })
  },
  { name: 'readiness', dependencies: ['prisma'] },
)
