import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { visibleSupplier } from '../access/scope.ts'
import type { Caller } from '../access/guard.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, DomainError, NotFoundError } from '../common/errors.ts'
import { isConstraintViolation } from '../common/unique-violation.ts'
import { uuidv7 } from '../common/uuid.ts'
import { lockUntilCommit } from '../db/locks.ts'
import type { Tx } from '../db/transaction.ts'
import type { Static } from 'typebox'
import type { BillingPeriodView } from './run-schemas.ts'
import { ISSUE_INVOICES_TASK } from '../invoices/issue-sql.ts'
import { assertReceiptRequisites } from '../invoices/qr-problem.ts'
import { computeCharges, uncoveredTariffs } from './run-sql.ts'

export const BILLING_RUN_TASK = 'billing:run'

export interface BillingRunView {
  id: string
  supplierId: string
  period: string
  dryRun: boolean
  status: 'queued' | 'running' | 'completed' | 'failed'
  summary: unknown
  error: { code: 'tariff_missing' | 'period_closed' | 'period_imported' | 'billing_run_failed'; detail: string; uncovered?: Uncovered[] } | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  periodClosed: boolean
}

const COLUMNS = `r.id, r."supplierId", to_char(r.period, 'YYYY-MM') AS period, r."dryRun", r.status::text, r.summary, r.error,
  ${['createdAt', 'startedAt', 'finishedAt'].map((c) => `to_char(r."${c}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${c}"`).join(', ')}, EXISTS (SELECT 1 FROM closed_period c WHERE c."supplierId" = r."supplierId" AND c.period = r.period) AS "periodClosed"`

/** Dry runs end by rolling back everything but what they report. */
class DryRunDone extends Error {
  constructor(readonly summary: unknown) {
    super('dry run')
  }
}

type Uncovered = { service: string; zone: string; basis: string | null; days: number }

function tariffMissing(uncovered: Uncovered[]) {
  return new DomainError(
    422,
    'tariff_missing',
    'Unprocessable request',
    `No tariff covers the whole period for ${uncovered.map((u) => `${u.service} ${u.zone}${u.basis ? ` (${u.basis})` : ''}`).join(', ')}; add the versions first.`,
    { uncovered },
  )
}

function createBillingRunService(app: FastifyInstance) {
  const periodLock = (tx: Tx, supplierId: string, period: string) => lockUntilCommit(tx, 'abonent-billing', `${supplierId} ${period}`)

  async function one(db: Tx, id: string): Promise<BillingRunView | undefined> {
    return (await db.query<BillingRunView>(`SELECT ${COLUMNS} FROM billing_run r WHERE r.id = $1::uuid`, [id]))[0]
  }

  async function visible(caller: Caller, id: string) {
    const run = await one(app.db, id)
    if (!run || (caller.role !== 'admin' && caller.supplierId !== run.supplierId)) throw new NotFoundError('billing_run_not_found', 'No such billing run.')
    return run
  }

  async function closed(db: Tx, supplierId: string, period: string) {
    return (await db.sql<{ n: number }>`SELECT count(*)::int AS n FROM closed_period WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date`)[0]!.n > 0
  }

  /** Lines of the period imported from the supplier's own billing: a run would add its own beside them. */
  async function imported(db: Tx, supplierId: string, period: string) {
    const [row] = await db.sql<{ n: number }>`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM charge WHERE "importSupplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date LIMIT 1) l`
    return row!.n > 0
  }

  const periodImported = (period: string) =>
    new ConflictError('period_imported', `${period} holds charges imported from the supplier's own billing; a run would add lines beside them. Import the period again instead.`)

  const periodClosed = (period: string) => new ConflictError('period_closed', `${period} is closed: its lines never change again; corrections go into an open period.`)

  /** The job: one run, in one transaction (a failure leaves the previous lines as they were). */
  app.jobs.define(BILLING_RUN_TASK, async (payload) => {
    const runId = String(payload.runId)
    const run = await one(app.db, runId)
    if (!run || run.status !== 'queued') return
    await app.db.sql`UPDATE billing_run SET status = 'running', "startedAt" = now() WHERE id = ${runId}::uuid`
    let summary: unknown
    let error: BillingRunView['error'] = null
    try {
      summary = await app.transaction(
        async (tx) => {
          await periodLock(tx, run.supplierId, run.period)
          // The lock a charges import of the supplier merges under: the import either committed
          // (its lines are seen below) or starts after us (and refuses the computed period).
          await lockUntilCommit(tx, 'abonent-import', run.supplierId)
          if (await closed(tx, run.supplierId, run.period)) throw periodClosed(run.period)
          if (await imported(tx, run.supplierId, run.period)) throw periodImported(run.period)
          const result = await computeCharges(tx, run.supplierId, run.period, runId)
          if ('uncovered' in result) throw tariffMissing(result.uncovered!)
          if (run.dryRun) throw new DryRunDone(result.summary)
          return result.summary
        },
        { timeout: 3_600_000 },
      )
    } catch (failure) {
      if (failure instanceof DryRunDone) summary = failure.summary
      else if (failure instanceof DomainError) error = { code: failure.code as 'tariff_missing' | 'period_closed' | 'period_imported', detail: failure.message, ...failure.extensions }
      else {
        app.log.error({ err: failure, runId }, 'billing run failed')
        error = { code: 'billing_run_failed', detail: 'The run failed on our side; nothing was changed. Try again or contact support.' }
      }
    }
    await app.db.sql`
      UPDATE billing_run SET status = ${error ? 'failed' : 'completed'}::"BillingRunStatus", summary = ${summary === undefined ? null : JSON.stringify(summary)}::jsonb,
        error = ${error ? JSON.stringify(error) : null}::jsonb, "finishedAt" = now()
      WHERE id = ${runId}::uuid`
  })

  const periodView = async (db: Tx, supplierId: string, period: string) =>
    (
      await db.sql<Static<typeof BillingPeriodView>>`
        SELECT ${supplierId}::text AS "supplierId", ${period}::text AS period, c."supplierId" IS NOT NULL AS closed,
          to_char(c."closedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "closedAt", c."runId", c."invoicesIssued",
          to_char(c."invoicesIssuedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "invoicesIssuedAt",
          CASE WHEN b."supplierId" IS NOT NULL THEN json_build_object('status', b.status, 'invoices', b.invoices, 'pages', b.pages, 'bytes', b.bytes,
            'readyAt', to_char(b."readyAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END AS "printBatch"
        FROM (SELECT 1) one LEFT JOIN closed_period c ON c."supplierId" = ${supplierId}::uuid AND c.period = ${`${period}-01`}::date
        LEFT JOIN print_batch b ON b."supplierId" = c."supplierId" AND b.period = c.period`
    )[0]!

  /** In the closing transaction: the period closed, and its receipts queued for issue. */
  async function closePeriod(tx: Tx, context: AuditContext, supplierId: string, period: string, runId: string | null) {
    await tx.sql`INSERT INTO closed_period ("supplierId", period, "runId", "closedById") VALUES (${supplierId}::uuid, ${`${period}-01`}::date, ${runId}::uuid, ${context.caller.userId}::uuid)`
    await app.jobs.add(tx, { task: ISSUE_INVOICES_TASK, payload: { supplierId, period }, queue: `billing:${supplierId}` })
    await app.audit.record(tx, context, { supplierId, entity: 'billing_period', entityId: `${supplierId} ${period}`, action: runId ? 'close' : 'publish', after: { runId } })
  }

  return {
    async start(context: AuditContext, input: { supplierId: string; period: string; dryRun?: boolean }): Promise<BillingRunView> {
      await visibleSupplier(app, context.caller, input.supplierId)
      // Checked again by the job, under the lock imports merge under.
      if (await imported(app.db, input.supplierId, input.period)) throw periodImported(input.period)
      const uncovered = await uncoveredTariffs(app.db, input.supplierId, input.period, 'register')
      if (uncovered.length) throw tariffMissing(uncovered)
      const id = uuidv7()
      try {
        await app.transaction(async (tx) => {
          await periodLock(tx, input.supplierId, input.period)
          if (await closed(tx, input.supplierId, input.period)) throw periodClosed(input.period)
          await tx.sql`
            INSERT INTO billing_run (id, "supplierId", period, "dryRun", "requestedById")
            VALUES (${id}::uuid, ${input.supplierId}::uuid, ${`${input.period}-01`}::date, ${input.dryRun ?? false}, ${context.caller.userId}::uuid)`
          await app.audit.record(tx, context, { supplierId: input.supplierId, entity: 'billing_run', entityId: id, action: 'start', after: { period: input.period, dryRun: input.dryRun ?? false } })
          // One queue per supplier: its runs never interleave (a period's estimates feed the next one's).
          await app.jobs.add(tx, { task: BILLING_RUN_TASK, payload: { runId: id }, queue: `billing:${input.supplierId}`, maxAttempts: 1 })
        })
      } catch (error) {
        if (!isConstraintViolation(error, 'billing_run_one_active')) throw error
        throw new ConflictError('billing_run_in_progress', `A run of ${input.period} is already queued or running; wait for it.`)
      }
      return (await one(app.db, id))!
    },

    get: visible,

    async list(caller: Caller, query: { supplierId: string; period?: string; limit?: number; cursor?: string }) {
      await visibleSupplier(app, caller, query.supplierId)
      const limit = query.limit ?? 20
      const after = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<BillingRunView>(
        `SELECT ${COLUMNS} FROM billing_run r
         WHERE r."supplierId" = $1::uuid AND ($2::date IS NULL OR r.period = $2::date) AND ($3::uuid IS NULL OR r.id < $3::uuid)
         ORDER BY r.id DESC LIMIT $4`,
        [query.supplierId, query.period ? `${query.period}-01` : null, after?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], (row) => row)
    },

    /**
     * Closes the run's period: the newest completed run of it, not a dry one, with none queued or
     * running. Its invoices are issued by a job queued in the same transaction, so the supplier's
     * requisites must be able to go on a receipt's QR first.
     */
    async close(context: AuditContext, runId: string): Promise<BillingRunView> {
      const run = await visible(context.caller, runId)
      await app.transaction(async (tx) => {
        assertReceiptRequisites(await tx.supplier.findUniqueOrThrow({ where: { id: run.supplierId } }))
        await periodLock(tx, run.supplierId, run.period)
        if (await closed(tx, run.supplierId, run.period)) throw periodClosed(run.period)
        const [newest] = await tx.sql<{ id: string; status: string; dryRun: boolean }>`
          SELECT id, status::text, "dryRun" FROM billing_run
          WHERE "supplierId" = ${run.supplierId}::uuid AND period = ${`${run.period}-01`}::date AND NOT ("dryRun" AND status = 'completed')
          ORDER BY id DESC LIMIT 1`
        if (run.dryRun || run.status !== 'completed' || newest?.id !== runId) {
          throw new ConflictError('billing_run_not_closable', 'Only the newest completed run of a period (not a dry run) closes it.')
        }
        await closePeriod(tx, context, run.supplierId, run.period, runId)
      })
      return (await one(app.db, runId))!
    },

    /** A period: open or closed, and its receipts. */
    async period(caller: Caller, supplierId: string, period: string) {
      await visibleSupplier(app, caller, supplierId)
      return periodView(app.db, supplierId, period)
    },

    /**
     * Publishes a period of charges imported from the supplier's own billing: it closes (imports
     * refuse it from now on) and its receipts are issued, as closing a run's period does.
     */
    async publish(context: AuditContext, supplierId: string, period: string) {
      await visibleSupplier(app, context.caller, supplierId)
      await app.transaction(async (tx) => {
        await periodLock(tx, supplierId, period)
        // Under the lock imports merge under: an import of the period either committed or will see it closed.
        await lockUntilCommit(tx, 'abonent-import', supplierId)
        assertReceiptRequisites(await tx.supplier.findUniqueOrThrow({ where: { id: supplierId } }))
        if (await closed(tx, supplierId, period)) throw periodClosed(period)
        if (!(await imported(tx, supplierId, period))) {
          throw new ConflictError('period_not_imported', `${period} holds no imported charges; a period of computed charges is closed through its billing run.`)
        }
        await closePeriod(tx, context, supplierId, period, null)
      })
      return periodView(app.db, supplierId, period)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    billingRuns: ReturnType<typeof createBillingRunService>
  }
}

export default fp(
  async function billingRunService(app: FastifyInstance) {
    app.decorate('billingRuns', createBillingRunService(app))
  },
  { name: 'billing-run-service', dependencies: ['prisma', 'audit', 'jobs'] },
)
