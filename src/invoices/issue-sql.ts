import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import { emitEvents } from '../webhooks/events.ts'
import { invoiceEvents } from '../webhooks/payloads.ts'

/**
 * Who a receipt mail may go to (`u`: the user who linked the account). Issuing marks an invoice
 * electronic only when someone passes it, and delivery mails exactly those: one rule, so an
 * electronic invoice always has a recipient.
 */
export const RECEIPT_RECIPIENT = `u.email IS NOT NULL AND u."emailConfirmedAt" IS NOT NULL AND u."deletedAt" IS NULL`

/** The job closing a period queues: it issues the period's invoices (invoices/issuing.ts). */
export const ISSUE_INVOICES_TASK = 'invoices:issue'

/**
 * Issuing a closed period's invoices, set-based: every account of the supplier in one INSERT ...
 * SELECT, numbered in one go from the supplier's counter. The figures are the ledger's (see
 * ledger/queries.ts): charges by period, settled payments by the local date they were paid on.
 * - opening balance: the register's carried-in debt, plus the lines of earlier periods, minus
 *   the payments dated before the period;
 * - payments: settled payments dated in the period;
 * - lines: the period's lines per service, kind, zone, unit and tariff, penalties last;
 * - total due: opening − payments + charged + penalties (a CHECK holds it, and another holds the
 *   lines to the charged and penalty sums).
 * An account gets an invoice when it has lines in the period or owes (or is owed) something.
 * It is delivered electronically when the account asked for that and someone with a confirmed
 * address has linked it; on paper (the print batch) otherwise, so that no receipt goes nowhere.
 */
const ISSUE = (newId: string) => `
WITH mailable AS (
  SELECT DISTINCT ua."accountId" FROM user_account ua JOIN "user" u ON u.id = ua."userId"
  JOIN account a ON a.id = ua."accountId" AND a."supplierId" = $1::uuid AND a."receiptDelivery" = 'electronic'
  WHERE ${RECEIPT_RECIPIENT}),
acc AS MATERIALIZED (
  SELECT a.id, a.number, a."holderSurname", a."holderGivenNames", a.address, a."openingBalance",
    CASE WHEN m."accountId" IS NULL THEN 'paper' ELSE 'electronic' END::"ReceiptDelivery" AS delivery
  FROM account a LEFT JOIN mailable m ON m."accountId" = a.id WHERE a."supplierId" = $1::uuid),
grouped AS (
  SELECT c."accountId", c.service, c.kind, c.zone, c.unit, c.tariff, sum(c.quantity) AS quantity, sum(c.amount) AS amount
  FROM charge c JOIN acc ON acc.id = c."accountId"
  WHERE c.period = $2::date
  GROUP BY 1, 2, 3, 4, 5, 6),
lines AS (
  SELECT "accountId",
    jsonb_agg(jsonb_build_object('service', service, 'kind', kind, 'zone', zone, 'quantity', quantity::text, 'unit', unit,
      'tariff', tariff::text, 'amount', amount::text) ORDER BY kind = 'penalty', service, kind, zone, tariff) AS lines,
    COALESCE(sum(amount) FILTER (WHERE kind <> 'penalty'), 0) AS charged,
    COALESCE(sum(amount) FILTER (WHERE kind = 'penalty'), 0) AS penalties
  FROM grouped GROUP BY "accountId"),
earlier AS (
  SELECT c."accountId", sum(c.amount) AS amount
  FROM charge c JOIN acc ON acc.id = c."accountId"
  WHERE c.period < $2::date
  GROUP BY 1),
paid AS (
  SELECT p."accountId",
    COALESCE(sum(p.amount) FILTER (WHERE (p.at AT TIME ZONE $3) < $2::date), 0) AS earlier,
    COALESCE(sum(p.amount) FILTER (WHERE (p.at AT TIME ZONE $3) >= $2::date), 0) AS during
  FROM ledger_payment p JOIN acc ON acc.id = p."accountId"
  WHERE (p.at AT TIME ZONE $3) < $2::date + interval '1 month'
  GROUP BY 1),
due AS (
  SELECT acc.*, COALESCE(l.lines, '[]'::jsonb) AS lines, COALESCE(l.charged, 0) AS charged, COALESCE(l.penalties, 0) AS penalties,
    acc."openingBalance" + COALESCE(e.amount, 0) - COALESCE(p.earlier, 0) AS opening, COALESCE(p.during, 0) AS payments,
    l."accountId" IS NOT NULL AS "hasLines"
  FROM acc LEFT JOIN lines l ON l."accountId" = acc.id LEFT JOIN earlier e ON e."accountId" = acc.id LEFT JOIN paid p ON p."accountId" = acc.id)
INSERT INTO invoice (id, "supplierId", "accountId", period, number, "requisitesId", "runId", "accountNumber", "holderSurname", "holderGivenNames", address, lines,
  "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt")
SELECT ${newId}, $1::uuid, d.id, $2::date, $4::int + row_number() OVER (ORDER BY d.number)::int, $5::uuid, $6::uuid, d.number,
  d."holderSurname", d."holderGivenNames", d.address, d.lines,
  d.opening, d.payments, d.charged, d.penalties, d.opening - d.payments + d.charged + d.penalties, $7::date, d.delivery, $8::timestamptz
FROM due d
WHERE d."hasLines" OR d.opening - d.payments <> 0`

