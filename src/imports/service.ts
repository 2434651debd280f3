import type { AuditContext } from '../audit/audit.ts'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import { NotFoundError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import { lockUntilCommit } from '../db/locks.ts'
import type { ImportJob, ImportKind } from '../generated/prisma/client.ts'
import { accountsImport, chargesImport, metersImport, paymentsImport, type ImportKindSpec } from './kinds.ts'
import type { Checked, SupplierRules } from './rows.ts'
import { ImportFileError, csvRecords, jsonRecords, ndjsonRecords, type Encoding, type SourceRecord } from './sources.ts'

const KINDS: Record<ImportKind, ImportKindSpec> = { accounts: accountsImport, meters: metersImport, charges: chargesImport, payments: paymentsImport }

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
      if (missing.length) throw new ImportFileError('import_header_invalid', `The header lacks required columns: ${missing.join(', ')}.`, { missing })
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
    const checked: Checked<unknown> = item.values.__invalid
      ? { ok: false, code: 'row_invalid', detail: 'not a JSON object' }
      : spec.check(record, supplier)
    const fields = checked.ok ? [item.line, null, null, ...spec.fields(checked.row)] : [item.line, checked.code, checked.detail, ...spec.fields(checked.known ?? null)]
    buffer += `${fields.map(copyField).join('\t')}\n`
    if (buffer.length >= 65_536) await flush()
  }
  await flush()
  return total
}

export const MERGE_TASK = 'imports:merge'
const CLEANUP_TASK = 'imports:clean-up'
// Uploads a crash cut off mid-transfer never reach the queue; after this long they are failed.
const ABANDONED_AFTER_MS = 6 * 3_600_000

/** Staged rows of one import: a table of its own, kept until the merge commits (UNLOGGED: written once, read once). */
function stageTable(importId: string): string {
  return `import_staging.${pg.escapeIdentifier(`job_${importId.replace(/-/g, '')}`)}`
}

