import pg from 'pg'
import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import {
  checkAccountRow,
  checkChargeRow,
  checkMeterRow,
  checkPaymentRow,
  mapColumns,
  type AccountRow,
  type ChargeRow,
  type Checked,
  type MeterRow,
  type PaymentRow,
  type SupplierRules,
} from './rows.ts'

/**
 * What differs between the kinds of import (accounts, meters, charges, payments): the staging
 * table, how a checked row becomes a COPY line, and the set-based merge — one INSERT ... ON
 * CONFLICT per table, which updates a row only when something in it changed, so a repeated
 * import changes nothing.
 */
export interface MergeCounts {
  inserted: number
  updated: number
  unchanged: number
  /** Rows the import removed (charges: lines of a replaced period that the file no longer has). */
  deleted?: number
}

export interface ImportKindSpec {
  /** The staging table's columns (after line, code, detail). */
  stageDdl: string
  stageColumns: string
  mapColumns(names: string[]): { fields: (string | null)[]; missing: string[] }
  check(record: Record<string, unknown>, supplier: SupplierRules): Checked<unknown>
  /** The row's COPY fields after line, code and detail (for a rejection: what it still tells, or all null). */
  fields(row: unknown): (string | number | null)[]
  merge(tx: Tx, stage: string, jobId: string, supplierId: string): Promise<MergeCounts>
}

async function recordRejections(tx: Tx, stage: string, jobId: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO import_rejection ("jobId", line, code, detail) SELECT $1::uuid, line, code, detail FROM ${stage} WHERE code IS NOT NULL`,
    jobId,
  )
}

async function countValid(tx: Tx, stage: string): Promise<number> {
  return (await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${stage} WHERE code IS NULL`))[0]!.n
}

/**
 * Settings for one merge transaction: sorts of a million rows in memory, and statistics on the
 * staging table (just filled; autovacuum has not looked at it, and the planner needs them).
 */
async function prepareMerge(tx: Tx, stage: string): Promise<string> {
  await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`)
  await tx.$executeRawUnsafe(`ANALYZE ${stage}`)
  return newIdFunction(tx)
}

async function upsertCounts(tx: Tx, sql: string, valid: number): Promise<MergeCounts> {
  const { inserted, updated } = (await tx.$queryRawUnsafe<{ inserted: number; updated: number }[]>(sql))[0]!
  return { inserted, updated, unchanged: valid - inserted - updated }
}

const COUNT_UPSERTS = `SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`

export const accountsImport: ImportKindSpec = {
  stageDdl: `(line int, code text, detail text, number text, address text, holder_surname text,
             holder_given_names text, residents smallint, area numeric(10, 2), services text, opening_balance numeric(14, 2),
             access_code text)`,
  stageColumns: 'line, code, detail, number, address, holder_surname, holder_given_names, residents, area, services, opening_balance, access_code',
  mapColumns: (names) => mapColumns(names, 'accounts'),
  check: (record, supplier) => checkAccountRow(record, supplier),
  fields(row) {
    if (!row) return [null, null, null, null, null, null, null, null, null]
    const r = row as AccountRow
    return [r.number, r.address, r.holderSurname, r.holderGivenNames, r.residentsCount, r.areaM2, `{${r.services.join(',')}}`, r.openingBalance, r.accessCode]
  },
  async merge(tx, stage, jobId, supplierId) {
    const newId = await prepareMerge(tx, stage)
    await recordRejections(tx, stage, jobId)
    // Repeats are rare: found by hashing, without sorting the whole file for them.
    const repeats = await tx.$executeRawUnsafe(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1::uuid, s.line, 'duplicate_in_file', 'account ' || s.number || ' already appears at line ' || d.first_line
       FROM ${stage} s
       JOIN (SELECT number, min(line) AS first_line FROM ${stage} WHERE code IS NULL GROUP BY number HAVING count(*) > 1) d USING (number)
       WHERE s.code IS NULL AND s.line <> d.first_line`,
      jobId,
    )
    const valid = (await countValid(tx, stage)) - repeats
    const counts = await upsertCounts(
      tx,
      `WITH up AS (
         INSERT INTO account (id, "supplierId", number, address, "holderSurname", "holderGivenNames", "residentsCount", "areaM2",
                              services, "openingBalance", "updatedAt")
         SELECT ${newId}, ${pg.escapeLiteral(supplierId)}::uuid, number, address, holder_surname, holder_given_names, residents, area,
                services::"Service"[], opening_balance, now()
         FROM (SELECT DISTINCT ON (number) * FROM ${stage} WHERE code IS NULL ORDER BY number, line) first_rows
         ON CONFLICT ("supplierId", number) DO UPDATE SET
           address = EXCLUDED.address, "holderSurname" = EXCLUDED."holderSurname", "holderGivenNames" = EXCLUDED."holderGivenNames",
           "residentsCount" = EXCLUDED."residentsCount", "areaM2" = EXCLUDED."areaM2", services = EXCLUDED.services,
           "openingBalance" = EXCLUDED."openingBalance", "updatedAt" = now()
         WHERE (account.address, account."holderSurname", account."holderGivenNames", account."residentsCount", account."areaM2",
                account.services, account."openingBalance")
           IS DISTINCT FROM (EXCLUDED.address, EXCLUDED."holderSurname", EXCLUDED."holderGivenNames", EXCLUDED."residentsCount",
                EXCLUDED."areaM2", EXCLUDED.services, EXCLUDED."openingBalance")
         RETURNING (xmax = 0) AS inserted)
       ${COUNT_UPSERTS}`,
      valid,
    )
    // Codes the supplier prints itself replace the ones the database made; a row without one keeps the current code.
    await tx.$executeRawUnsafe(
      `UPDATE account a SET "accessCode" = s.access_code
       FROM (SELECT DISTINCT ON (number) number, access_code FROM ${stage} WHERE code IS NULL ORDER BY number, line) s
       WHERE a."supplierId" = ${pg.escapeLiteral(supplierId)}::uuid AND a.number = s.number
         AND s.access_code IS NOT NULL AND a."accessCode" IS DISTINCT FROM s.access_code`,
    )
    return counts
  },
}

