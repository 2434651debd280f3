import type { Kopecks } from '../../common/money.ts'
import type { PaymentChange, PaymentStatus } from '../rules.ts'

/** A supplier's merchant account at a provider (the secret decrypted, for this call only). */
export interface Credentials {
  merchantId: string
  secret: string
}

/** What a provider needs to open its payment page for one of our payments. */
export interface StartInput {
  paymentId: string
  amount: Kopecks
  /** Shown to the customer on the provider's page. */
  description: string
  accountNumber: string
  returnUrl: string
  /** Where the provider sends its notifications. */
  notificationUrl: string
  expiresAt: Date
  credentials: Credentials | null
  /** Ask the provider to save the card for later charges (autopay), under this customer key. */
  saveCard?: { customerKey: string } | null
}

/** A card the provider saved for later charges: its handle (T-Bank RebillId, CloudPayments Token) and how it is shown. */
export interface SavedCard {
  token: string
  /** 430000******0777 */
  mask: string | null
  /** MM/YY */
  expires: string | null
}

/** A charge of a saved card (autopay): no page, no customer present. */
export interface ChargeInput {
  paymentId: string
  amount: Kopecks
  description: string
  accountNumber: string
  notificationUrl: string
  card: SavedCard
  customerKey: string
  credentials: Credentials | null
}

/**
 * What the provider said to a charge at once: accepted (its notification settles the payment) or
 * declined (the card refused; nothing was taken).
 */
export type Charged = { outcome: 'accepted'; externalId: string | null } | { outcome: 'declined'; externalId: string | null; reason: string }

/** Money to return from a settled payment, asked of the provider by an operator. */
export interface RefundInput {
  paymentId: string
  /** The provider's id of the payment. */
  externalId: string | null
  amount: Kopecks
  credentials: Credentials | null
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
  query: Record<string, string | undefined>
  receivedAt: Date
}

/** The payment a notification names, as we hold it, with the credentials that sign its notifications. */
export interface NamedPayment {
  id: string
  status: PaymentStatus
  amount: Kopecks
  expiresAt: Date | null
  credentials: Credentials | null
}

/** Finds the payment a notification names (our id), among this provider's. */
export type PaymentLookup = (paymentId: string) => Promise<NamedPayment | null>

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
  /** The card saved by this payment, when the provider saved one. */
  card?: SavedCard | null
}

export type RejectReason = 'signature_missing' | 'signature_invalid' | 'timestamp_stale' | 'malformed' | 'unknown_payment'

export type VerifyResult =
  | { ok: true; facts: NotificationFacts }
  /** A question before the charge (CloudPayments' Check): may this payment be taken? Nothing is stored. */
  | { ok: true; check: { payment: NamedPayment; amount: Kopecks } }
  | { ok: false; reason: RejectReason }

export type CheckVerdict = 'ok' | 'amount_mismatch' | 'not_payable' | 'expired'

/** How the provider must be answered, in its own protocol. */
export interface ProviderAnswer {
  status: number
  contentType: string
  body: string
}

export type AnswerFor = { kind: 'accepted' } | { kind: 'rejected'; reason: RejectReason } | { kind: 'check'; verdict: CheckVerdict }

/**
 * One payment provider behind one interface (Medusa's payment-provider service): open a payment,
 * verify a notification over its raw bytes, answer in the provider's protocol. Applying what a
 * notification says is the same for every provider (notifications.ts).
 */
export interface PaymentProvider {
  readonly name: string
  start(input: StartInput): Promise<Started>
  verify(notification: IncomingNotification, lookup: PaymentLookup): Promise<VerifyResult>
  /** The answer in the provider's protocol; null: answer with our own problem (401/400). */
  answer(outcome: AnswerFor): ProviderAnswer | null
  /**
   * Asks the provider to return money. Nothing is written here: the provider's refund
   * notification applies it, like every other change. Absent: the provider cannot be asked.
   */
  refund?(input: RefundInput): Promise<void>
  /**
   * Charges a saved card (autopay). Absent: the provider cannot. A ProviderError means no answer:
   * the charge may or may not have happened, so the payment waits for a notification or expiry.
   */
  charge?(input: ChargeInput): Promise<Charged>
}

/** A provider's API answered, but not with success: the payment cannot be opened. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(`${provider}: ${message}`)
    this.name = 'ProviderError'
  }
}

/** Posts JSON to a provider's API with a deadline; any failure is a ProviderError. */
export async function postJson<T>(provider: string, url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    })
  } catch (error) {
    throw new ProviderError(provider, `no answer from ${new URL(url).host}: ${(error as Error).message}`)
  }
  if (!response.ok) throw new ProviderError(provider, `HTTP ${response.status} from ${new URL(url).pathname}`)
  try {
    return (await response.json()) as T
  } catch {
    throw new ProviderError(provider, `not JSON from ${new URL(url).pathname}`)
  }
}
