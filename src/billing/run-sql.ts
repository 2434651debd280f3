import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import { HOUSING_CODE_RULES } from './penalties.ts'
import { chargePenalties } from './penalty-sql.ts'

/**
 * The billing run of one supplier and period, set-based: every account at once, no loop in Node.
 * Quantities first (one row per account, service, meter and zone, with the method and what it
 * rests on), then priced by the tariff versions in force over the period, pro rata by days.
 *
 * The rules (DOMAIN.md, Decree 354 items 59-60), per meter and zone:
 * - a current reading of the period: `metered`, its consumption; if the periods since the last
 *   actual reading were estimated, one `recalculation` instead: the consumption since that
 *   reading minus the volumes already charged by average and by normative since it;
 * - no reading: the monthly `average` (over up to 12 months ending with the last actual reading,
 *   at least 3) for at most 3 consecutive periods, then the `normative` × residents;
 * - verification expired: the average for at most 3 periods from the due date, then the
 *   normative × the increasing coefficient; no meter at all: the normative × the coefficient;
 * - heating per m²: area × normative; wastewater on the cold and hot water volumes, hot water
 *   taken even where the supplier does not bill it.
 * The other tariff bases, where the supplier has such a version in force on a day of the period:
 * - `per_resident`: accounts without a meter of the service pay the residents × the price, instead
 *   of the normative (the price already is per person); their lines are no volume for wastewater;
 * - `per_area`: heating is the area × the price per m², instead of the area × the normative;
 * - `fixed`: a monthly fee, one line per account with the service, beside its consumption; a fee in
 *   force on some days of the period alone is charged for those days.
 * The same pro rata rule as `tariff-split.ts` (rounded running totals) prices each share.
 */