export const metersImport: ImportKindSpec = {
  stageDdl: `(line int, code text, detail text, account_number text, service text, serial text,
             zones smallint, digits smallint, installed date, verification date)`,
  stageColumns: 'line, code, detail, account_number, service, serial, zones, digits, installed, verification',
  mapColumns: (names) => mapColumns(names, 'meters'),
  check: (record, supplier) => checkMeterRow(record, supplier),
  fields(row) {
    if (!row) return [null, null, null, null, null, null, null]
    const r = row as MeterRow
    return [r.accountNumber, r.service, r.serialNumber, r.zones, r.digitCapacity, r.installedAt, r.verificationDueAt]
  },
  async merge(tx, stage, jobId, supplierId) {
    const newId = await prepareMerge(tx, stage)
    await recordRejections(tx, stage, jobId)
    const supplier = `${pg.escapeLiteral(supplierId)}::uuid`
    const unknown = await tx.$executeRawUnsafe(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1::uuid, s.line, 'account_not_found', 'no account ' || s.account_number || ' in the register' FROM ${stage} s
       WHERE s.code IS NULL AND NOT EXISTS (SELECT 1 FROM account a WHERE a."supplierId" = ${supplier} AND a.number = s.account_number)`,
      jobId,
    )
    // Repeats are rare: found by hashing, without sorting the whole file for them.
    const repeats = await tx.$executeRawUnsafe(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1::uuid, s.line, 'duplicate_in_file', 'meter ' || s.serial || ' of account ' || s.account_number || ' already appears at line ' || d.first_line
       FROM ${stage} s
       JOIN (SELECT account_number, service, serial, min(line) AS first_line FROM ${stage} WHERE code IS NULL
             GROUP BY account_number, service, serial HAVING count(*) > 1) d USING (account_number, service, serial)
       WHERE s.code IS NULL AND s.line <> d.first_line
         AND NOT EXISTS (SELECT 1 FROM import_rejection r WHERE r."jobId" = $1::uuid AND r.line = s.line)`,
      jobId,
    )
    const validRows = await countValid(tx, stage)
    const valid = validRows - unknown - repeats
    return upsertCounts(
      tx,
      `WITH up AS (
         INSERT INTO meter (id, "accountId", service, "serialNumber", zones, "digitCapacity", "installedAt", "verificationDueAt", "updatedAt")
         SELECT ${newId}, account_id, service::"Service", serial, zones, digits, installed, verification, now()
         FROM (SELECT DISTINCT ON (a.id, s.service, s.serial) a.id AS account_id, s.*
               FROM ${stage} s JOIN account a ON a."supplierId" = ${supplier} AND a.number = s.account_number
               WHERE s.code IS NULL ORDER BY a.id, s.service, s.serial, s.line) first_rows
         ON CONFLICT ("accountId", service, "serialNumber") DO UPDATE SET
           zones = EXCLUDED.zones, "digitCapacity" = EXCLUDED."digitCapacity", "installedAt" = EXCLUDED."installedAt",
           "verificationDueAt" = EXCLUDED."verificationDueAt", "updatedAt" = now()
         WHERE (meter.zones, meter."digitCapacity", meter."installedAt", meter."verificationDueAt")
           IS DISTINCT FROM (EXCLUDED.zones, EXCLUDED."digitCapacity", EXCLUDED."installedAt", EXCLUDED."verificationDueAt")
         RETURNING (xmax = 0) AS inserted)
       ${COUNT_UPSERTS}`,
      valid,
    )
  },
}

