import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { MIGRATIONS_DIR, PRISMA_DIR, loadMigrations, openMigrator } from '../../src/db/migrator.ts'
import { unmigratedSchemaChanges } from '../../src/db/scratch.ts'
import { createTestDatabase } from '../helper.ts'

const run = promisify(execFile)
const serverUrl = () => process.env.ABONENT_TEST_SERVER_URL!

describe('migrations with the WebAssembly schema engine', () => {
  it('applies every migration once and records it as `prisma migrate deploy` does', async () => {
    const db = await createTestDatabase({ empty: true })
    const migrator = await openMigrator(db.url)
    const client = new pg.Client({ connectionString: db.url })
    try {
      const shipped = (await loadMigrations()).migrationDirectories.map((dir) => dir.path)
      expect(await migrator.pending()).toEqual(shipped)
      expect(await migrator.deploy()).toEqual(shipped)
      expect(await migrator.deploy()).toEqual([])
      expect(await migrator.pending()).toEqual([])

      await client.connect()
      const rows = (await client.query<{ migration_name: string; checksum: string; finished_at: Date; applied_steps_count: number }>('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name')).rows
      expect(rows.map((row) => row.migration_name)).toEqual(shipped)
      for (const row of rows) {
        // Prisma's checksum is the SHA-256 of migration.sql: the CLI would accept these records.
        const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'))
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'))
        expect(row.finished_at).toBeInstanceOf(Date)
        expect(row.applied_steps_count).toBe(1)
      }
    } finally {
      await client.end()
      await migrator.close()
      await db.drop()
    }
  })

  it('finds no difference between the committed migrations and schema.prisma', async () => {
    expect(await unmigratedSchemaChanges(serverUrl())).toBe('')
  })

  it('reports the SQL a schema change still needs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'abonent-prisma-'))
    try {
      await cp(PRISMA_DIR, dir, { recursive: true })
      const schemaFile = path.join(dir, 'schema.prisma')
      const schema = await readFile(schemaFile, 'utf8')
      await writeFile(schemaFile, schema.replace('  holderSurname    String\n', '  holderSurname    String\n  email String?\n'))
      const sql = await unmigratedSchemaChanges(serverUrl(), { prismaDir: dir })
      expect(sql).toMatch(/ALTER TABLE "account" ADD COLUMN\s+"email" TEXT/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('`npm run db:check` passes on this repository', async () => {
    const db = await createTestDatabase()
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/db-check.ts'], {
        env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: db.url },
      })
      expect(stdout).toMatch(/build exactly prisma\/schema\.prisma/)
    } finally {
      await db.drop()
    }
  })
})
