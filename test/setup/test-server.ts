import { randomBytes } from 'node:crypto'
import { startThrowawayPostgres } from '../../src/db/embedded.ts'

export { freePort } from '../../src/db/embedded.ts'
import { openMigrator } from '../../src/db/migrator.ts'
import { createDatabase } from '../../src/db/scratch.ts'

export interface TestServer {
  /** Where CREATE DATABASE is run; also the server of every test database. */
  serverUrl: string
  kind: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded'
  stop(): Promise<void>
}

async function dockerContainer(): Promise<TestServer | undefined> {
  const { existsSync } = await import('node:fs')
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return undefined
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
    const container = await new PostgreSqlContainer('postgres:18-alpine').start()
    return { serverUrl: container.getConnectionUri(), kind: 'testcontainers', stop: async () => void (await container.stop()) }
  } catch (error) {
    console.warn(`testcontainers: no usable Docker engine (${(error as Error).message}); using the embedded PostgreSQL`)
    return undefined
  }
}

/**
 * The PostgreSQL server of a test run: TEST_DATABASE_URL if set; else a Testcontainers one when a
 * Docker engine answers; else an embedded server in a temporary folder, removed afterwards.
 */
export async function startTestServer(): Promise<TestServer> {
  const given = process.env.TEST_DATABASE_URL
  if (given) return { serverUrl: given, kind: 'TEST_DATABASE_URL', stop: async () => {} }
  const docker = await dockerContainer()
  if (docker) return docker
  const embedded = await startThrowawayPostgres()
  return { serverUrl: embedded.adminUrl, kind: 'embedded', stop: embedded.stop }
}

/** A database with every migration applied, to be cloned by each test file (CREATE DATABASE ... TEMPLATE). */
export async function createTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `abonent_template_${randomBytes(4).toString('hex')}`
  const url = await createDatabase(serverUrl, name)
  const migrator = await openMigrator(url)
  try {
    await migrator.deploy()
  } finally {
    await migrator.close()
  }
  return name
}
