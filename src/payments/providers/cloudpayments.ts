import { createHmac, timingSafeEqual } from 'node:crypto'
import { formatKopecks, parseKopecks } from '../../common/money.ts'
import type { PaymentChange } from '../rules.ts'
import {
  ProviderError,
  postJson,
  type AnswerFor,
  type ChargeInput,
  type Charged,
  type CheckVerdict,
  type Credentials,
  type IncomingNotification,
  type PaymentLookup,
  type PaymentProvider,
  type ProviderAnswer,
  type RefundInput,
  type SavedCard,
  type StartInput,
  type Started,
  type VerifyResult,
} from './provider.ts'

/**
 * CloudPayments (INTEGRATIONS.md). The payment page is an order made by `POST /orders/create`
 * (HTTP Basic: Public ID and API secret). Notifications come form-encoded, one URL per kind,
 * which the supplier sets in CloudPayments' dashboard with `?event=check|pay|fail|refund`
 * appended to our route; each is signed by `Content-HMAC`: base64 HMAC-SHA256 of the raw body
 * under the API secret (`X-Content-HMAC`: the same over the URL-decoded body). Answers are
 * `{"code":N}`: 0 accept, 10 unknown order, 11 wrong amount, 13 refused, 20 expired.
 *
 * A failed attempt (`Fail`) does not end our payment: the customer may try another card on the
 * same page until it expires, so it only records the reason.
 */
const EVENTS = ['check', 'pay', 'fail', 'refund'] as const
type CloudPaymentsEvent = (typeof EVENTS)[number]

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const CODES: Record<CheckVerdict | 'unknown_payment' | 'refused', number> = {
  ok: 0,
  unknown_payment: 10,
  amount_mismatch: 11,
  not_payable: 13,
  refused: 13,
  expired: 20,
}

interface OrderCreated {
  Success: boolean
  Message?: string | null
  Model?: { Id?: string; Url?: string }
}

/** The API's HTTP Basic: Public ID and API secret. */
const basicAuth = ({ merchantId, secret }: Credentials) => ({ authorization: `Basic ${Buffer.from(`${merchantId}:${secret}`).toString('base64')}` })

interface TokenCharged {
  Success: boolean
  Message?: string | null
  Model?: { TransactionId?: number; Status?: string; Reason?: string; CardHolderMessage?: string } | null
}

/** Every Pay notification carries the card's token (for charges without the customer: autopay). */
function savedCard(fields: URLSearchParams): SavedCard | null {
  const token = fields.get('Token')
  if (!token || !/^[\w.:-]{8,200}$/.test(token)) return null
  const first = fields.get('CardFirstSix') ?? ''
  const last = fields.get('CardLastFour') ?? ''
  const expires = fields.get('CardExpDate')
  return {
    token,
    mask: /^\d{6}$/.test(first) && /^\d{4}$/.test(last) ? `${first}******${last}` : null,
    expires: expires && /^\d{2}\/\d{2}$/.test(expires) ? expires : null,
  }
}

function hmacMatches(secret: string, data: Buffer, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false
  const expected = createHmac('sha256', secret).update(data).digest()
  const candidate = Buffer.from(given, 'base64')
  return candidate.length === expected.length && timingSafeEqual(candidate, expected)
}

/** "2026-11-26 05:00:00" in UTC, as CloudPayments writes times. */
function parseDateTime(value: string | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(value)) return null
  const date = new Date(`${value.replace(' ', 'T')}Z`)
  return Number.isNaN(date.getTime()) ? null : date
}

function changeOf(event: Exclude<CloudPaymentsEvent, 'check'>, amount: bigint, reason: string | null): PaymentChange {
  switch (event) {
    case 'pay':
      return { kind: 'succeeded', amount }
    case 'fail':
      return { kind: 'attempt_failed', reason }
    case 'refund':
      return { kind: 'refund', amount }
  }
}