function createImportService(app: FastifyInstance) {
  /**
   * Merges a staged import into the register: one transaction, its rows, its rejections, the
   * job's counts and the dropped staging table commit together. Run by the job queue, so an
   * import survives a restart; imports of one supplier share a queue and merge in upload order.
   */
  async function merge(importId: string, lastAttempt: boolean): Promise<void> {
    try {
      await app.transaction(
        async (tx) => {
          // Lock, then read in the next statement: a repeated job sees the committed state.
          await tx.$queryRaw`SELECT id FROM import_job WHERE id = ${importId}::uuid FOR UPDATE`
          const job = await tx.importJob.findUnique({ where: { id: importId } })
          if (!job || job.status !== 'merging') return
          const stage = stageTable(job.id)
          const [staged] = await tx.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass(${stage}) IS NOT NULL AS exists`
          if (!staged?.exists) {
            await tx.importJob.update({
              where: { id: job.id },
              data: { status: 'failed', error: 'The staged rows were lost (the database restarted); upload the file again.', finishedAt: app.config.clock.now() },
            })
            return
          }
          // One merge at a time per supplier even if queues were misconfigured: meters wait for their accounts.
          await lockUntilCommit(tx, 'abonent-import', job.supplierId)
          const result = await KINDS[job.kind].merge(tx, stage, job.id, job.supplierId)
          const rejected = await tx.importRejection.count({ where: { jobId: job.id } })
          await tx.importJob.update({
            where: { id: job.id },
            data: {
              status: 'completed',
              insertedRows: result.inserted,
              updatedRows: result.updated,
              unchangedRows: result.unchanged,
              deletedRows: result.deleted ?? 0,
              rejectedRows: rejected,
              finishedAt: app.config.clock.now(),
            },
          })
          await tx.$executeRawUnsafe(`DROP TABLE ${stage}`)
          // Imported money is placed on the receipts by the payments' job (payments/notifications.ts).
          if (job.kind === 'payments' && result.inserted > 0) {
            await app.jobs.add(tx, { task: 'payments:allocate', payload: { supplierId: job.supplierId }, key: `payments:allocate:${job.supplierId}` })
          }
          app.log.info({ importId: job.id, ...result, rejected }, 'import merged')
        },
        { timeout: 3_600_000 },
      )
    } catch (error) {
      app.log.error({ err: error, importId, lastAttempt }, 'import merge failed')
      if (lastAttempt) {
        await app.transaction(async (tx) => {
          await tx.importJob.updateMany({
            where: { id: importId, status: 'merging' },
            data: { status: 'failed', error: 'The merge into the register failed; nothing was changed. Try again or contact support.', finishedAt: app.config.clock.now() },
          })
          await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS ${stageTable(importId)}`)
        })
      }
      throw error
    }
  }

  app.jobs.define(MERGE_TASK, async (payload, helpers) => merge(String(payload.importId), helpers.job.attempts >= helpers.job.max_attempts))

  app.jobs.define(CLEANUP_TASK, async () => {
    const abandoned = await app.prisma.importJob.findMany({
      where: { status: 'receiving', createdAt: { lt: new Date(app.config.clock.now().getTime() - ABANDONED_AFTER_MS) } },
      select: { id: true },
    })
    for (const { id } of abandoned) {
      await app.transaction(async (tx) => {
        await tx.importJob.update({ where: { id }, data: { status: 'failed', error: 'Interrupted (the upload did not finish).', finishedAt: app.config.clock.now() } })
        await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS ${stageTable(id)}`)
      })
    }
  })
  app.jobs.schedule(CLEANUP_TASK, '41 * * * *')

  return {
    /**
     * Receives an upload into a staging table (COPY, streamed), answers with the job, and queues
     * its merge into the register. Rejected rows are reported; valid ones land.
     */
    async start(caller: Caller, supplierId: string, kind: ImportKind, upload: ImportUpload, audit: AuditContext): Promise<ImportJob> {
      const supplier = await visibleSupplier(app, caller, supplierId)
      const spec = KINDS[kind]
      const job = await app.prisma.importJob.create({ data: { supplierId: supplier.id, kind, format: upload.format, createdById: caller.userId } })
      const stage = stageTable(job.id)
      // A connection of its own: a long COPY must not hold one of the API's.
      const client = new pg.Client({ connectionString: app.config.databaseUrl, application_name: 'abonent-import' })
      // A connection ended mid-COPY (a refused upload) reports through the failing query, not here.
      client.on('error', (error) => app.log.debug({ err: error, importId: job.id }, 'import connection closed'))
      try {
        await client.connect()
        await client.query(`CREATE UNLOGGED TABLE ${stage} ${spec.stageDdl}`)
        const copy = client.query(copyFrom(`COPY ${stage} (${spec.stageColumns}) FROM STDIN`))
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
        await client.end()
        return await app.transaction(async (tx) => {
          const updated = await tx.importJob.update({ where: { id: job.id }, data: { status: 'merging', totalRows: total } })
          // The rows themselves are counted in the job; the log says who brought which file in.
          await app.audit.record(tx, audit, { supplierId: supplier.id, entity: 'import', entityId: job.id, action: 'create', after: { kind, rows: total } })
          await app.jobs.add(tx, { task: MERGE_TASK, payload: { importId: job.id }, queue: `imports:${supplier.id}`, key: `import:${job.id}`, maxAttempts: 5 })
          return updated
        })
      } catch (error) {
        await client.end().catch(() => {})
        const known = error instanceof ImportFileError || (error as { status?: number }).status === 413
        await app.transaction(async (tx) => {
          await tx.importJob.update({
            where: { id: job.id },
            data: { status: 'failed', error: known ? (error as Error).message : 'The upload could not be read.', finishedAt: app.config.clock.now() },
          })
          await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS ${stage}`)
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

    /** Runs the queued merges now (tests, where no worker runs). */
    async settle(): Promise<void> {
      await app.jobs.drain()
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
    app.decorate('imports', createImportService(app))
  },
  { name: 'import-service', dependencies: ['prisma', 'jobs'] },
)
