import { utcIso } from '../db/utc-iso.ts'
import { Prisma } from '../generated/prisma/client.ts'

/**
 * The `data` of each event, built by PostgreSQL from the rows the change wrote (one statement for
 * one event or a million): each function returns the source `emitEvents` takes, rows of
 * `"supplierId"` and `data`. The members are the contract's (event-schemas.ts); a test checks
 * every emitted payload against its schema.
 */

const zones = (prefix: string, suffix = '') =>
  Prisma.raw(
    `jsonb_strip_nulls(jsonb_build_object('T1', ${prefix}"t1${suffix}"::text, 'T2', ${prefix}"t2${suffix}"::text, 'T3', ${prefix}"t3${suffix}"::text))`,
  )

export function readingEvents(readingIds: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT a."supplierId", jsonb_build_object(
      'readingId', r.id, 'accountId', a.id, 'accountNumber', a.number, 'meterId', m.id, 'meterSerialNumber', m."serialNumber",
      'service', m.service::text, 'period', to_char(r.period, 'YYYY-MM'), 'status', r.status::text, 'source', r.source::text,
      'values', ${zones('r.')},
      'consumption', CASE WHEN r."t1Consumption" IS NULL THEN NULL ELSE ${Prisma.raw(`jsonb_strip_nulls(jsonb_build_object('T1', r."t1Consumption"::text, 'T2', r."t2Consumption"::text, 'T3', r."t3Consumption"::text))`)} END,
      'flags', to_jsonb(r.flags), 'supersedesId', r."supersedesId", 'takenAt', ${utcIso('r."takenAt"')}) AS data
    FROM reading r JOIN meter m ON m.id = r."meterId" JOIN account a ON a.id = r."accountId"
    WHERE r.id = ANY (${readingIds}::uuid[]) ORDER BY r.id`
}

/** Invoices issued by one issue (the supplier, period and moment name them), in number order. */
export function invoiceEvents(supplierId: string, period: string, issuedAt: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT i."supplierId", jsonb_build_object(
      'invoiceId', i.id, 'accountId', i."accountId", 'accountNumber', i."accountNumber", 'period', to_char(i.period, 'YYYY-MM'),
      'number', i.number, 'openingBalance', i."openingBalance"::text, 'payments', i.payments::text, 'charged', i.charged::text,
      'penalties', i.penalties::text, 'totalDue', i."totalDue"::text, 'dueDate', to_char(i."dueDate", 'YYYY-MM-DD'),
      'delivery', i.delivery::text, 'issuedAt', ${utcIso('i."issuedAt"')}) AS data
    FROM invoice i
    WHERE i."supplierId" = ${supplierId}::uuid AND i.period = ${`${period}-01`}::date AND i."issuedAt" = ${issuedAt}::timestamptz
    ORDER BY i.number`
}

const PAYMENT_DATA = Prisma.sql`'paymentId', p.id, 'accountId', a.id, 'accountNumber', a.number, 'amount', p.amount::text, 'currency', 'RUB',
  'provider', CASE WHEN p.provider LIKE 'bank:%' THEN 'bank' ELSE p.provider END, 'method', p.method, 'status', p.status::text,
  'paidAt', ${utcIso('p."paidAt"')}, 'refundedAmount', p."refundedAmount"::text`

export function paymentEvents(paymentIds: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT a."supplierId", jsonb_build_object(${PAYMENT_DATA}) AS data
    FROM payment p JOIN account a ON a.id = p."accountId"
    WHERE p.id = ANY (${paymentIds}::uuid[]) ORDER BY p."paidAt", p.id`
}

/** One refund of a payment: the payment as it stands after it, and the amount given back. */
export function refundEvent(paymentId: string, refund: string, refundedAt: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT a."supplierId", jsonb_build_object(${PAYMENT_DATA},
      'refund', jsonb_build_object('amount', ${refund}::numeric::text, 'refundedAt', ${utcIso(Prisma.sql`${refundedAt}::timestamptz`)})) AS data
    FROM payment p JOIN account a ON a.id = p."accountId"
    WHERE p.id = ${paymentId}::uuid`
}

/** A ticket as integrators see it (never its internal notes), with what changed. */
export function ticketEvent(ticketId: string, changes: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT t."supplierId", jsonb_build_object('ticketId', t.id, 'number', t.number::text, 'accountId', t."accountId", 'category', c.code,
      'status', t.status::text, 'subject', t.subject, 'changes', to_jsonb(${changes}::text[]), 'updatedAt', ${utcIso('t."updatedAt"')}) AS data
    FROM ticket t JOIN ticket_category c ON c.id = t."categoryId" WHERE t.id = ${ticketId}::uuid`
}

/** A login linked or unlinked an account; `linkedLogins` counts the logins linked after the change. */
export function accountLinkEvent(accountId: string, userId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT a."supplierId", jsonb_build_object('accountId', a.id, 'accountNumber', a.number, 'userId', ${userId}::uuid,
      'linkedLogins', (SELECT count(*) FROM user_account ua WHERE ua."accountId" = a.id)) AS data
    FROM account a WHERE a.id = ${accountId}::uuid`
}
