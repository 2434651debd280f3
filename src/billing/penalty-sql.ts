import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import type { PenaltyRules } from './penalties.ts'

/**
 * The penalty lines of a run, set-based: the rule of `penalties.ts` (which is its specification,
 * and a differential test holds the two together) for every account of the supplier at once.
 *
 * Each run charges the penalty owed as of the last day of its period, all history included, less
 * the penalty lines of earlier periods (computed or imported). A later payment, a key-rate change
 * or a corrected debt is thus trued up by the next run, and a closed period is never touched. The
 * line may be negative when the whole delay of an amount is re-rated at a lower key rate.
 *
 * What the rule runs on:
 * - debts: each period's lines other than penalties, due on the supplier's due day of the next
 *   month (the last day of a shorter month); a positive opening balance is the oldest debt and
 *   carries no penalty (its age is not known), so it takes the first payments;
 * - payments: settled ones by their local date in the supplier's time zone, less what was later
 *   refunded of them (a refund is never a debt of its own, so the line stays monotonic); a negative opening
 *   balance or a period whose net is negative (recalculations) is a credit like a payment;
 * - allocation oldest due date first: every account's debts and payments laid on one line of
 *   cumulative amounts; each stretch between two consecutive ends belongs to one debt and one
 *   payment day (or to nothing paid yet), numbered by counting the ends before it in one ascending
 *   pass — no join of every debt with every payment.
 *
 * $1 supplier, $2 first day of the period, $3 its last day (the day of the calculation), $4 run,
 * $5..$10 the rules: grace days, first divisor, first day at the second divisor, second divisor,
 * the cap's end and percent.
 */