export function createCloudPaymentsProvider(options: { apiUrl: string; timeoutMs: number }): PaymentProvider {
  return {
    name: 'cloudpayments',

    async start(input: StartInput): Promise<Started> {
      if (!input.credentials) throw new ProviderError('cloudpayments', 'the supplier has no CloudPayments account')
      const order = await postJson<OrderCreated>(
        'cloudpayments',
        `${options.apiUrl}/orders/create`,
        {
          // The protocol wants a JSON number of rubles; two decimals print exactly.
          Amount: Number(formatKopecks(input.amount)),
          Currency: 'RUB',
          Description: input.description,
          InvoiceId: input.paymentId,
          AccountId: input.accountNumber,
          SuccessRedirectUrl: input.returnUrl,
          FailRedirectUrl: input.returnUrl,
          JsonData: { paymentId: input.paymentId },
        },
        { timeoutMs: options.timeoutMs, headers: basicAuth(input.credentials) },
      )
      if (!order.Success || !order.Model?.Url) throw new ProviderError('cloudpayments', `order not created: ${order.Message ?? 'no reason given'}`)
      // The transaction id comes with the payment; the order's id is not it.
      return { externalId: null, confirmationUrl: order.Model.Url }
    },

    async verify(notification: IncomingNotification, lookup: PaymentLookup): Promise<VerifyResult> {
      const event = notification.query.event as CloudPaymentsEvent | undefined
      if (!event || !EVENTS.includes(event)) return { ok: false, reason: 'malformed' }
      const raw = notification.rawBody.toString('utf8')
      const fields = new URLSearchParams(raw)
      const paymentId = fields.get('InvoiceId')
      if (!paymentId || !UUID.test(paymentId)) return { ok: false, reason: 'unknown_payment' }
      const payment = await lookup(paymentId)
      if (!payment?.credentials) return { ok: false, reason: 'unknown_payment' }
      const { headers } = notification
      if (headers['content-hmac'] === undefined && headers['x-content-hmac'] === undefined) return { ok: false, reason: 'signature_missing' }
      const genuine =
        hmacMatches(payment.credentials.secret, notification.rawBody, headers['content-hmac']) ||
        hmacMatches(payment.credentials.secret, Buffer.from(decodeURIComponent(raw.replaceAll('+', ' '))), headers['x-content-hmac'])
      if (!genuine) return { ok: false, reason: 'signature_invalid' }
      const amount = parseKopecks(fields.get('Amount') ?? '')
      const transactionId = fields.get('TransactionId')
      if (amount === null || amount <= 0n || !transactionId || !/^\d{1,20}$/.test(transactionId)) return { ok: false, reason: 'malformed' }
      if (event === 'check') return { ok: true, check: { payment, amount } }
      const reason = fields.get('Reason')?.slice(0, 500) ?? null
      // A refund is its own transaction, pointing at the payment's.
      const objectId = event === 'refund' ? fields.get('PaymentTransactionId') : transactionId
      if (!objectId || !/^\d{1,20}$/.test(objectId)) return { ok: false, reason: 'malformed' }
      return {
        ok: true,
        facts: {
          objectId,
          event: event === 'refund' ? `refund:${transactionId}` : event,
          paymentId,
          change: changeOf(event, amount, reason),
          amount,
          providerStatus: fields.get('Status') ?? event,
          occurredAt: parseDateTime(fields.get('DateTime')),
          refundId: event === 'refund' ? transactionId : null,
          reason,
          card: event === 'pay' ? savedCard(fields) : null,
        },
      }
    },

    // POST /payments/refund: the Refund notification that follows applies it.
    async refund(input: RefundInput): Promise<void> {
      if (!input.credentials || !input.externalId) throw new ProviderError('cloudpayments', 'the payment has no CloudPayments transaction to refund')
      const answer = await postJson<{ Success: boolean; Message?: string | null }>(
        'cloudpayments',
        `${options.apiUrl}/payments/refund`,
        { TransactionId: Number(input.externalId), Amount: Number(formatKopecks(input.amount)) },
        { timeoutMs: options.timeoutMs, headers: basicAuth(input.credentials) },
      )
      if (!answer.Success) throw new ProviderError('cloudpayments', `refund refused: ${answer.Message ?? 'no reason given'}`)
    },

    // POST /payments/tokens/charge: a decline answers at once (Success false with the bank's reason);
    // an accepted charge is settled by its Pay notification, like any payment.
    async charge(input: ChargeInput): Promise<Charged> {
      if (!input.credentials) throw new ProviderError('cloudpayments', 'the supplier has no CloudPayments account')
      const answer = await postJson<TokenCharged>(
        'cloudpayments',
        `${options.apiUrl}/payments/tokens/charge`,
        {
          Amount: Number(formatKopecks(input.amount)),
          Currency: 'RUB',
          AccountId: input.accountNumber,
          Token: input.card.token,
          InvoiceId: input.paymentId,
          Description: input.description,
          // A charge the customer set up in advance, not one they are present for (merchant-initiated).
          TrInitiatorCode: 0,
          JsonData: { paymentId: input.paymentId, autopay: true },
        },
        { timeoutMs: options.timeoutMs, headers: basicAuth(input.credentials) },
      )
      const externalId = answer.Model?.TransactionId !== undefined ? String(answer.Model.TransactionId) : null
      if (answer.Success) return { outcome: 'accepted', externalId }
      const reason = answer.Model?.CardHolderMessage ?? answer.Model?.Reason ?? answer.Message ?? 'declined'
      return { outcome: 'declined', externalId, reason: reason.slice(0, 500) }
    },

    answer(outcome: AnswerFor): ProviderAnswer {
      const code =
        outcome.kind === 'accepted' ? 0 : outcome.kind === 'check' ? CODES[outcome.verdict] : outcome.reason === 'unknown_payment' ? CODES.unknown_payment : CODES.refused
      return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code }) }
    },
  }
}
