import pg from 'pg'
import type { Tx } from '../db/transaction.ts'
import { checkAccountRow, checkMeterRow, mapColumns, type AccountRow, type Checked, type MeterRow, type SupplierRules } from './rows.ts'

/**
 * What differs between imports of accounts and of meters: the staging table, how a checked row
 * becomes a COPY line, and the set-based merge — one INSERT ... ON CONFLICT per table, which
 * updates a row only when something in it changed, so a repeated import changes nothing.
 */
export interface MergeCounts {
  inserted: number
  updated: number
  unchanged: number
}

export interface ImportKindSpec {
  /** The staging table's columns (after line, code, detail). */
  stageDdl: string
  stageColumns: string
  mapColumns(names: string[]): { fields: (string | null)[]; missing: string[] }
  check(record: Record<string, unknown>, supplier: SupplierRules): Checked<unknown>
  /** The row's COPY fields after line, code and detail (all null for a rejection). */
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
  // Time-ordered ids keep primary-key inserts at the right edge of the index (PostgreSQL 18 has uuidv7()).
  const version = Number((await tx.$queryRawUnsafe<{ v: string }[]>(`SELECT current_setting('server_version_num') AS v`))[0]!.v)
  return version >= 180000 ? 'uuidv7()' : 'gen_random_uuid()'
}

async function upsertCounts(tx: Tx, sql: string, valid: number): Promise<MergeCounts> {
  const { inserted, updated } = (await tx.$queryRawUnsafe<{ inserted: number; updated: number }[]>(sql))[0]!
  return { inserted, updated, unchanged: valid - inserted - updated }
}

const COUNT_UPSERTS = `SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`

export const accountsImport: ImportKindSpec = {
  stageDdl: `(line int, code text, detail text, number text, address text, holder_surname text,
             holder_given_names text, residents smallint, area numeric(10, 2), services text, opening_balance numeric(14, 2))`,
  stageColumns: 'line, code, detail, number, address, holder_surname, holder_given_names, residents, area, services, opening_balance',
  mapColumns: (names) => mapColumns(names, 'accounts'),
  check: (record, supplier) => checkAccountRow(record, supplier),
  fields(row) {
    if (!row) return [null, null, null, null, null, null, null, null]
    const r = row as AccountRow
    return [r.number, r.address, r.holderSurname, r.holderGivenNames, r.residentsCount, r.areaM2, `{${r.services.join(',')}}`, r.openingBalance]
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
    return upsertCounts(
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