/** Statements run in order inside the run's transaction; $1 supplier, $2 first day of the period. */
const QUANTITIES = [
  `CREATE TEMP TABLE bill_quantity (
     "accountId" uuid NOT NULL, service "Service" NOT NULL, "meterId" uuid, zone text NOT NULL, kind "ChargeKind" NOT NULL,
     quantity numeric(14, 3), coefficient numeric(6, 3) NOT NULL, priced boolean NOT NULL, "readingId" uuid, basis jsonb NOT NULL,
     "tariffBasis" "TariffBasis" NOT NULL DEFAULT 'metered'
   ) ON COMMIT DROP`,
  // The services priced per resident, per m² or by a fee in this period: their versions decide the method.
  `CREATE TEMP TABLE bill_basis ON COMMIT DROP AS
   SELECT DISTINCT service, basis FROM tariff
   WHERE "supplierId" = $1::uuid AND basis <> 'metered' AND "effectiveFrom" < $2::date + interval '1 month' AND ("effectiveTo" IS NULL OR "effectiveTo" >= $2::date)`,
  // Meters.
  `INSERT INTO bill_quantity
   WITH m AS MATERIALIZED (
     SELECT m.id, m."accountId", m.service, m.zones, m."verificationDueAt", a."residentsCount" AS residents, m.service = ANY (a.services) AS priced
     FROM meter m JOIN account a ON a.id = m."accountId"
     WHERE a."supplierId" = $1::uuid AND a.status = 'active' AND m.status = 'active'
       AND m.service IN ('cold_water', 'hot_water', 'electricity', 'gas')
       AND (m.service = ANY (a.services) OR (m.service = 'hot_water' AND 'wastewater' = ANY (a.services)))),
   -- Each meter's readings are looked up through its own index entries (the current one, the last
   -- actual one, the averaging window): a few probes per meter instead of reading every meter's
   -- whole history, most of which no rule needs.
   cur AS (
     SELECT m.id AS "meterId", r.id, r."t1Consumption" AS c1, r."t2Consumption" AS c2, r."t3Consumption" AS c3
     FROM m CROSS JOIN LATERAL (
       SELECT r.id, r."t1Consumption", r."t2Consumption", r."t3Consumption" FROM reading r
       WHERE r."meterId" = m.id AND r.period = $2::date AND r.status IN ('accepted', 'billed')
       ORDER BY r."createdAt" DESC LIMIT 1) r),
   last AS (
     SELECT m.id AS "meterId", r.period
     FROM m CROSS JOIN LATERAL (
       SELECT r.period FROM reading r
       WHERE r."meterId" = m.id AND r.period < $2::date AND r.status IN ('accepted', 'billed')
       ORDER BY r.period DESC LIMIT 1) r),
   est AS (
     SELECT c."meterId", c.zone, count(DISTINCT c.period)::int AS periods, sum(c.quantity) AS quantity
     FROM m JOIN charge c ON c."meterId" = m.id AND c.period < $2::date LEFT JOIN last ON last."meterId" = m.id
     WHERE c.kind IN ('average', 'normative') AND (last.period IS NULL OR c.period > last.period)
     GROUP BY c."meterId", c.zone),
   -- The average, for the meters without a current reading alone: the consumption over up to 12
   -- months ending with the last actual reading, from the reading that opens the window.
   avg AS (
     SELECT last."meterId", mm.months,
            round(w.s1 / mm.months, 3) AS a1, round(w.s2 / mm.months, 3) AS a2, round(w.s3 / mm.months, 3) AS a3
     FROM last
     LEFT JOIN cur ON cur."meterId" = last."meterId"
     CROSS JOIN LATERAL (
       SELECT min(r.period) AS "from" FROM reading r
       WHERE r."meterId" = last."meterId" AND r.period >= last.period - interval '12 months' AND r.period <= last.period
         AND r.status IN ('accepted', 'billed')) f
     CROSS JOIN LATERAL (SELECT ((extract(year FROM last.period) - extract(year FROM f."from")) * 12
                                + extract(month FROM last.period) - extract(month FROM f."from"))::int AS months) mm
     CROSS JOIN LATERAL (
       SELECT sum(r."t1Consumption") AS s1, sum(r."t2Consumption") AS s2, sum(r."t3Consumption") AS s3 FROM reading r
       WHERE r."meterId" = last."meterId" AND r.period > f."from" AND r.period <= last.period AND r.status IN ('accepted', 'billed')) w
     WHERE cur."meterId" IS NULL AND mm.months >= 3),
   nrm AS (
     SELECT service, quantity FROM normative
     WHERE "supplierId" = $1::uuid AND basis = 'per_resident' AND "effectiveFrom" <= $2::date AND ("effectiveTo" IS NULL OR "effectiveTo" >= $2::date)),
   coef AS (
     SELECT service, value FROM increasing_coefficient WHERE "effectiveFrom" <= $2::date AND ("effectiveTo" IS NULL OR "effectiveTo" >= $2::date)),
   z AS (SELECT m.*, u.zone FROM m CROSS JOIN LATERAL unnest((ARRAY['T1', 'T2', 'T3'])[1:m.zones]) AS u(zone)),
   decided AS (
     SELECT z.*, cur.id AS "readingId", last.period AS "lastActual", est.periods AS estimated, est.quantity AS "estimatedVolume",
            avg.months AS "averageMonths", nrm.quantity AS normative, coef.value AS "coefficientInForce", f.*,
            CASE
              -- Estimates before a meter's first reading have no reading to be measured against: they stand.
              WHEN cur."meterId" IS NOT NULL AND last.period IS NOT NULL AND COALESCE(est.periods, 0) > 0 THEN 'recalculation'
              WHEN cur."meterId" IS NOT NULL THEN 'metered'
              WHEN f.expired AND f."sinceExpiry" <= 3 AND f.average IS NOT NULL THEN 'average'
              WHEN f.expired THEN 'normative'
              WHEN f."withoutReading" <= 3 AND f.average IS NOT NULL THEN 'average'
              ELSE 'normative'
            END AS kind
     FROM z
     LEFT JOIN cur ON cur."meterId" = z.id
     LEFT JOIN last ON last."meterId" = z.id
     LEFT JOIN est ON est."meterId" = z.id AND est.zone = z.zone
     LEFT JOIN avg ON avg."meterId" = z.id
     LEFT JOIN nrm ON nrm.service = z.service
     LEFT JOIN coef ON coef.service = z.service
     CROSS JOIN LATERAL (SELECT
       CASE z.zone WHEN 'T1' THEN cur.c1 WHEN 'T2' THEN cur.c2 ELSE cur.c3 END AS consumed,
       CASE z.zone WHEN 'T1' THEN avg.a1 WHEN 'T2' THEN avg.a2 ELSE avg.a3 END AS average,
       z."verificationDueAt" IS NOT NULL AND z."verificationDueAt" < $2::date AS expired,
       -- Periods since the verification expired, the period of the due date the first of them.
       CASE WHEN z."verificationDueAt" IS NOT NULL THEN
         ((extract(year FROM $2::date) - extract(year FROM z."verificationDueAt")) * 12
          + extract(month FROM $2::date) - extract(month FROM z."verificationDueAt"))::int + 1 END AS "sinceExpiry",
       COALESCE(est.periods, 0) + 1 AS "withoutReading") f)
   SELECT d."accountId", d.service, d.id, d.zone, d.kind::"ChargeKind",
          CASE d.kind
            WHEN 'recalculation' THEN COALESCE(d.consumed, 0) - COALESCE(d."estimatedVolume", 0)
            WHEN 'metered' THEN COALESCE(d.consumed, 0)
            WHEN 'average' THEN d.average
            ELSE round(d.normative * d.residents, 3)
          END,
          CASE WHEN d.kind = 'normative' AND d.expired THEN COALESCE(d."coefficientInForce", 1) ELSE 1 END,
          d.priced, d."readingId",
          jsonb_strip_nulls(jsonb_build_object(
            'rule', CASE
              WHEN d.kind = 'recalculation' THEN 'reading_after_estimates'
              WHEN d.kind = 'metered' THEN 'reading'
              WHEN d.expired THEN CASE d.kind WHEN 'average' THEN 'verification_expired_average' ELSE 'verification_expired_normative' END
              WHEN d.kind = 'average' THEN 'no_reading_average'
              ELSE 'no_reading_normative' END,
            'readingId', d."readingId", 'lastActualPeriod', to_char(d."lastActual", 'YYYY-MM'),
            'estimatedPeriods', d.estimated, 'estimatedVolume', d."estimatedVolume"::text,
            'average', CASE WHEN d.kind = 'average' THEN d.average::text END, 'averageMonths', CASE WHEN d.kind = 'average' THEN d."averageMonths" END,
            'periodsWithoutReading', CASE WHEN d."readingId" IS NULL THEN d."withoutReading" END,
            'verificationDueAt', CASE WHEN d.expired THEN to_char(d."verificationDueAt", 'YYYY-MM-DD') END,
            'residents', CASE WHEN d.kind = 'normative' THEN d.residents END, 'normative', CASE WHEN d.kind = 'normative' THEN d.normative::text END))
   FROM decided d
   -- A normative is per premises, not per zone: it goes on T1 alone.
   WHERE NOT (d.kind = 'normative' AND d.zone <> 'T1')`,
  // Metered services without a meter where one can be installed: normative × residents × coefficient,
  // or the residents × a price per resident.
  `INSERT INTO bill_quantity
   SELECT a.id, s.service, NULL, 'T1',
          CASE WHEN pr.service IS NULL THEN 'normative' ELSE 'per_resident' END::"ChargeKind",
          CASE WHEN pr.service IS NULL THEN round(nrm.quantity * a."residentsCount", 3) ELSE a."residentsCount" END,
          CASE WHEN pr.service IS NULL THEN COALESCE(coef.value, 1) ELSE 1 END, true, NULL,
          CASE WHEN pr.service IS NULL THEN jsonb_strip_nulls(jsonb_build_object('rule', 'no_meter', 'residents', a."residentsCount", 'normative', nrm.quantity::text))
               ELSE jsonb_build_object('rule', 'per_resident', 'residents', a."residentsCount") END,
          CASE WHEN pr.service IS NULL THEN 'metered' ELSE 'per_resident' END::"TariffBasis"
   FROM account a
   CROSS JOIN LATERAL unnest(a.services) AS s(service)
   LEFT JOIN normative nrm ON nrm."supplierId" = a."supplierId" AND nrm.service = s.service AND nrm.basis = 'per_resident'
     AND nrm."effectiveFrom" <= $2::date AND (nrm."effectiveTo" IS NULL OR nrm."effectiveTo" >= $2::date)
   LEFT JOIN increasing_coefficient coef ON coef.service = s.service AND coef."effectiveFrom" <= $2::date AND (coef."effectiveTo" IS NULL OR coef."effectiveTo" >= $2::date)
   LEFT JOIN bill_basis pr ON pr.service = s.service AND pr.basis = 'per_resident'
   WHERE a."supplierId" = $1::uuid AND a.status = 'active' AND s.service IN ('cold_water', 'hot_water', 'electricity', 'gas')
     AND NOT EXISTS (SELECT 1 FROM meter m WHERE m."accountId" = a.id AND m.service = s.service AND m.status = 'active')`,
  // Heating per m²: area × normative, or the area × a price per m².
  `INSERT INTO bill_quantity
   SELECT a.id, 'heat', NULL, 'T1',
          CASE WHEN pa.service IS NULL THEN 'normative' ELSE 'per_area' END::"ChargeKind",
          CASE WHEN pa.service IS NULL THEN round(a."areaM2" * nrm.quantity, 3) ELSE a."areaM2" END, 1, true, NULL,
          CASE WHEN pa.service IS NULL THEN jsonb_strip_nulls(jsonb_build_object('rule', 'heating_per_area', 'areaM2', a."areaM2"::text, 'normative', nrm.quantity::text))
               ELSE jsonb_strip_nulls(jsonb_build_object('rule', 'per_area', 'areaM2', a."areaM2"::text)) END,
          CASE WHEN pa.service IS NULL THEN 'metered' ELSE 'per_area' END::"TariffBasis"
   FROM account a
   LEFT JOIN normative nrm ON nrm."supplierId" = a."supplierId" AND nrm.service = 'heat' AND nrm.basis = 'per_area'
     AND nrm."effectiveFrom" <= $2::date AND (nrm."effectiveTo" IS NULL OR nrm."effectiveTo" >= $2::date)
   LEFT JOIN bill_basis pa ON pa.service = 'heat' AND pa.basis = 'per_area'
   WHERE a."supplierId" = $1::uuid AND a.status = 'active' AND 'heat' = ANY (a.services)`,
  // Monthly fees, beside the consumption.
  `INSERT INTO bill_quantity
   SELECT a.id, s.service, NULL, 'T1', 'fixed', 1, 1, true, NULL, jsonb_build_object('rule', 'fixed_fee'), 'fixed'
   FROM account a CROSS JOIN LATERAL unnest(a.services) AS s(service) JOIN bill_basis f ON f.service = s.service AND f.basis = 'fixed'
   WHERE a."supplierId" = $1::uuid AND a.status = 'active'`,
  // Wastewater on the cold and hot water volumes.
  `INSERT INTO bill_quantity
   SELECT q."accountId", 'wastewater', NULL, 'T1',
          CASE WHEN bool_and(q.kind IN ('metered', 'recalculation')) THEN 'metered' WHEN bool_or(q.kind = 'normative') THEN 'normative' ELSE 'average' END::"ChargeKind",
          sum(q.quantity), 1, true, NULL,
          jsonb_build_object('rule', 'wastewater_on_water_volumes', 'from', jsonb_agg(jsonb_build_object('service', q.service, 'kind', q.kind, 'quantity', q.quantity::text) ORDER BY q.service))
   FROM bill_quantity q JOIN account a ON a.id = q."accountId"
   WHERE q.service IN ('cold_water', 'hot_water') AND q."tariffBasis" = 'metered' AND 'wastewater' = ANY (a.services)
   GROUP BY q."accountId"
   HAVING bool_and(q.quantity IS NOT NULL)`,
]

