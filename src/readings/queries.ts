import { addMonths } from '../common/periods.ts'
import { visibleAccountSql } from '../access/visibility.ts'
import type { Caller } from '../access/guard.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma, type ReadingSource } from '../generated/prisma/client.ts'
import type { Evaluation, MeterHistory, Target } from './evaluation.ts'
import type { Flag, ReadingRow } from './views.ts'

/** Reading data access: plain SQL through the unit of work on the submission hot path. */

/**
 * The account (visible to the caller), its supplier's rules and the meter, in one statement.
 * With `lock`, the meter row is locked too (FOR UPDATE): submissions for one meter are measured
 * one after the other. Locking here is safe because nothing this statement reads decides the
 * measurement: in READ COMMITTED a statement that waited for the lock keeps its old snapshot
 * for everything but the locked row, so the history is read by the NEXT statement, which sees
 * what the transaction we waited for committed. Null when the account or (locking) the meter is
 * not there.
 */
export async function findTarget(db: Tx, caller: Caller, accountId: string, meterId: string, options: { lock?: boolean } = {}): Promise<(Target & { confirmByMail: boolean }) | null> {
  const rows = await db.sql<{
    id: string
    supplierId: string
    status: string
    readingsCollectedBy: string | null
    services: string[]
    timeZone: string
    startDay: number
    endDay: number
    acceptOutside: boolean
    factor: string
    confirmByMail: boolean
    meter: (Omit<NonNullable<Target['meter']>, 'verificationDueAt'> & { verificationDueAt: string | null }) | null
  }>`
    SELECT a.id, a."supplierId", a.status::text, a."readingsCollectedBy", a.services::text[] AS services, s."timeZone", s."readingWindowStartDay"::int AS "startDay",
           s."readingWindowEndDay"::int AS "endDay", s."acceptReadingsOutsideWindow" AS "acceptOutside",
           s."suspiciousReadingFactor"::text AS factor,
           COALESCE((SELECT u."notifyReadingAccepted" AND u."notifyByEmail" FROM "user" u WHERE u.id = ${caller.userId}::uuid), false) AS "confirmByMail",
           CASE WHEN m.id IS NOT NULL THEN
             json_build_object('id', m.id, 'status', m.status, 'zones', m.zones, 'digitCapacity', m."digitCapacity",
                               'verificationDueAt', m."verificationDueAt", 'serialNumber', m."serialNumber", 'service', m.service, 'accountId', m."accountId")
           END AS meter
    FROM account a JOIN supplier s ON s.id = a."supplierId"
    ${options.lock ? Prisma.sql`JOIN` : Prisma.sql`LEFT JOIN`} meter m ON m.id = ${meterId}::uuid AND m."accountId" = a.id
    WHERE a.id = ${accountId}::uuid
      AND ${visibleAccountSql(caller, 'a')}
    ${options.lock ? Prisma.sql`FOR UPDATE OF m` : Prisma.empty}`
  const row = rows[0]
  if (!row) return null
  return {
    account: { id: row.id, supplierId: row.supplierId, status: row.status, readingsCollectedBy: row.readingsCollectedBy, services: row.services },
    supplier: { timeZone: row.timeZone, startDay: row.startDay, endDay: row.endDay, acceptOutside: row.acceptOutside, suspiciousFactor: row.factor },
    meter: row.meter ? { ...row.meter, verificationDueAt: row.meter.verificationDueAt ? new Date(`${row.meter.verificationDueAt}T00:00:00Z`) : null } : null,
    confirmByMail: row.confirmByMail,
  }
}

export async function meterHistory(db: Tx, evaluation: Evaluation): Promise<MeterHistory> {
  const period = `${evaluation.period}-01`
  const rows = await db.sql<MeterHistory>`
    SELECT
      (SELECT json_build_object('t1', t1::text, 't2', t2::text, 't3', t3::text, 'takenAt', "takenAt", 'period', to_char(period, 'YYYY-MM'))
       FROM reading WHERE "meterId" = ${evaluation.meter.id}::uuid AND status IN ('accepted', 'billed') AND period < ${period}::date
       ORDER BY period DESC, "takenAt" DESC LIMIT 1) AS previous,
      (SELECT json_build_object('id', id, 'status', status)
       FROM reading WHERE "meterId" = ${evaluation.meter.id}::uuid AND period = ${period}::date AND status IN ('accepted', 'billed') LIMIT 1) AS earlier,
      (SELECT avg(total)::numeric(14, 3)::text FROM (
         SELECT sum(COALESCE("t1Consumption", 0) + COALESCE("t2Consumption", 0) + COALESCE("t3Consumption", 0)) AS total
         FROM reading WHERE "meterId" = ${evaluation.meter.id}::uuid AND status IN ('accepted', 'billed') AND "t1Consumption" IS NOT NULL
           AND period >= ${`${addMonths(evaluation.period, -12)}-01`}::date AND period < ${period}::date GROUP BY period) monthly) AS average`
  return rows[0] ?? { previous: null, earlier: null, average: null }
}

export const READING_COLUMNS = `id, "meterId", to_char(period, 'YYYY-MM') AS period, t1::text, t2::text, t3::text,
  "t1Consumption"::text, "t2Consumption"::text, "t3Consumption"::text, "takenAt", source::text, status::text, flags, "supersedesId", "createdAt"`

export interface NewReading {
  /** Chosen before the insert (UUIDv7), so the audit entry written beside it can name it. */
  id: string
  evaluation: Evaluation
  values: Record<'T1' | 'T2' | 'T3', string | null>
  consumption: Record<'T1' | 'T2' | 'T3', string | null>
  source: ReadingSource
  flags: Flag[]
  submittedById: string
  supersedesId: string | null
}

/**
 * Inserts the reading, superseding the earlier current one and writing its audit entry in the
 * same statement (one round trip on the hot path). The INSERT reads from the UPDATE, so the
 * earlier version leaves the one-current-reading index before the new one enters it.
 */
export async function insertReading(tx: Tx, reading: NewReading, audit: Prisma.Sql): Promise<ReadingRow> {
  const { evaluation, values, consumption } = reading
  const rows = await tx.sql<ReadingRow>`
    WITH superseded AS (
       UPDATE reading SET status = 'superseded', "changedById" = ${reading.submittedById}::uuid, "changedAt" = now()
       WHERE id = ${reading.supersedesId}::uuid RETURNING id),
     audited AS (${audit})
     INSERT INTO reading (id, "meterId", "accountId", period, t1, t2, t3, "t1Consumption", "t2Consumption", "t3Consumption",
                          "takenAt", source, flags, "submittedById", "supersedesId")
     SELECT ${reading.id}::uuid, ${evaluation.meter.id}::uuid, ${evaluation.meter.accountId}::uuid, ${`${evaluation.period}-01`}::date,
            ${values.T1}::numeric, ${values.T2}::numeric, ${values.T3}::numeric,
            ${consumption.T1}::numeric, ${consumption.T2}::numeric, ${consumption.T3}::numeric,
            ${evaluation.takenAt}::timestamptz, ${reading.source}::"ReadingSource", ${reading.flags}::text[], ${reading.submittedById}::uuid,
            ${reading.supersedesId}::uuid
     FROM (SELECT 1) one LEFT JOIN superseded ON true
     RETURNING ${Prisma.raw(READING_COLUMNS)}`
  return rows[0]!
}
