import { timingSafeEqual } from 'node:crypto'
import type { PaymentChange } from '../rules.ts'
import {
  ProviderError,
  postJson,
  type AnswerFor,
  type IncomingNotification,
  type PaymentLookup,
  type PaymentProvider,
  type ProviderAnswer,
  type RefundInput,
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
  return {
    name: 'tbank',

    async start(input: StartInput): Promise<Started> {
      if (!input.credentials) throw new ProviderError('tbank', 'the supplier has no T-Bank terminal')
      const { merchantId, secret } = input.credentials
      const request: Record<string, unknown> = {
        TerminalKey: merchantId,
        Amount: Number(input.amount),
        OrderId: input.paymentId,
        Description: input.description.slice(0, 140),
        NotificationURL: input.notificationUrl,
        SuccessURL: input.returnUrl,
        FailURL: input.returnUrl,
        RedirectDueDate: tbankDate(input.expiresAt),
        DATA: { accountNumber: input.accountNumber },
      }
      request.Token = tbankToken(request, secret)
      const answer = await postJson<InitAnswer>('tbank', `${options.apiUrl}/Init`, request, { timeoutMs: options.timeoutMs })
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

    // T-Bank retries anything but OK, for a month; a notification we cannot verify will never
    // verify, so it gets a plain refusal (logged by the route).
    answer(outcome: AnswerFor): ProviderAnswer {
      return outcome.kind === 'rejected'
        ? { status: 400, contentType: 'text/plain; charset=utf-8', body: 'REJECTED' }
        : { status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' }
    },
  }
}
