import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Caller } from '../auth/guard.ts'
import { visibleSupplier } from '../auth/scope.ts'
import { NotFoundError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { ImportJob, ImportKind } from '../generated/prisma/client.ts'
import { accountsImport, metersImport, type ImportKindSpec } from './kinds.ts'
import type { SupplierRules } from './rows.ts'
import { ImportFileError, csvRecords, jsonRecords, ndjsonRecords, type Encoding, type SourceRecord } from './sources.ts'

const KINDS: Record<ImportKind, ImportKindSpec> = { accounts: accountsImport, meters: metersImport }

export type ImportUpload =
  | { format: 'csv'; stream: Readable; encoding?: Encoding; delimiter?: ';' | ',' }
  | { format: 'ndjson'; stream: Readable }
  | { format: 'json'; items: unknown[] }

/** COPY text format: backslash escapes, \N for NULL. */
function copyField(value: string | number | null): string {
  if (value === null) return '\\N'
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

/** Turns records into COPY lines (checked rows, or their rejections) and streams them to PostgreSQL. */
async function stageRecords(
  copy: NodeJS.WritableStream,
  records: AsyncGenerator<SourceRecord | { header: string[] }>,
  spec: ImportKindSpec,
  supplier: SupplierRules,
): Promise<number> {
  let total = 0
  let buffer = ''
  let fieldsOf: ((values: Record<string, unknown>) => Record<string, unknown>) | null = null
  const jsonFieldCache = new Map<string, string | null>()
  const flush = async () => {
    if (buffer && !copy.write(buffer)) await once(copy, 'drain')
    buffer = ''
  }
  for await (const item of records) {
    if ('header' in item) {
      const { fields, missing } = spec.mapColumns(item.header)
      if (missing.length) throw new ImportFileError('import_header_invalid', `The header lacks required columns: ${missing.join(', ')}.`)
      fieldsOf = (values) => {
        const out: Record<string, unknown> = {}
        item.header.forEach((name, i) => {
          const field = fields[i]
          if (field) out[field] = values[name]
        })
        return out
      }
      continue
    }
    total++
    let record: Record<string, unknown>
    if (fieldsOf) record = fieldsOf(item.values)
    else {
      // JSON: each object's own keys, mapped as a header would be.
      record = {}
      for (const [key, value] of Object.entries(item.values)) {
        if (!jsonFieldCache.has(key)) jsonFieldCache.set(key, spec.mapColumns([key]).fields[0] ?? null)
        const field = jsonFieldCache.get(key)
        if (field) record[field] = value
      }
    }
    const checked = item.values.__invalid
      ? { ok: false as const, code: 'row_invalid', detail: 'not a JSON object' }
      : spec.check(record, supplier)
    const fields = checked.ok ? [item.line, null, null, ...spec.fields(checked.row)] : [item.line, checked.code, checked.detail, ...spec.fields(null)]
    buffer += `${fields.map(copyField).join('\t')}\n`
    if (buffer.length >= 65_536) await flush()
  }
  await flush()
  return total
}

function createImportService(app: FastifyInstance) {
  const merges = new Set<Promise<void>>()

  async function merge(client: pg.Client, job: ImportJob, spec: ImportKindSpec): Promise<void> {
    try {
      await client.query('BEGIN')
      // One merge at a time per supplier, in the order the uploads finished: meters uploaded right
      // after their accounts wait for the accounts to be in the register.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('abonent-import'), hashtext($1))`, [job.supplierId])
      const result = await spec.merge(client, job.id, job.supplierId)
      const rejected = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM import_rejection WHERE "jobId" = $1', [job.id])).rows[0]!.n
      await client.query(
        `UPDATE import_job SET status = 'completed', "insertedRows" = $2, "updatedRows" = $3, "unchangedRows" = $4,
                "rejectedRows" = $5, "finishedAt" = now() WHERE id = $1`,
        [job.id, result.inserted, result.updated, result.unchanged, rejected],
      )
      await client.query('COMMIT')
      app.log.info({ importId: job.id, ...result, rejected }, 'import merged')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      app.log.error({ err: error, importId: job.id }, 'import merge failed')
      await app.prisma.importJob.update({
        where: { id: job.id },
        data: { status: 'failed', error: 'The merge into the register failed; nothing was changed. Try again or contact support.', finishedAt: new Date() },
      })
    }
  }

  return {
    /**
     * Receives an upload into a staging table (COPY, streamed), answers with the job, and merges
     * it into the register in the background. Rejected rows are reported; valid ones land.
     */
    async start(caller: Caller, supplierId: string, kind: ImportKind, upload: ImportUpload): Promise<ImportJob> {
      const supplier = await visibleSupplier(app, caller, supplierId)
      const spec = KINDS[kind]
      const job = await app.prisma.importJob.create({ data: { supplierId: supplier.id, kind, format: upload.format, createdById: caller.userId } })
      // A connection of its own: the staging table is temporary, and a long COPY must not hold one of the API's.
      const client = new pg.Client({ connectionString: app.config.databaseUrl, application_name: 'abonent-import' })
      // A connection ended mid-COPY (a refused upload) reports through the failing query, not here.
      client.on('error', (error) => app.log.debug({ err: error, importId: job.id }, 'import connection closed'))
      try {
        await client.connect()
        await client.query(spec.stageDdl)
        const copy = client.query(copyFrom(`COPY stage (${spec.stageColumns}) FROM STDIN`))
        // Its failure surfaces through `finished(copy)` or the upload's own error; no stray event.
        copy.on('error', () => {})
        const records =
          upload.format === 'csv'
            ? csvRecords(upload.stream, upload)
            : upload.format === 'ndjson'
              ? ndjsonRecords(upload.stream)
              : jsonRecords(upload.items)
        let total: number
        try {
          total = await stageRecords(copy, records, spec, supplier)
        } catch (error) {
          copy.destroy(error as Error)
          throw error
        }
        copy.end()
        await finished(copy)
        const updated = await app.prisma.importJob.update({ where: { id: job.id }, data: { status: 'merging', totalRows: total } })
        const running: Promise<void> = merge(client, updated, spec)
          .finally(() => client.end().catch(() => {}))
          .finally(() => merges.delete(running))
        merges.add(running)
        return updated
      } catch (error) {
        await client.end().catch(() => {})
        const known = error instanceof ImportFileError || (error as { status?: number }).status === 413
        await app.prisma.importJob.update({
          where: { id: job.id },
          data: { status: 'failed', error: known ? (error as Error).message : 'The upload could not be read.', finishedAt: new Date() },
        })
        if (!known) app.log.warn({ err: error, importId: job.id }, 'import upload failed')
        throw error
      }
    },

    async find(caller: Caller, importId: string) {
      const job = await app.prisma.importJob.findUnique({ where: { id: importId } })
      if (!job) throw new NotFoundError('import_not_found', 'No such import.')
      await visibleSupplier(app, caller, job.supplierId).catch(() => {
        throw new NotFoundError('import_not_found', 'No such import.')
      })
      return job
    },

    async rejections(caller: Caller, importId: string, { limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery) {
      await this.find(caller, importId)
      const after = cursor ? (decodeCursor(cursor, ['number']) as [number]) : undefined
      const rows = await app.prisma.importRejection.findMany({
        where: { jobId: importId, ...(after ? { line: { gt: after[0] } } : {}) },
        orderBy: { line: 'asc' },
        take: limit + 1,
      })
      return pageOf(rows, limit, (r) => [r.line], (r) => ({ line: r.line, code: r.code, detail: r.detail }))
    },

    /** Waits for background merges (tests; shutdown). */
    async settle(): Promise<void> {
      while (merges.size > 0) await Promise.all(merges)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    imports: ReturnType<typeof createImportService>
  }
}

export default fp(
  async function importService(app: FastifyInstance) {
    // Jobs a crash left behind are reported as failed rather than "merging" forever.
    await app.prisma.importJob
      .updateMany({
        where: { status: { in: ['receiving', 'merging'] }, createdAt: { lt: new Date(Date.now() - 6 * 3_600_000) } },
        data: { status: 'failed', error: 'Interrupted (the server stopped during the import).', finishedAt: new Date() },
      })
      .catch(() => {})
    const service = createImportService(app)
    app.decorate('imports', service)
    app.addHook('onClose', () => service.settle())
  },
  { name: 'import-service', dependencies: ['prisma'] },
)
