import { addMonths } from '../common/periods.ts'
import { visibleAccountSql } from '../access/visibility.ts'
import type { Caller } from '../access/guard.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import type { ReadingSource } from '../generated/prisma/client.ts'
import type { Evaluation, MeterHistory, Target } from './evaluation.ts'
import type { Flag, ReadingRow } from './views.ts'

/** Reading data access: plain SQL through the unit of work on the submission hot path. */

export async function findTarget(db: Tx, caller: Caller, accountId: string, meterId: string): Promise<Target | null> {
  const rows = await db.$queryRaw<
    {
      id: string
      supplierId: string
      status: string
      readingsCollectedBy: string | null
      timeZone: string
      startDay: number
      endDay: number
      acceptOutside: boolean
      factor: string
      meter: (Omit<NonNullable<Target['meter']>, 'verificationDueAt'> & { verificationDueAt: string | null }) | null
    }[]
  >`
    SELECT a.id, a."supplierId", a.status::text, a."readingsCollectedBy", s."timeZone", s."readingWindowStartDay"::int AS "startDay",
           s."readingWindowEndDay"::int AS "endDay", s."acceptReadingsOutsideWindow" AS "acceptOutside",
           s."suspiciousReadingFactor"::text AS factor,
           (SELECT json_build_object('id', m.id, 'status', m.status, 'zones', m.zones, 'digitCapacity', m."digitCapacity",
                   'verificationDueAt', m."verificationDueAt", 'serialNumber', m."serialNumber", 'service', m.service, 'accountId', m."accountId")
            FROM meter m WHERE m.id = ${meterId}::uuid AND m."accountId" = a.id) AS meter
    FROM account a JOIN supplier s ON s.id = a."supplierId"
    WHERE a.id = ${accountId}::uuid
      AND ${visibleAccountSql(caller, 'a')}`
  const row = rows[0]
  if (!row) return null
  return {
    account: { id: row.id, supplierId: row.supplierId, status: row.status, readingsCollectedBy: row.readingsCollectedBy },
    supplier: { timeZone: row.timeZone, startDay: row.startDay, endDay: row.endDay, acceptOutside: row.acceptOutside, suspiciousFactor: row.factor },
    meter: row.meter ? { ...row.meter, verificationDueAt: row.meter.verificationDueAt ? new Date(`${row.meter.verificationDueAt}T00:00:00Z`) : null } : null,
  }
}

/**
 * Locks the meter: submissions for one meter are measured one after the other. A statement of
 * its own, on purpose: in READ COMMITTED a statement that waited for the lock keeps the snapshot
 * it started with for everything else it reads, so the history is read by the NEXT statement,
 * which sees what the transaction we waited for committed.
 */
export async function lockMeter(tx: Tx, meterId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM meter WHERE id = ${meterId}::uuid FOR UPDATE`
}

export async function meterHistory(db: Tx, evaluation: Evaluation): Promise<MeterHistory> {
  const period = `${evaluation.period}-01`
  const rows = await db.$queryRaw<MeterHistory[]>`
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
  evaluation: Evaluation
  values: Record<'T1' | 'T2' | 'T3', string | null>
  consumption: Record<'T1' | 'T2' | 'T3', string | null>
  source: ReadingSource
  flags: Flag[]
  submittedById: string
  supersedesId: string | null
}

/**
 * Inserts the reading, superseding the earlier current one in the same statement. The INSERT
 * reads from the UPDATE, so the earlier version leaves the one-current-reading index before the
 * new one enters it.
 */
export async function insertReading(tx: Tx, reading: NewReading): Promise<ReadingRow> {
  const { evaluation, values, consumption } = reading
  const rows = await tx.$queryRawUnsafe<ReadingRow[]>(
    `WITH superseded AS (
       UPDATE reading SET status = 'superseded', "changedById" = $14::uuid, "changedAt" = now() WHERE id = $15::uuid RETURNING id)
     INSERT INTO reading (id, "meterId", "accountId", period, t1, t2, t3, "t1Consumption", "t2Consumption", "t3Consumption",
                          "takenAt", source, flags, "submittedById", "supersedesId")
     SELECT $1::uuid, $2::uuid, $3::uuid, $4::date, $5::numeric, $6::numeric, $7::numeric, $8::numeric, $9::numeric, $10::numeric,
            $11::timestamptz, $12::"ReadingSource", $13::text[], $14::uuid, $15::uuid
     FROM (SELECT 1) one LEFT JOIN superseded ON true
     RETURNING ${READING_COLUMNS}`,
    uuidv7(),
    evaluation.meter.id,
    evaluation.meter.accountId,
    `${evaluation.period}-01`,
    values.T1,
    values.T2,
    values.T3,
    consumption.T1,
    consumption.T2,
    consumption.T3,
    evaluation.takenAt,
    reading.source,
    reading.flags,
    reading.submittedById,
    reading.supersedesId,
  )
  return rows[0]!
}
