import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils'
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm'
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm'
import { Logger, runMigrations as runJobQueueMigrations } from 'graphile-worker'
import pg from 'pg'
import { PROJECT_ROOT } from '../paths.ts'

/**
 * Prisma's schema engine, compiled to WebAssembly (the npm package `@prisma/schema-engine-wasm`),
 * driven through `@prisma/adapter-pg`. It applies `prisma/migrations` and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does, without the native engine the
 * CLI would download. See the README (Database) for the reasons.
 */

export const PRISMA_DIR = path.join(PROJECT_ROOT, 'prisma')
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations')

const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] }

// The engine describes a database through catalog columns of PostgreSQL's internal types
// "char" (OID 18: pg_constraint.contype, ...) and name (OID 19). @prisma/adapter-pg maps name to
// text but rejects "char", and the engine insists on reading "char" columns as characters
// (PostgreSQL 18 returns such rows for every NOT NULL constraint). So the pool hands the adapter
// those columns as text, remembering where they were, and the adapter's answer is then retyped
// to the driver-adapter type Character.
const PG_CHAR_OID = 18
const TEXT_OID = 25
const charColumnsOf = new WeakMap<object, number[]>()

function markCharColumns(res: pg.QueryResult | undefined): void {
  const indexes: number[] = []
  res?.fields?.forEach((field, i) => {
    if (field.dataTypeID === PG_CHAR_OID) {
      field.dataTypeID = TEXT_OID
      indexes.push(i)
    }
  })
  if (res && indexes.length) charColumnsOf.set(res.rows, indexes)
}

/** Patches a pooled client's query(), in both its promise and its callback form (pg.Pool uses the latter). */
function readCharColumnsAsText(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult> | undefined
  ;(client as { query: unknown }).query = (...args: unknown[]) => {
    const last = args.at(-1)
    if (typeof last === 'function') {
      args[args.length - 1] = (error: Error | undefined, res: pg.QueryResult | undefined) => {
        if (!error) markCharColumns(res)
        ;(last as (e: unknown, r: unknown) => void)(error, res)
      }
      return query(...args)
    }
    return query(...args)?.then((res) => {
      markCharColumns(res)
      return res
    })
  }
}

function retypeCharColumns<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable)
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query)
    for (const i of charColumnsOf.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character
    return result
  }
  return queryable
}

function withCharColumns(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const startTransaction = adapter.startTransaction.bind(adapter)
    adapter.startTransaction = async (isolationLevel) => retypeCharColumns(await startTransaction(isolationLevel))
    return retypeCharColumns(adapter)
  }
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrapAdapter(await factory.connect()),
    connectToShadowDb: async () => wrapAdapter(await factory.connectToShadowDb()),
  }
}

// @types/node does not declare the WebAssembly global; these are the two members used here.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>
}

let wasmModule: Promise<typeof SchemaEngineWasm> | undefined

/** Node cannot import the package's `.wasm` ES-module import, so the glue is wired by hand, once. */
function loadEngineModule(): Promise<typeof SchemaEngineWasm> {
  wasmModule ??= (async () => {
    const require = createRequire(import.meta.url)
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    const bg = (await import(bgPath)) as typeof SchemaEngineWasm & {
      __wbg_set_wasm(exports: Record<string, unknown>): void
    }
    const bytes = await readFile(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'))
    // The engine arms 10-second timers (connection idling) that would keep a finished script or
    // test run alive; its timers are unref'd so that they never hold the process open.
    const glue: Record<string, unknown> = { ...bg }
    for (const name of Object.keys(glue).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      glue[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref()
    }
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue })
    bg.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return bg
  })()
  return wasmModule
}

export interface Migrator {
  /** Applies every migration not yet applied; returns the names applied now. */
  deploy(): Promise<string[]>
  /** Names of migration folders on disk that the database has not applied. */
  pending(): Promise<string[]>
  /** SQL taking the database to the schema in `schema.prisma` (empty when they agree). */
  diffToSchema(): Promise<string>
  close(): Promise<void>
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
  const migrationDirectories = await Promise.all(
    folders.map(async (name) => {
      const content = await readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (error: Error) => ({ tag: 'error' as const, value: error.message }),
      )
      return { path: name, migrationFile: { path: 'migration.sql', content } }
    }),
  )
  const lockfileContent = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8').catch(() => null)
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockfileContent },
    shadowDbInitScript: '',
    migrationDirectories,
  }
}

const quietLogger = new Logger(() => () => {})

export interface MigratorOptions {
  log?: (line: string) => void
  /** A folder holding schema.prisma and migrations/ (default: the project's prisma/). */
  prismaDir?: string
}

export async function openMigrator(connectionString: string, options: MigratorOptions = {}): Promise<Migrator> {
  const prismaDir = options.prismaDir ?? PRISMA_DIR
  const schemaFile = path.join(prismaDir, 'schema.prisma')
  const migrationsDir = path.join(prismaDir, 'migrations')
  const { SchemaEngine } = await loadEngineModule()
  const pool = new pg.Pool({ connectionString, max: 2, allowExitOnIdle: true })
  pool.on('connect', readCharColumnsAsText)
  const schemaText = await readFile(schemaFile, 'utf8')
  const files = [{ path: schemaFile, content: schemaText }]
  const adapter = bindMigrationAwareSqlAdapterFactory(withCharColumns(new PrismaPg(pool)))
  const engine: SchemaEngine = await SchemaEngine.new(
    { datamodels: [[schemaFile, schemaText]] },
    (line: string) => options.log?.(line),
    adapter,
  )

  return {
    async deploy() {
      const migrationsList = await loadMigrations(migrationsDir)
      const result = await engine.applyMigrations({ migrationsList, filters: NO_FILTER })
      // The job queue's own schema (graphile_worker) beside ours: its migrations are its own,
      // idempotent, and outside `public`, so db:check never sees them as drift.
      await runJobQueueMigrations({ pgPool: pool, logger: quietLogger })
      return result.appliedMigrationNames
    },
    async pending() {
      const { migrationDirectories } = await loadMigrations(migrationsDir)
      const applied = await pool
        .query<{ name: string }>(
          'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
        )
        .then((res) => new Set(res.rows.map((row) => row.name)))
        .catch((error: { code?: string }) => {
          if (error.code === '42P01') return new Set<string>() // no _prisma_migrations: nothing applied
          throw error
        })
      return migrationDirectories.map((dir) => dir.path).filter((name) => !applied.has(name))
    },
    async diffToSchema() {
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', files, configDir: prismaDir },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: true,
        filters: NO_FILTER,
      })
      const sql = result.stdout ?? ''
      return result.exitCode === 0 || /^\s*(--.*\n?\s*)*$/.test(sql) ? '' : sql
    },
    async close() {
      engine.free()
      await pool.end()
    },
  }
}
