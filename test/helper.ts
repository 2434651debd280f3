import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildApp, type App } from '../src/app.ts'
import type { Clock } from '../src/common/clock.ts'
import type { Resolve } from '../src/common/resolve.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { createDatabaseClient, type DatabaseClient } from '../src/db/client.ts'
import { createDatabase, dropDatabase } from '../src/db/scratch.ts'

function testServer(): { serverUrl: string; template: string } {
  const serverUrl = process.env.ABONENT_TEST_SERVER_URL
  const template = process.env.ABONENT_TEST_TEMPLATE
  if (!serverUrl || !template) throw new Error('test database server not started (see test/setup/global-setup.ts)')
  return { serverUrl, template }
}

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/** A fresh database for one test file: a copy of the migrated template (fast), or empty. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { serverUrl, template } = testServer()
  const name = `abonent_test_${randomBytes(6).toString('hex')}`
  const url = await createDatabase(serverUrl, name, options.empty ? undefined : template)
  return { url, name, drop: () => dropDatabase(serverUrl, name) }
}

/** The configuration tests run with: what `loadConfig` makes of a small environment. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // Fast hashes, no incidental throttling, delivery when a test drains the outbox: tests that
    // are about cost, limits or polling set their own values.
    BCRYPT_COST: '4',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    LOGIN_ATTEMPTS_PER_LOGIN: '100000',
    LINK_CAPTCHA_AFTER_FAILURES: '100000',
    LINK_PAUSE_AFTER_FAILURES: '100000',
    // No background worker: a test runs the due jobs when it means to (app.jobs.drain()).
    PROCESS_ROLES: 'api',
    // Load shedding answers 503 when the event loop lags; a busy CI machine must not trip it.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    PUBLIC_WEB_URL: 'https://lk.example.test',
    // Each app its own directory of files, removed when the test closes it.
    STORAGE_DIR: path.join(tmpdir(), `abonent-test-storage-${randomBytes(6).toString('hex')}`),
    ...env,
  })
}

export interface TestContext {
  app: App
  db: TestDatabase
  /** A direct client on the same database, for arranging and asserting rows. */
  client: DatabaseClient
  close(): Promise<void>
}

/**
 * An app on its own fresh database; call `close()` in afterAll. Routes may be added before
 * `ready()`. Tests about dates pass a clock they set (`setClock`), never rewrite the data to fit today.
 */
export async function buildTestApp(env: Record<string, string> = {}, options: { ready?: boolean; clock?: Clock; resolve?: Resolve } = {}): Promise<TestContext> {
  const db = await createTestDatabase()
  const config = testConfig(env)
  const webhooks = options.resolve ? { ...config.webhooks, resolve: options.resolve } : config.webhooks
  const app = await buildApp({ ...config, clock: options.clock ?? config.clock, databaseUrl: db.url, webhooks }, { logger: false })
  if (options.ready !== false) await app.ready()
  const client = createDatabaseClient(db.url, { max: 2 })
  return {
    app,
    db,
    client,
    async close() {
      await app.close()
      await client.close()
      await db.drop()
      if (config.storage.driver === 'local') await rm(config.storage.dir, { recursive: true, force: true })
    },
  }
}