/** Runs checks that mark staged rows as rejected (code and detail), in order: a row keeps its first rejection. */
async function markRejections(tx: Tx, checks: string[]): Promise<void> {
  for (const check of checks) await tx.$executeRawUnsafe(check)
}

/**
 * Charge lines of a supplier's own billing system. The file replaces the imported lines of every
 * period it has: lines are found again by the supplier's line id (unique per supplier), updated
 * when they changed, and the period's imported lines the file no longer has are deleted. A
 * period is replaced whole or not at all: a rejected line keeps its period's earlier lines as
 * they were (the period's other lines are reported as `period_incomplete`), and a rejected line
 * without a readable period keeps every period as it was. Closed periods and periods that
 * billing runs compute are refused; a line id stays in its period.
 */
export const chargesImport: ImportKindSpec = {
  stageDdl: `(line int, code text, detail text, account_number text, period date, service text, kind text, quantity numeric(14, 3),
             unit text, tariff numeric(12, 4), coefficient numeric(6, 3), amount numeric(14, 2), line_id text, account_id uuid)`,
  stageColumns: 'line, code, detail, account_number, period, service, kind, quantity, unit, tariff, coefficient, amount, line_id',
  mapColumns: (names) => mapColumns(names, 'charges'),
  check: (record, supplier) => checkChargeRow(record, supplier),
  fields(row) {
    const r = row as Partial<ChargeRow> | null
    return [r?.accountNumber, r?.period, r?.service, r?.kind, r?.quantity, r?.unit, r?.tariff, r?.coefficient, r?.amount, r?.lineId].map((v) => v ?? null)
  },
  async merge(tx, stage, jobId, supplierId) {
    const newId = await prepareMerge(tx, stage)
    const supplier = `${pg.escapeLiteral(supplierId)}::uuid`
    const month = (column: string) => `to_char(${column}, 'YYYY-MM')`
    await markRejections(tx, [
      // The account, found once for the checks and the merge.
      `UPDATE ${stage} s SET account_id = a.id FROM account a WHERE s.code IS NULL AND a."supplierId" = ${supplier} AND a.number = s.account_number`,
      `UPDATE ${stage} SET code = 'account_not_found', detail = 'no account ' || account_number || ' in the register' WHERE code IS NULL AND account_id IS NULL`,
      `UPDATE ${stage} s SET code = 'period_closed', detail = 'period ' || ${month('s.period')} || ' is closed: its lines are never edited again'
       FROM closed_period c WHERE s.code IS NULL AND c."supplierId" = ${supplier} AND c.period = s.period`,
      // A period is either computed by billing runs here or imported, never both.
      `UPDATE ${stage} s SET code = 'period_computed', detail = 'period ' || ${month('s.period')} || ' is computed by billing runs here, so its lines are not imported'
       WHERE s.code IS NULL AND s.period IN (SELECT period FROM billing_run WHERE "supplierId" = ${supplier} AND NOT "dryRun"
                                             AND status IN ('queued', 'running', 'completed'))`,
      `UPDATE ${stage} s SET code = 'duplicate_in_file', detail = 'line id ' || s.line_id || ' already appears at line ' || d.first_line
       FROM (SELECT line_id, min(line) AS first_line FROM ${stage} WHERE code IS NULL GROUP BY line_id HAVING count(*) > 1) d
       WHERE s.code IS NULL AND s.line_id = d.line_id AND s.line <> d.first_line`,
      `UPDATE ${stage} s SET code = 'line_id_conflict', detail = 'line id ' || s.line_id || ' is a line of period ' || ${month('c.period')} || ': a line id stays in its period'
       FROM charge c WHERE s.code IS NULL AND c."importSupplierId" = ${supplier} AND c."importLineId" = s.line_id AND c.period <> s.period`,
      // Whole periods or nothing: a rejected line holds back its period, one without a period all of them.
      `WITH rejected AS (SELECT period, min(line) AS first_line FROM ${stage} WHERE code IS NOT NULL GROUP BY period),
       held AS (SELECT p.period, least(r.first_line, (SELECT first_line FROM rejected WHERE period IS NULL)) AS first_line
                FROM (SELECT DISTINCT period FROM ${stage} WHERE code IS NULL) p LEFT JOIN rejected r ON r.period = p.period)
       UPDATE ${stage} s SET code = 'period_incomplete', detail = 'period ' || ${month('s.period')} || ' is not replaced: line ' || h.first_line || ' was rejected'
       FROM held h WHERE s.code IS NULL AND s.period = h.period AND h.first_line IS NOT NULL`,
    ])
    const valid = await countValid(tx, stage)
    // Imported lines (no billing run) of the replaced periods that the file no longer has.
    const deleted = await tx.$executeRawUnsafe(
      `DELETE FROM charge c USING account a
       WHERE a.id = c."accountId" AND a."supplierId" = ${supplier} AND c."runId" IS NULL
         AND c.period IN (SELECT DISTINCT period FROM ${stage} WHERE code IS NULL)
         AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE s.code IS NULL AND s.line_id = c."importLineId")`,
    )
    const counts = await upsertCounts(
      tx,
      `WITH up AS (
         INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, coefficient, unit, "importSupplierId", "importLineId", "importJobId")
         SELECT ${newId}, account_id, period, service::"Service", kind::"ChargeKind", quantity, tariff, amount, coefficient, unit,
                ${supplier}, line_id, ${pg.escapeLiteral(jobId)}::uuid
         FROM ${stage} WHERE code IS NULL
         ON CONFLICT ("importSupplierId", "importLineId") DO UPDATE SET
           "accountId" = EXCLUDED."accountId", service = EXCLUDED.service, kind = EXCLUDED.kind, quantity = EXCLUDED.quantity,
           tariff = EXCLUDED.tariff, amount = EXCLUDED.amount, coefficient = EXCLUDED.coefficient, unit = EXCLUDED.unit,
           "importJobId" = EXCLUDED."importJobId"
         WHERE (charge."accountId", charge.service, charge.kind, charge.quantity, charge.tariff, charge.amount, charge.coefficient, charge.unit)
           IS DISTINCT FROM (EXCLUDED."accountId", EXCLUDED.service, EXCLUDED.kind, EXCLUDED.quantity, EXCLUDED.tariff, EXCLUDED.amount,
                EXCLUDED.coefficient, EXCLUDED.unit)
         RETURNING (xmax = 0) AS inserted)
       ${COUNT_UPSERTS}`,
      valid,
    )
    await recordRejections(tx, stage, jobId)
    return { ...counts, deleted }
  },
}

