import { timingSafeEqual } from 'node:crypto'
import type { PaymentChange } from '../rules.ts'
import {
  ProviderError,
  postJson,
  type AnswerFor,
  type ChargeInput,
  type Charged,
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
import { tbankToken } from './tbank-token.ts'

/**
 * T-Bank acquiring API v2 (INTEGRATIONS.md): `POST /Init` opens the payment page (amount in
 * kopecks, our payment id as OrderId, signed by Token); notifications come as JSON signed by the
 * same Token algorithm and are answered `OK` (anything else is retried for a month).
 *
 * Status words: AUTHORIZED is on the way (changes nothing), CONFIRMED settles, REJECTED fails,
 * CANCELED / REVERSED / DEADLINE_EXPIRED cancel, REFUNDED and PARTIAL_REFUNDED return money.
 * Which amount a refund notification states (the refund's, taken here) is marked (check) in
 * INTEGRATIONS.md; two partial refunds of equal amount on one payment are told apart only by
 * that amount, so the second would be taken for a repeat (check with T-Bank before refunding twice).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface InitAnswer {
  Success: boolean
  ErrorCode?: string
  Message?: string
  Details?: string
  PaymentId?: string | number
  PaymentURL?: string
}

interface TbankNotification {
  TerminalKey?: unknown
  OrderId?: unknown
  Success?: unknown
  Status?: unknown
  PaymentId?: unknown
  ErrorCode?: unknown
  Amount?: unknown
  Message?: unknown
  Token?: unknown
  RebillId?: unknown
  Pan?: unknown
  ExpDate?: unknown
}

interface ChargeAnswer {
  Success: boolean
  ErrorCode?: string
  Message?: string
  Details?: string
  Status?: string
  PaymentId?: string | number
}

/** The card a payment opened with Recurrent=Y saved: RebillId is the handle for later charges. */
function savedCard(body: TbankNotification): SavedCard | null {
  const rebillId = typeof body.RebillId === 'number' || typeof body.RebillId === 'string' ? String(body.RebillId) : ''
  if (!/^\d{1,20}$/.test(rebillId)) return null
  const expDate = typeof body.ExpDate === 'string' && /^\d{4}$/.test(body.ExpDate) ? `${body.ExpDate.slice(0, 2)}/${body.ExpDate.slice(2)}` : null
  return { token: rebillId, mask: typeof body.Pan === 'string' ? body.Pan.slice(0, 32) : null, expires: expDate }
}

function changeOf(status: string, amount: bigint): PaymentChange | null {
  switch (status) {
    case 'NEW':
    case 'FORM_SHOWED':
    case 'AUTHORIZING':
    case '3DS_CHECKING':
    case '3DS_CHECKED':
    case 'AUTHORIZED':
    case 'CONFIRMING':
      return { kind: 'pending' }
    case 'CONFIRMED':
      return { kind: 'succeeded', amount }
    case 'REJECTED':
    case 'AUTH_FAIL':
      return { kind: 'failed' }
    case 'CANCELED':
    case 'REVERSED':
    case 'PARTIAL_REVERSED':
    case 'DEADLINE_EXPIRED':
      return { kind: 'canceled' }
    case 'REFUNDED':
    case 'PARTIAL_REFUNDED':
      return { kind: 'refund', amount }
    default:
      return null
  }
}

/** Dates as T-Bank writes them: ISO 8601 with an offset, seconds precision. */
const tbankDate = (date: Date) => `${date.toISOString().slice(0, 19)}+00:00`

export function createTbankProvider(options: { apiUrl: string; timeoutMs: number }): PaymentProvider {
  /** POST /Init for the terminal, signed by Token. */
  const init = (credentials: Credentials, fields: Record<string, unknown>) => {
    const request: Record<string, unknown> = { TerminalKey: credentials.merchantId, ...fields }
    request.Token = tbankToken(request, credentials.secret)
    return postJson<InitAnswer>('tbank', `${options.apiUrl}/Init`, request, { timeoutMs: options.timeoutMs })
  }

  return {
    name: 'tbank',

    async start(input: StartInput): Promise<Started> {
      if (!input.credentials) throw new ProviderError('tbank', 'the supplier has no T-Bank terminal')
      const answer = await init(input.credentials, {
        Amount: Number(input.amount),
        OrderId: input.paymentId,
        Description: input.description.slice(0, 140),
        NotificationURL: input.notificationUrl,
        SuccessURL: input.returnUrl,
        FailURL: input.returnUrl,
        RedirectDueDate: tbankDate(input.expiresAt),
        DATA: { accountNumber: input.accountNumber },
        // The card is saved for charges without the customer (autopay): RebillId comes with CONFIRMED.
        ...(input.saveCard ? { Recurrent: 'Y', CustomerKey: input.saveCard.customerKey } : {}),
      })
      if (!answer.Success || answer.ErrorCode !== '0' || !answer.PaymentURL || answer.PaymentId === undefined) {
        throw new ProviderError('tbank', `Init refused: ${answer.ErrorCode ?? '?'} ${answer.Message ?? ''} ${answer.Details ?? ''}`.trim())
      }
      return { externalId: String(answer.PaymentId), confirmationUrl: answer.PaymentURL }
    },

    async verify(notification: IncomingNotification, lookup: PaymentLookup): Promise<VerifyResult> {
      let body: TbankNotification & Record<string, unknown>
      try {
        body = JSON.parse(notification.rawBody.toString('utf8')) as TbankNotification & Record<string, unknown>
      } catch {
        return { ok: false, reason: 'malformed' }
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'malformed' }
      if (typeof body.OrderId !== 'string' || !UUID.test(body.OrderId)) return { ok: false, reason: 'unknown_payment' }
      const payment = await lookup(body.OrderId)
      if (!payment?.credentials || body.TerminalKey !== payment.credentials.merchantId) return { ok: false, reason: 'unknown_payment' }
      if (typeof body.Token !== 'string') return { ok: false, reason: 'signature_missing' }
      const expected = Buffer.from(tbankToken(body, payment.credentials.secret), 'hex')
      const given = Buffer.from(body.Token, 'hex')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature_invalid' }
      const status = typeof body.Status === 'string' ? body.Status : ''
      const amount = typeof body.Amount === 'number' && Number.isSafeInteger(body.Amount) && body.Amount > 0 ? BigInt(body.Amount) : null
      const paymentId = typeof body.PaymentId === 'number' || typeof body.PaymentId === 'string' ? String(body.PaymentId) : ''
      const message = typeof body.Message === 'string' ? body.Message.slice(0, 500) : null
      const change = amount === null ? null : changeOf(status, amount)
      if (!change || !/^\d{1,20}$/.test(paymentId)) return { ok: false, reason: 'malformed' }
      return {
        ok: true,
        facts: {
          objectId: paymentId,
          event: change.kind === 'refund' ? `refund:${status}:${amount}` : status,
          paymentId: body.OrderId,
          change,
          amount,
          providerStatus: status,
          occurredAt: null,
          refundId: change.kind === 'refund' ? `${status}:${amount}` : null,
          reason: change.kind === 'failed' || change.kind === 'canceled' ? (message ?? status) : null,
          card: change.kind === 'succeeded' ? savedCard(body) : null,
        },
      }
    },

    // POST /Cancel with the amount: the REFUNDED / PARTIAL_REFUNDED notification that follows applies it.
    async refund(input: RefundInput): Promise<void> {
      if (!input.credentials || !input.externalId) throw new ProviderError('tbank', 'the payment has no T-Bank PaymentId to refund')
      const request: Record<string, unknown> = { TerminalKey: input.credentials.merchantId, PaymentId: input.externalId, Amount: Number(input.amount) }
      request.Token = tbankToken(request, input.credentials.secret)
      const answer = await postJson<InitAnswer>('tbank', `${options.apiUrl}/Cancel`, request, { timeoutMs: options.timeoutMs })
      if (!answer.Success || answer.ErrorCode !== '0') throw new ProviderError('tbank', `Cancel refused: ${answer.ErrorCode ?? '?'} ${answer.Message ?? ''}`.trim())
    },

    // A saved card is charged in two calls: Init opens the payment (no page is shown), Charge takes
    // the money by RebillId. CONFIRMED or REJECTED may come in Charge's answer; the notification follows either way.
    async charge(input: ChargeInput): Promise<Charged> {
      if (!input.credentials) throw new ProviderError('tbank', 'the supplier has no T-Bank terminal')
      const { merchantId, secret } = input.credentials
      const opened = await init(input.credentials, {
        Amount: Number(input.amount),
        OrderId: input.paymentId,
        Description: input.description.slice(0, 140),
        NotificationURL: input.notificationUrl,
        CustomerKey: input.customerKey,
        DATA: { accountNumber: input.accountNumber, autopay: 'true' },
      })
      if (!opened.Success || opened.ErrorCode !== '0' || opened.PaymentId === undefined) {
        return { outcome: 'declined', externalId: null, reason: `Init refused: ${opened.ErrorCode ?? '?'} ${opened.Message ?? ''}`.trim() }
      }
      const externalId = String(opened.PaymentId)
      const request: Record<string, unknown> = { TerminalKey: merchantId, PaymentId: externalId, RebillId: input.card.token }
      request.Token = tbankToken(request, secret)
      const answer = await postJson<ChargeAnswer>('tbank', `${options.apiUrl}/Charge`, request, { timeoutMs: options.timeoutMs })
      if (!answer.Success || answer.ErrorCode !== '0' || answer.Status === 'REJECTED') {
        return { outcome: 'declined', externalId, reason: `${answer.Message ?? answer.Status ?? 'REJECTED'}${answer.ErrorCode && answer.ErrorCode !== '0' ? ` (${answer.ErrorCode})` : ''}` }
      }
      return { outcome: 'accepted', externalId }
    },

    // T-Bank retries anything but OK, for a month; a notification we cannot verify will never
    // verify, so it gets a plain refusal (logged by the route).
    answer(outcome: AnswerFor): ProviderAnswer {
      return outcome.kind === 'rejected'
        ? { status: 400, contentType: 'text/plain; charset=utf-8', body: 'REJECTED' }
        : { status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' }
    },
  }
}
