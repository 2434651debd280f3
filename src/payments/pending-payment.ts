import { formatKopecks, type Kopecks } from '../common/money.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { addJob } from '../jobs/queue.ts'
import { balances } from '../ledger/service.ts'
import type { PaysFor } from './schemas.ts'

export const EXPIRE_PAYMENT_TASK = 'payments:expire'

/** What a payment pays for, frozen when it starts: the last receipt and the amount due then. */
export async function paysFor(tx: Tx, accountId: string): Promise<PaysFor> {
  const [last] = await tx.sql<{ id: string; number: number; period: string; totalDue: string }>`
    SELECT id, number, to_char(period, 'YYYY-MM') AS period, "totalDue"::text AS "totalDue"
    FROM invoice WHERE "accountId" = ${accountId}::uuid ORDER BY period DESC LIMIT 1`
  const { toPay } = (await balances(tx, [accountId])).get(accountId)!
  return { invoiceId: last?.id ?? null, invoiceNumber: last?.number ?? null, period: last?.period ?? null, totalDue: last?.totalDue ?? null, toPay }
}

export interface PendingPayment {
  id: string
  accountId: string
  amount: Kopecks
  provider: string
  userId: string
  returnUrl: string | null
  now: Date
  expiresAt: Date
  /** Who started it: the customer on the page, or the system for an autopay charge. */
  actor: 'customer' | 'system'
  autopayId: string | null
}

/**
 * A pending online payment (shown on the account at once), its first event and the job that
 * cancels it if it never settles, in the caller's transaction.
 */
export async function insertPendingPayment(tx: Tx, p: PendingPayment): Promise<void> {
  const frozen = await paysFor(tx, p.accountId)
  await tx.sql`
    INSERT INTO payment (id, "accountId", amount, status, provider, "paidAt", "userId", "paysFor", "returnUrl", "expiresAt", "autopayId", "createdAt", "updatedAt")
    VALUES (${p.id}::uuid, ${p.accountId}::uuid, ${formatKopecks(p.amount)}::numeric, 'pending', ${p.provider}, ${p.now}, ${p.userId}::uuid,
            ${JSON.stringify(frozen)}::jsonb, ${p.returnUrl}, ${p.expiresAt}, ${p.autopayId}::uuid, ${p.now}, ${p.now})`
  await tx.sql`
    INSERT INTO payment_event (id, "paymentId", "fromStatus", "toStatus", actor, "actorId", at)
    VALUES (${uuidv7(p.now.getTime())}::uuid, ${p.id}::uuid, NULL, 'pending', ${p.actor}, ${p.actor === 'customer' ? p.userId : null}::uuid, ${p.now})`
  await addJob(tx, { task: EXPIRE_PAYMENT_TASK, payload: { paymentId: p.id }, delayMs: p.expiresAt.getTime() - p.now.getTime() })
}