/**
 * What a run must price: from the register before it starts (the basis is not known yet: a version
 * of any basis counts), or from its computed quantities (each with the basis of its price).
 */
const NEEDED = {
  register: `
    SELECT DISTINCT s.service, 'T1' AS zone, NULL::"TariffBasis" AS basis FROM account a CROSS JOIN LATERAL unnest(a.services) AS s(service)
    WHERE a."supplierId" = $1::uuid AND a.status = 'active'
    UNION
    SELECT DISTINCT m.service, z.zone, NULL::"TariffBasis" FROM meter m JOIN account a ON a.id = m."accountId"
    CROSS JOIN LATERAL unnest((ARRAY['T1', 'T2', 'T3'])[1:m.zones]) AS z(zone)
    WHERE a."supplierId" = $1::uuid AND a.status = 'active' AND m.status = 'active' AND m.service = ANY (a.services)`,
  // A monthly fee in force on some days of the period is charged for those days alone.
  quantities: `SELECT DISTINCT service, zone, "tariffBasis" AS basis FROM bill_quantity WHERE priced AND quantity IS NOT NULL AND "tariffBasis" <> 'fixed'`,
}

/** The (service, zone, basis) to price whose tariff versions leave days of the period uncovered. */
export async function uncoveredTariffs(db: Tx, supplierId: string, period: string, needed: keyof typeof NEEDED) {
  return db.query<{ service: string; zone: string; basis: string | null; days: number }>(
    `WITH span AS (SELECT $2::date AS d0, ($2::date + interval '1 month' - interval '1 day')::date AS d1),
     need AS (${NEEDED[needed]}),
     covered AS (
       SELECT need.service, need.zone, need.basis, span.d1 - span.d0 + 1 AS "periodDays", count(DISTINCT day.d)::int AS days
       FROM need CROSS JOIN span
       LEFT JOIN tariff t ON t."supplierId" = $1::uuid AND t.service = need.service AND t.zone = need.zone AND (need.basis IS NULL OR t.basis = need.basis)
         AND t."effectiveFrom" <= span.d1 AND (t."effectiveTo" IS NULL OR t."effectiveTo" >= span.d0)
       LEFT JOIN LATERAL generate_series(greatest(t."effectiveFrom", span.d0), least(COALESCE(t."effectiveTo", span.d1), span.d1), interval '1 day') AS day(d) ON t.id IS NOT NULL
       GROUP BY need.service, need.zone, need.basis, span.d0, span.d1)
     SELECT service::text, zone, basis::text, days FROM covered WHERE days < "periodDays" ORDER BY service, zone, basis`,
    [supplierId, `${period}-01`],
  )
}

