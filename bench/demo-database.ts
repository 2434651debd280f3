import type { Config } from '../src/config.ts'
import { createDatabaseClient, type DatabaseClient } from '../src/db/client.ts'
import { openMigrator } from '../src/db/migrator.ts'
import { resolveDatabase } from '../src/db/prepare.ts'
import { withScratchDatabase } from '../src/db/scratch.ts'
import { seedDemoData } from '../src/db/seed.ts'

/**
 * The ground of a benchmark: the embedded PostgreSQL (or DATABASE_URL's server), a scratch
 * database on it, migrated and seeded with the demo data. `prepare` adds the bench's own rows
 * through a client that is closed after it; `run` gets the database's URL for the app or the
 * processes it starts. The database is dropped and the server stopped afterwards, whatever happens.
 */
export async function withDemoDatabase<T>(
  config: Config,
  prepare: (db: DatabaseClient) => Promise<T>,
  run: (url: string, prepared: T) => Promise<void>,
  poolSize = 2,
): Promise<void> {
  const server = await resolveDatabase(config, () => {})
  try {
    await withScratchDatabase(server.url, async (url) => {
      const migrator = await openMigrator(url)
      await migrator.deploy().finally(() => migrator.close())
      const db = createDatabaseClient(url, { max: poolSize })
      const prepared = await seedDemoData(db.prisma)
        .then(() => prepare(db))
        .finally(() => db.close())
      await run(url, prepared)
    })
  } finally {
    await server.stop()
  }
}
