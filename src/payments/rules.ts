/**
 * The payment state machine (condo's explicit one, as a table): what a change does to a payment,
 * decided from the payment as it is and the change asked for. No I/O: notifications.ts locks the
 * payment, reads it, asks here, and writes what this says (a payment_event row per transition).
 *
 *   pending → succeeded | failed | canceled
 *   succeeded → refunded, refunded → refunded (partly, then more, up to the amount)
 */
import type { Kopecks } from '../common/money.ts'

export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'canceled' | 'refunded'

export const PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'succeeded', 'failed', 'canceled', 'refunded']

/** The transitions the machine allows; anything else is refused, never applied. */
export const TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  pending: ['succeeded', 'failed', 'canceled'],
  succeeded: ['refunded'],
  refunded: ['refunded'],
  failed: [],
  canceled: [],
}

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

/** What a provider (or the system) says happened to a payment. */
export type PaymentChange =
  | { kind: 'pending' }
  | { kind: 'succeeded'; amount: Kopecks | null }
  | { kind: 'failed' }
  | { kind: 'canceled' }
  | { kind: 'refund'; amount: Kopecks }
  /** One try failed (a declined card) but the page still takes another: not the payment's end. */
  | { kind: 'attempt_failed'; reason: string | null }

export interface PaymentState {
  status: PaymentStatus
  amount: Kopecks
  refunded: Kopecks
}

export type Decision =
  /** Write it: the new status, and for a refund how much more is returned. */
  | { kind: 'apply'; to: PaymentStatus; refund?: Kopecks }
  /** No transition, but worth keeping on the payment: why the last try failed. */
  | { kind: 'note'; reason: string | null }
  /** Nothing to do, and nothing wrong: a repeat, or news older than what is known (pending after succeeded). */
  | { kind: 'ignore'; code: 'already_in_status' | 'out_of_order' }
  /** Wrong: recorded and shown to operators, never applied. */
  | { kind: 'refuse'; code: 'amount_mismatch' | 'payment_transition_refused' | 'refund_exceeds_payment'; detail: string }

// How far along a status is: news of an earlier stage, arriving late, changes nothing.
const STAGE: Record<PaymentStatus, number> = { pending: 0, succeeded: 1, failed: 1, canceled: 1, refunded: 2 }

export function decide(payment: PaymentState, change: PaymentChange): Decision {
  if (change.kind === 'attempt_failed') return payment.status === 'pending' ? { kind: 'note', reason: change.reason } : { kind: 'ignore', code: 'out_of_order' }
  if (change.kind === 'refund') {
    if (!canTransition(payment.status, 'refunded')) {
      return { kind: 'refuse', code: 'payment_transition_refused', detail: `a ${payment.status} payment cannot be refunded` }
    }
    if (change.amount <= 0n || payment.refunded + change.amount > payment.amount) {
      return {
        kind: 'refuse',
        code: 'refund_exceeds_payment',
        detail: `a refund of ${change.amount} kopecks on top of ${payment.refunded} exceeds the payment of ${payment.amount}`,
      }
    }
    return { kind: 'apply', to: 'refunded', refund: change.amount }
  }
  const to: PaymentStatus = change.kind
  if (payment.status === to) return { kind: 'ignore', code: 'already_in_status' }
  if (STAGE[to] < STAGE[payment.status]) {
    // A success reported after a refund: the success was applied before the refund could be.
    if (to === 'succeeded' && payment.status === 'refunded') return { kind: 'ignore', code: 'already_in_status' }
    if (to === 'pending') return { kind: 'ignore', code: 'out_of_order' }
  }
  if (!canTransition(payment.status, to)) {
    return { kind: 'refuse', code: 'payment_transition_refused', detail: `a ${payment.status} payment cannot become ${to}` }
  }
  if (change.kind === 'succeeded' && change.amount !== null && change.amount !== payment.amount) {
    return { kind: 'refuse', code: 'amount_mismatch', detail: `the provider took ${change.amount} kopecks for a payment of ${payment.amount}` }
  }
  return { kind: 'apply', to }
}

/**
 * Whether a payment may send the customer back to `url`: an http(s) URL whose origin is allowed,
 * or an app link under an allowed scheme prefix (`abonent://`). Anything else would make the
 * payment page an open redirect.
 */
export function returnUrlAllowed(url: string, allowed: readonly string[]): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.username || parsed.password) return false
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return allowed.includes(parsed.origin)
  return allowed.some((prefix) => !/^https?:/i.test(prefix) && prefix.endsWith('://') && url.startsWith(prefix))
}

/**
 * The answer to a provider's question before the charge (CloudPayments' Check): only a pending
 * payment, not yet expired, and only for its own amount.
 */
export function checkVerdict(
  payment: { status: PaymentStatus; amount: Kopecks; expiresAt: Date | null },
  amount: Kopecks,
  now: Date,
): 'ok' | 'amount_mismatch' | 'not_payable' | 'expired' {
  if (payment.status !== 'pending') return payment.status === 'canceled' ? 'expired' : 'not_payable'
  if (payment.expiresAt && payment.expiresAt.getTime() <= now.getTime()) return 'expired'
  return amount === payment.amount ? 'ok' : 'amount_mismatch'
}
