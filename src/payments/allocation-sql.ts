import type { Tx } from '../db/transaction.ts'

/**
 * allocation.ts for many accounts at once, set-based: the debts (the `invoice_item` view: each
 * receipt's principal and penalties) and the money (the `allocatable_payment` view: settled
 * payments net of refunds, from the first receipt's period on) laid on one
 * cumulative line per account; each payment takes the overlap of its stretch with each debt's,
 * and what lies beyond every debt is credit. What is stored already is subtracted, and only the
 * differences are inserted: running it again changes nothing, and a refund, a later receipt or
 * an earlier payment imported afterwards moves money by new entries.
 *
 * The accounts are locked first, in one statement of their own, so that two settlements on one
 * account allocate one after the other, and the second reads what the first wrote.
 */
export async function allocatePayments(tx: Tx, accountIds: string[], options: { penaltiesFirst: boolean; at: Date }): Promise<number> {
  if (accountIds.length === 0) return 0
  const ids = [...new Set(accountIds)].sort()
  // NO KEY UPDATE: allocations of one account wait for each other, while rows that merely refer to
  // the account (a payment, a reading: their foreign-key checks share its key) are not held up.
  await tx.query(`SELECT 1 FROM account WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`, [ids])
  const rows = await tx.query<{ n: number }>(ALLOCATE, [ids, options.penaltiesFirst, options.at])
  return rows[0]?.n ?? 0
}

const NO_INVOICE = `'00000000-0000-0000-0000-000000000000'::uuid`

const ALLOCATE = `
  WITH acc AS (SELECT unnest($1::uuid[]) AS id),
  items AS (
    SELECT d."accountId", d."invoiceId", d.part, d.amount, sum(d.amount) OVER w AS hi
    FROM (
      SELECT it."accountId", it."invoiceId", it.period, 'principal' AS part, it.principal AS amount, CASE WHEN $2::boolean THEN 1 ELSE 0 END AS ord
      FROM invoice_item it JOIN acc ON acc.id = it."accountId" WHERE it.principal > 0
      UNION ALL
      SELECT it."accountId", it."invoiceId", it.period, 'penalty', it.penalty, CASE WHEN $2::boolean THEN 0 ELSE 1 END
      FROM invoice_item it JOIN acc ON acc.id = it."accountId" WHERE it.penalty > 0) d
    WINDOW w AS (PARTITION BY d."accountId" ORDER BY d.period, d.ord)),
  debt AS (SELECT "accountId", max(hi) AS total FROM items GROUP BY 1),
  money AS (
    SELECT p."accountId", p.id AS "paymentId", p.amount, sum(p.amount) OVER (PARTITION BY p."accountId" ORDER BY p."paidAt", p.id) AS hi
    FROM allocatable_payment p JOIN acc ON acc.id = p."accountId"),
  target AS (
    SELECT m."paymentId", m."accountId", i."invoiceId",
           sum(x.amount) FILTER (WHERE i.part = 'principal') AS principal, sum(x.amount) FILTER (WHERE i.part = 'penalty') AS penalty
    FROM money m
    JOIN items i ON i."accountId" = m."accountId" AND i.hi - i.amount < m.hi AND m.hi - m.amount < i.hi
    CROSS JOIN LATERAL (SELECT least(i.hi, m.hi) - greatest(i.hi - i.amount, m.hi - m.amount) AS amount) x
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT m."paymentId", m."accountId", NULL, m.hi - greatest(m.hi - m.amount, COALESCE(d.total, 0)), 0
    FROM money m LEFT JOIN debt d ON d."accountId" = m."accountId"
    WHERE m.hi > COALESCE(d.total, 0)),
  stored AS (
    SELECT a."paymentId", a."accountId", a."invoiceId", sum(a.principal) AS principal, sum(a.penalty) AS penalty
    FROM payment_allocation a JOIN acc ON acc.id = a."accountId"
    GROUP BY 1, 2, 3),
  delta AS (
    SELECT COALESCE(t."paymentId", s."paymentId") AS "paymentId", COALESCE(t."accountId", s."accountId") AS "accountId",
           COALESCE(t."invoiceId", s."invoiceId") AS "invoiceId",
           COALESCE(t.principal, 0) - COALESCE(s.principal, 0) AS principal, COALESCE(t.penalty, 0) - COALESCE(s.penalty, 0) AS penalty
    FROM target t
    FULL JOIN stored s ON s."paymentId" = t."paymentId" AND COALESCE(s."invoiceId", ${NO_INVOICE}) = COALESCE(t."invoiceId", ${NO_INVOICE})),
  written AS (
    INSERT INTO payment_allocation (id, "paymentId", "accountId", "invoiceId", principal, penalty, at)
    SELECT gen_random_uuid(), "paymentId", "accountId", "invoiceId", principal, penalty, $3::timestamptz
    FROM delta WHERE principal <> 0 OR penalty <> 0
    RETURNING 1)
  SELECT count(*)::int AS n FROM written`

/**
 * The supplier's accounts whose allocation may be out of date: money not (or no longer) fully
 * allocated — a payment imported, refunded or settled without one — and credit that a receipt
 * issued since may take.
 */
export async function accountsToAllocate(tx: Tx, supplierId: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `SELECT p."accountId" AS id
     FROM payment p JOIN account a ON a.id = p."accountId" AND a."supplierId" = $1::uuid
     LEFT JOIN allocatable_payment ap ON ap.id = p.id
     LEFT JOIN (SELECT "paymentId", sum(principal + penalty) AS total FROM payment_allocation GROUP BY 1) al ON al."paymentId" = p.id
     WHERE COALESCE(ap.amount, 0) <> COALESCE(al.total, 0)
     UNION
     SELECT al."accountId" FROM payment_allocation al JOIN account a ON a.id = al."accountId" AND a."supplierId" = $1::uuid
     WHERE al."invoiceId" IS NULL GROUP BY al."accountId" HAVING sum(al.principal + al.penalty) > 0`,
    [supplierId],
  )
  return rows.map((row) => row.id)
}