export interface IssueInput {
  supplierId: string
  /** YYYY-MM */
  period: string
  runId: string | null
  timeZone: string
  /** YYYY-MM-DD in the supplier's calendar. */
  dueDate: string
  issuedAt: Date
}

/**
 * Issues the period's invoices inside the caller's transaction: a snapshot of the supplier's
 * requisites, then the invoices, numbered on from the supplier's counter (locked until commit,
 * so two issues of one supplier number one after the other, without gaps or repeats).
 */
export async function issueInvoices(tx: Tx, input: IssueInput): Promise<{ issued: number; paper: number; requisitesId: string; firstNumber: number }> {
  const newId = await newIdFunction(tx)
  const [requisites] = await tx.query<{ id: string }>(
    `INSERT INTO invoice_requisites (id, "supplierId", name, inn, kpp, "bankName", bik, "settlementAccount", "correspondentAccount")
     SELECT ${newId}, s.id, s.name, s.inn, s.kpp, s."bankName", s.bik, s."settlementAccount", s."correspondentAccount" FROM supplier s WHERE s.id = $1::uuid
     RETURNING id`,
    [input.supplierId],
  )
  await tx.sql`INSERT INTO invoice_counter ("supplierId") VALUES (${input.supplierId}::uuid) ON CONFLICT DO NOTHING`
  // Locked here, read in the statements after: they see the number the previous issuer committed.
  await tx.sql`SELECT 1 FROM invoice_counter WHERE "supplierId" = ${input.supplierId}::uuid FOR UPDATE`
  const [counter] = await tx.sql<{ last: number }>`SELECT last FROM invoice_counter WHERE "supplierId" = ${input.supplierId}::uuid`
  await tx.query(`SET LOCAL work_mem = '256MB'`)
  const rows = await tx.query<{ n: string; paper: string }>(
    `WITH issued AS (${ISSUE(newId)} RETURNING delivery) SELECT count(*)::text AS n, count(*) FILTER (WHERE delivery = 'paper')::text AS paper FROM issued`,
    [input.supplierId, `${input.period}-01`, input.timeZone, counter!.last, requisites!.id, input.runId, input.dueDate, input.issuedAt],
  )
  const issued = Number(rows[0]!.n)
  await tx.sql`UPDATE invoice_counter SET last = last + ${issued}::int WHERE "supplierId" = ${input.supplierId}::uuid`
  if (issued > 0) await emitEvents(tx, 'invoice.issued', input.issuedAt, invoiceEvents(input.supplierId, input.period, input.issuedAt))
  return { issued, paper: Number(rows[0]!.paper), requisitesId: requisites!.id, firstNumber: counter!.last + 1 }
}