/**
 * Priced lines: each quantity split over the versions in force by their days, rounded running
 * totals. The versions' running days are the same for every quantity of a service, zone and basis,
 * so they are counted once, in the small table of versions, and each quantity meets them by a join.
 */
const PRICE = (newId: string) => `
  INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, "tariffId", "runId", "meterId", zone, coefficient, unit, basis)
  SELECT ${newId}, q."accountId", $2::date, q.service, q.kind, s.share, v.price, round(s.share * q.coefficient * v.price, 2),
         v.id, $4::uuid, q."meterId", q.zone, q.coefficient, v.unit,
         q.basis || CASE WHEN v.versions > 1 OR v.days < $3::date - $2::date + 1 THEN jsonb_build_object('tariffDays', v.days, 'periodDays', $3::date - $2::date + 1) ELSE '{}'::jsonb END
  FROM bill_quantity q
  JOIN (
    SELECT t.service, t.zone, t.basis, t.id, t.price, t.unit, d.days, sum(d.days) OVER w - d.days AS before,
           count(*) OVER (PARTITION BY t.service, t.zone, t.basis) AS versions
    FROM tariff t
    CROSS JOIN LATERAL (SELECT least(COALESCE(t."effectiveTo", $3::date), $3::date) - greatest(t."effectiveFrom", $2::date) + 1 AS days) d
    WHERE t."supplierId" = $1::uuid AND t."effectiveFrom" <= $3::date AND (t."effectiveTo" IS NULL OR t."effectiveTo" >= $2::date)
    WINDOW w AS (PARTITION BY t.service, t.zone, t.basis ORDER BY t."effectiveFrom" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) v
    ON v.service = q.service AND v.zone = q.zone AND v.basis = q."tariffBasis"
  CROSS JOIN LATERAL (
    SELECT round(q.quantity * (v.before + v.days) / ($3::date - $2::date + 1), 3) - round(q.quantity * v.before / ($3::date - $2::date + 1), 3) AS share) s
  WHERE q.priced AND q.quantity IS NOT NULL`