/**
 * Payments from a supplier's payment registry, settled (`succeeded`), provider `import`, external
 * id `<supplier id>:<payment id>`. A payment id comes once: again with the same account, amount
 * and time it is unchanged, with other money it is refused (`payment_conflict`), never changed.
 * Nothing is deleted. Only the label (`method`) may be corrected.
 */
export const paymentsImport: ImportKindSpec = {
  stageDdl: `(line int, code text, detail text, account_number text, payment_id text, amount numeric(14, 2), paid_at timestamptz(3),
             paid_local timestamp(3), method text, account_id uuid, paid timestamptz(3))`,
  stageColumns: 'line, code, detail, account_number, payment_id, amount, paid_at, paid_local, method',
  mapColumns: (names) => mapColumns(names, 'payments'),
  check: (record, supplier) => checkPaymentRow(record, supplier),
  fields(row) {
    const r = row as PaymentRow | null
    return [r?.accountNumber, r?.paymentId, r?.amount, r?.paidAt, r?.paidLocal, r?.method].map((v) => v ?? null)
  },
  async merge(tx, stage, jobId, supplierId) {
    const newId = await prepareMerge(tx, stage)
    const supplier = `${pg.escapeLiteral(supplierId)}::uuid`
    const [{ timeZone }] = (await tx.$queryRawUnsafe<{ timeZone: string }[]>(`SELECT "timeZone" FROM supplier WHERE id = ${supplier}`)) as [{ timeZone: string }]
    const zone = pg.escapeLiteral(timeZone)
    const externalId = `${pg.escapeLiteral(`${supplierId}:`)} || s.payment_id`
    await markRejections(tx, [
      // The account, and the time without an offset read on the supplier's clock.
      `UPDATE ${stage} s SET account_id = a.id, paid = COALESCE(s.paid_at, s.paid_local AT TIME ZONE ${zone})
       FROM account a WHERE s.code IS NULL AND a."supplierId" = ${supplier} AND a.number = s.account_number`,
      `UPDATE ${stage} SET code = 'account_not_found', detail = 'no account ' || account_number || ' in the register' WHERE code IS NULL AND account_id IS NULL`,
      `UPDATE ${stage} s SET code = 'duplicate_in_file', detail = 'payment id ' || s.payment_id || ' already appears at line ' || d.first_line
       FROM (SELECT payment_id, min(line) AS first_line FROM ${stage} WHERE code IS NULL GROUP BY payment_id HAVING count(*) > 1) d
       WHERE s.code IS NULL AND s.payment_id = d.payment_id AND s.line <> d.first_line`,
      `UPDATE ${stage} s SET code = 'payment_conflict',
         detail = 'payment ' || s.payment_id || ' is recorded already: ' || p.amount || ' paid ' || to_char(p."paidAt" AT TIME ZONE ${zone}, 'YYYY-MM-DD HH24:MI:SS')
                  || ' to account ' || a.number || '; an imported payment is never changed'
       FROM payment p JOIN account a ON a.id = p."accountId"
       WHERE s.code IS NULL AND p.provider = 'import' AND p."externalId" = ${externalId}
         AND (p."accountId", p.amount, p."paidAt") IS DISTINCT FROM (s.account_id, s.amount, s.paid)`,
    ])
    const counts = await upsertCounts(
      tx,
      `WITH up AS (
         INSERT INTO payment (id, "accountId", amount, status, provider, "externalId", "paidAt", method)
         SELECT ${newId}, s.account_id, s.amount, 'succeeded', 'import', ${externalId}, s.paid, s.method
         FROM ${stage} s WHERE s.code IS NULL
         ON CONFLICT (provider, "externalId") DO UPDATE SET method = EXCLUDED.method
         WHERE payment.method IS DISTINCT FROM EXCLUDED.method
         RETURNING (xmax = 0) AS inserted)
       ${COUNT_UPSERTS}`,
      await countValid(tx, stage),
    )
    await recordRejections(tx, stage, jobId)
    return counts
  },
}
