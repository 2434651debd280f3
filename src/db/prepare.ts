import type { Config } from '../config.ts'
import { createDatabaseClient } from './client.ts'
import { startEmbeddedPostgres } from './embedded.ts'
import { openMigrator } from './migrator.ts'
import { isEmpty, seedDemoData } from './seed.ts'

export interface PreparedDatabase {
  url: string
  /** Stops the embedded server, if one was started. */
  stop: () => Promise<void>
}

/** The database the configuration names, or the embedded one when it names none. */
export async function resolveDatabase(config: Config, log: (line: string) => void): Promise<PreparedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} }
  log(`starting the embedded PostgreSQL in ${config.embeddedPg.dir} on port ${config.embeddedPg.port}`)
  const embedded = await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port })
  return { url: embedded.url, stop: embedded.stop }
}

/** Brings the database up to date for serving: migrations applied, demo data in an empty one. */
export async function prepareDatabase(config: Config, options: { log: (line: string) => void }): Promise<PreparedDatabase> {
  const database = await resolveDatabase(config, options.log)
  try {
    if (config.migrateOnStart) {
      const migrator = await openMigrator(database.url)
      try {
        const applied = await migrator.deploy()
        options.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date')
      } finally {
        await migrator.close()
      }
    }
    if (config.seedDemoData) {
      const db = createDatabaseClient(database.url, { max: 1 })
      try {
        if (await isEmpty(db.prisma)) {
          const seeded = await seedDemoData(db.prisma)
          options.log(`seeded demo data: ${seeded.suppliers} suppliers, ${seeded.accounts} accounts, ${seeded.meters} meters`)
        }
      } finally {
        await db.close()
      }
    }
  } catch (error) {
    await database.stop()
    throw error
  }
  return database
}
