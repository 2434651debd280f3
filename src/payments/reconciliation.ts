import type { AuditContext } from '../audit/audit.ts'
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { NotFoundError, UnprocessableError } from '../common/errors.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import { uuidv7 } from '../common/uuid.ts'
import { checkPaymentRow, mapColumns, type PaymentRow } from '../imports/rows.ts'
import { emitEvents } from '../webhooks/events.ts'
import { paymentEvents } from '../webhooks/payloads.ts'
import { ImportFileError, csvRecords, type Encoding } from '../imports/sources.ts'
import { allocatePayments } from './allocation-sql.ts'
import type { Reconciliation, ReconciliationLine, ReconciliationLineQuery, ReconciliationStart } from './reconciliation-schemas.ts'

declare module 'fastify' {
  interface FastifyInstance {
    reconciliations: ReturnType<typeof createReconciliations>
  }
}

const KINDS = ['matched', 'missing', 'extra', 'mismatched', 'rejected'] as const
type Counts = Record<(typeof KINDS)[number], number>

interface ReconciliationRow {
  id: string
  supplierId: string
  client: string
  date: string
  counts: Counts
  createdAt: Date
}

const reconciliationOf = (row: ReconciliationRow): Reconciliation => ({ ...row, createdAt: row.createdAt.toISOString() })

/**
 * The registry's lines against our payments from that bank, in one statement: each read line is
 * matched (same id, account and amount), mismatched (same id, other account or amount) or
 * missing (no payment with its id); a line naming no account of the supplier is rejected; our
 * payments from the bank dated on the registry's day that no line names are extra.
 * $1 reconciliation, $2 supplier, $3 provider, $4 day, $5.. the lines as arrays.
 */
const COMPARE = `
  WITH sup AS (SELECT id, "timeZone" AS tz FROM supplier WHERE id = $2::uuid),
  reg AS (
    SELECT r.line, r.payment_id, r.account_number, r.amount,
           COALESCE(r.paid_at, r.paid_local AT TIME ZONE sup.tz) AS paid_at, $2::text || ':' || r.payment_id AS external_id
    FROM unnest($5::int[], $6::text[], $7::text[], $8::numeric[], $9::timestamptz[], $10::timestamp[]) AS r(line, payment_id, account_number, amount, paid_at, paid_local)
    CROSS JOIN sup),
  judged AS (
    SELECT reg.*, a.id AS account_id, p.id AS payment_id_ours, p.amount AS our_amount, p."accountId" AS our_account, oa.number AS our_number
    FROM reg
    LEFT JOIN account a ON a."supplierId" = $2::uuid AND a.number = reg.account_number
    LEFT JOIN payment p ON p.provider = $3 AND p."externalId" = reg.external_id
    LEFT JOIN account oa ON oa.id = p."accountId"),
  lines AS (
    SELECT line, payment_id AS external, account_number, amount, paid_at, payment_id_ours,
      CASE WHEN payment_id_ours IS NULL AND account_id IS NULL THEN 'rejected'
           WHEN payment_id_ours IS NULL THEN 'missing'
           WHEN our_account = account_id AND our_amount = amount THEN 'matched'
           ELSE 'mismatched' END AS kind,
      CASE WHEN payment_id_ours IS NULL AND account_id IS NULL THEN 'account_not_found'
           WHEN payment_id_ours IS NOT NULL AND (our_account IS DISTINCT FROM account_id OR our_amount <> amount) THEN 'payment_conflict' END AS code,
      CASE WHEN payment_id_ours IS NULL AND account_id IS NULL THEN 'no account ' || account_number || ' at this supplier'
           WHEN payment_id_ours IS NOT NULL AND (our_account IS DISTINCT FROM account_id OR our_amount <> amount)
             THEN 'we hold ' || our_amount || ' to account ' || our_number || '; the registry says ' || amount || ' to ' || account_number END AS detail
    FROM judged
    UNION ALL
    SELECT NULL, substr(p."externalId", length($2::text) + 2), a.number, p.amount, p."paidAt", p.id, 'extra', 'not_in_registry',
           'we hold this payment from the bank; the registry does not list it'
    FROM payment p JOIN account a ON a.id = p."accountId" CROSS JOIN sup
    WHERE a."supplierId" = $2::uuid AND p.provider = $3 AND (p."paidAt" AT TIME ZONE sup.tz)::date = $4::date
      AND p.status IN ('succeeded', 'refunded')
      AND NOT EXISTS (SELECT 1 FROM reg WHERE reg.external_id = p."externalId")),
  written AS (
    INSERT INTO payment_reconciliation_line (id, "reconciliationId", kind, line, "externalId", "accountNumber", amount, "paidAt", "paymentId", code, detail)
    SELECT gen_random_uuid(), $1::uuid, kind, line, external, account_number, amount, paid_at, payment_id_ours, code, detail FROM lines
    RETURNING kind)
  SELECT kind, count(*)::int AS n FROM written GROUP BY kind`

