import type { Tx } from '../db/transaction.ts'
import { addJob } from '../jobs/queue.ts'
import type { PaymentStatus } from './rules.ts'

export const AUTOPAY_NOTIFY_TASK = 'autopay:notify'

/** What autopay tells its customer by mail, queued in the transaction of the change. */
export type AutopayNotice =
  | { kind: 'activated'; autopayId: string }
  | { kind: 'card_not_saved'; autopayId: string }
  | { kind: 'charged'; chargeId: string }
  | { kind: 'declined'; chargeId: string }
  | { kind: 'skipped'; chargeId: string }

export const notifyAutopay = (tx: Tx, notice: AutopayNotice) =>
  addJob(tx, { task: AUTOPAY_NOTIFY_TASK, payload: notice, key: `autopay:${notice.kind}:${'chargeId' in notice ? notice.chargeId : notice.autopayId}` })

/** A card a provider saved, as stored: the token sealed under cardContext(payment). */
export interface StoredCard {
  tokenSealed: string
  mask: string | null
  expires: string | null
}

/** The authenticated context of a saved card's sealed token: the payment that saved it. */
export const cardContext = (paymentId: string) => `payment_card:${paymentId}`

/**
 * Ends an autopay (stopped or canceled, with why and when: the CHECK holds status and endedAt
 * together), if it is still in one of `from`.
 */
export async function endAutopay(
  tx: Tx,
  autopayId: string,
  end: { status: 'stopped' | 'canceled'; reason: string; at: Date; from?: readonly ('awaiting_card' | 'active')[] },
): Promise<void> {
  const from = end.from ?? ['awaiting_card', 'active']
  await tx.sql`
    UPDATE autopay SET status = ${end.status}::"AutopayStatus", "endReason" = ${end.reason}, "endedAt" = ${end.at}, "updatedAt" = ${end.at}
    WHERE id = ${autopayId}::uuid AND status::text = ANY(${from}::text[])`
}

/**
 * What a payment's transition means for its autopay, in the transition's transaction (the
 * payment is locked; the autopay is locked next, then its charge: the order every autopay
 * writer keeps). The payment that saves the card activates the autopay with that card, or ends
 * it; a charge's payment settles the charge, and a failed or canceled one stops the autopay
 * (no retries against a declining card).
 */
export async function afterAutopayPayment(
  tx: Tx,
  payment: { id: string; autopayId: string },
  to: PaymentStatus,
  t: { at: Date; reason: string | null; card: StoredCard | null },
): Promise<void> {
  if (to === 'refunded' || to === 'pending') return
  await tx.sql`SELECT 1 FROM autopay WHERE id = ${payment.autopayId}::uuid FOR UPDATE`
  const [charge] = await tx.sql<{ id: string }>`SELECT id FROM autopay_charge WHERE "paymentId" = ${payment.id}::uuid FOR UPDATE`
  if (charge) {
    if (to === 'succeeded') {
      await tx.sql`UPDATE autopay_charge SET status = 'succeeded', "updatedAt" = ${t.at} WHERE id = ${charge.id}::uuid AND status = 'charging'`
      await notifyAutopay(tx, { kind: 'charged', chargeId: charge.id })
      return
    }
    const reason = t.reason ?? to
    await tx.sql`UPDATE autopay_charge SET status = 'declined', reason = ${reason}, "updatedAt" = ${t.at} WHERE id = ${charge.id}::uuid AND status = 'charging'`
    await endAutopay(tx, payment.autopayId, { status: 'stopped', reason: `charge_declined: ${reason}`, at: t.at, from: ['active'] })
    await notifyAutopay(tx, { kind: 'declined', chargeId: charge.id })
    return
  }
  const [autopay] = await tx.sql<{ status: string }>`
    SELECT status::text AS status FROM autopay WHERE id = ${payment.autopayId}::uuid AND "bindingPaymentId" = ${payment.id}::uuid`
  // Canceled or replaced while its payment was on the page: the payment stands, the card is not kept.
  if (autopay?.status !== 'awaiting_card') return
  if (to === 'succeeded' && t.card) {
    await tx.sql`
      UPDATE autopay SET status = 'active', "cardToken" = ${t.card.tokenSealed}, "cardMask" = ${t.card.mask}, "cardExpires" = ${t.card.expires},
        "activatedAt" = ${t.at}, "updatedAt" = ${t.at}
      WHERE id = ${payment.autopayId}::uuid`
    await notifyAutopay(tx, { kind: 'activated', autopayId: payment.autopayId })
    return
  }
  await endAutopay(tx, payment.autopayId, {
    status: to === 'succeeded' ? 'stopped' : 'canceled',
    reason: to === 'succeeded' ? 'card_not_saved' : `first_payment_${to}`,
    at: t.at,
  })
  if (to === 'succeeded') await notifyAutopay(tx, { kind: 'card_not_saved', autopayId: payment.autopayId })
}