type Tally = { kind: string; lines: number; amount: string } | { service: string; lines: number; amount: string }

export interface RunProblem {
  accountNumber: string
  /** Null for a penalty problem: a penalty is on the account, not on a service. */
  service: string | null
  code: 'area_missing' | 'normative_missing' | 'key_rate_missing'
}

/** Clears the period's computed lines and computes them again; returns what the run did. */
export async function computeCharges(tx: Tx, supplierId: string, period: string, runId: string) {
  const first = `${period}-01`
  const last = (await tx.sql<{ last: string }>`SELECT to_char((${first}::date + interval '1 month' - interval '1 day')::date, 'YYYY-MM-DD') AS last`)[0]!.last
  const timings: Record<string, number> = {}
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    const result = await work()
    timings[name] = Math.round(performance.now() - started)
    return result
  }
  // Sorts and hashes of a whole register in memory rather than in temporary files.
  await tx.query(`SET LOCAL work_mem = '256MB'`)
  // Index probes cost little more than sequential reads on the SSDs a database runs on; at the
  // default (4) the planner reads the whole readings table to update the few the run used.
  await tx.query(`SET LOCAL random_page_cost = 1.1`)
  // The lines refer to tariff versions without a foreign key (see the migration
  // charge_references_by_statement): hold them until commit, as the key would, so that no version
  // the run prices can be deleted under it.
  await tx.query(`SELECT 1 FROM tariff WHERE "supplierId" = $1::uuid FOR KEY SHARE`, [supplierId])
  await step('clear', () =>
    tx.query(`DELETE FROM charge c USING account a WHERE c."accountId" = a.id AND a."supplierId" = $1::uuid AND c.period = $2::date AND c."runId" IS NOT NULL`, [supplierId, first]),
  )
  await step('quantities', async () => {
    for (const statement of QUANTITIES) await tx.query(statement, [supplierId, first].slice(0, statement.includes('$2') ? 2 : statement.includes('$1') ? 1 : 0))
    // Temporary tables are never analyzed on their own: without counts the planner takes the
    // quantities for a handful of rows and plans the pricing and the readings' update for that.
    await tx.query('ANALYZE bill_quantity')
  })
  const uncovered = await uncoveredTariffs(tx, supplierId, period, 'quantities')
  if (uncovered.length) return { uncovered }
  const newId = await newIdFunction(tx)
  await step('price', () => tx.query(PRICE(newId), [supplierId, first, last, runId]))
  const penalties = await step('penalties', () => chargePenalties(tx, supplierId, first, last, runId, HOUSING_CODE_RULES, newId))
  await step('readings', () =>
    tx.query(`UPDATE reading SET status = 'billed' WHERE id IN (SELECT "readingId" FROM bill_quantity WHERE "readingId" IS NOT NULL) AND status = 'accepted'`),
  )
  const problems = await tx.query<RunProblem>(
    `SELECT a.number AS "accountNumber", q.service::text AS service,
            CASE WHEN q.service = 'heat' AND a."areaM2" IS NULL THEN 'area_missing' ELSE 'normative_missing' END AS code
     FROM bill_quantity q JOIN account a ON a.id = q."accountId" WHERE q.quantity IS NULL ORDER BY a.number, q.service LIMIT 1000`,
  )
  for (const accountNumber of penalties.rateMissing) problems.push({ accountNumber, service: null, code: 'key_rate_missing' })
  // One scan of the run's lines for every tally (charge has no index on the run: it would cost
  // every insert more than this read).
  const [totals] = await tx.query<{ accounts: number; lines: number; amount: string; byKind: Tally[]; byService: Tally[] }>(
    `WITH l AS MATERIALIZED (SELECT "accountId", kind::text AS kind, service::text AS service, amount FROM charge WHERE "runId" = $1::uuid)
     SELECT count(DISTINCT "accountId")::int AS accounts, count(*)::int AS lines, COALESCE(sum(amount), 0)::text AS amount,
            COALESCE((SELECT json_agg(k ORDER BY k.kind) FROM (SELECT kind, count(*)::int AS lines, sum(amount)::text AS amount FROM l GROUP BY kind) k), '[]') AS "byKind",
            COALESCE((SELECT json_agg(v ORDER BY v.service) FROM (SELECT service, count(*)::int AS lines, sum(amount)::text AS amount FROM l
                      WHERE service IS NOT NULL GROUP BY service) v), '[]') AS "byService"
     FROM l`,
    [runId],
  )
  const { byKind, byService, ...counts } = totals!
  return { summary: { ...counts, byKind, byService, problems, timingsMs: timings } }
}
