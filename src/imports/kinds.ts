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

/**
 * Settings for one merge transaction: sorts of a million rows in memory, and statistics on the
 * staging table (autovacuum never analyzes temporary tables, and the planner needs them).
 */
async function prepareMerge(client: pg.ClientBase): Promise<string> {
  await client.query(`SET LOCAL work_mem = '256MB'`)
  await client.query('ANALYZE stage')
  // Time-ordered ids keep primary-key inserts at the right edge of the index (PostgreSQL 18 has uuidv7()).
  const version = Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v)
  return version >= 180000 ? 'uuidv7()' : 'gen_random_uuid()'
}

async function upsertCounts(client: pg.ClientBase, sql: string, valid: number): Promise<MergeCounts> {
  const { inserted, updated } = (await client.query<{ inserted: number; updated: number }>(sql)).rows[0]!
  return { inserted, updated, unchanged: valid - inserted - updated }
}

const COUNT_UPSERTS = `SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`

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
    const newId = await prepareMerge(client)
    await recordRejections(client, jobId)
    // Repeats are rare: found by hashing, without sorting the whole file for them.
    const repeats = await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, s.line, 'duplicate_in_file', 'account ' || s.number || ' already appears at line ' || d.first_line
       FROM stage s
       JOIN (SELECT number, min(line) AS first_line FROM stage WHERE code IS NULL GROUP BY number HAVING count(*) > 1) d USING (number)
       WHERE s.code IS NULL AND s.line <> d.first_line`,
      [jobId],
    )
    const valid = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM stage WHERE code IS NULL`)).rows[0]!.n - (repeats.rowCount ?? 0)
    return upsertCounts(
      client,
      `WITH up AS (
         INSERT INTO account (id, "supplierId", number, address, "holderSurname", "holderGivenNames", "residentsCount", "areaM2",
                              services, "openingBalance", "updatedAt")
         SELECT ${newId}, ${pg.escapeLiteral(supplierId)}::uuid, number, address, holder_surname, holder_given_names, residents, area,
                services::"Service"[], opening_balance, now()
         FROM (SELECT DISTINCT ON (number) * FROM stage WHERE code IS NULL ORDER BY number, line) first_rows
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
    const newId = await prepareMerge(client)
    await recordRejections(client, jobId)
    const supplier = `${pg.escapeLiteral(supplierId)}::uuid`
    const unknown = await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, s.line, 'account_not_found', 'no account ' || s.account_number || ' in the register' FROM stage s
       WHERE s.code IS NULL AND NOT EXISTS (SELECT 1 FROM account a WHERE a."supplierId" = ${supplier} AND a.number = s.account_number)`,
      [jobId],
    )
    // Repeats are rare: found by hashing, without sorting the whole file for them.
    const repeats = await client.query(
      `INSERT INTO import_rejection ("jobId", line, code, detail)
       SELECT $1, s.line, 'duplicate_in_file', 'meter ' || s.serial || ' of account ' || s.account_number || ' already appears at line ' || d.first_line
       FROM stage s
       JOIN (SELECT account_number, service, serial, min(line) AS first_line FROM stage WHERE code IS NULL
             GROUP BY account_number, service, serial HAVING count(*) > 1) d USING (account_number, service, serial)
       WHERE s.code IS NULL AND s.line <> d.first_line
         AND NOT EXISTS (SELECT 1 FROM import_rejection r WHERE r."jobId" = $1 AND r.line = s.line)`,
      [jobId],
    )
    const validRows = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM stage WHERE code IS NULL`)).rows[0]!.n
    const valid = validRows - (unknown.rowCount ?? 0) - (repeats.rowCount ?? 0)
    return upsertCounts(
      client,
      `WITH up AS (
         INSERT INTO meter (id, "accountId", service, "serialNumber", zones, "digitCapacity", "installedAt", "verificationDueAt", "updatedAt")
         SELECT ${newId}, account_id, service::"Service", serial, zones, digits, installed, verification, now()
         FROM (SELECT DISTINCT ON (a.id, s.service, s.serial) a.id AS account_id, s.*
               FROM stage s JOIN account a ON a."supplierId" = ${supplier} AND a.number = s.account_number
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