function createReconciliations(app: FastifyInstance) {
  async function find(caller: Caller, id: string): Promise<ReconciliationRow> {
    const [row] = await app.db.sql<ReconciliationRow>`
      SELECT id, "supplierId", client, to_char(date, 'YYYY-MM-DD') AS date, counts, "createdAt" FROM payment_reconciliation WHERE id = ${id}::uuid`
    if (!row || (caller.role === 'operator' && caller.supplierId !== row.supplierId)) throw new NotFoundError('reconciliation_not_found', 'No such reconciliation.')
    return row
  }

  return {
    /** Reads a bank's daily registry (CSV) and stores its comparison with our payments from that bank. */
    async reconcile(caller: Caller, input: ReconciliationStart, upload: { stream: Readable; encoding?: Encoding; delimiter?: ';' | ',' }, audit: AuditContext): Promise<Reconciliation> {
      const supplier = await visibleSupplier(app, caller, input.supplierId)
      const rows: (PaymentRow & { line: number })[] = []
      const rejected: { line: number; code: string; detail: string }[] = []
      let fields: (string | null)[] | null = null
      for await (const record of csvRecords(upload.stream, { encoding: upload.encoding, delimiter: upload.delimiter })) {
        if ('header' in record) {
          const mapped = mapColumns(record.header, 'payments')
          if (mapped.missing.length > 0) throw new ImportFileError('import_columns_missing', `The header lacks: ${mapped.missing.join(', ')}.`, { missing: mapped.missing })
          fields = mapped.fields
          continue
        }
        const named: Record<string, unknown> = {}
        Object.values(record.values).forEach((value, i) => {
          const field = fields?.[i]
          if (field) named[field] = value
        })
        const checked = checkPaymentRow(named, supplier)
        if (checked.ok) rows.push({ ...checked.row, line: record.line })
        else rejected.push({ line: record.line, code: checked.code, detail: checked.detail })
      }
      if (!fields) throw new ImportFileError('import_file_empty', 'The file has no header row.')
      const firstLine = new Map<string, number>()
      const unique = rows.filter((row) => {
        const first = firstLine.get(row.paymentId)
        if (first === undefined) {
          firstLine.set(row.paymentId, row.line)
          return true
        }
        rejected.push({ line: row.line, code: 'duplicate_in_file', detail: `payment id ${row.paymentId} already appears at line ${first}` })
        return false
      })
      const id = uuidv7()
      const provider = `bank:${input.client}`
      return app.transaction(async (tx) => {
        await tx.sql`
          INSERT INTO payment_reconciliation (id, "supplierId", client, date, "createdBy", counts)
          VALUES (${id}::uuid, ${input.supplierId}::uuid, ${input.client}, ${input.date}::date, ${caller.userId}::uuid, '{}'::jsonb)`
        await app.audit.record(tx, audit, { supplierId: input.supplierId, entity: 'payment_reconciliation', entityId: id, action: 'create', after: { client: input.client, date: input.date } })
        const counted = await tx.query<{ kind: keyof Counts; n: number }>(COMPARE, [
          id,
          input.supplierId,
          provider,
          input.date,
          unique.map((r) => r.line),
          unique.map((r) => r.paymentId),
          unique.map((r) => r.accountNumber),
          unique.map((r) => r.amount),
          unique.map((r) => r.paidAt),
          unique.map((r) => r.paidLocal),
        ])
        if (rejected.length > 0) {
          await tx.query(
            `INSERT INTO payment_reconciliation_line (id, "reconciliationId", kind, line, code, detail)
             SELECT gen_random_uuid(), $1::uuid, 'rejected', r.line, r.code, r.detail FROM unnest($2::int[], $3::text[], $4::text[]) AS r(line, code, detail)`,
            [id, rejected.map((r) => r.line), rejected.map((r) => r.code), rejected.map((r) => r.detail)],
          )
        }
        const counts = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Counts
        for (const { kind, n } of counted) counts[kind] += n
        counts.rejected += rejected.length
        const [row] = await tx.sql<ReconciliationRow>`
          UPDATE payment_reconciliation SET counts = ${JSON.stringify(counts)}::jsonb WHERE id = ${id}::uuid
          RETURNING id, "supplierId", client, to_char(date, 'YYYY-MM-DD') AS date, counts, "createdAt"`
        return reconciliationOf(row!)
      })
    },

    async get(caller: Caller, id: string): Promise<Reconciliation> {
      return reconciliationOf(await find(caller, id))
    },

    async lines(caller: Caller, id: string, query: ReconciliationLineQuery): Promise<{ items: ReconciliationLine[]; nextCursor: string | null }> {
      await find(caller, id)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<ReconciliationLine & { paidAt: Date | null }>(
        `SELECT id, kind, line, "externalId", "accountNumber", amount::text AS amount, "paidAt", "paymentId", code, detail
         FROM payment_reconciliation_line
         WHERE "reconciliationId" = $1::uuid AND ($2::text IS NULL OR kind = $2) AND ($3::uuid IS NULL OR id > $3::uuid)
         ORDER BY id LIMIT $4`,
        [id, query.kind ?? null, after?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], (row) => ({ ...row, paidAt: row.paidAt?.toISOString() ?? null }))
    },

    /**
     * Records the payments the bank took and we never had, from the registry's missing lines, in
     * one transaction; again, it finds them recorded and creates nothing (the payment's unique
     * bank id holds it, whatever else has recorded them since).
     */
    async createMissing(caller: Caller, id: string, audit: AuditContext): Promise<{ created: number; reconciliation: Reconciliation }> {
      const found = await find(caller, id)
      return app.transaction(async (tx) => {
        await tx.sql`SELECT 1 FROM payment_reconciliation WHERE id = ${id}::uuid FOR UPDATE`
        const created = await tx.sql<{ id: string; accountId: string; paidAt: Date }>`
          INSERT INTO payment (id, "accountId", amount, status, provider, "externalId", "paidAt", method, "createdAt", "updatedAt")
          SELECT gen_random_uuid(), a.id, l.amount, 'succeeded', ${`bank:${found.client}`}, ${found.supplierId} || ':' || l."externalId", l."paidAt",
                 'реестр банка', now(), now()
          FROM payment_reconciliation_line l JOIN account a ON a."supplierId" = ${found.supplierId}::uuid AND a.number = l."accountNumber"
          WHERE l."reconciliationId" = ${id}::uuid AND l.kind = 'missing' AND l."paymentId" IS NULL
          ON CONFLICT (provider, "externalId") DO NOTHING
          RETURNING id, "accountId", "paidAt"`
        if (created.length > 0) {
          await tx.query(
            `INSERT INTO payment_event (id, "paymentId", "fromStatus", "toStatus", actor, "actorId", reason, at)
             SELECT gen_random_uuid(), c.id, NULL, 'succeeded', 'operator', $2::uuid, 'from the bank registry', c.at
             FROM unnest($1::uuid[], $3::timestamptz[]) AS c(id, at)`,
            [created.map((c) => c.id), caller.userId, created.map((c) => c.paidAt)],
          )
        }
        // Every missing line now points at its payment, created here or recorded meanwhile.
        await tx.sql`
          UPDATE payment_reconciliation_line l SET "paymentId" = p.id
          FROM payment p WHERE l."reconciliationId" = ${id}::uuid AND l.kind = 'missing' AND l."paymentId" IS NULL
            AND p.provider = ${`bank:${found.client}`} AND p."externalId" = ${found.supplierId} || ':' || l."externalId"`
        await allocatePayments(
          tx,
          created.map((c) => c.accountId),
          { penaltiesFirst: app.config.payments.penaltiesFirst, at: app.config.clock.now() },
        )
        if (created.length > 0) await emitEvents(tx, 'payment.succeeded', app.config.clock.now(), paymentEvents(created.map((c) => c.id)))
        if (created.length === 0 && found.counts.missing === 0) throw new UnprocessableError('nothing_missing', 'This registry lists no payment we lack.')
        await app.audit.record(tx, audit, { supplierId: found.supplierId, entity: 'payment_reconciliation', entityId: id, action: 'create_missing', after: { created: created.length } })
        return { created: created.length, reconciliation: reconciliationOf(found) }
      })
    },
  }
}

export default fp(
  async function reconciliations(app: FastifyInstance) {
    app.decorate('reconciliations', createReconciliations(app))
  },
  { name: 'reconciliations', dependencies: ['prisma'] },
)
