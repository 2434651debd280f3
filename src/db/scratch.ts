import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openMigrator, type MigratorOptions } from './migrator.ts'

/** The same server and credentials, another database. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''
  await adminQuery(serverUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`)
  return withDatabaseName(serverUrl, name)
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
}

/** Runs `work` against a new, empty database on the same server, dropped afterwards. */
export async function withScratchDatabase<T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `abonent_scratch_${randomBytes(6).toString('hex')}`
  const url = await createDatabase(serverUrl, name)
  try {
    return await work(url)
  } finally {
    await dropDatabase(serverUrl, name)
  }
}

/**
 * The SQL that `schema.prisma` needs beyond what the committed migrations build: empty when the
 * two agree. Computed on a scratch database (never on the caller's data, never a shadow database).
 */
export async function unmigratedSchemaChanges(serverUrl: string, options: MigratorOptions = {}): Promise<string> {
  return withScratchDatabase(serverUrl, async (url) => {
    const migrator = await openMigrator(url, options)
    try {
      await migrator.deploy()
      return await migrator.diffToSchema()
    } finally {
      await migrator.close()
    }
  })
}
