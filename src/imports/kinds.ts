import pg from 'pg'
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
  stageDdl: string
  stageColumns: string
  mapColumns(names: string[]): { fields: (string | null)[]; missing: string[] }
  check(record: Record<string, unknown>, supplier: SupplierRules): Checked<unknown>
  /** The row's COPY fields after line, code and detail (all null for a rejection). */
  fields(row: unknown): (string | number | null)[]
  merge(client: pg.ClientBase, jobId: string, supplierId: string): Promise<MergeCounts>
}

async function recordRejections(client: pg.ClientBase, jobId: string): Promise<void> {
  await client.query(
    `INSERT INTO import_rejection ("jobId", line, code, detail) SELECT $1, line, code, detail FROM stage WHERE code IS NOT NULL`,
    [jobId],
  )
}

async function counts(client: pg.ClientBase, sql: string, params: unknown[], distinctValid: string): Promise<MergeCounts> {
  const valid = (await client.query<{ n: number }>(distinctValid)).rows[0]!.n
  const { inserted, updated } = (await client.query<{ inserted: number; updated: number }>(sql, params)).rows[0]!
  return { inserted, updated, unchanged: valid - inserted - updated }
}

export const accountsImport: ImportKindSpec = {
  stageDdl: `CREATE TEMP TABLE stage (line int, code text, detail text, number text, address text, holder_surname text,
             holder_given_names text, residents smallint, area numeric(10, 2), services text, opening_balance numeric(14, 2))`,
  stageColumns: 'line, code, detail, number, address, holder_surname, holder_given_names, residents, area, services, opening_balance',
  mapColumns: (names) => mapColumns<AccountRow>(names, 'accounts'),
  check: (record, supplier) => checkAccountRow(record, supplier),
  fields(row) {
    if (!row) return [null, null, null, null, null, null, null, null]
    const r = row as AccountRow
    return [r.number, r.address, r.holderSurname, r.holderGivenNames, r.residentsCount, r.areaM2, `{${r.services.join(',')}}`, r.openingBalance]
  },
  async merge(client, jobId, supplierId) {
    await recordRejections(client, jobId)
    await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, line, 'duplicate_in_file', 'account ' || number || ' already appears at line ' || first_line
       FROM (SELECT line, number, min(line) OVER (PARTITION BY number) AS first_line FROM stage WHERE code IS NULL) d
       WHERE line <> first_line`,
      [jobId],
    )
    return counts(
      client,
      `WITH src AS (SELECT DISTINCT ON (number) * FROM stage WHERE code IS NULL ORDER BY number, line),
       up AS (
         INSERT INTO account (id, "supplierId", number, address, "holderSurname", "holderGivenNames", "residentsCount", "areaM2",
                              services, "openingBalance", "updatedAt")
         SELECT gen_random_uuid(), $1, number, address, holder_surname, holder_given_names, residents, area,
                services::"Service"[], opening_balance, now()
         FROM src
         ON CONFLICT ("supplierId", number) DO UPDATE SET
           address = EXCLUDED.address, "holderSurname" = EXCLUDED."holderSurname", "holderGivenNames" = EXCLUDED."holderGivenNames",
           "residentsCount" = EXCLUDED."residentsCount", "areaM2" = EXCLUDED."areaM2", services = EXCLUDED.services,
           "openingBalance" = EXCLUDED."openingBalance", "updatedAt" = now()
         WHERE (account.address, account."holderSurname", account."holderGivenNames", account."residentsCount", account."areaM2",
                account.services, account."openingBalance")
           IS DISTINCT FROM (EXCLUDED.address, EXCLUDED."holderSurname", EXCLUDED."holderGivenNames", EXCLUDED."residentsCount",
                EXCLUDED."areaM2", EXCLUDED.services, EXCLUDED."openingBalance")
         RETURNING (xmax = 0) AS inserted)
       SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`,
      [supplierId],
      `SELECT count(DISTINCT number)::int AS n FROM stage WHERE code IS NULL`,
    )
  },
}

export const metersImport: ImportKindSpec = {
  stageDdl: `CREATE TEMP TABLE stage (line int, code text, detail text, account_number text, service text, serial text,
             zones smallint, digits smallint, installed date, verification date)`,
  stageColumns: 'line, code, detail, account_number, service, serial, zones, digits, installed, verification',
  mapColumns: (names) => mapColumns<MeterRow>(names, 'meters'),
  check: (record, supplier) => checkMeterRow(record, supplier),
  fields(row) {
    if (!row) return [null, null, null, null, null, null, null]
    const r = row as MeterRow
    return [r.accountNumber, r.service, r.serialNumber, r.zones, r.digitCapacity, r.installedAt, r.verificationDueAt]
  },
  async merge(client, jobId, supplierId) {
    await recordRejections(client, jobId)
    // Each valid row with its account (a join into a new table: cheaper than updating every row).
    await client.query(
      `CREATE TEMP TABLE matched AS
       SELECT s.*, a.id AS account_id FROM stage s
       LEFT JOIN account a ON a."supplierId" = ${pg.escapeLiteral(supplierId)}::uuid AND a.number = s.account_number
       WHERE s.code IS NULL`,
    )
    await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, line, 'account_not_found', 'no account ' || account_number || ' in the register' FROM matched WHERE account_id IS NULL`,
      [jobId],
    )
    await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, line, 'duplicate_in_file', 'meter ' || serial || ' of account ' || account_number || ' already appears at line ' || first_line
       FROM (SELECT line, serial, account_number, min(line) OVER (PARTITION BY account_id, service, serial) AS first_line
             FROM matched WHERE account_id IS NOT NULL) d
       WHERE line <> first_line`,
      [jobId],
    )
    return counts(
      client,
      `WITH src AS (SELECT DISTINCT ON (account_id, service, serial) * FROM matched
                    WHERE account_id IS NOT NULL ORDER BY account_id, service, serial, line),
       up AS (
         INSERT INTO meter (id, "accountId", service, "serialNumber", zones, "digitCapacity", "installedAt", "verificationDueAt", "updatedAt")
         SELECT gen_random_uuid(), account_id, service::"Service", serial, zones, digits, installed, verification, now() FROM src
         ON CONFLICT ("accountId", service, "serialNumber") DO UPDATE SET
           zones = EXCLUDED.zones, "digitCapacity" = EXCLUDED."digitCapacity", "installedAt" = EXCLUDED."installedAt",
           "verificationDueAt" = EXCLUDED."verificationDueAt", "updatedAt" = now()
         WHERE (meter.zones, meter."digitCapacity", meter."installedAt", meter."verificationDueAt")
           IS DISTINCT FROM (EXCLUDED.zones, EXCLUDED."digitCapacity", EXCLUDED."installedAt", EXCLUDED."verificationDueAt")
         RETURNING (xmax = 0) AS inserted)
       SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`,
      [],
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT account_id, service, serial FROM matched WHERE account_id IS NOT NULL) d`,
    )
  },
}
