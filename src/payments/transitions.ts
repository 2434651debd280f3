import { formatKopecks, toKopecks } from '../common/money.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { emitEvents } from '../webhooks/events.ts'
import { paymentEvents, refundEvent } from '../webhooks/payloads.ts'
import { allocatePayments } from './allocation-sql.ts'
import { afterAutopayPayment, type StoredCard } from './autopay-sql.ts'
import { decide, type Decision, type PaymentState, type PaymentStatus } from './rules.ts'

/**
 * How a payment changes, whoever changes it (a provider's notification, expiry, a provider that
 * could not open the payment): lock and read it, ask the state machine (rules.ts), write what it
 * allows here.
 */
export interface LockedPayment {
  id: string
  accountId: string
  status: PaymentStatus
  amount: string
  refundedAmount: string
  externalId: string | null
  expiresAt: Date | null
  /** The autopay it saves a card for, or charges for. */
  autopayId: string | null
}

export interface Transition {
  decision: Extract<Decision, { kind: 'apply' }>
  actor: 'provider' | 'system'
  at: Date
  providerStatus: string | null
  notificationId: string | null
  reason: string | null
  externalId?: string | null
  refundId?: string | null
  /** The card the payment saved (a provider's notification of success). */
  card?: StoredCard | null
}

/**
 * Locks a payment and reads it. The lock is its own statement and the read the next: a statement
 * that waited for the lock would still see the row as it was before the other change committed.
 */
export async function lockPayment(tx: Tx, paymentId: string): Promise<LockedPayment | undefined> {
  await tx.sql`SELECT 1 FROM payment WHERE id = ${paymentId}::uuid FOR UPDATE`
  const [payment] = await tx.sql<LockedPayment>`
    SELECT id, "accountId", status::text AS status, amount::text AS amount, "refundedAmount"::text AS "refundedAmount", "externalId", "expiresAt", "autopayId"
    FROM payment WHERE id = ${paymentId}::uuid`
  return payment
}

/** The payment as the state machine reads it. */
export const stateOf = (payment: LockedPayment): PaymentState => ({
  status: payment.status,
  amount: toKopecks(payment.amount),
  refunded: toKopecks(payment.refundedAmount),
})

/**
 * The system ends a locked payment (expired, never opened by the provider, declined at once):
 * through the state machine, so whatever settled it first wins and this changes nothing.
 */
export async function endBySystem(
  tx: Tx,
  payment: LockedPayment,
  end: { kind: 'failed' | 'canceled'; reason: string; at: Date },
  penaltiesFirst: boolean,
): Promise<void> {
  const decision = decide(stateOf(payment), { kind: end.kind })
  if (decision.kind !== 'apply') return
  await writeTransition(tx, payment, { decision, actor: 'system', at: end.at, providerStatus: null, notificationId: null, reason: end.reason }, penaltiesFirst)
}

/**
 * Writes one allowed transition: the payment, its event, for a refund the reversal entry, and
 * where settled money now goes (allocation), all in the caller's transaction.
 */
export async function writeTransition(tx: Tx, from: LockedPayment, t: Transition, penaltiesFirst: boolean): Promise<void> {
  const refund = t.decision.refund ?? 0n
  await tx.sql`
    UPDATE payment SET status = ${t.decision.to}::"PaymentStatus",
      "paidAt" = CASE WHEN ${t.decision.to} = 'succeeded' THEN ${t.at} ELSE "paidAt" END,
      "externalId" = COALESCE("externalId", ${t.externalId ?? null}),
      "refundedAmount" = "refundedAmount" + ${formatKopecks(refund)}::numeric,
      "failureReason" = CASE WHEN ${t.decision.to} IN ('failed', 'canceled') THEN ${t.reason} ELSE "failureReason" END,
      "updatedAt" = now()
    WHERE id = ${from.id}::uuid`
  await tx.sql`
    INSERT INTO payment_event (id, "paymentId", "fromStatus", "toStatus", amount, actor, "providerStatus", "notificationId", reason, at)
    VALUES (${uuidv7()}::uuid, ${from.id}::uuid, ${from.status}::"PaymentStatus", ${t.decision.to}::"PaymentStatus",
            ${refund > 0n ? formatKopecks(refund) : null}::numeric, ${t.actor}, ${t.providerStatus}, ${t.notificationId}::uuid, ${t.reason}, ${t.at})`
  if (refund > 0n) {
    await tx.sql`
      INSERT INTO payment_refund (id, "paymentId", amount, "externalId", "refundedAt")
      VALUES (${uuidv7()}::uuid, ${from.id}::uuid, ${formatKopecks(refund)}::numeric, ${t.refundId ?? t.notificationId}, ${t.at})`
  }
  if (t.decision.to === 'succeeded' || t.decision.to === 'refunded') await allocatePayments(tx, [from.accountId], { penaltiesFirst, at: t.at })
  if (t.decision.to === 'succeeded') await emitEvents(tx, 'payment.succeeded', t.at, paymentEvents([from.id]))
  if (refund > 0n) await emitEvents(tx, 'payment.refunded', t.at, refundEvent(from.id, formatKopecks(refund), t.at))
  if (from.autopayId) await afterAutopayPayment(tx, { id: from.id, autopayId: from.autopayId }, t.decision.to, { at: t.at, reason: t.reason, card: t.card ?? null })
}

