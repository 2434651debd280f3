/**
 * Which charges and payments count, and when: the ledger's SQL, run on pg straight (every balance
 * read passes here, so it skips Prisma's query pipeline). Sums are PostgreSQL numerics,
 * read as text and turned into kopecks without a float in between. Every function takes a
 * transaction client or the PrismaClient, so that billing and payments can post and read
 * inside their own unit of work.
 */
import type { Tx } from '../db/transaction.ts'
import { addMonths } from '../common/periods.ts'
import { toKopecks, type Kopecks } from '../common/money.ts'
import { Prisma, type Service } from '../generated/prisma/client.ts'
import type { LedgerSums, PeriodFlows } from './rules.ts'

export type Db = Tx

const PENDING = Prisma.sql`'pending'`

/**
 * The time of money in (or of a refund, out) on the supplier's wall clock: paid at 01:30 on
 * 1 September in Novosibirsk is a September payment, though UTC still says 31 August. Settled
 * money is read from the `ledger_payment` view (settled payments, refunds as reversals).
 */
function localPaidAt(timeZone: string): Prisma.Sql {
  return Prisma.sql`(pay."at" AT TIME ZONE ${timeZone})`
}

/** A month boundary in the supplier's calendar: everything before its first day. */
export interface Before {
  /** The first day of a period, YYYY-MM-01. */
  date: string
  timeZone: string
}

/**
 * The sums of each account's ledger: all of it, or what is dated before `before` (charges by
 * their period, payments by their local date). Accounts that do not exist are absent.
 */
export async function ledgerSums(db: Db, accountIds: string[], before?: Before): Promise<Map<string, LedgerSums>> {
  if (accountIds.length === 0) return new Map()
  const chargeCut = before ? Prisma.sql`AND ch.period < ${before.date}::date` : Prisma.empty
  const paymentCut = before ? Prisma.sql`AND ${localPaidAt(before.timeZone)} < ${before.date}::date` : Prisma.empty
  const pendingCut = before ? Prisma.sql`AND (pending."paidAt" AT TIME ZONE ${before.timeZone}) < ${before.date}::date` : Prisma.empty
  const rows = await db.query<{ id: string; carriedIn: string; charged: string; settled: string; pending: string }>(Prisma.sql`
    SELECT a.id, a."openingBalance"::text AS "carriedIn",
           COALESCE(c.total, 0)::text AS charged, COALESCE(p.settled, 0)::text AS settled, COALESCE(q.pending, 0)::text AS pending
    FROM account a
    LEFT JOIN LATERAL (SELECT sum(ch.amount) AS total FROM charge ch WHERE ch."accountId" = a.id ${chargeCut}) c ON true
    LEFT JOIN LATERAL (SELECT sum(pay.amount) AS settled FROM ledger_payment pay WHERE pay."accountId" = a.id ${paymentCut}) p ON true
    LEFT JOIN LATERAL (
      SELECT sum(pending.amount) AS pending FROM payment pending
      WHERE pending."accountId" = a.id AND pending.status = ${PENDING} ${pendingCut}) q ON true
    WHERE a.id = ANY(${accountIds}::uuid[])`)
  return new Map(
    rows.map((row) => [
      row.id,
      { carriedIn: toKopecks(row.carriedIn), charged: toKopecks(row.charged), settled: toKopecks(row.settled), pending: toKopecks(row.pending) },
    ]),
  )
}

export interface PendingPayment {
  id: string
  accountId: string
  amount: Kopecks
  paidAt: Date
  provider: string
}

/** Payments awaiting settlement, oldest first. */
export async function pendingPayments(db: Db, accountIds: string[]): Promise<PendingPayment[]> {
  if (accountIds.length === 0) return []
  const rows = await db.query<{ id: string; accountId: string; amount: string; paidAt: Date; provider: string }>(Prisma.sql`
    SELECT pay.id, pay."accountId", pay.amount::text AS amount, pay."paidAt", pay.provider
    FROM payment pay
    WHERE pay."accountId" = ANY(${accountIds}::uuid[]) AND pay.status = ${PENDING}
    ORDER BY pay."paidAt", pay.id`)
  return rows.map((row) => ({ ...row, amount: toKopecks(row.amount) }))
}

/**
 * What moved on one account in the periods `from`..`to` (YYYY-MM): charges by period and
 * service, penalties, settled payments by the local month they were paid in. Periods without movement are absent.
 */
export async function periodFlows(db: Db, accountId: string, from: string, to: string, timeZone: string): Promise<Map<string, PeriodFlows<Service>>> {
  const first = `${from}-01`
  const until = `${addMonths(to, 1)}-01`
  const rows = await db.query<{ period: string; what: 'charge' | 'penalty' | 'payment'; service: Service | null; amount: string }>(Prisma.sql`
    SELECT to_char(ch.period, 'YYYY-MM') AS period, CASE WHEN ch.kind = 'penalty' THEN 'penalty' ELSE 'charge' END AS what,
           ch.service::text AS service, sum(ch.amount)::text AS amount
    FROM charge ch
    WHERE ch."accountId" = ${accountId}::uuid AND ch.period >= ${first}::date AND ch.period < ${until}::date
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT to_char(${localPaidAt(timeZone)}, 'YYYY-MM'), 'payment', NULL, sum(pay.amount)::text
    FROM ledger_payment pay
    WHERE pay."accountId" = ${accountId}::uuid
      AND ${localPaidAt(timeZone)} >= ${first}::date AND ${localPaidAt(timeZone)} < ${until}::date
    GROUP BY 1
    ORDER BY 1, 2, 3`)
  const flows = new Map<string, PeriodFlows<Service>>()
  for (const row of rows) {
    const flow = flows.get(row.period) ?? { charges: [], penalties: 0n, payments: 0n }
    if (row.what === 'payment') flow.payments = toKopecks(row.amount)
    else if (row.what === 'penalty') flow.penalties = toKopecks(row.amount)
    else flow.charges.push({ service: row.service!, amount: toKopecks(row.amount) })
    flows.set(row.period, flow)
  }
  return flows
}
