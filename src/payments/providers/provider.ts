import type { Kopecks } from '../../common/money.ts'
import type { PaymentChange } from '../rules.ts'

/** What a provider needs to open its payment page for one of our payments. */
export interface StartInput {
  paymentId: string
  amount: Kopecks
  /** Shown to the customer on the provider's page. */
  description: string
  accountNumber: string
  returnUrl: string
  expiresAt: Date
}

export interface Started {
  /** The provider's id of the payment, when it gives one before the customer pays. */
  externalId: string | null
  confirmationUrl: string
}

/** A notification as it arrived: the raw bytes are what a signature covers. */
export interface IncomingNotification {
  rawBody: Buffer
  headers: Record<string, string | string[] | undefined>
  receivedAt: Date
}

/** What a verified notification says, in our words. */
export interface NotificationFacts {
  /** The provider's id of the payment. */
  objectId: string
  /** Unique per object: pay, fail, refund:<refund id>… (a repeat has the same). */
  event: string
  /** Our payment id, when the notification names one (it may name one we do not have). */
  paymentId: string | null
  change: PaymentChange
  /** The amount the notification states (the payment's, or the refund's). */
  amount: Kopecks | null
  /** The provider's own word for the status, kept on the payment's event. */
  providerStatus: string
  /** When the provider says it happened (else: when it reached us). */
  occurredAt: Date | null
  refundId: string | null
  reason: string | null
}

export type VerifyResult =
  | { ok: true; facts: NotificationFacts }
  | { ok: false; reason: 'signature_missing' | 'signature_invalid' | 'timestamp_stale' | 'malformed' }

/** How the provider must be answered, in its own protocol. */
export interface ProviderAnswer {
  status: number
  contentType: string
  body: string
}

/** Stored (or a repeat of a stored one): the provider may stop sending it. */
export type AnswerFor = { kind: 'accepted' } | { kind: 'rejected'; reason: Exclude<VerifyResult, { ok: true }>['reason'] }

/**
 * One payment provider behind one interface (Medusa's payment-provider service): open a payment,
 * verify a notification over its raw bytes, answer in the provider's protocol. Applying what a
 * notification says is the same for every provider (notifications.ts).
 */
export interface PaymentProvider {
  readonly name: string
  start(input: StartInput): Promise<Started>
  verify(notification: IncomingNotification): Promise<VerifyResult>
  /** The answer in the provider's protocol; null: answer with our own problem (401/400). */
  answer(outcome: AnswerFor): ProviderAnswer | null
}
