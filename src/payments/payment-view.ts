import type { Payment, PaymentEventView, PaysFor } from './schemas.ts'
import type { PaymentStatus } from './rules.ts'

/** The columns a Payment is made of, selected from `payment p` (money as text, never a float). */
export const PAYMENT_COLUMNS = `p.id, p."accountId", p.amount::text AS amount, p.status::text AS status, p.provider, p.method, p."paidAt",
  p."refundedAmount"::text AS "refundedAmount", p."paysFor", p."confirmationUrl", p."expiresAt", p."failureReason", p."autopayId", p."createdAt"`

export interface PaymentRow {
  id: string
  accountId: string
  amount: string
  status: PaymentStatus
  provider: string
  method: string | null
  paidAt: Date
  refundedAmount: string
  paysFor: PaysFor | null
  confirmationUrl: string | null
  expiresAt: Date | null
  failureReason: string | null
  autopayId: string | null
  createdAt: Date
}

export function paymentOf(row: PaymentRow): Payment {
  return {
    id: row.id,
    accountId: row.accountId,
    amount: row.amount,
    status: row.status,
    provider: row.provider,
    method: row.method,
    paidAt: row.paidAt.toISOString(),
    refundedAmount: row.refundedAmount,
    paysFor: row.paysFor,
    // The provider's page is of use only while the payment waits for it.
    confirmationUrl: row.status === 'pending' ? row.confirmationUrl : null,
    expiresAt: row.status === 'pending' ? (row.expiresAt?.toISOString() ?? null) : null,
    failureReason: row.failureReason,
    autopayId: row.autopayId,
    createdAt: row.createdAt.toISOString(),
  }
}

export const PAYMENT_EVENT_COLUMNS = `e.at, e."fromStatus"::text AS "fromStatus", e."toStatus"::text AS "toStatus", e.amount::text AS amount,
  e.actor, e."providerStatus", e.reason`

export interface PaymentEventRow {
  at: Date
  fromStatus: PaymentStatus | null
  toStatus: PaymentStatus
  amount: string | null
  actor: PaymentEventView['actor']
  providerStatus: string | null
  reason: string | null
}

export function paymentEventOf(row: PaymentEventRow): PaymentEventView {
  return { ...row, at: row.at.toISOString() }
}