const PENALTIES = (newId: string) => `
  WITH sup AS (SELECT "paymentDueDay" AS "dueDay", "timeZone" AS tz FROM supplier WHERE id = $1::uuid),
  acc AS (SELECT id, "openingBalance" AS opening FROM account WHERE "supplierId" = $1::uuid AND status = 'active'),
  per AS (
    SELECT c."accountId", c.period,
           sum(c.amount) FILTER (WHERE c.kind <> 'penalty') AS amount, sum(c.amount) FILTER (WHERE c.kind = 'penalty') AS penalties
    FROM charge c JOIN acc ON acc.id = c."accountId"
    WHERE c.period < $2::date
    GROUP BY c."accountId", c.period),
  debt AS (
    SELECT d.*, sum(d.amount) OVER w AS hi, row_number() OVER w AS no
    FROM (
      SELECT id AS "accountId", NULL::date AS period, NULL::date AS due, opening AS amount FROM acc WHERE opening > 0
      UNION ALL
      SELECT per."accountId", per.period,
             (per.period + interval '1 month')::date
               + least(sup."dueDay", extract(day FROM per.period + interval '2 months' - interval '1 day')::int) - 1,
             per.amount
      FROM per CROSS JOIN sup WHERE per.amount > 0) d
    WINDOW w AS (PARTITION BY d."accountId" ORDER BY d.due NULLS FIRST)),
  paid AS (
    SELECT "accountId", day, sum(amount) OVER w AS hi, row_number() OVER w AS no
    FROM (
      SELECT p."accountId", p.day, sum(p.amount) AS amount
      FROM (
        SELECT pay."accountId", (pay."paidAt" AT TIME ZONE sup.tz)::date AS day, pay.amount - pay."refundedAmount" AS amount
        FROM payment pay JOIN acc ON acc.id = pay."accountId" CROSS JOIN sup
        WHERE pay.status IN ('succeeded', 'refunded') AND pay.amount > pay."refundedAmount"
          AND pay."paidAt" < ($3::date + 1)::timestamp AT TIME ZONE sup.tz
        UNION ALL
        SELECT id, DATE '1900-01-01', -opening FROM acc WHERE opening < 0
        UNION ALL
        SELECT "accountId", period, -amount FROM per WHERE amount < 0) p
      GROUP BY p."accountId", p.day) daily
    WINDOW w AS (PARTITION BY "accountId" ORDER BY day)),
  ends AS (
    SELECT "accountId", pos, bool_or(debt) AS "debtEnd", bool_or(NOT debt) AS "paidEnd"
    FROM (SELECT "accountId", hi AS pos, true AS debt FROM debt UNION ALL SELECT "accountId", hi, false FROM paid) e
    GROUP BY "accountId", pos),
  -- The stretch that ends at pos belongs to the debt (payment day) whose end is the first at or
  -- after pos: its number is the count of ends before pos, plus one.
  stretch AS (
    SELECT "accountId", pos - lag(pos, 1, 0::numeric) OVER w AS amount,
           count(*) FILTER (WHERE "debtEnd") OVER w + CASE WHEN "debtEnd" THEN 0 ELSE 1 END AS "debtNo",
           count(*) FILTER (WHERE "paidEnd") OVER w + CASE WHEN "paidEnd" THEN 0 ELSE 1 END AS "paidNo"
    FROM ends
    WINDOW w AS (PARTITION BY "accountId" ORDER BY pos)),
  part AS (
    SELECT s."accountId", d.period, d.due, p.day AS "paidOn", s.amount, COALESCE(p.day, $3::date) - d.due AS days
    FROM stretch s
    JOIN debt d ON d."accountId" = s."accountId" AND d.no = s."debtNo"
    LEFT JOIN paid p ON p."accountId" = s."accountId" AND p.no = s."paidNo"
    WHERE s.amount > 0 AND d.due IS NOT NULL),
  rate AS MATERIALIZED (
    SELECT "effectiveFrom" AS "from", lead("effectiveFrom") OVER (ORDER BY "effectiveFrom") AS until, percent FROM key_rate),
  priced AS (
    SELECT part.*, r.percent, f."firstDays", f."secondDays",
           div(2 * part.amount * 100 * r.percent * 100 * f."firstDays" + 10000 * $6::numeric, 2 * 10000 * $6::numeric)
             + div(2 * part.amount * 100 * r.percent * 100 * f."secondDays" + 10000 * $8::numeric, 2 * 10000 * $8::numeric) AS kopecks
    FROM part
    CROSS JOIN LATERAL (SELECT COALESCE(part."paidOn", $3::date) AS day) o
    LEFT JOIN LATERAL (
      SELECT CASE WHEN $9::date IS NOT NULL AND o.day < $9::date THEN least(k.percent, $10::numeric) ELSE k.percent END AS percent
      FROM rate k WHERE k."from" <= o.day AND (k.until IS NULL OR k.until > o.day)) r ON true
    CROSS JOIN LATERAL (SELECT
      greatest(0, least(part.days, $7::int - 1) - $5::int) AS "firstDays", greatest(0, part.days - ($7::int - 1)) AS "secondDays") f
    -- Within the grace days nothing is owed, and no key rate is needed.
    WHERE part.days > $5::int),
  total AS (
    SELECT "accountId", round(sum(kopecks) / 100, 2) AS amount, bool_or(percent IS NULL) AS "rateMissing",
           jsonb_agg(jsonb_build_object(
             'period', to_char(period, 'YYYY-MM'), 'dueDate', to_char(due, 'YYYY-MM-DD'), 'amount', amount::text,
             'paidOn', to_char("paidOn", 'YYYY-MM-DD'), 'days', days, 'percent', trim_scale(percent)::text, 'penalty', round(kopecks / 100, 2)::text)
             ORDER BY due, "paidOn" NULLS LAST) FILTER (WHERE kopecks > 0) AS parts
    FROM priced GROUP BY "accountId"),
  before AS (SELECT "accountId", sum(penalties) AS amount FROM per WHERE penalties IS NOT NULL GROUP BY "accountId"),
  line AS (
    SELECT COALESCE(t."accountId", b."accountId") AS "accountId", COALESCE(t.amount, 0) AS owed, COALESCE(b.amount, 0) AS charged,
           t.parts, COALESCE(t."rateMissing", false) AS "rateMissing"
    FROM total t FULL JOIN before b ON b."accountId" = t."accountId"),
  written AS (
    INSERT INTO charge (id, "accountId", period, kind, amount, "runId", basis)
    SELECT ${newId}, "accountId", $2::date, 'penalty', owed - charged, $4::uuid,
           jsonb_build_object('rule', 'housing_code_155_14', 'asOf', to_char($3::date, 'YYYY-MM-DD'),
             'owed', owed::numeric(14, 2)::text, 'chargedBefore', charged::numeric(14, 2)::text, 'parts', COALESCE(parts, '[]'::jsonb))
    FROM line
    WHERE owed <> charged AND NOT "rateMissing"
    RETURNING 1)
  SELECT (SELECT count(*)::int FROM written) AS lines,
         ARRAY(SELECT a.number FROM line JOIN account a ON a.id = line."accountId" WHERE line."rateMissing" ORDER BY a.number LIMIT 1000) AS "rateMissing"`

/**
 * Writes the run's penalty lines. Accounts whose delay falls on a day the key-rate table does not
 * cover get no line and are returned, so that the run reports them instead of guessing a rate.
 */
export async function chargePenalties(tx: Tx, supplierId: string, first: string, last: string, runId: string, rules: PenaltyRules, newId?: string) {
  const params = [supplierId, first, last, runId, rules.graceDays, rules.firstDivisor, rules.secondFromDay, rules.secondDivisor, rules.cap?.until ?? null, rules.cap?.percent ?? null]
  return (await tx.query<{ lines: number; rateMissing: string[] }>(PENALTIES(newId ?? (await newIdFunction(tx))), params))[0]!
}
